package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// The documents register is another part of issue 18: these tests create
// documents and versions by inserting rows of migration 0034 with SQL.

// sqlTime is a time as the engine stores it (store/dialect.go).
func sqlTime(db *store.DB, t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.Engine == store.SQLite {
		return t.UnixMicro()
	}
	return t
}

// testDocument inserts a document of the organisation and returns its id.
func testDocument(t *testing.T, db *store.DB, orgID int64, ref string) int64 {
	t.Helper()
	var id int64
	now := sqlTime(db, db.Now())
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.SQL().QueryRowContext(context.Background(), `INSERT INTO documents (org_id, ref, title, kind, classification, approver_role, review_months, created_at, updated_at)
			VALUES ($1, $2, $3, 'policy', 'internal', 'isms_manager', 12, $4, $4) RETURNING id`, orgID, ref, "Policy "+ref, now).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert document: %v", err)
	}
	return id
}

// testVersion inserts a version of the document with the status given;
// an approved one supersedes the approved version before it, as the
// documents register does. It returns the id and the body's SHA-256.
func testVersion(t *testing.T, db *store.DB, orgID, docID int64, major, minor int, status string) (int64, string) {
	t.Helper()
	body := "# Policy\n\nVersion " + string(rune('0'+major)) + "." + string(rune('0'+minor)) + "\n\n<script>alert(1)</script>"
	h := sha256.Sum256([]byte(body))
	sum := hex.EncodeToString(h[:])
	var id int64
	now := sqlTime(db, db.Now())
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		ctx := context.Background()
		if status == "approved" {
			if _, err := tx.SQL().ExecContext(ctx, `UPDATE document_versions SET status = 'superseded' WHERE org_id = $1 AND document_id = $2 AND status = 'approved'`, orgID, docID); err != nil {
				return err
			}
		}
		var approvedAt any
		if status == "approved" {
			approvedAt = now
		}
		return tx.SQL().QueryRowContext(ctx, `INSERT INTO document_versions (org_id, document_id, major, minor, status, body, file_name, file_type, file_size, sha256, change_note, created_at, approved_at)
			VALUES ($1, $2, $3, $4, $5, $6, '', '', 0, $7, '', $8, $9) RETURNING id`, orgID, docID, major, minor, status, body, sum, now, approvedAt).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert version: %v", err)
	}
	return id, sum
}

// approveVersion approves a version in review as the documents register
// does (the approved one before it becomes superseded) and returns its id
// and hash.
func approveVersion(t *testing.T, db *store.DB, orgID, docID, id int64) (int64, string) {
	t.Helper()
	var sum string
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		ctx := context.Background()
		if _, err := tx.SQL().ExecContext(ctx, `UPDATE document_versions SET status = 'superseded' WHERE org_id = $1 AND document_id = $2 AND status = 'approved'`, orgID, docID); err != nil {
			return err
		}
		if _, err := tx.SQL().ExecContext(ctx, `UPDATE document_versions SET status = 'approved', approved_at = $3 WHERE org_id = $1 AND id = $2`, orgID, id, sqlTime(db, db.Now())); err != nil {
			return err
		}
		return tx.SQL().QueryRowContext(ctx, `SELECT sha256 FROM document_versions WHERE id = $1`, id).Scan(&sum)
	})
	if err != nil {
		t.Fatalf("approve version: %v", err)
	}
	return id, sum
}

func ackState(t *testing.T, a *app.App, p app.Principal, slug string, state string) []store.AckRow {
	t.Helper()
	pg, err := a.Acknowledgements(context.Background(), p, slug, store.AckFilter{State: state, PageSpec: store.PageSpec{Limit: 100, Count: true}})
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}

// TestPublishAndAcknowledge walks the rules of issue 18 item 3 on both
// engines: only an approved version is published; publishing asks the
// audience; acknowledging records the version's exact hash and writes an
// audit event; a minor version does not ask again; a major one does and
// withdraws open requests of the old one; acknowledging a version replaced
// by a later major fails; people joining get the current version; people
// leaving have their open requests withdrawn; the rate counts what it
// should and the register pages in SQL.
func TestPublishAndAcknowledge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		mgr, viewer, auditor := f.members[isms.RoleISMSManager], f.members[isms.RoleViewer], f.members[isms.RoleAuditor]
		doc := testDocument(t, db, f.org.ID, "POL-1")
		draft, _ := testVersion(t, db, f.org.ID, doc, 1, 0, "in_review")
		all := app.PublishInput{Audience: isms.Audience{Kind: isms.AudienceAll}}

		// Only an approved version is published.
		if _, err := f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, all); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("publish without an approved version: %v", err)
		}
		if _, err := f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, app.PublishInput{VersionID: draft, Audience: all.Audience}); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("publish a draft: %v", err)
		}
		v10, sum10 := approveVersion(t, db, f.org.ID, doc, draft)
		if _, err := f.app.PublishDocumentVersion(ctx, viewer, "acme", doc, all); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("a viewer publishes: %v", err)
		}
		if _, err := other.app.PublishDocumentVersion(ctx, other.members[isms.RoleISMSManager], "beta", doc, all); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("another organisation publishes acme's document: %v", err)
		}
		if _, err := f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, app.PublishInput{Audience: isms.Audience{Kind: isms.AudiencePeople, People: []int64{other.members[isms.RoleViewer].UserID}}}); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("publish to a non-member: %v", err)
		}
		res, err := f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, all)
		if err != nil || res.Asked != len(isms.Roles()) || res.Version.ID != v10 {
			t.Fatalf("publish 1.0: %+v, %v", res, err)
		}

		// A viewer sees only their own request; an auditor sees everyone's.
		mine := ackState(t, f.app, viewer, "acme", "")
		if len(mine) != 1 || mine[0].UserID != viewer.UserID || mine[0].State(now) != isms.AckOpen || !mine[0].DueAt.Equal(now.Add(14*24*time.Hour)) {
			t.Fatalf("viewer's requests: %+v", mine)
		}
		if got := ackState(t, f.app, auditor, "acme", ""); len(got) != len(isms.Roles()) {
			t.Fatalf("register: %d rows", len(got))
		}
		if _, err := other.app.AcknowledgeDocumentVersion(ctx, other.members[isms.RoleViewer], "beta", v10); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("another organisation's member acknowledges acme's version: %v", err)
		}
		if _, err := other.app.AcknowledgementVersion(ctx, other.members[isms.RoleAdmin], "beta", v10); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("another organisation reads the version: %v", err)
		}
		if _, err := f.app.AcknowledgementVersion(ctx, viewer, "acme", draft+1000); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("an unknown version: %v", err)
		}
		view, err := f.app.AcknowledgementVersion(ctx, viewer, "acme", v10)
		if err != nil || view.Version.ID != v10 || view.Request == nil || view.Request.UserID != viewer.UserID || view.State != isms.AckOpen || !strings.Contains(view.Version.Body, "Version 1.0") {
			t.Fatalf("version view: %+v, %v", view, err)
		}

		// Acknowledging records the exact hash, once.
		now = now.Add(24 * time.Hour)
		got, err := f.app.AcknowledgeDocumentVersion(ctx, viewer, "acme", v10)
		if err != nil || got.SHA256 != sum10 || got.Acknowledged == nil || !got.Acknowledged.Equal(now) {
			t.Fatalf("acknowledge: %+v, %v", got, err)
		}
		if _, err := f.app.AcknowledgeDocumentVersion(ctx, viewer, "acme", v10); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Fatalf("acknowledge twice: %v", err)
		}
		es, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "document.acknowledge", Limit: 5})
		if err != nil || len(es) != 1 || !strings.Contains(es[0].After, sum10) {
			t.Fatalf("acknowledge events: %+v, %v", es, err)
		}
		if es, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "document.publish", Limit: 5}); err != nil || len(es) != 1 {
			t.Fatalf("publish events: %+v, %v", es, err)
		}

		// A minor version asks nobody again and moves open requests.
		now = now.Add(24 * time.Hour)
		v11, _ := testVersion(t, db, f.org.ID, doc, 1, 1, "approved")
		res, err = f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, all)
		if err != nil || res.Asked != 0 || res.Moved != len(isms.Roles())-1 || res.Withdrawn != 0 {
			t.Fatalf("publish 1.1: %+v, %v", res, err)
		}
		adminReqs := ackState(t, f.app, f.members[isms.RoleAdmin], "acme", isms.AckOpen)
		var adminOwn store.AckRow
		for _, r := range adminReqs {
			if r.UserID == f.members[isms.RoleAdmin].UserID {
				adminOwn = r
			}
		}
		if adminOwn.VersionID != v11 || !adminOwn.RequestedAt.Equal(now.Add(-48*time.Hour)) {
			t.Fatalf("the admin's open request after 1.1: %+v", adminOwn)
		}

		// A new major version approved: the open 1.1 requests can no longer
		// be acknowledged; publishing 2.0 asks everyone again and
		// withdraws them.
		now = now.Add(24 * time.Hour)
		testVersion(t, db, f.org.ID, doc, 2, 0, "approved")
		if _, err := f.app.AcknowledgeDocumentVersion(ctx, f.members[isms.RoleAdmin], "acme", v11); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Fatalf("acknowledge 1.1 after 2.0 was approved: %v", err)
		}
		res, err = f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, all)
		if err != nil || res.Asked != len(isms.Roles()) || res.Withdrawn != len(isms.Roles())-1 {
			t.Fatalf("publish 2.0: %+v, %v", res, err)
		}
		if got := ackState(t, f.app, auditor, "acme", "withdrawn"); len(got) != len(isms.Roles())-1 {
			t.Fatalf("withdrawn after 2.0: %d", len(got))
		}

		// A member who joins later is asked for the current version; one
		// who leaves has their open request withdrawn.
		u := &isms.User{Email: "late@acme.example", Name: "Late Joiner"}
		if err := f.app.CreateUser(ctx, app.System, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.AddMember(ctx, app.System, "acme", u.Email, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
		late := ackState(t, f.app, app.Principal{UserID: u.ID, Label: u.Email}, "acme", "")
		if len(late) != 1 || late[0].Major != 2 || late[0].Minor != 0 {
			t.Fatalf("late joiner's requests: %+v", late)
		}
		if err := f.app.RemoveMember(ctx, f.members[isms.RoleAdmin], "acme", u.ID); err != nil {
			t.Fatal(err)
		}
		pg, err := f.app.Acknowledgements(ctx, auditor, "acme", store.AckFilter{Query: "late joiner", PageSpec: store.PageSpec{Limit: 10}})
		if err != nil || len(pg.Items) != 1 || pg.Items[0].Dropped == nil {
			t.Fatalf("leaver's request: %+v, %v", pg, err)
		}

		// The rate: Q1 so far counts the six 1.0 requests (one done in
		// time; five withdrawn before their due date, not counted) and
		// the six 2.0 requests (pending); the leaver's is not counted.
		now = now.Add(24 * time.Hour)
		r, _, err := f.app.MeasureOne(ctx, auditor, "acme", measure.AcknowledgementKey, "2026-Q1", now)
		if err != nil || r.Met != 1 || r.Missed != 0 || r.Pending != len(isms.Roles()) {
			t.Fatalf("rate now: %+v, %v", r, err)
		}
		// As of the end of the quarter, the six 2.0 requests are missed.
		end := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
		r, items, err := f.app.MeasureOne(ctx, auditor, "acme", measure.AcknowledgementKey, "2026-Q1", end)
		if err != nil || r.Met != 1 || r.Missed != len(isms.Roles()) || r.Status != measure.StatusRed {
			t.Fatalf("rate at the quarter's end: %+v, %v", r, err)
		}
		var named bool
		for _, it := range r.Items {
			if it.Outcome == measure.OutcomeMissed && items[it.ID].Texts["person"] == "viewer" && items[it.ID].Texts["version"] == "2.0" {
				named = true
			}
		}
		if !named {
			t.Errorf("the drill-down does not name the viewer for 2.0: %+v", r.Items)
		}

		// Paging in SQL.
		pg, err = f.app.Acknowledgements(ctx, auditor, "acme", store.AckFilter{PageSpec: store.PageSpec{Limit: 5, Count: true}})
		if err != nil || len(pg.Items) != 5 || !pg.More || pg.Total != 2*len(isms.Roles())+1 {
			t.Fatalf("page: %d items, more %v, total %d, %v", len(pg.Items), pg.More, pg.Total, err)
		}
		if _, err := f.app.Acknowledgements(ctx, auditor, "acme", store.AckFilter{State: "lost"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("unknown state: %v", err)
		}

		// The register exports; the due items reach the reminders.
		tab, err := f.app.ExportRegister(ctx, auditor, "acme", "acknowledgements")
		if err != nil || len(tab.Rows) != 2*len(isms.Roles())+1 || tab.Types["requested_at"] != export.Time {
			t.Fatalf("export: %v rows, %v", tab, err)
		}
		if _, err := f.app.ExportRegister(ctx, viewer, "acme", "acknowledgements"); isms.ErrorCode(err) == "" {
			t.Fatalf("a viewer exports the register")
		}
	})
}

// TestAcknowledgementRateOpensDeviation: a quarter whose requests went
// unanswered is red, and the recompute opens a deviation for it as for
// any other metric; the open requests are due items of their people; a
// person who accepts an invitation later is asked for the current version.
func TestAcknowledgementRateOpensDeviation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f := mustFixture(t, db, "acme")
		mgr, viewer := f.members[isms.RoleISMSManager], f.members[isms.RoleViewer]
		doc := testDocument(t, db, f.org.ID, "POL-7")
		v, _ := testVersion(t, db, f.org.ID, doc, 1, 0, "in_review")
		approveVersion(t, db, f.org.ID, doc, v)
		if _, err := f.app.PublishDocumentVersion(ctx, mgr, "acme", doc, app.PublishInput{Audience: isms.Audience{Kind: isms.AudienceRoles, Roles: []isms.Role{isms.RoleViewer, isms.RoleAuditor}}}); err != nil {
			t.Fatal(err)
		}
		items, err := f.app.DueItems(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, it := range items {
			if it.Kind == "document-acknowledgement" && it.OwnerID == viewer.UserID && strings.HasPrefix(it.Key, "ack:") && it.Due.Equal(now.Add(isms.AckWithin)) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no due item for the viewer: %+v", items)
		}

		// Someone invited to the viewers later is asked for version 1.0.
		u := &isms.User{Email: "new@acme.example", Name: "Newcomer"}
		if err := f.app.CreateUser(ctx, app.System, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		inv, err := f.app.Invite(ctx, f.members[isms.RoleAdmin], "acme", u.Email, isms.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		newcomer := app.Principal{UserID: u.ID, Label: u.Email}
		if _, err := f.app.AnswerInvitation(ctx, newcomer, inv.ID, true); err != nil {
			t.Fatal(err)
		}
		if got := ackState(t, f.app, newcomer, "acme", isms.AckOpen); len(got) != 1 || got[0].VersionID != v {
			t.Fatalf("the newcomer's requests: %+v", got)
		}
		// An admin, outside the audience, is not asked.
		if got := ackState(t, f.app, f.members[isms.RoleAdmin], "acme", ""); len(got) != 3 {
			t.Fatalf("requests: %d, want viewer, auditor and newcomer", len(got))
		}

		now = time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC)
		if _, err := f.app.RecomputeMetrics(ctx, f.org.ID); err != nil {
			t.Fatal(err)
		}
		var dev int64
		if err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			dev, err = tx.OpenDeviationForMetric(ctx, f.org.ID, measure.AcknowledgementKey, "2026-Q1")
			return err
		}); err != nil || dev == 0 {
			t.Fatalf("no deviation for the red acknowledgement rate: %d, %v", dev, err)
		}
	})
}

package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func TestManagementReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// After the meeting: a review is held and signed on or after its day.
		db.Now = func() time.Time { return time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC) }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		mgr, boss, owner := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement], f.members[isms.RoleProcessOwner]
		mustImport(t, f.app, mgr, "acme", isms.KindDeviations, "ref,title,source,severity,detected_at,closed_at\nDEV-1,Late removal,metric,high,2026-10-05T08:00:00Z,\n", false)
		held := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
		r := &isms.Review{Period: "2026-Q4", HeldOn: held, ChairID: boss.UserID, Attendees: "CEO, ISMS"}
		for _, tt := range []struct {
			p    app.Principal
			code string
		}{{f.members[isms.RoleViewer], isms.EFORBIDDEN}, {other.members[isms.RoleAdmin], isms.ENOTFOUND}} {
			rr := *r
			if err := f.app.CreateReview(ctx, tt.p, "acme", &rr); isms.ErrorCode(err) != tt.code {
				t.Errorf("create by %s: %v", tt.p.Label, err)
			}
		}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		deadline := held.AddDate(0, 1, 0)
		if err := f.app.AddDecision(ctx, boss, "acme", r.ID, &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Daily leaver feed"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("action without owner and deadline: %v", err)
		}
		d := &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Daily leaver feed", OwnerID: owner.UserID, Deadline: &deadline}
		if err := f.app.AddDecision(ctx, boss, "acme", r.ID, d); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("signing a draft: %v", err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, owner, "acme", r.ID, isms.ReviewSigned); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("a process owner signs: %v", err)
		}
		live, err := f.app.Review(ctx, boss, "acme", r.ID)
		if err != nil || live.Frozen {
			t.Fatal(err)
		}
		signed, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(signed.Snapshot))
		if hex.EncodeToString(sum[:]) != signed.SnapshotSHA256 || !app.VerifyReviewSnapshot(signed) {
			t.Error("snapshot hash does not match")
		}
		evs, err := f.app.Events(ctx, f.members[isms.RoleAuditor], "acme", store.EventFilter{Action: "review.signed"})
		if err != nil || len(evs) != 1 || !strings.Contains(evs[0].After, signed.SnapshotSHA256) {
			t.Errorf("audit trail lacks the snapshot hash: %v %v", evs, err)
		}
		if err := f.app.UpdateReview(ctx, mgr, "acme", r.ID, app.ReviewEdit{Attendees: "x", Proposals: "y"}); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("editing a signed review: %v", err)
		}
		// New data after signing does not change what the signed review shows.
		mustImport(t, f.app, mgr, "acme", isms.KindDeviations, "ref,title,source,severity,detected_at,closed_at\nDEV-2,Another,audit,low,2026-11-05T08:00:00Z,\n", false)
		frozen, err := f.app.Review(ctx, f.members[isms.RoleViewer], "acme", r.ID)
		if err != nil || !frozen.Frozen {
			t.Fatal(err)
		}
		dev := func(v *app.ReviewView) string {
			for _, in := range v.Inputs {
				if in.Key == "deviations" {
					return in.Summary
				}
			}
			return ""
		}
		if got, want := dev(frozen), dev(live); got != want || !strings.Contains(got, "1 detected in it") {
			t.Errorf("frozen deviations input %q, live at signing %q", got, want)
		}
		// The next review lists the first one's open decision; its owner
		// completes it.
		next := &isms.Review{Period: "2027-Q1", HeldOn: held.AddDate(0, 3, 0), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", next); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Review(ctx, mgr, "acme", next.ID)
		if err != nil || v.Inputs[0].Key != "earlier-decisions" || len(v.Inputs[0].Rows) != 1 || v.Inputs[0].Rows[0][4] != "open" {
			t.Fatalf("earlier decisions: %+v %v", v.Inputs[0], err)
		}
		if err := f.app.CompleteDecision(ctx, owner, "acme", r.ID, d.ID, "feed runs daily since 2027-02-01"); err != nil {
			t.Fatal(err)
		}
		v, _ = f.app.Review(ctx, mgr, "acme", next.ID)
		if v.Inputs[0].Rows[0][4] != "done" {
			t.Errorf("decision after completion: %v", v.Inputs[0].Rows[0])
		}
	})
}

func TestSignedReviewPDFIsReproducible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC) }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr, boss := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement]
		r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned); err != nil {
			t.Fatal(err)
		}
		var one, two bytes.Buffer
		if err := f.app.ReviewPDF(ctx, f.members[isms.RoleViewer], "acme", r.ID, &one); err != nil {
			t.Fatal(err)
		}
		// Data changes after signing do not change the signed pack.
		mustImport(t, f.app, mgr, "acme", isms.KindDeviations, "ref,title,source,severity,detected_at,closed_at\nDEV-9,Later,audit,low,2026-11-05T08:00:00Z,\n", false)
		if err := f.app.ReviewPDF(ctx, f.members[isms.RoleAuditor], "acme", r.ID, &two); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(one.Bytes(), []byte("%PDF-")) || !bytes.Equal(one.Bytes(), two.Bytes()) {
			t.Errorf("signed pack is not reproducible (%d vs %d bytes)", one.Len(), two.Len())
		}
	})
}

func TestBundleHasTheSignedReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr, boss := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement]
		r := &isms.Review{Period: "2026-Q3", HeldOn: time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		signed, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned)
		if err != nil {
			t.Fatal(err)
		}
		var zipped bytes.Buffer
		manifest, err := f.app.EvidenceBundle(ctx, f.members[isms.RoleAuditor], "acme", &zipped)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"review-2026-Q3.pdf", "review-2026-Q3-snapshot.json", "registers/reviews.csv", "poam.json"} {
			if !strings.Contains(manifest, "  "+want+"\n") {
				t.Errorf("bundle manifest lacks %s:\n%s", want, manifest)
			}
		}
		sum := sha256.Sum256([]byte(signed.Snapshot))
		if !strings.Contains(manifest, hex.EncodeToString(sum[:])+"  review-2026-Q3-snapshot.json") {
			t.Error("the snapshot in the bundle is not the signed one")
		}
	})
}

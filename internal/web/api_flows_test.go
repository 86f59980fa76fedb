package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// decode reads a JSON answer into v, failing the test on a wrong status.
func decode(t *testing.T, r result, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(r.body), v); err != nil {
			t.Fatalf("decode %q: %v", r.body, err)
		}
	}
}

// TestAPIReviewFlow prepares, fills, decides, holds and signs a
// management review through the API with the roles that do each step,
// then downloads its pack and signed snapshot.
func TestAPIReviewFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustRecords(t, a, o)
		c := e.client(t, false)
		tokens := map[isms.Role]http.Header{}
		for _, r := range []isms.Role{isms.RoleISMSManager, isms.RoleManagement, isms.RoleProcessOwner, isms.RoleViewer} {
			_, secret := mustToken(t, a, o, r, isms.ScopeWrite)
			tokens[r] = bearer(secret)
		}
		manager, board, owner, viewer := tokens[isms.RoleISMSManager], tokens[isms.RoleManagement], tokens[isms.RoleProcessOwner], tokens[isms.RoleViewer]
		loc, _ := time.LoadLocation("Europe/Helsinki")
		yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)

		// Prepare.
		body := jsonBody(`{"period":"2026-Q3","held_on":"` + yesterday + `","chair_id":` + id(o.users[isms.RoleManagement].ID) + `,"attendees":"The board, The ISMS manager"}`)
		if r := e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/reviews", body, viewer); r.status != http.StatusForbidden {
			t.Errorf("a viewer prepared a review: %d %s", r.status, r.body)
		}
		r := e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/reviews", body, manager)
		var created struct {
			ID        int64  `json:"id"`
			Status    string `json:"status"`
			HeldOn    string `json:"held_on"`
			ChairName string `json:"chair_name"`
		}
		decode(t, r, http.StatusCreated, &created)
		self := "/api/v1/orgs/acme/reviews/" + id(created.ID)
		if r.location() != self || created.Status != "draft" || created.HeldOn != yesterday || created.ChairName != "The management" {
			t.Errorf("created: Location %q, %+v", r.location(), created)
		}

		// Read it with its live inputs, then comment and propose.
		var detail struct {
			Review struct {
				Status         string            `json:"status"`
				Proposals      string            `json:"proposals"`
				Comments       map[string]string `json:"comments"`
				SnapshotSHA256 string            `json:"snapshot_sha256"`
			} `json:"review"`
			Inputs []struct {
				Key string `json:"key"`
			} `json:"inputs"`
			Decisions []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
				Note   string `json:"note"`
			} `json:"decisions"`
			Frozen   bool `json:"frozen"`
			Verified bool `json:"snapshot_verified"`
		}
		decode(t, e.do(t, c, http.MethodGet, self, nil, viewer), http.StatusOK, &detail)
		if len(detail.Inputs) == 0 || detail.Frozen {
			t.Fatalf("draft review: %+v", detail)
		}
		key := detail.Inputs[0].Key
		r = e.do(t, c, http.MethodPut, self, jsonBody(`{"attendees":"The board, The ISMS manager","proposals":"Test restores monthly","comments":{"`+key+`":"Looks fine"}}`), manager)
		decode(t, r, http.StatusOK, &detail)
		if detail.Review.Proposals != "Test restores monthly" || detail.Review.Comments[key] != "Looks fine" {
			t.Errorf("after update: %+v", detail.Review)
		}

		// Top management decides; the owner marks the action done.
		if r := e.do(t, c, http.MethodPost, self+"/decisions", jsonBody(`{"kind":"action","title":"Hire a second admin"}`), board); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "owner") {
			t.Errorf("an action without owner: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, self+"/decisions", jsonBody(`{"kind":"action","title":"Hire a second admin","owner_id":`+id(o.users[isms.RoleProcessOwner].ID)+`,"deadline":"2027-02-28"}`), board)
		var decision struct {
			ID       int64  `json:"id"`
			Deadline string `json:"deadline"`
			Status   string `json:"status"`
		}
		decode(t, r, http.StatusCreated, &decision)
		if r.location() != self || decision.Deadline != "2027-02-28" || decision.Status != "open" {
			t.Errorf("decision: Location %q, %+v", r.location(), decision)
		}
		r = e.do(t, c, http.MethodPost, self+"/decisions/"+id(decision.ID)+"/done", jsonBody(`{"note":"Hired"}`), owner)
		decode(t, r, http.StatusOK, &detail)
		if len(detail.Decisions) != 1 || detail.Decisions[0].Status != "done" || detail.Decisions[0].Note != "Hired" {
			t.Errorf("decisions: %+v", detail.Decisions)
		}

		// Signing needs a held review; the ISMS manager may not sign.
		if r := e.do(t, c, http.MethodPost, self+"/sign", nil, board); r.status != http.StatusUnprocessableEntity {
			t.Errorf("signed a draft: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, self+"/snapshot", nil, viewer); r.status != http.StatusConflict {
			t.Errorf("snapshot of a draft: %d %s", r.status, r.body)
		}
		for _, step := range []struct {
			path   string
			who    http.Header
			status string
		}{{"/hold", manager, "held"}, {"/reopen", manager, "draft"}, {"/hold", manager, "held"}, {"/sign", board, "signed"}} {
			var rv struct {
				Status string `json:"status"`
			}
			decode(t, e.do(t, c, http.MethodPost, self+step.path, nil, step.who), http.StatusOK, &rv)
			if rv.Status != step.status {
				t.Errorf("%s: status %s, want %s", step.path, rv.Status, step.status)
			}
		}
		decode(t, e.do(t, c, http.MethodGet, self, nil, viewer), http.StatusOK, &detail)
		if !detail.Frozen || !detail.Verified || len(detail.Review.SnapshotSHA256) != 64 {
			t.Errorf("signed review: frozen %v, verified %v, sha %q", detail.Frozen, detail.Verified, detail.Review.SnapshotSHA256)
		}
		if r := e.do(t, c, http.MethodPut, self, jsonBody(`{"proposals":"late"}`), manager); r.status != http.StatusConflict {
			t.Errorf("changed a signed review: %d %s", r.status, r.body)
		}

		// The snapshot hashes to the recorded SHA-256; the pack is a PDF.
		r = e.do(t, c, http.MethodGet, self+"/snapshot", nil, viewer)
		sum := sha256.Sum256([]byte(r.body))
		if r.status != http.StatusOK || hex.EncodeToString(sum[:]) != detail.Review.SnapshotSHA256 || r.header.Get("X-Content-SHA256") != detail.Review.SnapshotSHA256 {
			t.Errorf("snapshot: %d, sha %x, want %s", r.status, sum, detail.Review.SnapshotSHA256)
		}
		if !strings.Contains(r.body, `"Hire a second admin"`) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("snapshot lacks the decision or is not JSON (%s): %.200s", r.header.Get("Content-Type"), r.body)
		}
		r = e.do(t, c, http.MethodGet, self+"/pack", nil, viewer)
		if r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") || r.header.Get("Content-Type") != "application/pdf" ||
			r.header.Get("Content-Disposition") != `attachment; filename="acme-review-`+id(created.ID)+`.pdf"` {
			t.Errorf("pack: %d %q %q %.8q", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"), r.body)
		}

		// Listed, filtered by status.
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			Total int `json:"total"`
		}
		decode(t, e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/reviews?status=signed&count=true", nil, viewer), http.StatusOK, &list)
		if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != created.ID {
			t.Errorf("signed reviews: %+v", list)
		}
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/reviews?status=bogus", nil, viewer); r.status != http.StatusUnprocessableEntity {
			t.Errorf("bad status filter: %d", r.status)
		}
	})
}

// TestAPIDownloadsAreAudited downloads every file the API hands out with
// a token and checks the export.download event: the kind, via api and
// the SHA-256 of the bytes served (also in X-Content-SHA256).
func TestAPIDownloadsAreAudited(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustRecords(t, a, o)
		vals := mustAggregates(t, a, o)
		_, secret := mustToken(t, a, o, isms.RoleAuditor, isms.ScopeRead)
		c := e.client(t, false)
		signed := vals["get-review-snapshot.id"]
		downloads := map[string]string{ // path: the kind recorded
			"/api/v1/orgs/acme/exports/records-incidents.csv":   "records-incidents",
			"/api/v1/orgs/acme/exports/processes.xlsx":          "processes",
			"/api/v1/orgs/acme/exports/audit-trail.csv":         "audit-trail",
			"/api/v1/orgs/acme/evidence-bundle":                 "evidence-bundle",
			"/api/v1/orgs/acme/poam":                            "poam",
			"/api/v1/orgs/acme/reviews/" + signed + "/pack":     "review-pack",
			"/api/v1/orgs/acme/reviews/" + signed + "/snapshot": "review-snapshot",
			"/api/v1/orgs/acme/deviations/" + vals["deviations.id"] + "/actions/" + vals["deviations.aid"] + "/evidence": "action-evidence",
		}
		for path, kind := range downloads {
			r := e.do(t, c, http.MethodGet, path, nil, bearer(secret))
			sum := sha256.Sum256([]byte(r.body))
			if r.status != http.StatusOK || r.header.Get("X-Content-SHA256") != hex.EncodeToString(sum[:]) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment; filename") {
				t.Errorf("%s: %d, X-Content-SHA256 %q, Content-Disposition %q", path, r.status, r.header.Get("X-Content-SHA256"), r.header.Get("Content-Disposition"))
				continue
			}
			es, err := a.Events(ctx, app.System, "acme", store.EventFilter{Action: "export.download", Limit: 1})
			if err != nil || len(es) != 1 {
				t.Fatalf("%s: events %v %v", path, es, err)
			}
			var x app.ExportInfo
			_ = json.Unmarshal([]byte(es[0].After), &x)
			if x.Kind != kind || x.Via != "api" || x.SHA256 != hex.EncodeToString(sum[:]) || x.Bytes != int64(len(r.body)) {
				t.Errorf("%s: event %s", path, es[0].After)
			}
		}
		// The bundle opens and carries its manifest; a viewer may not pull it.
		r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/evidence-bundle", nil, bearer(secret))
		zr, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
		if err != nil || r.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("bundle: %v, %q", err, r.header.Get("Content-Type"))
		}
		names := map[string]bool{}
		for _, f := range zr.File {
			names[f.Name] = true
		}
		for _, want := range []string{export.ManifestName, "registers/records-incidents.csv", "registers/audit-trail.csv"} {
			if !names[want] {
				t.Errorf("the bundle lacks %s: %v", want, names)
			}
		}
		_, viewer := mustToken(t, a, o, isms.RoleViewer, isms.ScopeRead)
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/evidence-bundle", nil, bearer(viewer)); r.status != http.StatusForbidden {
			t.Errorf("a viewer pulled the bundle: %d", r.status)
		}
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/exports/audit-trail.csv", nil, bearer(viewer)); r.status != http.StatusForbidden {
			t.Errorf("a viewer exported the audit trail: %d", r.status)
		}
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/exports/processes.pdf", nil, bearer(viewer)); r.status != http.StatusNotFound {
			t.Errorf("an unknown export format: %d", r.status)
		}
		// list-exports names the files the caller may have.
		var list struct {
			Registers []struct {
				Name string `json:"name"`
				CSV  string `json:"csv_url"`
			} `json:"registers"`
			Bundle string `json:"bundle_url"`
		}
		decode(t, e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/exports", nil, bearer(viewer)), http.StatusOK, &list)
		if list.Bundle != "" || len(list.Registers) == 0 {
			t.Errorf("viewer's exports: %+v", list)
		}
		for _, reg := range list.Registers {
			if reg.Name == "audit-trail" {
				t.Error("a viewer is offered the audit trail")
			}
			if r := e.do(t, c, http.MethodGet, reg.CSV, nil, bearer(viewer)); r.status != http.StatusOK {
				t.Errorf("%s: %d", reg.CSV, r.status)
			}
		}
	})
}

// TestAPIAccess invites and revokes an invitation, changes a member's
// role and revokes tokens through the API.
func TestAPIAccess(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, admin := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		_, manager := mustToken(t, a, o, isms.RoleISMSManager, isms.ScopeWrite)
		c := e.client(t, false)
		base := "/api/v1/orgs/acme"

		// Invite, read, list, revoke.
		if r := e.do(t, c, http.MethodPost, base+"/invitations", jsonBody(`{"email":"new@example.org","role":"auditor"}`), bearer(manager)); r.status != http.StatusForbidden {
			t.Errorf("an ISMS manager invited: %d", r.status)
		}
		if r := e.do(t, c, http.MethodPost, base+"/invitations", jsonBody(`{"email":"`+o.users[isms.RoleViewer].Email+`","role":"auditor"}`), bearer(admin)); r.status != http.StatusConflict {
			t.Errorf("invited a member: %d %s", r.status, r.body)
		}
		r := e.do(t, c, http.MethodPost, base+"/invitations", jsonBody(`{"email":"new@example.org","role":"auditor"}`), bearer(admin))
		var inv struct {
			ID        int64     `json:"id"`
			Email     string    `json:"email"`
			Role      string    `json:"role"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		decode(t, r, http.StatusCreated, &inv)
		if r.location() != base+"/invitations/"+id(inv.ID) || inv.Email != "new@example.org" || inv.Role != "auditor" || time.Until(inv.ExpiresAt) < 13*24*time.Hour {
			t.Errorf("invitation: Location %q, %+v", r.location(), inv)
		}
		decode(t, e.do(t, c, http.MethodGet, r.location(), nil, bearer(admin)), http.StatusOK, &inv)
		var list struct {
			Items []struct {
				Email string `json:"email"`
			} `json:"items"`
			Total int `json:"total"`
		}
		decode(t, e.do(t, c, http.MethodGet, base+"/invitations?limit=1&count=true", nil, bearer(admin)), http.StatusOK, &list)
		if list.Total != 1 || len(list.Items) != 1 || list.Items[0].Email != "new@example.org" {
			t.Errorf("invitations: %+v", list)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/invitations/"+id(inv.ID), nil, bearer(admin)); r.status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, base+"/invitations/"+id(inv.ID), nil, bearer(admin)); r.status != http.StatusNotFound {
			t.Errorf("a revoked invitation: %d", r.status)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/invitations/"+id(inv.ID), nil, bearer(admin)); r.status != http.StatusNotFound {
			t.Errorf("revoked twice: %d", r.status)
		}
		after := e.do(t, c, http.MethodGet, base+"/invitations?count=true", nil, bearer(admin))
		decode(t, after, http.StatusOK, &list)
		if list.Total != 0 || len(list.Items) != 0 || !strings.Contains(after.body, `"total":0`) {
			t.Errorf("invitations after revoking: %+v", list)
		}
		// The invitee, signing up now, finds nothing to accept.
		u := &isms.User{Email: "new@example.org", Name: "The newcomer"}
		if err := a.CreateUser(ctx, app.System, u, password); err != nil {
			t.Fatal(err)
		}
		if got, err := a.Invitations(ctx, app.Principal{UserID: u.ID, Label: u.Email}); err != nil || len(got) != 0 {
			t.Errorf("the invitee still sees %v, %v", got, err)
		}
		if es, err := a.Events(ctx, app.System, "acme", store.EventFilter{Action: "member.invitation_revoke", Limit: 5}); err != nil || len(es) != 1 || !strings.Contains(es[0].Before, "new@example.org") {
			t.Errorf("revocation events: %v, %v", es, err)
		}

		// Change a role; the last admin stays; an unknown role is refused.
		viewer := o.users[isms.RoleViewer]
		if r := e.do(t, c, http.MethodPut, base+"/members/"+id(viewer.ID)+"/role", jsonBody(`{"role":"auditor"}`), bearer(admin)); r.status != http.StatusNoContent {
			t.Fatalf("role change: %d %s", r.status, r.body)
		}
		if _, err := a.Authorize(ctx, app.Principal{UserID: viewer.ID, Label: viewer.Email}, "acme", isms.ActReadAudit); err != nil {
			t.Errorf("the former viewer cannot read the audit trail: %v", err)
		}
		if r := e.do(t, c, http.MethodPut, base+"/members/"+id(o.users[isms.RoleAdmin].ID)+"/role", jsonBody(`{"role":"viewer"}`), bearer(admin)); r.status != http.StatusConflict {
			t.Errorf("demoted the last admin: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodPut, base+"/members/"+id(viewer.ID)+"/role", jsonBody(`{"role":"owner"}`), bearer(admin)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown role: %d", r.status)
		}
		if r := e.do(t, c, http.MethodPut, base+"/members/"+id(viewer.ID)+"/role", jsonBody(`{"role":"viewer"}`), bearer(manager)); r.status != http.StatusForbidden {
			t.Errorf("an ISMS manager changed a role: %d", r.status)
		}

		// Revoke one's own token, and an admin another's.
		ownTok, own := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
		otherTok, other := mustToken(t, a, o, isms.RoleISMSManager, isms.ScopeRead)
		if r := e.do(t, c, http.MethodDelete, base+"/tokens/"+id(otherTok.ID), nil, bearer(own)); r.status != http.StatusForbidden {
			t.Errorf("a process owner revoked another's token: %d", r.status)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/tokens/"+id(ownTok.ID), nil, bearer(own)); r.status != http.StatusNoContent {
			t.Errorf("revoke own token: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, base, nil, bearer(own)); r.status != http.StatusUnauthorized {
			t.Errorf("a revoked token still works: %d", r.status)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/tokens/"+id(otherTok.ID), nil, bearer(admin)); r.status != http.StatusNoContent {
			t.Errorf("an admin revoked another's token: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, base, nil, bearer(other)); r.status != http.StatusUnauthorized {
			t.Errorf("a revoked token still works: %d", r.status)
		}
	})
}

// TestAPISettings sets the second-factor requirement and the date order,
// turns the public report link on, uses it and turns it off, records an
// internal audit as held and bulk-edits the SoA, all through the API.
func TestAPISettings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		vals := mustAggregates(t, a, o)
		_, admin := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		_, owner := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
		c := e.client(t, false)
		base := "/api/v1/orgs/acme"

		var mfa struct {
			RequireMFA bool `json:"require_mfa"`
		}
		decode(t, e.do(t, c, http.MethodPut, base+"/mfa-requirement", jsonBody(`{"require_mfa":true}`), bearer(admin)), http.StatusOK, &mfa)
		decode(t, e.do(t, c, http.MethodGet, base+"/mfa-requirement", nil, bearer(owner)), http.StatusOK, &mfa)
		if !mfa.RequireMFA {
			t.Error("a second factor is not required after setting it")
		}
		if r := e.do(t, c, http.MethodPut, base+"/mfa-requirement", jsonBody(`{"require_mfa":false}`), bearer(owner)); r.status != http.StatusForbidden {
			t.Errorf("a process owner changed the requirement: %d", r.status)
		}

		var order struct {
			DateOrder string `json:"date_order"`
		}
		decode(t, e.do(t, c, http.MethodPut, base+"/date-order", jsonBody(`{"date_order":"mdy"}`), bearer(admin)), http.StatusOK, nil)
		decode(t, e.do(t, c, http.MethodGet, base+"/date-order", nil, bearer(owner)), http.StatusOK, &order)
		if order.DateOrder != "mdy" {
			t.Errorf("date order %q, want mdy", order.DateOrder)
		}
		if r := e.do(t, c, http.MethodPut, base+"/date-order", jsonBody(`{"date_order":"ymd"}`), bearer(admin)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown date order: %d", r.status)
		}

		// The report link: on, used without signing in, off.
		var link struct {
			Enabled bool       `json:"enabled"`
			Since   *time.Time `json:"since"`
		}
		decode(t, e.do(t, c, http.MethodGet, base+"/report-link", nil, bearer(admin)), http.StatusOK, &link)
		if link.Enabled {
			t.Error("the report link is on before anyone turned it on")
		}
		var made struct {
			URL string `json:"url"`
		}
		decode(t, e.do(t, c, http.MethodPost, base+"/report-link", nil, bearer(admin)), http.StatusOK, &made)
		if !strings.HasPrefix(made.URL, e.ts.URL+"/report/") {
			t.Fatalf("report link %q, want under %s/report/", made.URL, e.ts.URL)
		}
		if r := e.do(t, e.client(t, false), http.MethodGet, made.URL, nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Acme Oy") {
			t.Errorf("the public report form: %d", r.status)
		}
		decode(t, e.do(t, c, http.MethodGet, base+"/report-link", nil, bearer(admin)), http.StatusOK, &link)
		if !link.Enabled || link.Since == nil {
			t.Errorf("report link state: %+v", link)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/report-link", nil, bearer(admin)); r.status != http.StatusNoContent {
			t.Fatalf("disable: %d", r.status)
		}
		if r := e.do(t, e.client(t, false), http.MethodGet, made.URL, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("a disabled link still answers %d", r.status)
		}
		if r := e.do(t, c, http.MethodGet, base+"/report-link", nil, bearer(owner)); r.status != http.StatusForbidden {
			t.Errorf("a process owner read the report link's state: %d", r.status)
		}

		// An internal audit held; not in the future.
		var au struct {
			ActualOn *time.Time `json:"actual_on"`
		}
		path := base + "/audits/" + vals["audits.id"] + "/held"
		decode(t, e.do(t, c, http.MethodPost, path, jsonBody(`{"held_on":"2026-06-03"}`), bearer(owner)), http.StatusOK, &au)
		if r := e.do(t, c, http.MethodPost, path, jsonBody(`{"held_on":"2999-01-01"}`), bearer(owner)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("held in the future: %d", r.status)
		}

		// SoA bulk edit: listed controls, then a filter.
		var res struct {
			Created, Updated, Unchanged int
		}
		decode(t, e.do(t, c, http.MethodPost, base+"/soa/bulk-updates", jsonBody(`{"controls":["A.5.1","A.5.2"],"applicable":"yes","justification":"Required by policy","status":"planned"}`), bearer(owner)), http.StatusOK, &res)
		if res.Created+res.Updated != 2 {
			t.Errorf("bulk by controls: %+v", res)
		}
		decode(t, e.do(t, c, http.MethodPost, base+"/soa/bulk-updates", jsonBody(`{"filter":{"theme":"People"},"applicable":"yes","justification":"People controls apply","status":"partial"}`), bearer(owner)), http.StatusOK, &res)
		if res.Created+res.Updated+res.Unchanged != 8 {
			t.Errorf("bulk by the People filter: %+v, want 8 controls", res)
		}
		for _, bad := range []string{`{"status":"planned"}`, `{"controls":["A.5.1"],"filter":{},"status":"planned"}`, `{"controls":["A.99.1"],"status":"planned"}`} {
			if r := e.do(t, c, http.MethodPost, base+"/soa/bulk-updates", jsonBody(bad), bearer(owner)); r.status != http.StatusUnprocessableEntity {
				t.Errorf("bulk %s: %d %s", bad, r.status, r.body)
			}
		}

		var counts struct {
			Kinds []struct {
				Kind  string `json:"kind"`
				Count int    `json:"count"`
			} `json:"kinds"`
		}
		mustRecords(t, a, o)
		decode(t, e.do(t, c, http.MethodGet, base+"/record-counts", nil, bearer(owner)), http.StatusOK, &counts)
		found := false
		for _, k := range counts.Kinds {
			if k.Kind == recordKind {
				found = k.Count == 2
			}
		}
		if !found || len(counts.Kinds) != len(isms.Kinds()) {
			t.Errorf("record counts: %+v", counts)
		}
	})
}

package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// deliveriesTo lists the email deliveries of the organisation by target.
func deliveriesTo(t *testing.T, f *fixture) map[string][]*store.Delivery {
	t.Helper()
	ds, err := f.app.Deliveries(context.Background(), f.members[isms.RoleAdmin], f.org.Slug)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*store.Delivery{}
	for _, d := range ds {
		out[d.Target] = append(out[d.Target], d)
	}
	return out
}

func TestReportIncidentByAViewer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		viewer := f.members[isms.RoleViewer]
		year := f.app.DB.Now().In(f.org.Location()).Year()

		// Without an incident process, the ISMS managers and admins are told.
		rc, err := f.app.ReportIncident(ctx, viewer, "acme", app.IncidentReport{What: "A laptop was stolen\nfrom the car", Contact: "+358 40 123"})
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		if want := fmt.Sprintf("INC-%d-0001", year); rc.Ref != want {
			t.Errorf("ref = %q, want %q", rc.Ref, want)
		}
		if len(rc.Told) != 2 || rc.Process != "" {
			t.Errorf("told %v (process %q), want the admin and the ISMS manager", rc.Told, rc.Process)
		}
		h, err := f.app.Record(ctx, f.members[isms.RoleAuditor], "acme", isms.KindIncidents, rc.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		rec := h.Record
		if rec.Texts["title"] != "A laptop was stolen" || rec.Attributes["contact"] != "+358 40 123" ||
			!strings.Contains(rec.Attributes["reported_by"], "viewer@acme.example") || rec.Attributes["description"] != "A laptop was stolen\nfrom the car" {
			t.Errorf("record = %+v", rec)
		}
		if d := rec.Times["detected_at"]; !d.Equal(rc.ReportedAt) {
			t.Errorf("detected_at = %v, want the report time %v", d, rc.ReportedAt)
		}
		if len(h.Events) != 1 || h.Events[0].Action != "record.report" || h.Events[0].ActorID != viewer.UserID {
			t.Errorf("events = %+v", h.Events)
		}
		ds := deliveriesTo(t, f)
		if len(ds["admin@acme.example"]) != 1 || len(ds["isms_manager@acme.example"]) != 1 || len(ds["viewer@acme.example"]) != 0 {
			t.Errorf("deliveries = %v", ds)
		} else if d := ds["admin@acme.example"][0]; !strings.Contains(d.Subject, rc.Ref) || !strings.Contains(d.Body, "A laptop was stolen") {
			t.Errorf("delivery %q: %q", d.Subject, d.Body)
		}

		// With an incident process, its owner is told, and refs count on.
		owner := f.members[isms.RoleProcessOwner]
		p, err := app.ProcessFromTemplate("incident", owner.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.CreateProcess(ctx, f.members[isms.RoleAdmin], "acme", p); err != nil {
			t.Fatal(err)
		}
		rc2, err := f.app.ReportIncident(ctx, f.members[isms.RoleAuditor], "acme", app.IncidentReport{What: "Phishing mail", Severity: "High"})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("INC-%d-0002", year); rc2.Ref != want {
			t.Errorf("second ref = %q, want %q", rc2.Ref, want)
		}
		if len(rc2.Told) != 1 || rc2.Process != p.Name {
			t.Errorf("told %v (process %q), want the incident process owner", rc2.Told, rc2.Process)
		}
		if ds := deliveriesTo(t, f); len(ds["process_owner@acme.example"]) != 1 {
			t.Errorf("owner deliveries = %v", ds["process_owner@acme.example"])
		}

		// A bad report stores nothing.
		_, err = f.app.ReportIncident(ctx, viewer, "acme", app.IncidentReport{What: " ", Severity: "apocalyptic"})
		var fe *app.FieldErrors
		if !errors.As(err, &fe) || fe.Fields["what"] == "" || fe.Fields["severity"] == "" {
			t.Errorf("bad report: %v", err)
		}
		if n, _ := f.app.RecordCounts(ctx, viewer, "acme"); n[isms.KindIncidents] != 2 {
			t.Errorf("incidents = %d, want 2", n[isms.KindIncidents])
		}
		// A non-member cannot report into the organisation.
		other := mustFixture(t, db, "beta")
		if _, err := f.app.ReportIncident(ctx, other.members[isms.RoleAdmin], "acme", app.IncidentReport{What: "x"}); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("non-member: %v", err)
		}
	})
}

func TestReportIncidentByPublicLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		admin := f.members[isms.RoleAdmin]
		report := app.IncidentReport{What: "The door of the server room is open", Name: "A visitor"}

		// Disabled (the default): not found.
		if _, err := f.app.ReportIncidentByLink(ctx, "nothing", "192.0.2.1", report); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("disabled link: %v", err)
		}
		// Only admins may enable it.
		if _, err := f.app.RotateReportLink(ctx, f.members[isms.RoleISMSManager], "acme"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("ISMS manager enabling: %v", err)
		}
		token, err := f.app.RotateReportLink(ctx, admin, "acme")
		if err != nil || len(token) < 40 {
			t.Fatalf("enable: %q %v", token, err)
		}
		o, err := f.app.ReportLinkOrg(ctx, token)
		if err != nil || o.Name != f.org.Name {
			t.Fatalf("link org: %v %v", o, err)
		}
		rc, err := f.app.ReportIncidentByLink(ctx, token, "192.0.2.1", report)
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		h, err := f.app.Record(ctx, admin, "acme", isms.KindIncidents, rc.RecordID)
		if err != nil || h.Record.Attributes["reported_by"] != "A visitor (public link)" || h.Record.Attributes["reported_via"] != "public link" {
			t.Errorf("record %+v %v", h, err)
		}
		// The stored token is its hash, never the token.
		var stored string
		if err := db.Reader().QueryRowContext(ctx, `SELECT token_sha256 FROM incident_report_links WHERE org_id = $1`, f.org.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == token || len(stored) != 64 {
			t.Errorf("stored %q for token %q", stored, token)
		}

		// Rotated: the old link is not found, the new one works.
		token2, err := f.app.RotateReportLink(ctx, admin, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.ReportIncidentByLink(ctx, token, "192.0.2.1", report); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("old link after rotation: %v", err)
		}
		// Throttled per address: the first report above counted.
		for i := 2; i <= app.ReportsPerAddress; i++ {
			if _, err := f.app.ReportIncidentByLink(ctx, token2, "192.0.2.1", report); err != nil {
				t.Fatalf("report %d: %v", i, err)
			}
		}
		_, err = f.app.ReportIncidentByLink(ctx, token2, "192.0.2.1", report)
		if isms.ErrorCode(err) != isms.ETOOMANY || app.RetryAfter(err) <= 0 {
			t.Errorf("report beyond the limit: %v (retry after %v)", err, app.RetryAfter(err))
		}
		// Another address may still report, up to the organisation's limit.
		if _, err := f.app.ReportIncidentByLink(ctx, token2, "192.0.2.2", report); err != nil {
			t.Errorf("other address: %v", err)
		}
		n, _ := f.app.RecordCounts(ctx, admin, "acme")
		if n[isms.KindIncidents] != app.ReportsPerAddress+1 {
			t.Errorf("incidents = %d, want %d", n[isms.KindIncidents], app.ReportsPerAddress+1)
		}
		// Disabled: not found.
		if err := f.app.DisableReportLink(ctx, admin, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.ReportIncidentByLink(ctx, token2, "192.0.2.3", report); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("disabled link: %v", err)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "report_link"})
		if err != nil || len(evs) != 3 || evs[0].Action != "report_link.disable" || evs[1].Action != "report_link.rotate" || evs[2].Action != "report_link.enable" {
			t.Errorf("link events = %v %v", evs, err)
		}
		for _, e := range evs {
			if strings.Contains(e.After+e.Before, token) || strings.Contains(e.After+e.Before, token2) {
				t.Error("the audit trail holds a link token")
			}
		}
	})
}

// Refs are numbered per year in the organisation's zone.
func TestReportRefYearInOrgZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		// A record imported with a ref of this year's series moves the count on.
		year := f.app.DB.Now().In(f.org.Location()).Year()
		mustImport(t, f.app, f.members[isms.RoleAdmin], "acme", isms.KindIncidents, fmt.Sprintf("ref\nINC-%d-0041\nINC-%d-9\n", year, year), false)
		rc, err := f.app.ReportIncident(ctx, f.members[isms.RoleViewer], "acme", app.IncidentReport{What: "x", NoticedAt: ptr(time.Now().Add(-time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("INC-%d-0042", year); rc.Ref != want {
			t.Errorf("ref = %q, want %q", rc.Ref, want)
		}
	})
}

func ptr[T any](v T) *T { return &v }

package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// recordByKey returns the record of a kind with the natural key.
func recordByKey(t *testing.T, f *fixture, kind isms.RecordKind, key string) isms.Record {
	t.Helper()
	recs, _, err := f.app.Records(context.Background(), app.System, f.org.Slug, kind, store.RecordFilter{Query: key, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no %s record %s", kind, key)
	return isms.Record{}
}

// TestGrades: deviations and findings take the grades auditors give, as
// they write them; the records mirrored from them carry the grade (and a
// finding's severity from it); imports read a grade in the severity
// column; the review lists grades in words.
func TestGrades(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		mgr := f.members[isms.RoleISMSManager]

		d, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Badge kept", Kind: "Minor nonconformity", Source: "complaint", Severity: "P1"})
		if err != nil || d.Kind != "minor" || d.Severity != "critical" {
			t.Fatalf("minor with P1: %+v, %v", d, err)
		}
		if r := recordByKey(t, f, isms.KindDeviations, d.Ref); r.Texts["grade"] != "minor" || r.Texts["severity"] != "critical" {
			t.Errorf("deviation record %v", r.Texts)
		}
		ofi, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Automate the feed", Kind: "OFI", Source: "observation"})
		if err != nil || ofi.Kind != "opportunity" || ofi.Severity != "low" {
			t.Fatalf("OFI without severity: %+v, %v", ofi, err)
		}
		if _, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "x", Kind: "grave", Source: "complaint", Severity: "high"}); isms.ErrorCode(err) != isms.EINVALID ||
			!strings.Contains(err.Error(), "grade:") {
			t.Errorf("unknown grade: %v", err)
		}
		// An opportunity for improvement is closed without root cause or check.
		if _, err := f.app.Transition(ctx, mgr, "acme", ofi.ID, "close-observation", "planned for next year"); err != nil {
			t.Errorf("closing an OFI without a check: %v", err)
		}
		if _, err := f.app.Transition(ctx, mgr, "acme", d.ID, "close-observation", "no time"); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("closing a minor nonconformity without a check: %v", err)
		}

		au, err := f.app.CreateAudit(ctx, mgr, "acme", app.AuditInput{Title: "Access audit", Clauses: []string{"9.2"},
			PlannedOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), LeadEmail: mgr.Label})
		if err != nil {
			t.Fatal(err)
		}
		major, err := f.app.RaiseFinding(ctx, mgr, "acme", au.ID, "Major NC", "no leaver process")
		if err != nil || major.Kind != "major" || major.DeviationID == 0 {
			t.Fatalf("major finding: %+v, %v", major, err)
		}
		md, err := f.app.Deviation(ctx, mgr, "acme", major.DeviationID)
		if err != nil || md.Kind != "major" || md.Severity != "high" || !strings.Contains(md.OpenedReason, "major nonconformity finding "+major.Ref) {
			t.Errorf("deviation of the major finding: %+v, %v", md, err)
		}
		obs, err := f.app.RaiseFinding(ctx, mgr, "acme", au.ID, "opportunity for improvement", "reviews are informal")
		if err != nil || obs.Kind != "opportunity" || obs.DeviationID != 0 {
			t.Fatalf("OFI finding: %+v, %v", obs, err)
		}
		if r := recordByKey(t, f, isms.KindAuditFindings, obs.Ref); r.Texts["grade"] != "opportunity" || r.Texts["severity"] != "low" {
			t.Errorf("finding record %v", r.Texts)
		}
		if r := recordByKey(t, f, isms.KindAuditFindings, major.Ref); r.Texts["grade"] != "major" || r.Texts["severity"] != "high" {
			t.Errorf("finding record %v", r.Texts)
		}

		mustImport(t, f.app, mgr, "acme", isms.KindDeviations, "ref,title,severity,detected_at\nEXT-1,External audit: no DR test,Major,2026-10-20\n", false)
		if r := recordByKey(t, f, isms.KindDeviations, "EXT-1"); r.Texts["grade"] != "major" || r.Texts["severity"] != "high" {
			t.Errorf("imported deviation %v", r.Texts)
		}
		mustImport(t, f.app, mgr, "acme", isms.KindAuditFindings, "ref,audit,title,severity,raised_at\nAF-9,ISO stage 2,Asset list incomplete,minor,2026-10-21\n", false)

		r := &isms.Review{Period: "2026-Q4", HeldOn: now, ChairID: mgr.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Review(ctx, mgr, "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string][]string{}
		for _, in := range v.Inputs {
			if in.Key == "root-causes" {
				seen := false
				for _, row := range in.Rows {
					if row[0] == ofi.Ref {
						seen = true
						if row[2] != "opportunity for improvement" || row[5] != "none needed: not a nonconformity" {
							t.Errorf("root causes row of the OFI: %v", row)
						}
					}
				}
				if !seen {
					t.Errorf("root causes lack the OFI: %v", in.Rows)
				}
			}
			if in.Key != "deviations" && in.Key != "audit-findings" {
				continue
			}
			g := slices.Index(in.Columns, "Grade")
			if g < 0 {
				t.Fatalf("%s: no grade column in %v", in.Key, in.Columns)
			}
			for _, row := range in.Rows {
				rows[row[0]] = append(rows[row[0]], row[g])
			}
		}
		for ref, want := range map[string]string{"EXT-1": "major nonconformity", d.Ref: "minor nonconformity", ofi.Ref: "opportunity for improvement",
			"AF-9": "minor nonconformity", obs.Ref: "opportunity for improvement"} {
			if got := rows[ref]; len(got) != 1 || got[0] != want {
				t.Errorf("review row %s: grade %v, want %q", ref, got, want)
			}
		}
	})
}

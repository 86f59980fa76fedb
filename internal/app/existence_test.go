package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestNoRatingBeforeTheOrganisation: an organisation created on
// 2026-11-10 imports October's late access removal. October ended before
// it existed: the stored figure keeps its value but has no rating, no
// deviation opens, the home page counts it as no data, and the review
// inputs do not count it red. The engine's own answer (Measure) still
// rates it.
func TestNoRatingBeforeTheOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		a := newApp(t, db)
		ctx := context.Background()
		o := &isms.Organization{Slug: "newco", Name: "New Co", TimeZone: "Europe/Helsinki"}
		if err := a.CreateOrg(ctx, app.System, o); err != nil {
			t.Fatal(err)
		}
		mustImport(t, a, app.System, o.Slug, isms.KindAccessRemovals, lateRemovals, false)
		if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		stored, err := a.StoredMeasurements(ctx, app.System, o.Slug)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range stored {
			if m.Key == "access-removal" && m.Period == "2026-10" {
				found = true
				if m.Status != "grey" || m.Value == nil || !strings.Contains(m.Reason, "before the organisation") {
					t.Errorf("October stored as %s %v %q, want grey with its value and the reason", m.Status, m.Value, m.Reason)
				}
			}
		}
		if !found {
			t.Fatal("no stored figure for 2026-10")
		}
		if ds, err := a.Deviations(ctx, app.System, o.Slug, ""); err != nil || len(ds) != 0 {
			t.Errorf("deviations %v, %v: want none for a period before the organisation", ds, err)
		}
		d, err := a.Dashboard(ctx, app.System, o.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if d.Counts["red"] != 0 {
			t.Errorf("home counts %d red, want 0", d.Counts["red"])
		}
		rated, err := a.Measure(ctx, app.System, o.Slug, "2026-10", now)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rated {
			if r.Key == "access-removal" && r.Status != "red" {
				t.Errorf("Measure rates October %s, want red (the engine is unchanged)", r.Status)
			}
		}
		// A month later November is the last complete month and is rated.
		now = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
		mustImport(t, a, app.System, o.Slug, isms.KindAccessRemovals, "person,system,employment_ended_at,access_removed_at\nbob,github,2026-11-12 09:00,2026-11-20 09:00\n", false)
		if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		stored, _ = a.StoredMeasurements(ctx, app.System, o.Slug)
		for _, m := range stored {
			if m.Key == "access-removal" && m.Period == "2026-11" && m.Status != "red" {
				t.Errorf("November (the organisation's first month) is %s, want red", m.Status)
			}
		}
	})
}

// TestHomeCountsOpenDeviationsAtOneMoment: a deviation opened in pdca this
// month shows in both of the home page's open-deviation figures, the
// metric's (all records, now) and the workflow's (now); they used to
// compare the end of last month with now ("0" beside "1 open").
func TestHomeCountsOpenDeviationsAtOneMoment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		if _, err := f.app.CreateDeviation(ctx, app.System, f.org.Slug, app.DeviationInput{Title: "Door left open", Kind: "minor", Source: "complaint", Severity: "low"}); err != nil {
			t.Fatal(err)
		}
		mustRecompute(t, f)
		d, err := f.app.Dashboard(ctx, app.System, f.org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if d.Dev.Open != 1 || d.OpenDeviations == nil || *d.OpenDeviations != 1 {
			t.Errorf("workflow open %d, metric open %v: want 1 and 1", d.Dev.Open, d.OpenDeviations)
		}
		if d.OpenDeviationsBefore == nil || *d.OpenDeviationsBefore != 0 || d.OpenDeviationsBeforePeriod != "2026-10" {
			t.Errorf("before: %v in %q, want 0 at the end of 2026-10", d.OpenDeviationsBefore, d.OpenDeviationsBeforePeriod)
		}
	})
}

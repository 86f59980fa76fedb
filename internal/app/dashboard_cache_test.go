package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestDashboardSeesEveryChange checks the dashboard cache: a change made
// through another App on the same database (another pdca process) shows on
// the next view, a recompute of the figures shows, the caller's own part is
// never shared, and the clock expires an entry.
func TestDashboardSeesEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		admin, viewer := f.members[isms.RoleAdmin], f.members[isms.RoleViewer]
		other := newApp(t, db) // a second process on the same database

		open := func(a *app.App, p app.Principal) int {
			t.Helper()
			d, err := a.Dashboard(ctx, p, "acme")
			if err != nil {
				t.Fatal(err)
			}
			return d.Dev.Open
		}
		if n := open(f.app, viewer); n != 0 {
			t.Fatalf("open deviations at start = %d", n)
		}
		if _, err := other.CreateDeviation(ctx, admin, "acme", app.DeviationInput{Title: "Door left open", Kind: "minor", Source: "observation",
			Severity: "low", DetectedAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if n := open(f.app, viewer); n != 1 {
			t.Errorf("after another process opened a deviation: open = %d, want 1", n)
		}

		// A recompute changes the figures without an audit event.
		d0, err := f.app.Dashboard(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, other, admin, "acme", isms.KindAccessRemovals, "person,system,employment_ended_at,access_removed_at\n"+
			"ann,erp,"+time.Now().AddDate(0, -1, 0).UTC().Format(time.RFC3339)+","+time.Now().AddDate(0, -1, 5).UTC().Format(time.RFC3339)+"\n", false)
		if _, err := other.RecomputeMetrics(ctx, f.org.ID); err != nil {
			t.Fatal(err)
		}
		d1, err := f.app.Dashboard(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if d1.CurrentPeriodComputed == nil || (d0.CurrentPeriodComputed != nil && !d1.CurrentPeriodComputed.After(*d0.CurrentPeriodComputed)) {
			t.Errorf("figures computed at %v, then %v: the recompute is not shown", d0.CurrentPeriodComputed, d1.CurrentPeriodComputed)
		}

		// The caller's own part is the caller's: a process owned by the
		// admin is "mine" for the admin only, from the same cached entry.
		proc, _ := app.ProcessFromTemplate("access", admin.UserID)
		if err := f.app.CreateProcess(ctx, admin, "acme", proc); err != nil {
			t.Fatal(err)
		}
		da, err := f.app.Dashboard(ctx, admin, "acme")
		if err != nil {
			t.Fatal(err)
		}
		dv, err := f.app.Dashboard(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(da.Mine) != 1 || len(dv.Mine) != 0 {
			t.Errorf("mine: admin %d, viewer %d; want 1 and 0", len(da.Mine), len(dv.Mine))
		}

		// The clock: an entry older than DashboardMaxAge is recomputed, so
		// due dates follow the date. A deviation's due date passing changes
		// no data, only the clock.
		due := time.Now().Add(2 * time.Minute)
		if _, err := other.CreateDeviation(ctx, admin, "acme", app.DeviationInput{Title: "Badge reader down", Kind: "minor", Source: "observation",
			Severity: "low", DetectedAt: time.Now().Add(-time.Hour), DueAt: &due}); err != nil {
			t.Fatal(err)
		}
		before, err := f.app.Dashboard(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Now().Add(app.DashboardMaxAge + 2*time.Minute) }
		t.Cleanup(func() { db.Now = time.Now })
		after, err := f.app.Dashboard(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if after.Dev.OverdueDeviations != before.Dev.OverdueDeviations+1 {
			t.Errorf("overdue deviations %d, then %d after the due date passed: the clock does not expire the cache",
				before.Dev.OverdueDeviations, after.Dev.OverdueDeviations)
		}
	})
}

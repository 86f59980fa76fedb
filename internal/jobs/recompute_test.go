package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestRecomputeSkipsWhenNothingChanged checks that a burst of recompute
// jobs for one organisation computes once, that a change makes the next
// job compute again, and that the nightly run always computes.
func TestRecomputeSkipsWhenNothingChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := app.New(db, nil)
		org := &isms.Organization{Slug: "acme", Name: "Acme"}
		if err := a.CreateOrg(ctx, app.System, org); err != nil {
			t.Fatal(err)
		}
		w := &jobs.RecomputeWorker{App: a, Log: slog.New(slog.DiscardHandler)}
		clock := time.Now().UTC().Truncate(time.Second)
		db.Now = func() time.Time { return clock }
		t.Cleanup(func() { db.Now = time.Now })
		work := func(always bool) time.Time {
			t.Helper()
			clock = clock.Add(time.Minute)
			if err := w.Work(ctx, &river.Job[jobs.RecomputeArgs]{JobRow: &rivertype.JobRow{}, Args: jobs.RecomputeArgs{OrgID: org.ID, Always: always}}); err != nil {
				t.Fatal(err)
			}
			ms, err := a.StoredMeasurements(ctx, app.System, "acme")
			if err != nil || len(ms) == 0 {
				t.Fatalf("stored measurements: %d %v", len(ms), err)
			}
			return ms[0].ComputedAt
		}
		first := work(false)
		if !first.Equal(clock) {
			t.Fatalf("first job computed at %v, want %v", first, clock)
		}
		if again := work(false); !again.Equal(first) {
			t.Errorf("a second job with no change in between recomputed (computed at %v, first %v)", again, first)
		}
		// The skip is stored with the figures: a restarted process (a new
		// worker) or another process skips as well.
		w = &jobs.RecomputeWorker{App: a, Log: slog.New(slog.DiscardHandler)}
		if again := work(false); !again.Equal(first) {
			t.Errorf("a new worker recomputed with no change (computed at %v, first %v)", again, first)
		}
		// A change that cannot move a figure (a reminder setting) does not
		// make the next job recompute either.
		if _, err := a.SetReminderSettings(ctx, app.System, "acme", isms.ReminderSettings{LeadDays: 3, EscalateDays: 9}); err != nil {
			t.Fatal(err)
		}
		if again := work(false); !again.Equal(first) {
			t.Errorf("a change to reminder settings made the job recompute (computed at %v, first %v)", again, first)
		}
		if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindRestoreTests, Format: importer.FormatCSV,
			File: strings.NewReader("system,tested_at,result\nerp," + clock.Format(time.RFC3339) + ",pass\n")}); err != nil {
			t.Fatal(err)
		}
		if after := work(false); !after.Equal(clock) {
			t.Errorf("after an import the job did not recompute (computed at %v, now %v)", after, clock)
		}
		if nightly := work(true); !nightly.Equal(clock) {
			t.Errorf("the nightly job did not recompute (computed at %v, now %v)", nightly, clock)
		}
		nightly := clock
		if again := work(false); !again.Equal(nightly) {
			t.Errorf("a job after the nightly run recomputed with no change (computed at %v, nightly %v)", again, nightly)
		}
		// A change to a metric's definition makes the next job recompute.
		ms, err := a.Metrics(ctx, app.System, "acme")
		if err != nil || len(ms) == 0 {
			t.Fatalf("metrics: %d %v", len(ms), err)
		}
		name := "Renamed"
		if _, err := a.UpdateMetric(ctx, app.System, "acme", ms[0].Key, app.MetricChange{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if after := work(false); !after.Equal(clock) {
			t.Errorf("after a metric change the job did not recompute (computed at %v, now %v)", after, clock)
		}
	})
}

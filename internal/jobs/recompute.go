package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/obs"
)

// RecomputeArgs asks for one organisation's stored measurements to be
// recomputed. It is deliberately not unique: River's uniqueness would
// also cover a running job, which may have read the records before the
// import that enqueues the next one committed. Instead the worker skips a
// job when the figures are current: a finished recompute had already seen
// every change to their inputs (app.RecomputeNeeded, stored with the
// figures, so it holds across restarts and processes). A burst of imports
// then costs one or two recomputes, not one each. Always (the nightly
// run) recomputes regardless, since figures also move with the calendar.
type RecomputeArgs struct {
	OrgID  int64 `json:"org_id"`
	Always bool  `json:"always,omitempty"`
}

// Kind is River's name for the job.
func (RecomputeArgs) Kind() string { return app.JobRecomputeMetrics }

// QueueRecompute is the queue of recompute jobs. It has one worker per
// process: recomputing is CPU-bound, a burst of imports must not take
// every core from the people reading pages, and one worker lets queued
// jobs for an organisation find its figures already current.
const QueueRecompute = "recompute"

// recomputeFetchCooldown is the least time between two fetches of the
// recompute queue (River's default is 100 ms). With one worker River
// fetches one job at a time, so the default made a queue of recomputes
// that find nothing changed (a few ms each: every import queues one, and
// the first of a burst sees them all) drain at 10 jobs a second: 5,000
// queued by generating 500 organisations took over 8 minutes.
const recomputeFetchCooldown = 5 * time.Millisecond

// InsertOpts puts the job in its queue.
func (RecomputeArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueRecompute} }

// RecomputeWorker runs app.RecomputeMetrics.
type RecomputeWorker struct {
	river.WorkerDefaults[RecomputeArgs]
	App *app.App
	Log *slog.Logger
}

// Work recomputes one organisation.
func (w *RecomputeWorker) Work(ctx context.Context, j *river.Job[RecomputeArgs]) error {
	start := time.Now()
	if !j.Args.Always {
		needed, err := w.App.RecomputeNeeded(ctx, j.Args.OrgID)
		if err != nil {
			return err
		}
		if !needed {
			obs.RecomputesSkipped.Inc()
			w.Log.Debug("metrics already recomputed with every change", "org_id", j.Args.OrgID)
			return nil
		}
	}
	n, err := w.App.RecomputeMetrics(ctx, j.Args.OrgID)
	if err != nil {
		return err
	}
	obs.RecomputeDuration.Observe(time.Since(start).Seconds())
	w.Log.Info("metrics recomputed", "org_id", j.Args.OrgID, "measurements", n, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// NightlyArgs enqueues a recompute for every organisation, so figures
// follow the calendar (deadlines pass, periods end) without imports.
type NightlyArgs struct{}

// Kind is River's name for the job.
func (NightlyArgs) Kind() string { return "nightly_recompute" }

// NightlyWorker enqueues one RecomputeArgs per organisation.
type NightlyWorker struct {
	river.WorkerDefaults[NightlyArgs]
	App    *app.App
	Client func() *Client
}

// Work enqueues the per-organisation jobs.
func (w *NightlyWorker) Work(ctx context.Context, _ *river.Job[NightlyArgs]) error {
	ids, err := w.App.OrgIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := w.Client().Insert(ctx, RecomputeArgs{OrgID: id, Always: true}, nil); err != nil {
			return err
		}
	}
	return nil
}

// dailyAt is a River schedule firing every day at a fixed UTC time.
type dailyAt struct{ hour, minute int }

// Next returns the first firing strictly after t.
func (d dailyAt) Next(t time.Time) time.Time {
	t = t.UTC()
	n := time.Date(t.Year(), t.Month(), t.Day(), d.hour, d.minute, 0, 0, time.UTC)
	if !n.After(t) {
		n = n.AddDate(0, 0, 1)
	}
	return n
}

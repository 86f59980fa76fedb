package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pdca/pdca/internal/app"
)

// HousekeepingArgs asks for expired sessions and stale sign-in failures to
// be deleted. Only River's leader enqueues it, so several pdca processes
// on one PostgreSQL run it once per period.
type HousekeepingArgs struct{}

// Kind is River's name for the job.
func (HousekeepingArgs) Kind() string { return "housekeeping" }

// InsertOpts makes the job unique while one is pending. Not while one is
// completed, River's default: that kept the next run out until River
// cleaned the completed job a day later.
func (HousekeepingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

// HousekeepingWorker runs app.Housekeeping.
type HousekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	App *app.App
	Log *slog.Logger
}

// Work runs one housekeeping pass.
func (w *HousekeepingWorker) Work(ctx context.Context, _ *river.Job[HousekeepingArgs]) error {
	r, err := w.App.Housekeeping(ctx)
	if err != nil {
		return err
	}
	w.Log.Info("housekeeping done", "expired_sessions", r.ExpiredSessions, "old_signin_failures", r.OldSigninFails, "expired_invitations", r.ExpiredInvitations, "stale_uploads", r.StaleUploads, "abandoned_imports", r.AbandonedImports)
	return nil
}

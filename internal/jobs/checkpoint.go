package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/pdca/pdca/internal/app"
)

// CheckpointArgs asks for a signed checkpoint of every audit chain. River's
// leader enqueues it daily (and when the server starts) when the server
// runs with --audit-key.
type CheckpointArgs struct{}

// Kind is River's name for the job.
func (CheckpointArgs) Kind() string { return "audit_checkpoint" }

// CheckpointWorker runs app.TakeCheckpoint with the server's audit key and
// sends each organisation's statement to its admins.
type CheckpointWorker struct {
	river.WorkerDefaults[CheckpointArgs]
	App *app.App
	Log *slog.Logger
}

// Work takes one checkpoint.
func (w *CheckpointWorker) Work(ctx context.Context, _ *river.Job[CheckpointArgs]) error {
	c, err := w.App.TakeCheckpoint(ctx, app.System, nil, app.CheckpointDaily, true)
	if err != nil {
		return err
	}
	w.Log.Info("audit checkpoint taken", "chains", len(c.Heads), "sha256", c.SHA256())
	return nil
}

// checkpointJob is the daily periodic job, when the app has a key.
func checkpointJob(a *app.App) []*river.PeriodicJob {
	if a.AuditKey == nil {
		return nil
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(dailyAt{hour: 0, minute: 5},
		func() (river.JobArgs, *river.InsertOpts) { return CheckpointArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "audit_checkpoint"})}
}

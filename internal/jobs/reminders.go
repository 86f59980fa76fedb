package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/pdca/pdca/internal/app"
)

// RemindersArgs asks for the reminder scan of every organisation. River's
// leader runs it every hour; if two processes ran it at once, the
// reminders_sent unique index still sends each reminder once.
type RemindersArgs struct{}

// Kind is River's name for the job.
func (RemindersArgs) Kind() string { return "send_reminders" }

// RemindersWorker runs app.SendReminders for each organisation.
type RemindersWorker struct {
	river.WorkerDefaults[RemindersArgs]
	App *app.App
	Log *slog.Logger
}

// Work scans every organisation.
func (w *RemindersWorker) Work(ctx context.Context, _ *river.Job[RemindersArgs]) error {
	ids, err := w.App.OrgIDs(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, id := range ids {
		sent, err := w.App.SendReminders(ctx, id, now)
		if err != nil {
			return err
		}
		if len(sent) > 0 {
			w.Log.Info("reminders sent", "org_id", id, "reminders", len(sent))
		}
	}
	return nil
}

// DigestArgs asks for the weekly digest of every organisation.
type DigestArgs struct{}

// Kind is River's name for the job.
func (DigestArgs) Kind() string { return "send_digests" }

// DigestWorker runs app.SendDigests for each organisation.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	App *app.App
	Log *slog.Logger
}

// Work sends the digests of every organisation.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	ids, err := w.App.OrgIDs(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, id := range ids {
		sent, err := w.App.SendDigests(ctx, id, now)
		if err != nil {
			return err
		}
		if len(sent) > 0 {
			w.Log.Info("digests sent", "org_id", id, "digests", len(sent))
		}
	}
	return nil
}

// weeklyAt is a River schedule firing once a week at a fixed UTC time.
type weeklyAt struct {
	day          time.Weekday
	hour, minute int
}

// Next returns the first firing strictly after t.
func (s weeklyAt) Next(t time.Time) time.Time {
	t = t.UTC()
	n := time.Date(t.Year(), t.Month(), t.Day(), s.hour, s.minute, 0, 0, time.UTC)
	n = n.AddDate(0, 0, (int(s.day)-int(n.Weekday())+7)%7)
	if !n.After(t) {
		n = n.AddDate(0, 0, 7)
	}
	return n
}

// Package jobs runs pdca's background work on River: workers and periodic
// jobs, one file per job kind. River's tables live in the same database as
// pdca's, and jobs are enqueued in the same transaction as the change that
// asks for them. Both engines use a database/sql driver, so there is one
// client type, river.Client[*sql.Tx].
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
)

// Client is pdca's River client.
type Client = river.Client[*sql.Tx]

func driver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Engine == store.Postgres {
		return riverdatabasesql.New(db.Writer())
	}
	return riversqlite.New(db.Writer())
}

// Migrate applies River's own migrations.
func Migrate(ctx context.Context, db *store.DB) error {
	m, err := rivermigrate.New(driver(db), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// Options tune the client.
type Options struct {
	// HousekeepingEvery is the period of the housekeeping job (default 1 h).
	HousekeepingEvery time.Duration
	// Work false makes an insert-only client (the command line).
	Work bool
	// SMTP and WebhookSecret configure reminder deliveries.
	SMTP          SMTP
	WebhookSecret []byte
	// Webhooks is what webhook deliveries may reach besides public
	// addresses (serve --webhook-allow); the zero Policy: public only.
	Webhooks outbound.Policy
	// RemindersEvery is the period of the reminder scan (default 1 h).
	RemindersEvery time.Duration
	// Heartbeat, when set, is beaten by every job worked (see Watch).
	Heartbeat *obs.Heartbeat
}

// New builds the River client with every worker and periodic job, and
// wires a.Enqueue so use cases can enqueue in their transaction.
func New(db *store.DB, a *app.App, log *slog.Logger, o Options) (*Client, error) {
	if o.HousekeepingEvery == 0 {
		o.HousekeepingEvery = time.Hour
	}
	if o.RemindersEvery == 0 {
		o.RemindersEvery = time.Hour
	}
	workers := river.NewWorkers()
	var c *Client
	river.AddWorker(workers, &HousekeepingWorker{App: a, Log: log})
	river.AddWorker(workers, &RecomputeWorker{App: a, Log: log})
	river.AddWorker(workers, &NightlyWorker{App: a, Client: func() *Client { return c }})
	river.AddWorker(workers, &RemindersWorker{App: a, Log: log})
	river.AddWorker(workers, &DigestWorker{App: a, Log: log})
	river.AddWorker(workers, &CheckpointWorker{App: a, Log: log})
	river.AddWorker(workers, &WebhookWorker{App: a, Log: log, Outbound: outbound.NewClient(o.Webhooks)})
	river.AddWorker(workers, &DeliverWorker{App: a, Log: log, SMTP: o.SMTP, WebhookSecret: o.WebhookSecret, Outbound: outbound.NewClient(o.Webhooks)})
	cfg := &river.Config{
		Logger:     slog.New(quietCancel{log.Handler()}),
		Workers:    workers,
		Middleware: []rivertype.Middleware{observeJobs(o.Heartbeat)},
	}
	if o.Work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4},
			QueueRecompute: {MaxWorkers: 1, FetchCooldown: recomputeFetchCooldown}}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(o.HousekeepingEvery),
				func() (river.JobArgs, *river.InsertOpts) { return HousekeepingArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "housekeeping"}),
			river.NewPeriodicJob(dailyAt{hour: 2, minute: 15},
				func() (river.JobArgs, *river.InsertOpts) { return NightlyArgs{}, nil },
				&river.PeriodicJobOpts{ID: "nightly_recompute"}),
			river.NewPeriodicJob(river.PeriodicInterval(o.RemindersEvery),
				func() (river.JobArgs, *river.InsertOpts) { return RemindersArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "send_reminders"}),
			river.NewPeriodicJob(weeklyAt{day: time.Monday, hour: 7},
				func() (river.JobArgs, *river.InsertOpts) { return DigestArgs{}, nil },
				&river.PeriodicJobOpts{ID: "send_digests"}),
		}
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, checkpointJob(a)...)
	}
	c, err := river.NewClient(driver(db), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	a.Enqueue = func(ctx context.Context, tx *store.Tx, j app.Job) error {
		args, ok := argsFor(j)
		if !ok {
			return fmt.Errorf("no job kind %q", j.Kind)
		}
		_, err := c.InsertTx(ctx, tx.SQL(), args, nil)
		return err
	}
	return c, nil
}

// argsFor maps an app.Job to River job arguments.
func argsFor(j app.Job) (river.JobArgs, bool) {
	switch j.Kind {
	case HousekeepingArgs{}.Kind():
		return HousekeepingArgs{}, true
	case RecomputeArgs{}.Kind():
		return RecomputeArgs{OrgID: j.OrgID}, true
	case DeliverArgs{}.Kind():
		return DeliverArgs{DeliveryID: j.DeliveryID}, true
	case WebhookArgs{}.Kind():
		return WebhookArgs{DeliveryID: j.DeliveryID}, true
	}
	return nil, false
}

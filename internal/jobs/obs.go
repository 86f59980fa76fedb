package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/store"
)

// observeJobs is River worker middleware: it counts every job worked by
// kind and outcome and times it (package obs), and beats hb, since a job
// that ran is proof the worker runs.
func observeJobs(hb *obs.Heartbeat) rivertype.WorkerMiddleware {
	return river.WorkerMiddlewareFunc(func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
		start := time.Now()
		outcome := "panic"
		defer func() {
			obs.JobsTotal.WithLabelValues(job.Kind, outcome).Inc()
			obs.JobDuration.WithLabelValues(job.Kind).Observe(time.Since(start).Seconds())
			if hb != nil {
				hb.Beat(time.Now())
			}
		}()
		err = doInner(ctx)
		outcome = jobOutcome(err)
		return err
	})
}

func jobOutcome(err error) string {
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &cancel):
		return "cancelled"
	case errors.As(err, &snooze):
		return "snoozed"
	}
	return "error"
}

// HeartbeatEvery is how often Watch checks the worker.
const HeartbeatEvery = 15 * time.Second

// Watch beats hb every HeartbeatEvery while c runs: its client has not
// stopped and can read River's job table through its own driver. It
// returns when ctx ends or the client stops; /readyz reports the worker
// gone once hb is a minute old.
func Watch(ctx context.Context, c *Client, hb *obs.Heartbeat, log *slog.Logger) {
	t := time.NewTicker(HeartbeatEvery)
	defer t.Stop()
	for {
		checkWorker(ctx, c, hb, log)
		select {
		case <-ctx.Done():
			return
		case <-c.Stopped():
			return
		case <-t.C:
		}
	}
}

func checkWorker(ctx context.Context, c *Client, hb *obs.Heartbeat, log *slog.Logger) {
	select {
	case <-c.Stopped():
		return
	default:
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := c.JobList(qctx, river.NewJobListParams().First(1)); err != nil {
		if ctx.Err() == nil {
			log.Warn("job worker check", "err", err.Error())
		}
		return
	}
	hb.Beat(time.Now())
}

// QueueCollector reports River's queues when /metrics is scraped: jobs
// by queue and state (available, running, retryable, scheduled) and the
// age of each queue's oldest available job. It reads at most once per
// queueStatsTTL, so frequent scrapes cost nothing more.
type QueueCollector struct {
	db     *store.DB
	client *Client
	log    *slog.Logger

	mu     sync.Mutex
	at     time.Time
	counts []store.JobCount
	oldest map[string]float64
}

// queueStatsTTL is how long one read of the queues serves scrapes.
const queueStatsTTL = 10 * time.Second

var (
	descJobs = prometheus.NewDesc("pdca_river_jobs", "River jobs not yet finished, by queue and state (available, running, retryable, scheduled).",
		[]string{"queue", "state"}, nil)
	descOldest = prometheus.NewDesc("pdca_river_oldest_available_job_age_seconds", "Age of the oldest job waiting to run in each queue (0: none waits).",
		[]string{"queue"}, nil)
)

// NewQueueCollector returns the collector of c's queues.
func NewQueueCollector(db *store.DB, c *Client, log *slog.Logger) *QueueCollector {
	return &QueueCollector{db: db, client: c, log: log}
}

// Describe implements prometheus.Collector.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descJobs
	ch <- descOldest
}

// Collect implements prometheus.Collector.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.at.IsZero() || time.Since(q.at) > queueStatsTTL {
		if err := q.read(); err != nil {
			q.log.Warn("read River queues for metrics", "err", err.Error())
		}
	}
	for _, c := range q.counts {
		ch <- prometheus.MustNewConstMetric(descJobs, prometheus.GaugeValue, float64(c.Count), c.Queue, c.State)
	}
	for queue, age := range q.oldest {
		ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age, queue)
	}
}

func (q *QueueCollector) read() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := q.db.JobCounts(ctx)
	if err != nil {
		return err
	}
	oldest := map[string]float64{river.QueueDefault: 0, QueueRecompute: 0}
	now := time.Now()
	for queue := range oldest {
		res, err := q.client.JobList(ctx, river.NewJobListParams().Queues(queue).States(rivertype.JobStateAvailable).
			OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1))
		if err != nil {
			return err
		}
		if len(res.Jobs) > 0 {
			oldest[queue] = max(0, now.Sub(res.Jobs[0].ScheduledAt).Seconds())
		}
	}
	q.at, q.counts, q.oldest = now, counts, oldest
	return nil
}

// Package obs defines pdca's Prometheus metrics in one place: the counters
// and histograms that app, jobs and web update, and the collectors that
// read the database when /metrics is scraped. It imports store (for the
// scrape-time reads) and nothing else of pdca's, so app, jobs and web can
// all import it. docs/operations.md lists every metric.
//
// Labels never carry personal data or tenant names: organisations appear
// by id only, sign-ins by method and outcome.
package obs

import (
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// The metrics updated where things happen. They are process-wide (one
// pdca process serves one database), and every registry NewRegistry makes
// exposes them.
var (
	// JobsTotal counts worked River jobs by kind and outcome (ok, error,
	// cancelled, snoozed, panic).
	JobsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pdca_jobs_total", Help: "River jobs worked by this process, by kind and outcome (ok, error, cancelled, snoozed)."},
		[]string{"kind", "outcome"})
	// JobDuration observes how long each job took, by kind.
	JobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pdca_job_duration_seconds", Help: "Time River jobs took to work, by kind.",
		Buckets: []float64{.005, .025, .1, .5, 1, 2.5, 10, 30, 120, 600}},
		[]string{"kind"})
	// Deliveries counts delivery attempts (reminder emails and webhooks,
	// event webhooks as ChannelEventWebhook) by channel and outcome: sent, retry (failed, will be tried again),
	// failed (given up).
	Deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pdca_deliveries_total", Help: "Delivery attempts by channel (email and webhook: reminders; event_webhook: event subscriptions) and outcome (sent, retry, failed)."},
		[]string{"channel", "outcome"})
	// Imports counts finished imports by outcome: stored, dry_run,
	// rejected (bad rows), failed (any other error).
	Imports = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pdca_imports_total", Help: "Imports by outcome (stored, dry_run, rejected, failed)."},
		[]string{"outcome"})
	// ImportRows counts rows read by imports that stored or checked them.
	ImportRows = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pdca_import_rows_total", Help: "Rows read by successful imports and dry runs."})
	// ImportBytes counts the bytes of import files read.
	ImportBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pdca_import_bytes_total", Help: "Bytes of import files read."})
	// ImportRejects counts bad rows of rejected imports.
	ImportRejects = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pdca_import_rejected_rows_total", Help: "Bad rows found in rejected imports."})
	// RecomputeDuration observes metric recomputes that ran.
	RecomputeDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "pdca_recompute_duration_seconds", Help: "Time metric recomputes of one organisation took.",
		Buckets: []float64{.01, .05, .1, .5, 1, 2.5, 5, 10, 30, 60, 300}})
	// RecomputesSkipped counts recompute jobs skipped because a finished
	// recompute already saw the organisation's latest change.
	RecomputesSkipped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pdca_recomputes_skipped_total", Help: "Recompute jobs skipped: a finished recompute had already seen every change."})
	// Signins counts sign-in attempts that were evaluated, by method
	// (password, totp, passkey, oidc) and outcome (success, failure).
	Signins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pdca_signins_total", Help: "Evaluated sign-in attempts by method (password, totp, passkey, oidc) and outcome (success, failure)."},
		[]string{"method", "outcome"})
)

// NewRegistry returns a registry with Go runtime and process metrics, the
// statistics of the writer and reader pools (each when not nil; db_name
// "writer" and "reader") and every metric above.
func NewRegistry(writer, reader *sql.DB) *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		JobsTotal, JobDuration, Deliveries, Imports, ImportRows, ImportBytes, ImportRejects,
		RecomputeDuration, RecomputesSkipped, Signins,
	)
	if writer != nil {
		r.MustRegister(collectors.NewDBStatsCollector(writer, "writer"))
	}
	if reader != nil && reader != writer {
		r.MustRegister(collectors.NewDBStatsCollector(reader, "reader"))
	}
	return r
}

// Heartbeat is when the job worker last reported that it runs; /readyz
// reads it. The zero Heartbeat has never beaten.
type Heartbeat struct{ last atomic.Int64 }

// Beat records that the worker ran at t.
func (h *Heartbeat) Beat(t time.Time) { h.last.Store(t.UnixNano()) }

// Last is the time of the last beat (the zero time if none).
func (h *Heartbeat) Last() time.Time {
	n := h.last.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// ChannelEventWebhook is the channel label of event subscriptions'
// webhook deliveries in Deliveries (reminders' are email and webhook).
const ChannelEventWebhook = "event_webhook"

package obs

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pdca/pdca/internal/store"
)

var descChain = prometheus.NewDesc("pdca_audit_chain_length",
	"Events in each organisation's audit chain, by organisation id (0 is the system organisation).", []string{"org_id"}, nil)

// AuditCollector reports each organisation's audit chain length when
// /metrics is scraped: one read of the chain heads (one row per
// organisation), labelled by organisation id only, never by name.
type AuditCollector struct {
	db  *store.DB
	log *slog.Logger
}

// NewAuditCollector returns the collector over db.
func NewAuditCollector(db *store.DB, log *slog.Logger) *AuditCollector {
	return &AuditCollector{db: db, log: log}
}

// Describe implements prometheus.Collector.
func (c *AuditCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descChain }

// Collect implements prometheus.Collector.
func (c *AuditCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	heads, err := c.db.AuditChainLengths(ctx)
	if err != nil {
		c.log.Warn("read audit chains for metrics", "err", err.Error())
		return
	}
	for org, n := range heads {
		ch <- prometheus.MustNewConstMetric(descChain, prometheus.GaugeValue, float64(n), strconv.FormatInt(org, 10))
	}
}

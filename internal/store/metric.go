package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// MetricDefinition is one stored version of a metric definition. The
// definition itself is JSON owned by package app (a measure.Definition).
type MetricDefinition struct {
	ID         int64
	OrgID      int64
	Key        string
	Version    int64
	Definition string
	OwnerID    int64
	ChangedBy  string
	CreatedAt  time.Time
}

// AddMetricVersion stores the next version of a metric definition (1 for
// a new metric) and sets Version, ID and CreatedAt.
func (tx *Tx) AddMetricVersion(ctx context.Context, d *MetricDefinition) error {
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM metric_definitions WHERE org_id = $1 AND metric_key = $2`,
		d.OrgID, d.Key).Scan(&d.Version); err != nil {
		return fmt.Errorf("next metric version: %w", err)
	}
	d.CreatedAt = tx.Now
	var owner any
	if d.OwnerID != 0 {
		owner = d.OwnerID
	}
	err := tx.queryRow(ctx, `INSERT INTO metric_definitions (org_id, metric_key, version, definition, owner_id, changed_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		d.OrgID, d.Key, d.Version, d.Definition, owner, d.ChangedBy, tx.ts(d.CreatedAt)).Scan(&d.ID)
	return conflict(err, "the metric definition was changed concurrently; try again")
}

const metricDefColumns = `id, org_id, metric_key, version, definition, owner_id, changed_by, created_at`

func scanMetricDefs(rows *sql.Rows) ([]MetricDefinition, error) {
	defer rows.Close()
	var out []MetricDefinition
	for rows.Next() {
		var d MetricDefinition
		var owner sql.NullInt64
		if err := rows.Scan(&d.ID, &d.OrgID, &d.Key, &d.Version, &d.Definition, &owner, &d.ChangedBy, tm(&d.CreatedAt)); err != nil {
			return nil, fmt.Errorf("scan metric definition: %w", err)
		}
		d.OwnerID = owner.Int64
		d.CreatedAt = d.CreatedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// CurrentMetrics returns the latest version of every metric of the
// organisation, in creation order.
func (tx *Tx) CurrentMetrics(ctx context.Context, orgID int64) ([]MetricDefinition, error) {
	rows, err := tx.query(ctx, `SELECT `+metricDefColumns+` FROM metric_definitions d
		WHERE org_id = $1 AND version = (SELECT MAX(version) FROM metric_definitions m WHERE m.org_id = d.org_id AND m.metric_key = d.metric_key)
		ORDER BY (SELECT MIN(id) FROM metric_definitions f WHERE f.org_id = d.org_id AND f.metric_key = d.metric_key)`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	return scanMetricDefs(rows)
}

// CurrentMetric returns the latest version of one metric; ENOTFOUND if
// the organisation has no metric with that key.
func (tx *Tx) CurrentMetric(ctx context.Context, orgID int64, key string) (*MetricDefinition, error) {
	rows, err := tx.query(ctx, `SELECT `+metricDefColumns+` FROM metric_definitions WHERE org_id = $1 AND metric_key = $2
		ORDER BY version DESC LIMIT 1`, orgID, key)
	if err != nil {
		return nil, fmt.Errorf("read metric %s: %w", key, err)
	}
	ds, err := scanMetricDefs(rows)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, isms.Errorf(isms.ENOTFOUND, "metric %q not found", key)
	}
	return &ds[0], nil
}

// MetricHistory returns every version of one metric, oldest first.
func (tx *Tx) MetricHistory(ctx context.Context, orgID int64, key string) ([]MetricDefinition, error) {
	rows, err := tx.query(ctx, `SELECT `+metricDefColumns+` FROM metric_definitions WHERE org_id = $1 AND metric_key = $2 ORDER BY version`, orgID, key)
	if err != nil {
		return nil, fmt.Errorf("metric history: %w", err)
	}
	return scanMetricDefs(rows)
}

// Measurement is a stored, rated figure of one metric for one period.
type Measurement struct {
	OrgID      int64
	Key        string
	Period     string
	Version    int64
	AsOf       time.Time
	Value      *float64
	Unit       string
	Status     string
	Population int
	Met        int
	Missed     int
	Pending    int
	Counted    int
	Reason     string
	ComputedAt time.Time
}

// SaveMeasurement inserts or replaces the figure of a metric for a period.
func (tx *Tx) SaveMeasurement(ctx context.Context, m *Measurement) error {
	m.ComputedAt = tx.Now
	var v any
	if m.Value != nil {
		v = *m.Value
	}
	_, err := tx.exec(ctx, `INSERT INTO measurements (org_id, metric_key, period, version, as_of, value, unit, status, population, met, missed, pending, counted, reason, computed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (org_id, metric_key, period) DO UPDATE SET version = excluded.version, as_of = excluded.as_of, value = excluded.value,
			unit = excluded.unit, status = excluded.status, population = excluded.population, met = excluded.met, missed = excluded.missed,
			pending = excluded.pending, counted = excluded.counted, reason = excluded.reason, computed_at = excluded.computed_at`,
		m.OrgID, m.Key, m.Period, m.Version, tx.ts(m.AsOf), v, m.Unit, m.Status, m.Population, m.Met, m.Missed, m.Pending, m.Counted, m.Reason, tx.ts(m.ComputedAt))
	if err != nil {
		return fmt.Errorf("save measurement %s %s: %w", m.Key, m.Period, err)
	}
	return nil
}

// Measurements returns the stored figures of the organisation, by metric
// and period.
func (tx *Tx) Measurements(ctx context.Context, orgID int64) ([]Measurement, error) {
	return tx.measurements(ctx, `SELECT `+measurementColumns+` FROM measurements WHERE org_id = $1 ORDER BY metric_key, period`, orgID)
}

// MeasurementsOf returns the stored figures of one metric for the
// periods that have one, by period.
func (tx *Tx) MeasurementsOf(ctx context.Context, orgID int64, key string, periods ...string) ([]Measurement, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	args := []any{orgID, key}
	marks := make([]string, len(periods))
	for i, p := range periods {
		args = append(args, p)
		marks[i] = "$" + strconv.Itoa(i+3)
	}
	return tx.measurements(ctx, `SELECT `+measurementColumns+` FROM measurements WHERE org_id = $1 AND metric_key = $2
		AND period IN (`+strings.Join(marks, ", ")+`) ORDER BY period`, args...)
}

// RecentMeasurements returns the last n stored periods of each metric, by
// metric and period: what the dashboard shows, without reading history.
func (tx *Tx) RecentMeasurements(ctx context.Context, orgID int64, n int) ([]Measurement, error) {
	return tx.measurements(ctx, `SELECT `+measurementColumns+` FROM (
		SELECT *, ROW_NUMBER() OVER (PARTITION BY metric_key ORDER BY period DESC) AS recent
		FROM measurements WHERE org_id = $1) m
		WHERE recent <= $2 ORDER BY metric_key, period`, orgID, n)
}

const measurementColumns = `org_id, metric_key, period, version, as_of, value, unit, status, population, met, missed, pending, counted, reason, computed_at`

func (tx *Tx) measurements(ctx context.Context, q string, args ...any) ([]Measurement, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list measurements: %w", err)
	}
	defer rows.Close()
	var out []Measurement
	for rows.Next() {
		var m Measurement
		var v sql.NullFloat64
		if err := rows.Scan(&m.OrgID, &m.Key, &m.Period, &m.Version, tm(&m.AsOf), &v, &m.Unit, &m.Status, &m.Population, &m.Met, &m.Missed, &m.Pending, &m.Counted, &m.Reason, tm(&m.ComputedAt)); err != nil {
			return nil, fmt.Errorf("scan measurement: %w", err)
		}
		if v.Valid {
			f := v.Float64
			m.Value = &f
		}
		m.AsOf, m.ComputedAt = m.AsOf.UTC(), m.ComputedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// DataVersion changes whenever the organisation's data may have: its
// audit chain head (every change appends an event) and the time its
// figures were last computed (recomputes are not audited: figures are
// derived). Caches of derived views key on it.
func (tx *Tx) DataVersion(ctx context.Context, orgID int64) (string, error) {
	var seq int64
	var computed sql.NullString
	err := tx.queryRow(ctx, `SELECT COALESCE((SELECT seq FROM audit_heads WHERE org_id = $1), 0),
		(SELECT MAX(computed_at) FROM measurements WHERE org_id = $1)`, orgID).Scan(&seq, &computed)
	if err != nil {
		return "", fmt.Errorf("data version: %w", err)
	}
	return dataVersion(seq, computed), nil
}

// dataVersion formats DataVersion's two figures (also read by OrgAccess).
func dataVersion(seq int64, computed sql.NullString) string {
	return strconv.FormatInt(seq, 10) + "/" + computed.String
}

// RecomputedInputs returns the input sequence number (see
// SetRecomputedInputs) the organisation's last finished recompute had
// seen; -1 if none finished.
func (tx *Tx) RecomputedInputs(ctx context.Context, orgID int64) (int64, error) {
	var seq int64
	err := tx.queryRow(ctx, `SELECT COALESCE((SELECT input_seq FROM metric_recomputes WHERE org_id = $1), -1)`, orgID).Scan(&seq)
	return seq, err
}

// SetRecomputedInputs records that a recompute finished which had seen
// every change up to the audit event seq; the stored number never goes
// back (a slower, older recompute may finish last).
func (tx *Tx) SetRecomputedInputs(ctx context.Context, orgID, seq int64) error {
	_, err := tx.exec(ctx, `INSERT INTO metric_recomputes (org_id, input_seq, recomputed_at) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET input_seq = CASE WHEN excluded.input_seq > metric_recomputes.input_seq
			THEN excluded.input_seq ELSE metric_recomputes.input_seq END, recomputed_at = excluded.recomputed_at`,
		orgID, seq, tx.ts(tx.Now))
	if err != nil {
		return fmt.Errorf("record recompute: %w", err)
	}
	return nil
}

// ManualValue is a typed-in value of a manual metric.
type ManualValue struct {
	Key, Period string
	Value       float64
	Note, Actor string
	At          time.Time
}

// SetManualValue inserts or replaces the value of a manual metric.
func (tx *Tx) SetManualValue(ctx context.Context, orgID int64, v *ManualValue) error {
	v.At = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO manual_values (org_id, metric_key, period, value, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (org_id, metric_key, period) DO UPDATE SET value = excluded.value, note = excluded.note, actor = excluded.actor, at = excluded.at`,
		orgID, v.Key, v.Period, v.Value, v.Note, v.Actor, tx.ts(v.At))
	return err
}

// ManualValues returns every typed-in value of the organisation.
func (tx *Tx) ManualValues(ctx context.Context, orgID int64) ([]ManualValue, error) {
	rows, err := tx.query(ctx, `SELECT metric_key, period, value, note, actor, at FROM manual_values WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ManualValue
	for rows.Next() {
		var v ManualValue
		if err := rows.Scan(&v.Key, &v.Period, &v.Value, &v.Note, &v.Actor, tm(&v.At)); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// MetricsSince returns when each metric of the organisation came to exist:
// the later of the organisation's creation and its metric's first version.
func (tx *Tx) MetricsSince(ctx context.Context, orgID int64) (map[string]time.Time, error) {
	var created time.Time
	if err := tx.queryRow(ctx, `SELECT created_at FROM organizations WHERE id = $1`, orgID).Scan(tm(&created)); err != nil {
		return nil, fmt.Errorf("read organisation %d: %w", orgID, err)
	}
	rows, err := tx.query(ctx, `SELECT metric_key, created_at FROM metric_definitions WHERE org_id = $1 AND version = 1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("metric creation times: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var key string
		var at time.Time
		if err := rows.Scan(&key, tm(&at)); err != nil {
			return nil, err
		}
		if at.Before(created) {
			at = created
		}
		out[key] = at.UTC()
	}
	return out, rows.Err()
}

// BackdateOrg moves the creation of an organisation, and of the first
// version of each of its metrics, back to at (never forward): for an
// organisation whose history predates its arrival in pdca, such as the
// demo's year of records.
func (tx *Tx) BackdateOrg(ctx context.Context, orgID int64, at time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE organizations SET created_at = $2 WHERE id = $1 AND created_at > $2`, orgID, tx.ts(at)); err != nil {
		return fmt.Errorf("backdate organisation %d: %w", orgID, err)
	}
	if _, err := tx.exec(ctx, `UPDATE metric_definitions SET created_at = $2 WHERE org_id = $1 AND version = 1 AND created_at > $2`, orgID, tx.ts(at)); err != nil {
		return fmt.Errorf("backdate metrics of organisation %d: %w", orgID, err)
	}
	return nil
}

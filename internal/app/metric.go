package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// Metric is the current version of a metric definition.
type Metric struct {
	measure.Definition
	Version int64
	OwnerID int64
	// Since is when the metric came to exist: the later of the
	// organisation's creation and the metric's first version. Periods
	// that ended before it get no rating (measure.BeforeExistence).
	Since time.Time
}

// createBuiltinMetrics stores version 1 of the nine built-in metrics for a
// new organisation, in its creation transaction.
func createBuiltinMetrics(ctx context.Context, tx *store.Tx, o *isms.Organization) error {
	for _, d := range measure.Builtins() {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := tx.AddMetricVersion(ctx, &store.MetricDefinition{OrgID: o.ID, Key: d.Key, Definition: string(b), ChangedBy: "pdca (built-in)"}); err != nil {
			return err
		}
	}
	return nil
}

func currentMetrics(ctx context.Context, tx *store.Tx, orgID int64) ([]Metric, error) {
	defs, err := tx.CurrentMetrics(ctx, orgID)
	if err != nil {
		return nil, err
	}
	since, err := tx.MetricsSince(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]Metric, 0, len(defs))
	for _, d := range defs {
		m := Metric{Version: d.Version, OwnerID: d.OwnerID, Since: since[d.Key]}
		if err := json.Unmarshal([]byte(d.Definition), &m.Definition); err != nil {
			return nil, fmt.Errorf("metric %s version %d: %w", d.Key, d.Version, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// Metrics returns the organisation's current metric definitions. Requires
// read.
func (a *App) Metrics(ctx context.Context, p Principal, slug string) ([]Metric, error) {
	var out []Metric
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = currentMetrics(ctx, tx, m.Org.ID)
		return err
	})
	return out, err
}

// Rated is one measurement with the definition version it used.
type Rated struct {
	measure.Measurement
	Name    string
	Version int64
	Rule    measure.Rule
}

// recordLoader streams, per metric, only the columns it reads and only the
// records that can count for the periods being rated (see window) through
// one measure.Tally per period, in one pass: no record is held.
type recordLoader struct {
	ctx   context.Context
	tx    *store.Tx
	orgID int64
}

func newLoader(ctx context.Context, tx *store.Tx, orgID int64) *recordLoader {
	return &recordLoader{ctx: ctx, tx: tx, orgID: orgID}
}

// stream feeds the records of a kind that the window selects to fn, as
// measure records that fn must not keep.
func (l *recordLoader) stream(kind string, fields []string, w store.Window, keyed bool, fn func(*measure.Record)) error {
	// Issue 18: acknowledgement of policies. The acknowledgement rate reads
	// the requests themselves, not imported records.
	if kind == measure.AcknowledgementKind {
		return l.streamAcks(w, fn)
	}
	return l.tx.StreamRecords(l.ctx, l.orgID, isms.RecordKind(kind), fields, w, keyed, func(r *isms.Record) error {
		mr := measure.Record{ID: r.ID, Key: r.Key, Times: r.Times, Bools: r.Bools, Texts: r.Texts}
		fn(&mr)
		return nil
	})
}

// span is the stretch of time a computation covers: from the start of the
// earliest period rated (or of the second period before it, for the
// not-rising rule, which looks two periods back) to the end of the latest,
// widened to include T.
type span struct{ from, to time.Time }

func spanOf(rule measure.Rule, periods []measure.Period, asOf time.Time) span {
	first := func(p measure.Period) time.Time {
		if rule.Kind == measure.RuleNotRising {
			return p.Prev().Prev().Start
		}
		return p.Start
	}
	sp := span{from: first(periods[0]), to: periods[0].End}
	for _, p := range periods {
		if f := first(p); f.Before(sp.from) {
			sp.from = f
		}
		if p.End.After(sp.to) {
			sp.to = p.End
		}
	}
	if asOf.Before(sp.from) {
		sp.from = asOf // a record closed after T still counts as open at T
	}
	return sp
}

// fieldsOf lists the columns a definition reads from its own kind.
func fieldsOf(d measure.Definition) []string {
	var fs []string
	for _, f := range []string{d.PeriodField, d.StartField, d.DoneField, d.BoolField} {
		if f != "" && !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	for _, c := range d.Filter {
		if !slices.Contains(fs, c.Field) {
			fs = append(fs, c.Field)
		}
	}
	return fs
}

// window selects the records of a definition's kind that can count in
// the span; it is a superset of what the engine counts, never less.
func window(d measure.Definition, sp span) store.Window {
	switch d.Measure {
	case measure.MeasureShareWithin, measure.MeasureCount, measure.MeasurePercentage:
		return store.Window{Mode: store.WindowRange, Field: d.PeriodField, From: sp.from, To: sp.to}
	case measure.MeasurePercentileDuration, measure.MeasureStockCount, measure.MeasureStockAgedCount:
		return store.Window{Mode: store.WindowOpen, Field: d.StartField, Done: d.DoneField, From: sp.from, To: sp.to}
	}
	return store.Window{Mode: store.WindowAll}
}

// relatedWindow selects the related records (coverage) in the look-back
// window before any period end of the span.
func relatedWindow(d measure.Definition, sp span) store.Window {
	from := sp.from.AddDate(-d.Window.Years, -d.Window.Months, -d.Window.Days-1)
	return store.Window{Mode: store.WindowRange, Field: d.RelatedTimeField, From: from, To: sp.to}
}

// compute rates one metric for each of periods as of T, in one pass over
// its records; sp spans every period. items lists the records behind each
// figure (the drill-down); the stored figures and pdca metrics do without.
func (l *recordLoader) compute(m Metric, periods []measure.Period, asOf time.Time, sp span, manual map[string]float64, items bool) ([]Rated, error) {
	tallies := make([]*measure.Tally, len(periods))
	for i, p := range periods {
		t, err := measure.NewTally(m.Definition, p, asOf, items)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %w", m.Key, err)
		}
		if m.Measure == measure.MeasureManual {
			t.SetManual(manualValues(manual, m.Key, p))
		}
		tallies[i] = t
	}
	if m.Measure != measure.MeasureManual {
		if m.RelatedKind != "" {
			err := l.stream(m.RelatedKind, []string{m.RelatedKeyField, m.RelatedTimeField}, relatedWindow(m.Definition, sp), false, func(r *measure.Record) {
				for _, t := range tallies {
					t.AddRelated(r)
				}
			})
			if err != nil {
				return nil, err
			}
		}
		// Coverage matches its population by natural key.
		keyed := items || m.Measure == measure.MeasureCoverage
		err := l.stream(m.Kind, fieldsOf(m.Definition), window(m.Definition, sp), keyed, func(r *measure.Record) {
			for _, t := range tallies {
				t.Add(r)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]Rated, len(periods))
	for i, t := range tallies {
		out[i] = Rated{Measurement: t.Result(), Name: m.Name, Version: m.Version, Rule: m.Rule}
	}
	return out, nil
}

// manualValues returns the typed value of a manual metric for p and those
// of the two periods before it (nil where none was typed).
func manualValues(manual map[string]float64, key string, p measure.Period) (*float64, []*float64) {
	get := func(p measure.Period) *float64 {
		if v, ok := manual[key+"|"+p.String()]; ok {
			return &v
		}
		return nil
	}
	prev := p.Prev()
	return get(p), []*float64{get(prev), get(prev.Prev())}
}

// computeRated is compute for what people read (stored figures, the
// drill-down, the review): a period that ended before the metric existed
// keeps its figure but loses its rating (measure.Measurement.Unrate).
// Measure, the engine's own answer (pdca metrics, the API), does not.
func (l *recordLoader) computeRated(m Metric, periods []measure.Period, asOf time.Time, sp span, manual map[string]float64, items bool) ([]Rated, error) {
	rs, err := l.compute(m, periods, asOf, sp, manual, items)
	for i := range rs {
		rs[i].Unrate(m.Since)
	}
	return rs, err
}

// rateOne is computeRated for one period, without items.
func (l *recordLoader) rateOne(m Metric, p measure.Period, asOf time.Time, manual map[string]float64) (Rated, error) {
	ps := []measure.Period{p}
	rs, err := l.computeRated(m, ps, asOf, spanOf(m.Rule, ps, asOf), manual, false)
	if err != nil {
		return Rated{}, err
	}
	return rs[0], nil
}

func manualMap(ctx context.Context, tx *store.Tx, orgID int64) (map[string]float64, error) {
	vs, err := tx.ManualValues(ctx, orgID)
	out := map[string]float64{}
	for _, v := range vs {
		out[v.Key+"|"+v.Period] = v.Value
	}
	return out, err
}

// Measure rates every metric of the organisation for a period as of T
// (PRODUCT.md, pdca metrics): for a month, monthly metrics for it and
// quarterly ones for the quarter containing it; for a quarter, quarterly
// metrics for it and each monthly metric for each of its months. Requires
// read. EINVALID for a bad period.
func (a *App) Measure(ctx context.Context, p Principal, slug, period string, asOf time.Time) ([]Rated, error) {
	var out []Rated
	if err := checkAsOf(asOf); err != nil {
		return nil, err
	}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		per, err := measure.ParsePeriod(period, m.Org.Location())
		if err != nil {
			return periodError(err)
		}
		metrics, err := currentMetrics(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		manual, err := manualMap(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		l := newLoader(ctx, tx, m.Org.ID)
		for _, md := range metrics {
			periods := measure.PeriodsFor(md.Frequency, per)
			rs, err := l.compute(md, periods, asOf, spanOf(md.Rule, periods, asOf), manual, false)
			if err != nil {
				return err
			}
			out = append(out, rs...)
		}
		return nil
	})
	return out, err
}

// MeasureOne rates one metric for one of its periods as of T, with the
// records behind the figure (drill-down). Requires read. ENOTFOUND for an
// unknown metric, EINVALID for a period of the wrong frequency.
func (a *App) MeasureOne(ctx context.Context, p Principal, slug, key, period string, asOf time.Time) (Rated, map[int64]isms.Record, error) {
	var out Rated
	recs := map[int64]isms.Record{}
	if err := checkAsOf(asOf); err != nil {
		return out, nil, err
	}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		metrics, err := currentMetrics(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		var md *Metric
		for i := range metrics {
			if metrics[i].Key == key {
				md = &metrics[i]
			}
		}
		if md == nil {
			return isms.Errorf(isms.ENOTFOUND, "metric %q not found", key)
		}
		per, err := measure.ParsePeriod(period, m.Org.Location())
		if err != nil {
			return periodError(err)
		}
		if per.Frequency != md.Frequency {
			return isms.Errorf(isms.EINVALID, "period %q: %s is rated per %s", period, key, md.Frequency)
		}
		manual, err := manualMap(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		l := newLoader(ctx, tx, m.Org.ID)
		periods := []measure.Period{per}
		rs, err := l.computeRated(*md, periods, asOf, spanOf(md.Rule, periods, asOf), manual, true)
		if err != nil {
			return err
		}
		out = rs[0]
		for _, it := range out.Items {
			r, err := drillRecord(ctx, tx, m.Org.ID, md.Kind, it.ID)
			if err == nil {
				recs[it.ID] = r
			}
		}
		return nil
	})
	return out, recs, err
}

// TrendPeriods is how many periods the stored figures cover per metric.
const TrendPeriods = 12

// RecomputeMetrics computes and stores the figures of every metric of an
// organisation for its current period and the TrendPeriods-1 before it, as
// of now. Run by a River job after every import and nightly.
func (a *App) RecomputeMetrics(ctx context.Context, orgID int64) (int, error) {
	// Compute in a read transaction, so SQLite's single writer is held
	// only for the short write of the results.
	var o *isms.Organization
	var fresh []Rated
	var inputs int64
	asOf := a.DB.Now().UTC().Truncate(time.Microsecond)
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = tx.OrgByID(ctx, orgID); err != nil {
			return err
		}
		// Read before the records: the figures then reflect at least
		// every change up to this event, so recording it can cause an
		// extra recompute later, never a missed one.
		if inputs, err = tx.LastEventSeq(ctx, orgID, metricInputActions...); err != nil {
			return err
		}
		metrics, err := currentMetrics(ctx, tx, orgID)
		if err != nil {
			return err
		}
		manual, err := manualMap(ctx, tx, orgID)
		if err != nil {
			return err
		}
		l := newLoader(ctx, tx, orgID)
		for _, md := range metrics {
			per := measure.PeriodContaining(md.Frequency, asOf, o.Location())
			periods := []measure.Period{per}
			for range TrendPeriods - 1 {
				periods = append(periods, periods[len(periods)-1].Prev())
			}
			rs, err := l.computeRated(md, periods, asOf, spanOf(md.Rule, periods, asOf), manual, false)
			if err != nil {
				return err
			}
			fresh = append(fresh, rs...)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		// Compared with the figures stored before, so before saving.
		if err := a.metricStatusEvents(ctx, tx, orgID, fresh); err != nil {
			return err
		}
		for _, r := range fresh {
			if err := tx.SaveMeasurement(ctx, storedMeasurement(orgID, r)); err != nil {
				return err
			}
		}
		for _, h := range a.measured {
			if err := h(ctx, tx, o, fresh); err != nil {
				return err
			}
		}
		return tx.SetRecomputedInputs(ctx, orgID, inputs)
	})
	return len(fresh), err
}

// MeasuredHook runs in the transaction of a recompute with the figures it
// stored (every metric, current period first then older ones), for
// instance to open a deviation when a metric turns red.
type MeasuredHook func(ctx context.Context, tx *store.Tx, o *isms.Organization, rated []Rated) error

// OnMeasured registers a hook run after every recompute.
func (a *App) OnMeasured(h MeasuredHook) { a.measured = append(a.measured, h) }

func storedMeasurement(orgID int64, r Rated) *store.Measurement {
	return &store.Measurement{OrgID: orgID, Key: r.Key, Period: r.Period.String(), Version: r.Version, AsOf: r.AsOf,
		Value: r.Value, Unit: string(r.Unit), Status: string(r.Status), Population: r.Population,
		Met: r.Met, Missed: r.Missed, Pending: r.Pending, Counted: r.Counted, Reason: r.Reason}
}

// StoredMeasurements returns the stored figures of the organisation.
// Requires read.
func (a *App) StoredMeasurements(ctx context.Context, p Principal, slug string) ([]store.Measurement, error) {
	var out []store.Measurement
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.Measurements(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// metricInputActions are the audit actions of changes that can move a
// stored figure: records (imported, edited, or mirrored from deviations
// and audit findings) and metric definitions and manual values. Reminders,
// deliveries, members, risks and reviews do not.
var metricInputActions = []string{"record", "deviation.", "audit.finding", "metric.",
	// Issue 18: acknowledgement of policies.
	"document.publish", "document.acknowledge", "acknowledgement."}

// RecomputeNeeded reports whether the organisation's stored figures may
// be behind its data: no recompute has finished yet, or a change that can
// move a figure (see metricInputActions) came after the last finished
// recompute read its inputs. It is stored with the figures, so it holds
// across restarts and processes. The calendar moves figures too: the
// nightly recompute does not ask.
func (a *App) RecomputeNeeded(ctx context.Context, orgID int64) (bool, error) {
	var needed bool
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		seen, err := tx.RecomputedInputs(ctx, orgID)
		if err != nil {
			return err
		}
		last, err := tx.LastEventSeq(ctx, orgID, metricInputActions...)
		needed = last > seen // seen is -1 before the first recompute
		return err
	})
	return needed, err
}

// OrgIDs lists every organisation id (for the nightly recompute).
func (a *App) OrgIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		orgs, err := tx.ListOrgs(ctx)
		for _, o := range orgs {
			ids = append(ids, o.ID)
		}
		return err
	})
	return ids, err
}

// checkAsOf refuses a moment of measurement outside the years pdca
// measures (measure.MinYear to MaxYear) with EINVALID, before any
// arithmetic on it: the zero time of an as_of=0001-01-01T00:00:00Z once
// reached the engine, which took it for a missing moment (500).
func checkAsOf(asOf time.Time) error {
	if err := measure.CheckAsOf(asOf); err != nil {
		return isms.Errorf(isms.EINVALID, "%s", err.Error())
	}
	return nil
}

// periodError is the answer to a period ParsePeriod refused: its reason
// and the two forms.
func periodError(err error) error {
	return isms.Errorf(isms.EINVALID, "%s (use a month like 2026-10 or a quarter like 2026-Q4)", err.Error())
}

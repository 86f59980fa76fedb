package app

import (
	"context"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// CheckEvidence is what the effectiveness check of a deviation shows: for
// a deviation from a metric, the stored figure of the period it was
// detected in (Before) and of the first complete period after the last
// corrective action was done plus the organisation's waiting days
// (After), and the verdict the figures propose once that period is over.
type CheckEvidence struct {
	Before, After *store.Measurement
	// BeforePeriod and AfterPeriod are the periods compared; AfterPeriod
	// is "" until a corrective action is done.
	BeforePeriod, AfterPeriod string
	// LastDone is when the last corrective action was done; WaitDays the
	// organisation's days before a check.
	LastDone *time.Time
	WaitDays int
	// From is when the check becomes possible; nil before any action is
	// done.
	From *time.Time
	// Complete reports whether the After period has ended and its figure
	// was computed after it ended.
	Complete bool
	Proposed string
}

// lastDone returns when the last corrective action done was done, or nil.
func lastDone(d *isms.Deviation) *time.Time {
	var last *time.Time
	for _, c := range d.Actions {
		if c.DoneAt != nil && (last == nil || c.DoneAt.After(*last)) {
			last = c.DoneAt
		}
	}
	return last
}

// checkPlan returns when the effectiveness check of d becomes possible
// and, for a deviation from a metric that still exists, the metric and
// the period the check reads. A check is possible the organisation's
// days after the last corrective action was done; for a metric, once the
// first complete period after then has ended (measure.EffectivenessPeriod).
func checkPlan(ctx context.Context, tx *store.Tx, o *isms.Organization, d *isms.Deviation) (from *time.Time, md *Metric, after *measure.Period, days int, err error) {
	days, err = tx.CheckAfterDays(ctx, o.ID, DefaultCheckAfterDays)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	if d.MetricKey != "" {
		m, err := findMetric(ctx, tx, o.ID, d.MetricKey)
		if err == nil {
			md = m
		} else if isms.ErrorCode(err) != isms.ENOTFOUND {
			return nil, nil, nil, 0, err
		}
	}
	last := lastDone(d)
	if last == nil {
		return nil, md, nil, days, nil
	}
	due := last.AddDate(0, 0, days)
	if md != nil {
		p := measure.EffectivenessPeriod(md.Frequency, *last, days, o.Location())
		after, due = &p, p.End.UTC()
	}
	return &due, md, after, days, nil
}

// scheduleCheck sets the effectiveness check's date from the last action
// done (checkPlan).
func scheduleCheck(ctx context.Context, tx *store.Tx, o *isms.Organization, d *isms.Deviation) error {
	from, _, _, _, err := checkPlan(ctx, tx, o, d)
	if err != nil {
		return err
	}
	d.CheckDueAt = from
	return nil
}

// checkEvidence gathers what the effectiveness check of d shows at the
// transaction's time. It proposes nothing before every corrective action
// is done and the period after them is complete.
func checkEvidence(ctx context.Context, tx *store.Tx, o *isms.Organization, d *isms.Deviation) (CheckEvidence, error) {
	from, md, after, days, err := checkPlan(ctx, tx, o, d)
	if err != nil {
		return CheckEvidence{}, err
	}
	ev := CheckEvidence{LastDone: lastDone(d), WaitDays: days, From: d.CheckDueAt}
	if ev.From == nil {
		ev.From = from
	}
	if md == nil {
		return ev, nil
	}
	ev.BeforePeriod = d.MetricPeriod
	if ev.BeforePeriod == "" {
		ev.BeforePeriod = measure.PeriodContaining(md.Frequency, d.DetectedAt, o.Location()).String()
	}
	periods := []string{ev.BeforePeriod}
	if after != nil {
		ev.AfterPeriod = after.String()
		periods = append(periods, ev.AfterPeriod)
	}
	ms, err := tx.MeasurementsOf(ctx, o.ID, d.MetricKey, periods...)
	if err != nil {
		return ev, err
	}
	for i := range ms {
		switch ms[i].Period {
		case ev.BeforePeriod:
			ev.Before = &ms[i]
		case ev.AfterPeriod:
			ev.After = &ms[i]
		}
	}
	allDone := len(d.Actions) > 0 && d.DoneActions() == len(d.Actions)
	if after != nil && allDone && !tx.Now.Before(after.End) && ev.After != nil && !ev.After.ComputedAt.Before(after.End) {
		ev.Complete = true
		ev.Proposed = isms.ProposeVerdict(ev.After.Status, true)
	}
	return ev, nil
}

// AdvanceDeviation applies, one after the other, the forward transitions
// the deviation's recorded facts call for (isms.Workflow's Auto: the
// analysis once the correction is recorded, the plan once the root cause
// and an action are, the actions under way once one is done, the check
// once all are), each audited as its own step. The deviation page calls
// it after each step's form, so the page comes back at the next step;
// the API leaves each transition to its caller. Requires write_records.
// ENOTFOUND.
func (a *App) AdvanceDeviation(ctx context.Context, p Principal, slug string, id int64) (*isms.Deviation, error) {
	var out *isms.Deviation
	err := a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		d, err := tx.Deviation(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		for range isms.DeviationTransitions {
			name := d.Workflow(tx.Now).Auto
			if name == "" {
				break
			}
			t, _ := isms.LookupTransition(name)
			before := *d
			if err := applyTransition(tx, d, t, ""); err != nil {
				return err
			}
			if err := a.saveDeviation(ctx, tx, p, &before, d, "deviation."+name); err != nil {
				return err
			}
		}
		out = d
		return nil
	})
	return out, err
}

// MetricDeviation is the deviation a figure of a metric leads to.
type MetricDeviation struct {
	ID     int64
	Ref    string
	Status isms.DeviationStatus
	// Period is the period the deviation was opened for; it differs from
	// the figure's when the deviation is an open one of the same metric
	// that stands for it (no second one is opened while one is open).
	Period string
}

// MetricDeviations returns, for each metric key and period, the deviation
// a figure of that period leads to: the latest one opened for that metric
// and period, else the open deviation of the metric (which stands for
// every red period while it is open). Keys "key" (without a period) hold
// the metric's open deviation. Requires read.
func (a *App) MetricDeviations(ctx context.Context, p Principal, slug string) (map[string]MetricDeviation, error) {
	out := map[string]MetricDeviation{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		ds, err := tx.MetricDeviations(ctx, m.Org.ID)
		for _, d := range ds { // oldest first: later ones win
			md := MetricDeviation{ID: d.ID, Ref: d.Ref, Status: d.Status, Period: d.MetricPeriod}
			if d.MetricPeriod != "" {
				out[d.MetricKey+" "+d.MetricPeriod] = md
			}
			if d.Status != isms.DevClosed {
				out[d.MetricKey] = md
			}
		}
		return err
	})
	return out, err
}

// DeviationFor returns the deviation the figure of metric key in period
// leads to (see MetricDeviations), or false.
func DeviationFor(ds map[string]MetricDeviation, key, period string) (MetricDeviation, bool) {
	if d, ok := ds[key+" "+period]; ok {
		return d, true
	}
	d, ok := ds[key]
	return d, ok
}

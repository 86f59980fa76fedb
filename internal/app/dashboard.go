package app

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// DashMetric is one metric on the dashboard: its last complete period,
// the one before, and which way it moved.
type DashMetric struct {
	Key, Name string
	Last      *store.Measurement
	Previous  *store.Measurement
	Trend     string // "up", "down", "flat" or "" (no comparison)
	Better    *bool  // whether the move is an improvement under the rule
}

// ProcessMiss is a process whose metric counted missed deadlines.
type ProcessMiss struct {
	Process *isms.Process
	Metric  string
	Period  string
	Missed  int
}

// Dashboard is what the organisation's home page shows.
type Dashboard struct {
	Metrics   []DashMetric
	Counts    map[string]int // by status, last complete period
	Processes []*isms.Process
	Mine      []*isms.Process // the caller's own processes
	Misses    []ProcessMiss
	// Open deviations from the open-deviations metric: every deviation
	// record (imported ones and those worked in pdca) open at the time of
	// the figures (the period in progress, as of its computation), and at
	// the end of the last complete period (OpenDeviationsBeforePeriod).
	// Dev.Open counts only the deviations of pdca's own workflow, now.
	OpenDeviations, OpenDeviationsBefore *float64
	OpenDeviationsBeforePeriod           string
	FindingsOverdue                      *float64
	// Due dates derived from the records.
	RestoreTestDue    *time.Time // last day of the quarter that still needs a passed restore test
	RestoreTestDone   bool       // the current quarter has one
	NextSupplierDue   *time.Time // earliest next assessment of a critical supplier
	SuppliersOverdue  int        // critical suppliers not assessed in the last 12 months
	CriticalSuppliers int
	LatestCycle       *isms.Cycle
	// Management reviews: the next one prepared (draft or held), else the
	// last signed one; decisions still open, overdue, and the caller's.
	NextReview            *isms.Review
	LastReview            *isms.Review
	OpenDecisions         int
	OverdueDecisions      int
	MyDecisions           []isms.ReviewAction
	CurrentPeriodComputed *time.Time
	// The panels of members, deviations and risks.
	Members int
	Dev     DeviationStats
	Risk    RiskStats
	// Issue 19: the coverage of each enabled framework.
	Frameworks []FrameworkSummary

	openDecisions []isms.ReviewAction // open decision actions, for MyDecisions
}

// Dashboard assembles the home page of an organisation. Requires read.
//
// The organisation-wide part is kept in memory, keyed by the organisation's
// data version (its audit chain head and the time its figures were last
// computed) and at most DashboardMaxAge old,
// since due dates move with the clock. Any change to the organisation
// appends to its audit chain and so is visible on the next view, on every
// pdca process sharing the database.
func (a *App) Dashboard(ctx context.Context, p Principal, slug string) (*Dashboard, error) {
	// Most views find the dashboard cached: one statement checks the
	// caller's membership and reads the data version.
	var d *Dashboard
	var org *isms.Organization
	var version string
	err := a.DB.ReadOne(ctx, func(tx *store.Tx) error {
		o, role, v, err := tx.OrgAccess(ctx, slug, p.UserID)
		if err != nil {
			return err
		}
		m, err := memberOf(p, o, role)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActRead); err != nil {
			return err
		}
		org, version = o, v
		if shared := a.dash.get(o.ID, v, tx.Now); shared != nil {
			d = shared.forUser(p.UserID)
		}
		return nil
	})
	if err != nil || d != nil {
		return d, err
	}
	// A miss. One view computes for the organisation and the version it
	// read; views of that version arriving meanwhile wait and share it
	// (the result is at least as new: its transaction starts after the
	// version was read). A burst of views after a change, or changes that
	// come faster than a large organisation's dashboard computes, would
	// otherwise compute it once per view.
	shared, err, _ := a.dashFlight.Do(strconv.FormatInt(org.ID, 10)+"/"+version, func() (any, error) {
		return a.orgDashboardCached(context.WithoutCancel(ctx), org)
	})
	if err != nil {
		return nil, err
	}
	return shared.(*Dashboard).forUser(p.UserID), nil
}

// orgDashboardCached returns the organisation-wide dashboard at the data
// version its own transaction reads, from the cache or computed and
// cached. The caller has checked the right to read it.
func (a *App) orgDashboardCached(ctx context.Context, org *isms.Organization) (*Dashboard, error) {
	var shared *Dashboard
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		version, err := tx.DataVersion(ctx, org.ID)
		if err != nil {
			return err
		}
		if shared = a.dash.get(org.ID, version, tx.Now); shared != nil {
			return nil
		}
		if shared, err = orgDashboard(ctx, tx, org); err != nil {
			return err
		}
		a.dashComputed.Add(1)
		a.dash.put(org.ID, version, tx.Now, shared)
		return nil
	})
	return shared, err
}

// forUser adds the caller's own processes and decisions to a copy of the
// organisation-wide dashboard.
func (d *Dashboard) forUser(userID int64) *Dashboard {
	out := *d
	out.Mine, out.MyDecisions = nil, nil
	if userID == 0 {
		return &out
	}
	for _, proc := range d.Processes {
		if proc.OwnerID == userID {
			out.Mine = append(out.Mine, proc)
		}
	}
	for _, dec := range d.openDecisions {
		if dec.OwnerID == userID {
			out.MyDecisions = append(out.MyDecisions, dec)
		}
	}
	return &out
}

// orgDashboard computes the organisation-wide part of the dashboard.
func orgDashboard(ctx context.Context, tx *store.Tx, org *isms.Organization) (*Dashboard, error) {
	d := &Dashboard{Counts: map[string]int{}}
	metrics, err := currentMetrics(ctx, tx, org.ID)
	if err != nil {
		return nil, err
	}
	stored, err := tx.RecentMeasurements(ctx, org.ID, 3)
	if err != nil {
		return nil, err
	}
	byKey := map[string][]store.Measurement{}
	for _, sm := range stored {
		byKey[sm.Key] = append(byKey[sm.Key], sm)
	}
	rules := map[string]measure.Rule{}
	for _, md := range metrics {
		rules[md.Key] = md.Rule
		ms := byKey[md.Key]
		sort.Slice(ms, func(i, j int) bool { return ms[i].Period < ms[j].Period })
		dm := DashMetric{Key: md.Key, Name: md.Name}
		if n := len(ms); n >= 2 {
			dm.Last = &ms[n-2]
			d.Counts[dm.Last.Status]++
			if d.CurrentPeriodComputed == nil {
				t := ms[n-1].ComputedAt
				d.CurrentPeriodComputed = &t
			}
		}
		if n := len(ms); n >= 3 {
			dm.Previous = &ms[n-3]
			dm.Trend, dm.Better = trend(md.Rule, dm.Previous.Value, dm.Last.Value)
		}
		d.Metrics = append(d.Metrics, dm)
		switch md.Key {
		case "open-deviations":
			// A stock: the period in progress counts what is open at the
			// time of the figures, the same moment the workflow's count
			// beside it means.
			if n := len(ms); n >= 1 {
				d.OpenDeviations = ms[n-1].Value
			}
			if dm.Last != nil {
				d.OpenDeviationsBefore, d.OpenDeviationsBeforePeriod = dm.Last.Value, dm.Last.Period
			}
		case "audit-findings-overdue":
			if dm.Last != nil {
				d.FindingsOverdue = dm.Last.Value
			}
		}
	}
	if d.Processes, err = tx.Processes(ctx, org.ID); err != nil {
		return nil, err
	}
	for _, proc := range d.Processes {
		for _, k := range proc.Metrics {
			ms := byKey[k]
			// The last complete period and the one in progress.
			for i := max(0, len(ms)-2); i < len(ms); i++ {
				if ms[i].Missed > 0 {
					d.Misses = append(d.Misses, ProcessMiss{Process: proc, Metric: k, Period: ms[i].Period, Missed: ms[i].Missed})
				}
			}
		}
	}
	if cycles, err := tx.Cycles(ctx, org.ID); err != nil {
		return nil, err
	} else if len(cycles) > 0 {
		d.LatestCycle = cycles[0]
	}
	reviews, err := tx.Reviews(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range reviews { // newest first
		if r.Status != isms.ReviewSigned {
			d.NextReview = r
		} else if d.LastReview == nil {
			d.LastReview = r
		}
	}
	decisions, err := tx.ReviewActions(ctx, org.ID, 0)
	if err != nil {
		return nil, err
	}
	for _, dec := range decisions {
		if dec.Kind != isms.DecisionAction || dec.Status == "done" {
			continue
		}
		d.OpenDecisions++
		if dec.Overdue(tx.Now) {
			d.OverdueDecisions++
		}
		d.openDecisions = append(d.openDecisions, dec)
	}
	if d.Dev, err = deviationStats(ctx, tx, org.ID); err != nil {
		return nil, err
	}
	if d.Risk, err = riskStats(ctx, tx, org.ID); err != nil {
		return nil, err
	}
	if d.Members, err = tx.CountMembers(ctx, org.ID); err != nil {
		return nil, err
	}
	if err := dueDates(ctx, tx, org, tx.Now, d); err != nil {
		return nil, err
	}
	// Issue 19: coverage per enabled framework (every decision writes an
	// audit event, so the cached figures follow the data version).
	if d.Frameworks, err = frameworkSummaries(ctx, tx, org.ID, true); err != nil {
		return nil, err
	}
	return d, nil
}

// trend compares two figures under a rule: the direction of the move and
// whether it is an improvement.
func trend(rule measure.Rule, before, after *float64) (string, *bool) {
	if before == nil || after == nil {
		return "", nil
	}
	dir := "flat"
	if *after > *before {
		dir = "up"
	} else if *after < *before {
		dir = "down"
	}
	if dir == "flat" {
		return dir, nil
	}
	better := dir == "up"
	if rule.Kind == measure.RuleAtMost || rule.Kind == measure.RuleNotRising {
		better = !better
	}
	return dir, &better
}

// dueDates derives when the next restore test and supplier assessments are
// due from the records: a passed restore test each quarter, and each
// critical supplier assessed within 12 months.
func dueDates(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time, d *Dashboard) error {
	due, done, err := restoreTestDue(ctx, tx, o, now)
	if err != nil {
		return err
	}
	d.RestoreTestDue, d.RestoreTestDone = &due, done
	sups, err := supplierDues(ctx, tx, o, now)
	if err != nil {
		return err
	}
	for _, s := range sups {
		d.CriticalSuppliers++
		if s.Overdue {
			d.SuppliersOverdue++
		}
		if d.NextSupplierDue == nil || s.Due.Before(*d.NextSupplierDue) {
			next := s.Due
			d.NextSupplierDue = &next
		}
	}
	return nil
}

// restoreTestDue returns the last day of the quarter that still needs a
// passed restore test, and whether the current quarter has one.
func restoreTestDue(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) (time.Time, bool, error) {
	q := measure.PeriodContaining(measure.FrequencyQuarter, now, o.Location())
	done := false
	err := tx.EachRecordFields(ctx, o.ID, isms.KindRestoreTests, []string{"tested_at", "result"},
		store.Window{Mode: store.WindowRange, Field: "tested_at", From: q.Start, To: q.End}, func(r isms.Record) error {
			if strings.EqualFold(r.Texts["result"], "pass") && !r.Times["tested_at"].After(now) {
				done = true
			}
			return nil
		})
	if err != nil {
		return time.Time{}, false, err
	}
	// Due by the last day of the quarter that still needs a passed test.
	if done {
		return q.Next().End.AddDate(0, 0, -1), true, nil
	}
	return q.End.AddDate(0, 0, -1), false, nil
}

// supplierDue is when a critical supplier's next assessment is due.
type supplierDue struct {
	Name    string
	Due     time.Time // 12 months after the last assessment, or now
	Last    time.Time // zero when never assessed
	Overdue bool      // never assessed, or not in the last 12 months
}

// supplierDues returns the next assessment of each critical supplier.
func supplierDues(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]supplierDue, error) {
	last := map[string]time.Time{}
	err := tx.EachRecordFields(ctx, o.ID, isms.KindSupplierAssessments, []string{"supplier", "assessed_at"}, store.Window{}, func(r isms.Record) error {
		name := strings.ToLower(strings.TrimSpace(r.Texts["supplier"]))
		if t := r.Times["assessed_at"]; !t.After(now) && t.After(last[name]) {
			last[name] = t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []supplierDue
	err = tx.EachRecordFields(ctx, o.ID, isms.KindSuppliers, []string{"name", "critical"}, store.Window{}, func(r isms.Record) error {
		if !r.Bools["critical"] {
			return nil
		}
		name := strings.TrimSpace(r.Texts["name"])
		t, ok := last[strings.ToLower(name)]
		s := supplierDue{Name: name, Due: t.AddDate(1, 0, 0), Last: t}
		if !ok || s.Due.Before(now) {
			s.Overdue, s.Due = true, now
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

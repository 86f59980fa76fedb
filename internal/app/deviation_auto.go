package app

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// criticalIncidentDays is how far back a critical incident opens a
// deviation automatically.
const criticalIncidentDays = 90

// openAutomatically is the MeasuredHook that opens deviations: one for
// each metric red in its last complete period without an open deviation
// (and none yet for that period), and one for each critical incident of
// the last 90 days without any deviation.
func (a *App) openAutomatically(ctx context.Context, tx *store.Tx, o *isms.Organization, rated []Rated) error {
	current := map[string]measure.Period{}
	for _, r := range rated {
		if _, ok := current[r.Key]; !ok {
			current[r.Key] = measure.PeriodContaining(r.Period.Frequency, tx.Now, o.Location())
		}
	}
	metrics, err := currentMetrics(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	kinds := map[string]string{}
	for _, md := range metrics {
		kinds[md.Key] = md.Kind
	}
	counts, err := tx.CountRecords(ctx, o.ID)
	if err != nil {
		return err
	}
	for _, r := range rated {
		cur := current[r.Key]
		if r.Status != measure.StatusRed || r.Period.String() != cur.Prev().String() {
			continue
		}
		// A metric red only because nothing of its kind was ever imported
		// says "no evidence yet", which the metrics page shows; it is not
		// a nonconformity to open automatically in a new organisation.
		if k := kinds[r.Key]; k != "" && counts[isms.RecordKind(k)] == 0 && k != measure.AcknowledgementKind {
			continue
		}
		if err := a.openForMetric(ctx, tx, o, r); err != nil {
			return err
		}
	}
	return a.openForIncidents(ctx, tx, o)
}

func (a *App) openForMetric(ctx context.Context, tx *store.Tx, o *isms.Organization, r Rated) error {
	period := r.Period.String()
	if id, err := tx.OpenDeviationForMetric(ctx, o.ID, r.Key, period); err != nil || id != 0 {
		return err
	}
	md, err := findMetric(ctx, tx, o.ID, r.Key)
	if err != nil {
		return err
	}
	procID, procOwner, err := tx.MetricProcess(ctx, o.ID, r.Key)
	if err != nil {
		return err
	}
	owner := md.OwnerID
	if owner == 0 {
		owner = procOwner
	}
	if owner == 0 {
		if owner, err = ismsManager(ctx, tx, o.ID); err != nil {
			return err
		}
	}
	reason := metricRedReason(r, o.Location())
	d := &isms.Deviation{OrgID: o.ID, Title: r.Name + " red in " + period, Description: reason, Kind: "minor", Source: "metric",
		Severity: "medium", DetectedAt: tx.Now, OwnerID: owner, MetricKey: r.Key, MetricPeriod: period, ProcessID: procID, OpenedReason: reason}
	return a.insertDeviation(ctx, tx, Automatic, d)
}

// metricRedReason says in words why a red figure opened a deviation: the
// metric by its name, the period, the value with its unit and the rule it
// broke, e.g. "Access removed within 24 h of employment end was red in
// October 2026: 50 % is below the green target 100 %." The engine's own
// reason (measure.Measurement.Reason) says the value and the rule; a
// figure without one says them here.
func metricRedReason(r Rated, loc *time.Location) string {
	why := strings.TrimSuffix(strings.TrimSpace(r.Reason), ".")
	switch {
	case why == "":
		why = figure(r.Rounded(), r.Unit) + " breaks the rule: " + ruleText(r.Rule, r.Unit)
	case r.Rule.Kind == measure.RuleNotRising:
		why += " (the rule: " + ruleText(r.Rule, r.Unit) + ")"
	}
	name := r.Name
	if name == "" {
		name = r.Key
	}
	return fmt.Sprintf("%s was red in %s: %s.", name, periodWords(r.Period, loc), why)
}

// periodWords names a period as people say it: "October 2026", "the
// fourth quarter of 2026".
func periodWords(p measure.Period, loc *time.Location) string {
	if p.Frequency == measure.FrequencyQuarter {
		nth := [...]string{"first", "second", "third", "fourth"}
		if p.Index >= 1 && p.Index <= 4 {
			return fmt.Sprintf("the %s quarter of %d", nth[p.Index-1], p.Year)
		}
		return p.String()
	}
	if p.Start.IsZero() {
		return p.String()
	}
	return p.Start.In(loc).Format("January 2006")
}

// ruleText says a decision rule in words, its bounds with the unit.
func ruleText(r measure.Rule, u measure.Unit) string {
	v := func(x float64) string { return figure(&x, u) }
	switch r.Kind {
	case measure.RuleAtLeast:
		return "green at least " + v(r.Green)
	case measure.RuleAtMost:
		return "green at most " + v(r.Green)
	}
	return "green when not higher than the period before, red when higher two periods in a row"
}

func (a *App) openForIncidents(ctx context.Context, tx *store.Tx, o *isms.Organization) error {
	since := tx.Now.AddDate(0, 0, -criticalIncidentDays)
	var found []isms.Record
	// Only the window's incidents, by index: this runs in the recompute's
	// write transaction, which must stay short on a large register.
	w := store.Window{Mode: store.WindowRange, Field: "detected_at", From: since, To: tx.Now.Add(time.Microsecond)}
	err := tx.StreamRecords(ctx, o.ID, isms.KindIncidents, []string{"ref", "title", "severity", "detected_at"}, w, false, func(r *isms.Record) error {
		if at, ok := r.Times["detected_at"]; ok && r.Texts["severity"] == "critical" && !at.Before(since) && !at.After(tx.Now) {
			c := *r
			c.Times, c.Texts = maps.Clone(r.Times), maps.Clone(r.Texts)
			found = append(found, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range found {
		if id, err := tx.DeviationForRecord(ctx, o.ID, string(isms.KindIncidents), r.ID); err != nil || id != 0 {
			if err != nil {
				return err
			}
			continue
		}
		owner, err := ismsManager(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		reason := fmt.Sprintf("critical incident %s detected on %s", r.Texts["ref"], r.Times["detected_at"].In(o.Location()).Format(time.DateOnly))
		title := "Critical incident " + r.Texts["ref"]
		if t := r.Texts["title"]; t != "" {
			title += ": " + t
		}
		d := &isms.Deviation{OrgID: o.ID, Title: title, Description: reason, Kind: "major", Source: "incident", Severity: "critical",
			DetectedAt: r.Times["detected_at"], OwnerID: owner, RecordKind: string(isms.KindIncidents), RecordID: r.ID, OpenedReason: reason}
		if err := a.insertDeviation(ctx, tx, Automatic, d); err != nil {
			return err
		}
	}
	return nil
}

// ismsManager returns an ISMS manager of the organisation, else an admin,
// else 0 (no owner yet).
func ismsManager(ctx context.Context, tx *store.Tx, orgID int64) (int64, error) {
	ms, err := tx.Members(ctx, orgID)
	if err != nil {
		return 0, err
	}
	for _, role := range []isms.Role{isms.RoleISMSManager, isms.RoleAdmin} {
		for _, m := range ms {
			if m.Role == role {
				return m.UserID, nil
			}
		}
	}
	return 0, nil
}

// DeviationStats are the figures of the dashboard's deviation panel.
type DeviationStats struct {
	Open              int
	OpenBefore        int /* open 30 days ago */
	OverdueActions    int
	OverdueDeviations int /* past due date, not closed */
	ChecksDue         int /* effectiveness checks due by now */
	NextCheck         *time.Time
	OpenFindings      int
	OverdueFindings   int /* open findings raised more than 30 days ago */
}

// DeviationStats returns the organisation's deviation figures as of now.
// NextCheck is the earliest pending effectiveness check (it may be past:
// then it is also counted in ChecksDue). OpenBefore counts deviations
// detected 30 days ago or earlier and not closed by then. Requires read.
func (a *App) DeviationStats(ctx context.Context, p Principal, slug string) (DeviationStats, error) {
	var out DeviationStats
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = deviationStats(ctx, tx, m.Org.ID)
		return err
	})
	return out, err
}

func deviationStats(ctx context.Context, tx *store.Tx, orgID int64) (DeviationStats, error) {
	c, err := tx.DeviationCounts(ctx, orgID, tx.Now, tx.Now.AddDate(0, 0, -30), tx.Now.AddDate(0, 0, -30))
	return DeviationStats{Open: c.Open, OpenBefore: c.OpenBefore, OverdueActions: c.OverdueActions, OverdueDeviations: c.OverdueDeviations,
		ChecksDue: c.ChecksDue, NextCheck: c.NextCheck, OpenFindings: c.OpenFindings, OverdueFindings: c.OverdueFindings}, err
}

package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// builtinReviewInputs are the inputs of clause 9.3.2 that pdca's own data
// answers: earlier decisions, metric trends, improvement cycles,
// deviations and audit findings (from their records).
func builtinReviewInputs() []ReviewInputSource {
	return []ReviewInputSource{earlierDecisions, metricTrends, cycleResults, deviationRecords, auditFindingRecords}
}

func dateOf(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

// earlierDecisions: status of the actions decided by earlier reviews
// (9.3.2 a).
func earlierDecisions(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	all, err := tx.ReviewActions(ctx, s.Org.ID, 0)
	if err != nil {
		return nil, err
	}
	in := &ReviewInput{Key: "earlier-decisions", Title: "Actions from earlier reviews", Columns: []string{"review", "decision", "owner", "deadline", "status"}}
	open, overdue := 0, 0
	for _, d := range all {
		if d.ReviewID == s.Review.ID {
			continue
		}
		st := d.Status
		if d.Overdue(s.Now) {
			st, overdue = "overdue", overdue+1
		}
		if d.Status != "done" {
			open++
		}
		in.Rows = append(in.Rows, []string{d.Period, d.Title, d.OwnerName, dateOf(d.Deadline, s.Org.Location()), st})
	}
	in.Summary = fmt.Sprintf("%d decisions of earlier reviews: %d open, %d overdue.", len(in.Rows), open, overdue)
	in.Status = "green"
	if overdue > 0 {
		in.Status = "red"
	} else if open > 0 {
		in.Status = "yellow"
	}
	if len(in.Rows) == 0 {
		in.Summary, in.Status = "No earlier review decided actions.", ""
	}
	return in, nil
}

// metricTrends: monitoring and measurement results with their trend over
// the last three complete periods of the review's period (9.3.2 c 2).
func metricTrends(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	metrics, err := currentMetrics(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	manual, err := manualMap(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	asOf := s.Now
	if s.Period.End.Before(asOf) {
		asOf = s.Period.End
	}
	l := newLoader(ctx, tx, s.Org.ID)
	in := &ReviewInput{Key: "metrics", Title: "Metrics and their trend", Columns: []string{"metric", "period", "figure", "status", "before", "trend"}}
	counts := map[string]int{}
	for _, md := range metrics {
		periods := measure.PeriodsFor(md.Frequency, s.Period)
		last := periods[len(periods)-1]
		prev := last.Prev()
		cur, err := l.computeRated(md, last, asOf, spanOf(md.Rule, []measure.Period{prev, last}, asOf), manual)
		if err != nil {
			return nil, err
		}
		before, err := l.computeRated(md, prev, asOf, spanOf(md.Rule, []measure.Period{prev, last}, asOf), manual)
		if err != nil {
			return nil, err
		}
		dir, better := trend(md.Rule, before.Value, cur.Value)
		word := map[string]string{"up": "rising", "down": "falling", "flat": "steady"}[dir]
		if better != nil {
			if *better {
				word += ", better"
			} else {
				word += ", worse"
			}
		}
		counts[string(cur.Status)]++
		tr := Trend{Key: md.Key, Name: md.Name, Unit: string(md.Unit)}
		ps := []measure.Period{last}
		for len(ps) < TrendPeriodsShown {
			ps = append([]measure.Period{ps[0].Prev()}, ps...)
		}
		sp := spanOf(md.Rule, ps, asOf)
		for _, pp := range ps {
			r, err := l.computeRated(md, pp, asOf, sp, manual)
			if err != nil {
				return nil, err
			}
			tr.Points = append(tr.Points, TrendPoint{Period: pp.String(), Value: r.Rounded(), Status: string(r.Status)})
		}
		in.Trends = append(in.Trends, tr)
		in.Rows = append(in.Rows, []string{md.Name, last.String(), figure(cur.Rounded(), cur.Unit), string(cur.Status), figure(before.Rounded(), before.Unit), word})
	}
	in.Summary = fmt.Sprintf("%d red, %d yellow, %d green, %d without data (as of %s).", counts["red"], counts["yellow"], counts["green"], counts["grey"], asOf.In(s.Org.Location()).Format("2006-01-02 15:04 MST"))
	in.Status = "green"
	if counts["red"] > 0 {
		in.Status = "red"
	} else if counts["yellow"] > 0 {
		in.Status = "yellow"
	}
	return in, nil
}

func figure(v *float64, u measure.Unit) string {
	if v == nil {
		return "no data"
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	switch u {
	case measure.UnitPercent:
		return s + " %"
	case measure.UnitDays:
		return s + " days"
	}
	return s
}

// cycleResults: the improvement cycles that overlap the period, each
// process's metric at the start and now (9.3.2 f, 10.1).
func cycleResults(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	cycles, err := tx.Cycles(ctx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	latest, err := latestComplete(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	in := &ReviewInput{Key: "cycles", Title: "Improvement cycles", Columns: []string{"cycle", "process", "metric", "at the start", "now"}}
	n := 0
	for _, c := range cycles {
		if !c.Start.Before(s.Period.End) || c.End.Before(s.Period.Start) {
			continue
		}
		n++
		_, chosen, err := tx.Cycle(ctx, s.Org.ID, c.ID)
		if err != nil {
			return nil, err
		}
		for _, cp := range chosen {
			proc, err := tx.Process(ctx, s.Org.ID, cp.ProcessID)
			if err != nil {
				return nil, err
			}
			var base []Figure
			_ = jsonUnmarshal(cp.Baseline, &base)
			for _, b := range base {
				now := "not computed"
				if sm, ok := latest[b.Key]; ok {
					now = figure(round(sm.Value), measure.Unit(sm.Unit)) + " " + sm.Status + " (" + sm.Period + ")"
				}
				in.Rows = append(in.Rows, []string{c.Name, proc.Name, b.Key, figure(b.Value, measure.Unit(b.Unit)) + " " + b.Status + " (" + b.Period + ")", now})
			}
		}
	}
	in.Summary = fmt.Sprintf("%d improvement cycle(s) ran in %s.", n, s.Period)
	if n == 0 {
		in.Summary = "No improvement cycle ran in " + s.Period.String() + "."
	}
	return in, nil
}

// deviationRecords: nonconformities opened and closed in the period and
// those still open (9.3.2 c 1), from the deviation records.
func deviationRecords(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	in := &ReviewInput{Key: "deviations", Title: "Nonconformities and corrective actions", Columns: []string{"ref", "title", "source", "severity", "detected", "closed"}}
	opened, closed, open := 0, 0, 0
	err := tx.EachRecordFields(ctx, s.Org.ID, isms.KindDeviations, []string{"title", "source", "severity", "detected_at", "closed_at"}, store.Window{},
		func(r isms.Record) error {
			det, hasDet := r.Times["detected_at"]
			cl, hasCl := r.Times["closed_at"]
			inPeriod := hasDet && s.Period.Contains(det)
			closedIn := hasCl && s.Period.Contains(cl)
			stillOpen := hasDet && det.Before(s.Period.End) && (!hasCl || !cl.Before(s.Period.End))
			if inPeriod {
				opened++
			}
			if closedIn {
				closed++
			}
			if stillOpen {
				open++
			}
			if inPeriod || closedIn || stillOpen {
				var c *time.Time
				if hasCl {
					c = &cl
				}
				in.Rows = append(in.Rows, []string{r.Key, r.Texts["title"], r.Texts["source"], r.Texts["severity"], det.In(s.Org.Location()).Format(time.DateOnly), dateOf(c, s.Org.Location())})
			}
			return nil
		})
	sort.SliceStable(in.Rows, func(i, j int) bool { return in.Rows[i][4] < in.Rows[j][4] })
	in.Summary = fmt.Sprintf("%d opened and %d closed in %s; %d open at its end.", opened, closed, s.Period, open)
	return in, err
}

// auditFindingRecords: audit results and how fast findings close
// (9.3.2 c 3).
func auditFindingRecords(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	in := &ReviewInput{Key: "audit-findings", Title: "Audit results", Columns: []string{"ref", "audit", "title", "raised", "closed", "days to close"}}
	raised, closed, overdue := 0, 0, 0
	var days []float64
	end := s.Period.End
	err := tx.EachRecordFields(ctx, s.Org.ID, isms.KindAuditFindings, []string{"audit", "title", "raised_at", "closed_at"}, store.Window{},
		func(r isms.Record) error {
			ra, ok := r.Times["raised_at"]
			if !ok || !ra.Before(end) {
				return nil
			}
			cl, hasCl := r.Times["closed_at"]
			if hasCl && cl.Before(s.Period.Start) {
				return nil
			}
			if s.Period.Contains(ra) {
				raised++
			}
			d := ""
			var c *time.Time
			if hasCl && cl.Before(end) {
				closed++
				c = &cl
				dd := cl.Sub(ra).Hours() / 24
				days = append(days, dd)
				d = strconv.FormatFloat(measure.Round2(dd), 'f', -1, 64)
			} else if end.Sub(ra) > 30*24*time.Hour {
				overdue++
			}
			in.Rows = append(in.Rows, []string{r.Key, r.Texts["audit"], r.Texts["title"], ra.In(s.Org.Location()).Format(time.DateOnly), dateOf(c, s.Org.Location()), d})
			return nil
		})
	avg := "no finding closed"
	if len(days) > 0 {
		sum := 0.0
		for _, d := range days {
			sum += d
		}
		avg = "closed in " + strconv.FormatFloat(measure.Round2(sum/float64(len(days))), 'f', -1, 64) + " days on average"
	}
	in.Summary = fmt.Sprintf("%d findings raised in %s, %d closed (%s); %d open for more than 30 days at its end.", raised, s.Period, closed, avg, overdue)
	in.Status = "green"
	if overdue > 0 {
		in.Status = "red"
	}
	return in, err
}

package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// builtinReviewInputs are the inputs of clause 9.3.2 that pdca's own data
// answers: earlier decisions, metric trends, improvement cycles,
// deviations and audit findings (from their records).
func builtinReviewInputs() []ReviewInputSource {
	return []ReviewInputSource{earlierDecisions, metricTrends, cycleResults, deviationRecords, auditFindingRecords, documentReviewInput /* Issue 18: documents */, standardsReviewInput /* Issue 19: standards */}
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
	in := &ReviewInput{Key: "earlier-decisions", Title: "Actions from earlier reviews", Columns: []string{"Review", "Decision", "Owner", "Deadline", "Status"}}
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
	in.Summary = fmt.Sprintf("%s of earlier reviews: %d open, %d overdue.", plural(len(in.Rows), "decision", "decisions"), open, overdue)
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

// ReviewCutoff is the moment a review rates its period as of: the start of
// the meeting day, or now if that is earlier (a draft prepared before the
// meeting), and never after the period's end. A period of a metric is
// rated when it ended on or before the cutoff (measure.RatedPeriods).
func ReviewCutoff(s ReviewScope) time.Time {
	cut := s.Now
	if s.Review != nil && !s.Review.HeldOn.IsZero() {
		day := s.Review.HeldOn.In(s.Org.Location())
		meeting := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.Org.Location())
		if meeting.Before(cut) {
			cut = meeting
		}
	}
	if s.Period.End.Before(cut) {
		cut = s.Period.End
	}
	return cut
}

// statusRank orders statuses from best to worst; a metric counts in a
// review by its worst rated period.
var statusRank = map[string]int{"": 0, "grey": 1, "green": 2, "yellow": 3, "red": 4}

// StatusWord is a status as people read it.
func StatusWord(s string) string {
	switch s {
	case "grey":
		return "no data"
	case "":
		return "not rated"
	}
	return s
}

// metricTrends: monitoring and measurement results (9.3.2 c 2): every
// metric rated for each of its periods in the review's period that is
// complete at the cutoff (a review of 2026-Q4 prepared on 2026-12-04
// rates October and November; December has not ended), with the change
// from the period before and a trend of the last six periods.
func metricTrends(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	metrics, err := currentMetrics(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	manual, err := manualMap(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	asOf := ReviewCutoff(s)
	loc := s.Org.Location()
	l := newLoader(ctx, tx, s.Org.ID)
	in := &ReviewInput{Key: "metrics", Title: "Metrics and their trend", Columns: []string{"Metric", "Period", "Figure", "Status", "Period before", "Change"}}
	counts := map[string]int{}
	ratedNames, pendingNames := map[string]bool{}, map[string]bool{}
	var ratedList, pendingList []measure.Period
	var rowKeys []string // Issue 19: each row's metric, to group by standard
	for _, md := range metrics {
		rated, pending := measure.RatedPeriods(md.Frequency, s.Period, asOf)
		for _, p := range rated {
			if !ratedNames[p.String()] {
				ratedNames[p.String()] = true
				ratedList = append(ratedList, p)
			}
		}
		for _, p := range pending {
			if !pendingNames[p.String()] {
				pendingNames[p.String()] = true
				pendingList = append(pendingList, p)
			}
		}
		// The trend ends at the last rated period, or, with none rated yet,
		// at the last period complete before the review's period.
		last := s.Period
		if len(rated) > 0 {
			last = rated[len(rated)-1]
		} else if len(pending) > 0 {
			last = pending[0].Prev()
		}
		ps := []measure.Period{last}
		for len(ps) < TrendPeriodsShown {
			ps = append([]measure.Period{ps[0].Prev()}, ps...)
		}
		all := append([]measure.Period{ps[0].Prev()}, ps...)
		tr := Trend{Key: md.Key, Name: md.Name, Unit: string(md.Unit)}
		byPeriod := map[string]Rated{}
		rs, err := l.computeRated(md, all, asOf, spanOf(md.Rule, all, asOf), manual, false)
		if err != nil {
			return nil, err
		}
		for i, pp := range all {
			r := rs[i]
			byPeriod[pp.String()] = r
			if i > 0 {
				tr.Points = append(tr.Points, TrendPoint{Period: pp.String(), Value: r.Rounded(), Status: string(r.Status)})
			}
		}
		worst := ""
		for _, p := range rated {
			tr.Rated = append(tr.Rated, p.String())
			cur, ok := byPeriod[p.String()]
			if !ok { // a rated period older than the trend's window
				if cur, err = l.rateOne(md, p, asOf, manual); err != nil {
					return nil, err
				}
			}
			before, ok := byPeriod[p.Prev().String()]
			if !ok {
				if before, err = l.rateOne(md, p.Prev(), asOf, manual); err != nil {
					return nil, err
				}
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
			if statusRank[string(cur.Status)] > statusRank[worst] {
				worst = string(cur.Status)
			}
			in.Rows = append(in.Rows, []string{md.Name, PeriodLabel(p), figure(cur.Rounded(), cur.Unit), StatusWord(string(cur.Status)), figure(before.Rounded(), before.Unit), word})
			rowKeys = append(rowKeys, md.Key)
		}
		if len(rated) == 0 {
			end := pending[len(pending)-1].End.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
			in.Rows = append(in.Rows, []string{md.Name, PeriodLabel(pending[len(pending)-1]), "not rated yet", "", "", "the period ends on " + end})
			rowKeys = append(rowKeys, md.Key)
			tr.Pending = pending[len(pending)-1].String()
		}
		counts[worst]++
		in.Trends = append(in.Trends, tr)
	}
	sortPeriods(ratedList)
	sortPeriods(pendingList)
	in.Summary = fmt.Sprintf("%d red, %d yellow, %d green, %d without data", counts["red"], counts["yellow"], counts["green"], counts["grey"])
	if counts[""] > 0 {
		in.Summary += fmt.Sprintf(", %d not rated yet", counts[""])
	}
	in.Summary += " (each metric by its worst rated period)."
	in.Note = ratedNote(s, asOf, ratedList, pendingList)
	in.Status = "green"
	switch {
	case counts["red"] > 0:
		in.Status = "red"
	case counts["yellow"] > 0:
		in.Status = "yellow"
	case counts["green"] == 0:
		in.Status = "grey"
	}
	return in, groupByStandard(ctx, tx, s.Org.ID, in, isms.TagMetric, rowKeys)
}

func sortPeriods(ps []measure.Period) {
	sort.SliceStable(ps, func(i, j int) bool {
		if !ps[i].End.Equal(ps[j].End) {
			return ps[i].End.Before(ps[j].End)
		}
		return ps[i].Frequency == measure.FrequencyMonth && ps[j].Frequency != measure.FrequencyMonth
	})
}

// PeriodLabel names a period for people: "October 2026", "2026-Q4".
func PeriodLabel(p measure.Period) string {
	if p.Frequency == measure.FrequencyMonth {
		return p.Start.Format("January 2006")
	}
	return p.String()
}

// ratedNote says which periods a review rates and why the others are not.
func ratedNote(s ReviewScope, asOf time.Time, rated, pending []measure.Period) string {
	loc := s.Org.Location()
	var names []string
	for _, p := range rated {
		names = append(names, PeriodLabel(p))
	}
	why := "the periods of " + s.Period.String() + " that had ended by " + asOf.In(loc).Format(time.DateOnly)
	if s.Review != nil && asOf.Before(s.Period.End) {
		why += " (" + cutoffReason(s, asOf) + ")"
	}
	if !asOf.Before(s.Period.End) {
		why = "every period of " + s.Period.String() + ": it had ended by the meeting"
	}
	out := "Rated: " + joinWords(names) + ", " + why + "."
	if len(names) == 0 {
		out = "Nothing is rated yet: no period of " + s.Period.String() + " had ended by " + asOf.In(loc).Format(time.DateOnly) + "."
	}
	if len(pending) > 0 {
		var ps []string
		for _, p := range pending {
			ps = append(ps, PeriodLabel(p)+" (ends "+p.End.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)+")")
		}
		out += " Not rated: " + joinWords(ps) + ", not complete then; a period without its last days would look better or worse than it is."
	}
	return out
}

func cutoffReason(s ReviewScope, asOf time.Time) string {
	if asOf.Before(s.Now) {
		return "the meeting day"
	}
	return "when these inputs were taken"
}

func joinWords(s []string) string {
	switch len(s) {
	case 0:
		return "none"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
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
	metrics, err := currentMetrics(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, md := range metrics {
		names[md.Key] = md.Name
	}
	in := &ReviewInput{Key: "cycles", Title: "Improvement cycles", Columns: []string{"Cycle", "Process", "Metric", "At the start", "Now"}}
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
					now = figure(round(sm.Value), measure.Unit(sm.Unit)) + ", " + StatusWord(sm.Status) + " (" + sm.Period + ")"
				}
				name := names[b.Key]
				if name == "" {
					name = b.Key
				}
				in.Rows = append(in.Rows, []string{c.Name, proc.Name, name, figure(b.Value, measure.Unit(b.Unit)) + ", " + StatusWord(b.Status) + " (" + b.Period + ")", now})
			}
		}
	}
	in.Summary = fmt.Sprintf("%s ran in %s.", plural(n, "improvement cycle", "improvement cycles"), s.Period)
	if n == 0 {
		in.Summary = "No improvement cycle ran in " + s.Period.String() + "."
	}
	return in, nil
}

// openDeviation is one deviation open during a review's period: its
// record (every deviation, imported or worked in pdca, has one) and, when
// pdca works it, the deviation itself.
type openDeviation struct {
	Ref, Title, Source, Severity, Grade string
	Detected                            time.Time
	Closed                              *time.Time
	Worked                              *isms.Deviation
}

// deviationsOpenDuring is the one list both deviation inputs of a review
// (and their counts) come from: every deviation record open during the
// period, that is detected before the period ended and not closed before
// it began, oldest first.
func deviationsOpenDuring(ctx context.Context, tx *store.Tx, s ReviewScope) ([]openDeviation, error) {
	worked, err := tx.Deviations(ctx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	byRef := map[string]*isms.Deviation{}
	for i := range worked {
		byRef[worked[i].Ref] = &worked[i]
	}
	var out []openDeviation
	err = tx.EachRecordFields(ctx, s.Org.ID, isms.KindDeviations, []string{"title", "source", "severity", "grade", "detected_at", "closed_at"}, store.Window{},
		func(r isms.Record) error {
			det, ok := r.Times["detected_at"]
			if !ok || !det.Before(s.Period.End) {
				return nil
			}
			d := openDeviation{Ref: r.Key, Title: r.Texts["title"], Source: r.Texts["source"], Severity: r.Texts["severity"], Grade: r.Texts["grade"],
				Detected: det, Worked: byRef[r.Key]}
			if d.Grade == "" && d.Worked != nil { // mirrored before records had a grade
				d.Grade = d.Worked.Kind
			}
			if cl, ok := r.Times["closed_at"]; ok {
				if cl.Before(s.Period.Start) {
					return nil
				}
				d.Closed = &cl
			}
			out = append(out, d)
			return nil
		})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Detected.Equal(out[j].Detected) {
			return out[i].Detected.Before(out[j].Detected)
		}
		return out[i].Ref < out[j].Ref
	})
	return out, err
}

// periodEnd is when a review's period ends, or now if it has not ended:
// "still open at its end" is then "open now".
func periodEnd(s ReviewScope) (time.Time, string) {
	if s.Now.Before(s.Period.End) {
		return s.Now, "open on " + s.Now.In(s.Org.Location()).Format(time.DateOnly)
	}
	return s.Period.End, "still open at its end"
}

// deviationRecords: nonconformities open during the period (9.3.2 c 1):
// the summary counts the rows it lists.
func deviationRecords(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	list, err := deviationsOpenDuring(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	loc := s.Org.Location()
	end, endWords := periodEnd(s)
	in := &ReviewInput{Key: "deviations", Title: "Nonconformities and corrective actions", Columns: []string{"Ref", "Title", "Grade", "Source", "Severity", "Detected", "Closed", "Status"}}
	opened, closed, open := 0, 0, 0
	var rowKeys []string // Issue 19: each row's deviation, to group by standard
	for _, d := range list {
		key := ""
		if d.Worked != nil {
			key = strconv.FormatInt(d.Worked.ID, 10)
		}
		rowKeys = append(rowKeys, key)
		if s.Period.Contains(d.Detected) {
			opened++
		}
		status := "closed"
		switch {
		case d.Closed != nil && d.Closed.Before(end):
			if s.Period.Contains(*d.Closed) {
				closed++
			}
		default:
			open++
			status = "open"
			if d.Worked != nil {
				status = deviationStatusWord(d.Worked.Status)
			}
		}
		source := d.Source
		if isms.HasLabel(source) { // pdca's own sources ("audit_finding") in words
			source = isms.Lower(source)
		}
		in.Rows = append(in.Rows, []string{d.Ref, d.Title, isms.GradeWords(d.Grade), source, d.Severity, d.Detected.In(loc).Format(time.DateOnly), dateOf(d.Closed, loc), status})
	}
	in.Summary = fmt.Sprintf("%s open during %s: %d detected in it, %d closed in it, %d %s.", plural(len(list), "deviation", "deviations"), s.Period, opened, closed, open, endWords)
	in.Note = "Open during " + s.Period.String() + ": detected before it ended and not closed before it began. Imported deviation records and deviations worked in pdca alike."
	return in, groupByStandard(ctx, tx, s.Org.ID, in, isms.TagDeviation, rowKeys)
}

// deviationStatusWord is a deviation's workflow status in words.
func deviationStatusWord(st isms.DeviationStatus) string {
	return strings.ReplaceAll(string(st), "_", " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// auditFindingRecords: audit results and how fast findings close
// (9.3.2 c 3).
func auditFindingRecords(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	in := &ReviewInput{Key: "audit-findings", Title: "Audit results", Columns: []string{"Ref", "Audit", "Title", "Grade", "Raised", "Closed", "Days to close"}}
	raised, closed, overdue := 0, 0, 0
	var days []float64
	end := s.Period.End
	err := tx.EachRecordFields(ctx, s.Org.ID, isms.KindAuditFindings, []string{"audit", "title", "grade", "raised_at", "closed_at"}, store.Window{},
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
			in.Rows = append(in.Rows, []string{r.Key, r.Texts["audit"], r.Texts["title"], isms.GradeWords(r.Texts["grade"]), ra.In(s.Org.Location()).Format(time.DateOnly), dateOf(c, s.Org.Location()), d})
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

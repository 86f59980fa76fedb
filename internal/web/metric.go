package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// metricRow is one line of the metrics page.
type metricRow struct {
	Metric   app.Metric
	Target   string
	Latest   *store.Measurement // the last complete period
	Current  *store.Measurement // the period in progress
	Trend    template.HTML
	Computed time.Time
	// LatestDev and CurrentDev lead a red figure to its deviation.
	LatestDev, CurrentDev template.HTML
}

type metricsPage struct {
	Page
	Rows []metricRow
}

// targetText says a rule in words.
func targetText(r measure.Rule, u measure.Unit) string {
	unit := ""
	if u == measure.UnitPercent {
		unit = " %"
	} else if u == measure.UnitDays {
		unit = " days"
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + unit }
	switch r.Kind {
	case measure.RuleAtLeast:
		s := "green ≥ " + num(r.Green)
		if r.Yellow != nil {
			s += ", yellow ≥ " + num(*r.Yellow)
		}
		return s
	case measure.RuleAtMost:
		s := "green ≤ " + num(r.Green)
		if r.Yellow != nil {
			s += ", yellow ≤ " + num(*r.Yellow)
		}
		return s
	case measure.RuleNotRising:
		return "green when not higher than the period before; red when rising two periods in a row"
	}
	return string(r.Kind)
}

// trendSVG draws the stored figures as bars coloured by status. Only
// numbers and enum values go into the markup, and text is escaped, so the
// result is safe to embed.
func trendSVG(ms []store.Measurement) template.HTML {
	const w, h, bw, gap = 156, 36, 11, 2
	maxV := 0.0
	for _, m := range ms {
		if m.Value != nil && *m.Value > maxV {
			maxV = *m.Value
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="trend" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="trend over %d periods">`, w, h, w, h, len(ms))
	for i, m := range ms {
		x := i * (bw + gap)
		bh := 2.0
		label := "no data"
		if m.Value != nil {
			label = strconv.FormatFloat(measure.Round2(*m.Value), 'f', -1, 64) + " " + m.Unit
			if maxV > 0 {
				bh = max(2, float64(h-2)**m.Value/maxV)
			}
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%.1f" width="%d" height="%.1f"><title>%s: %s (%s)</title></rect>`,
			html.EscapeString(m.Status), x, float64(h)-bh, bw, bh, html.EscapeString(m.Period), html.EscapeString(label), html.EscapeString(m.Status))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from numbers and escaped text only
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ctx := r.Context()
	metrics, err := s.app.Metrics(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	stored, err := s.app.StoredMeasurements(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	devs, err := s.app.MetricDeviations(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	byKey := map[string][]store.Measurement{}
	for _, sm := range stored {
		byKey[sm.Key] = append(byKey[sm.Key], sm)
	}
	pg := &metricsPage{Page: s.page(r, m, "Metrics")}
	pg.Nav = "metrics"
	for _, md := range metrics {
		ms := byKey[md.Key]
		sort.Slice(ms, func(i, j int) bool { return ms[i].Period < ms[j].Period })
		row := metricRow{Metric: md, Target: targetText(md.Rule, md.Unit), Trend: trendSVG(ms)}
		if n := len(ms); n > 0 {
			row.Current = &ms[n-1]
			row.Computed = ms[n-1].ComputedAt
			row.CurrentDev = figureDeviation(m, devs, md.Key, md.Name, ms[n-1].Period, ms[n-1].Status)
			if n > 1 {
				row.Latest = &ms[n-2]
				row.LatestDev = figureDeviation(m, devs, md.Key, md.Name, ms[n-2].Period, ms[n-2].Status)
			}
		}
		pg.Rows = append(pg.Rows, row)
	}
	s.render(w, r, "metrics", pg)
}

type drillPage struct {
	Page
	Rated   app.Rated
	Kind    string
	Groups  []drillGroup
	AsOf    time.Time
	Target  string
	Columns []string
	// Deviation leads a red figure to its deviation.
	Deviation template.HTML
}

type drillGroup struct {
	Outcome string
	Items   []drillItem
}

type drillItem struct {
	Item   measure.Item
	Record isms.Record
	Days   string
	Link   string // the record's page
}

// handleMetricDrill shows the records behind one figure, split into met,
// missed, pending and counted, computed live as of now (or ?as_of=).
func (s *Server) handleMetricDrill(w http.ResponseWriter, r *http.Request, m *app.Member) {
	asOf := time.Now().UTC()
	if v := r.URL.Query().Get("as_of"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.pageError(w, r, isms.Errorf(isms.EINVALID, "as_of %q: use RFC 3339", v))
			return
		}
		asOf = t.UTC()
	}
	rated, recs, err := s.app.MeasureOne(r.Context(), m.Principal, m.Org.Slug, r.PathValue("key"), r.PathValue("period"), asOf)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	metrics, _ := s.app.Metrics(r.Context(), m.Principal, m.Org.Slug)
	pg := &drillPage{Page: s.page(r, m, rated.Name+" · "+rated.Period.String()), Rated: rated, AsOf: asOf}
	devs, err := s.app.MetricDeviations(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Deviation = figureDeviation(m, devs, rated.Key, rated.Name, rated.Period.String(), string(rated.Status))
	pg.Nav = "metrics"
	for _, md := range metrics {
		if md.Key == rated.Key {
			pg.Kind, pg.Target = md.Kind, targetText(md.Rule, md.Unit)
			// Issue 18: the acknowledgement rate lists requests, not records.
			if md.Kind == measure.AcknowledgementKind {
				pg.Columns = app.AckDrillColumns
			}
			if spec, ok := isms.LookupKind(md.Kind); ok {
				for _, f := range spec.Fields {
					pg.Columns = append(pg.Columns, f.Name)
				}
			}
		}
	}
	groups := map[measure.Outcome]*drillGroup{}
	for _, o := range []measure.Outcome{measure.OutcomeMissed, measure.OutcomePending, measure.OutcomeMet, measure.OutcomeCounted} {
		groups[o] = &drillGroup{Outcome: string(o)}
	}
	for _, it := range rated.Items {
		di := drillItem{Item: it, Record: recs[it.ID], Link: "/o/" + m.Org.Slug + "/records/" + pg.Kind + "/" + strconv.FormatInt(it.ID, 10)}
		if v := di.Record.Texts["version_id"]; pg.Kind == measure.AcknowledgementKind && v != "" {
			di.Link = "/o/" + m.Org.Slug + "/acknowledgements/versions/" + v
		}
		if it.Value != nil {
			di.Days = strconv.FormatFloat(measure.Round2(*it.Value), 'f', -1, 64)
		}
		if g, ok := groups[it.Outcome]; ok {
			g.Items = append(g.Items, di)
		}
	}
	for _, o := range []measure.Outcome{measure.OutcomeMissed, measure.OutcomePending, measure.OutcomeMet, measure.OutcomeCounted} {
		if len(groups[o].Items) > 0 {
			pg.Groups = append(pg.Groups, *groups[o])
		}
	}
	s.render(w, r, "metric", pg)
}

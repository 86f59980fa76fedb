package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
)

type metricDefPage struct {
	Page
	Metric   app.Metric
	Target   string
	Versions []app.Metric
	Yellow   string
}

func (s *Server) metricDefPage(w http.ResponseWriter, r *http.Request, m *app.Member) {
	versions, err := s.app.MetricVersions(r.Context(), m.Principal, m.Org.Slug, r.PathValue("key"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	cur := versions[len(versions)-1]
	pg := &metricDefPage{Page: s.page(r, m, cur.Name), Metric: cur, Target: targetText(cur.Rule, cur.Unit), Versions: versions}
	pg.Standards = s.standardsBox(r, m, isms.TagMetric, cur.Key)
	if cur.Rule.Yellow != nil {
		pg.Yellow = strconv.FormatFloat(*cur.Rule.Yellow, 'f', -1, 64)
	}
	pg.Nav = "metrics"
	s.render(w, r, "metricdef", pg)
}

func (s *Server) handleMetricDef(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.metricDefPage(w, r, m)
}

// handleMetricDefUpdate changes the name and thresholds (a new version).
func (s *Server) handleMetricDefUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	key := r.PathValue("key")
	name := r.PostFormValue("name")
	c := app.MetricChange{Name: &name}
	if kind := measure.RuleKind(r.PostFormValue("rule")); kind != "" {
		rule := measure.Rule{Kind: kind}
		if kind != measure.RuleNotRising {
			g, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("green")), 64)
			if err != nil {
				s.formError(w, r, m, isms.Errorf(isms.EINVALID, "green: give a number"), s.handleMetricDef)
				return
			}
			rule.Green = g
			if ys := strings.TrimSpace(r.PostFormValue("yellow")); ys != "" {
				y, err := strconv.ParseFloat(ys, 64)
				if err != nil {
					s.formError(w, r, m, isms.Errorf(isms.EINVALID, "yellow: give a number or leave it empty for no yellow band"), s.handleMetricDef)
					return
				}
				rule.Yellow = &y
			}
		}
		c.Rule = &rule
	}
	if _, err := s.app.UpdateMetric(r.Context(), m.Principal, m.Org.Slug, key, c); err != nil {
		s.formError(w, r, m, err, s.handleMetricDef)
		return
	}
	s.flash(r, "Saved as a new version. Figures are recomputed in the background.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/metrics/"+key, http.StatusSeeOther)
}

// handleMetricValue records the value of a manual metric.
func (s *Server) handleMetricValue(w http.ResponseWriter, r *http.Request, m *app.Member) {
	key := r.PathValue("key")
	v, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("value")), 64)
	if err != nil {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "value: give a number"), s.handleMetricDef)
		return
	}
	if err := s.app.SetManualValue(r.Context(), m.Principal, m.Org.Slug, key, r.PostFormValue("period"), v, r.PostFormValue("note")); err != nil {
		s.formError(w, r, m, err, s.handleMetricDef)
		return
	}
	s.flash(r, "Value recorded.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/metrics/"+key, http.StatusSeeOther)
}

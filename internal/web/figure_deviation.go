package web

import (
	"html"
	"html/template"
	"net/url"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// figureDeviation is what a red figure leads to: a link to the deviation
// it opened (or to the metric's open deviation, which stands for it), or,
// when there is none, "Open a deviation" prefilled with the metric and
// period for a member who may create one. Other figures lead nowhere:
// only red figures open deviations (docs/deviations-and-audits.md). The
// markup is built from escaped text only.
func figureDeviation(m *app.Member, ds map[string]app.MetricDeviation, key, name, period, status string) template.HTML {
	if status != "red" || m == nil {
		return ""
	}
	base := "/o/" + url.PathEscape(m.Org.Slug) + "/deviations"
	if d, ok := app.DeviationFor(ds, key, period); ok {
		label := d.Ref + " (" + isms.DeviationStatusName(d.Status) + ")"
		if d.Period != period {
			label = "open deviation " + label
		}
		return template.HTML(`<br><small class="figure-dev">Deviation: <a class="figure-dev-link" href="` + html.EscapeString(base+"/"+strconv.FormatInt(d.ID, 10)) + `">` +
			html.EscapeString(label) + `</a></small>`) //nolint:gosec // escaped text only
	}
	if !m.Role.Can(isms.ActWriteRecords) {
		return ""
	}
	q := url.Values{"metric": {key}, "period": {period}, "source": {"metric"}, "kind": {"minor"}, "severity": {"medium"},
		"title": {name + " red in " + period}}
	return template.HTML(`<br><small class="figure-dev"><a class="figure-dev-open" href="` + html.EscapeString(base+"/new?"+q.Encode()) +
		`">Open a deviation</a></small>`) //nolint:gosec // escaped text only
}

package cli

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
)

// MetricsCmd is pdca metrics.
type MetricsCmd struct {
	Org    string `required:"" help:"Organisation slug."`
	Period string `required:"" help:"A month (2026-10) or a quarter (2026-Q4), in the organisation's time zone."`
	AsOf   string `name:"as-of" help:"Rate as known at this moment (RFC 3339); default now. Anything recorded as happening later is treated as not yet happened."`
	JSON   bool   `name:"json" help:"Same as --output json."`
	Output
}

// MetricJSON is one element of pdca metrics --json (PRODUCT.md contract:
// key, period, value, unit, status, population; the rest is extra).
type MetricJSON struct {
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Period     string   `json:"period"`
	Value      *float64 `json:"value"`
	Unit       string   `json:"unit"`
	Status     string   `json:"status"`
	Population int      `json:"population"`
	Met        int      `json:"met"`
	Missed     int      `json:"missed"`
	Pending    int      `json:"pending"`
	Counted    int      `json:"counted"`
	AsOf       string   `json:"as_of"`
	Version    int64    `json:"definition_version"`
	Reason     string   `json:"reason"`
}

// Run rates every metric.
func (c *MetricsCmd) Run(g *Globals, e *env) error {
	asOf := time.Now().UTC()
	if c.AsOf != "" {
		t, err := time.Parse(time.RFC3339, c.AsOf)
		if err != nil {
			return isms.Errorf(isms.EINVALID, "--as-of %q: use RFC 3339, e.g. 2026-11-05T00:00:00Z", c.AsOf)
		}
		asOf = t.UTC()
	}
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	rated, err := a.Measure(e.ctx, app.System, c.Org, c.Period, asOf)
	if err != nil {
		return err
	}
	out := make([]MetricJSON, 0, len(rated))
	for _, r := range rated {
		out = append(out, MetricJSON{Key: r.Key, Name: r.Name, Period: r.Period.String(), Value: r.Rounded(), Unit: string(r.Unit),
			Status: string(r.Status), Population: r.Population, Met: r.Met, Missed: r.Missed, Pending: r.Pending, Counted: r.Counted,
			AsOf: asOf.Format(time.RFC3339), Version: r.Version, Reason: r.Reason})
	}
	if c.asJSON(c.JSON) {
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "Metrics of %s for %s as of %s\n\n", c.Org, c.Period, asOf.Format(time.RFC3339))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tPERIOD\tVALUE\tSTATUS\tPOPULATION\tMET\tMISSED\tPENDING")
	for _, m := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", m.Key, m.Period, formatValue(m.Value, measure.Unit(m.Unit)), m.Status, m.Population, m.Met, m.Missed, m.Pending)
	}
	return tw.Flush()
}

func formatValue(v *float64, u measure.Unit) string {
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

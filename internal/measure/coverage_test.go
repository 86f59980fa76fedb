package measure_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

func TestSupplierCoverage(t *testing.T) {
	t.Parallel()
	sup := func(id int64, name string, fs ...field) rec { return row(id, name, fs...) }
	crit := flag("critical", true)
	assess := func(id int64, supplier, when string) rec {
		return row(id, supplier, text("supplier", supplier), at("assessed_at", when), text("result", "fail"))
	}
	cases := []struct {
		name, period, asOf string
		loc                *time.Location
		suppliers, related []rec
		want               summary
	}{
		{
			// Window for 2026-Q4 in UTC: [2026-01-01T00:00Z, 2027-01-01T00:00Z).
			name: "window bounds", period: "2026-Q4", asOf: "2027-01-15T00:00:00Z",
			suppliers: []rec{
				sup(1, "Acme", crit),
				sup(2, "Beta", crit),
				sup(3, "Gamma", crit),
				sup(4, "Delta", crit),
				sup(5, "Eps", flag("critical", false)),
				sup(6, "Zeta"),
				sup(7, "Eta", crit),
			},
			related: []rec{
				assess(101, "Acme", "2026-01-01T00:00:00Z"),  // first instant of the window
				assess(102, "Beta", "2025-12-31T23:59:59Z"),  // just before
				assess(103, "Gamma", "2027-01-01T00:00:00Z"), // the period's end: outside
				assess(104, " delta ", "2026-06-01T00:00:00Z"),
				assess(105, "Eps", "2026-06-01T00:00:00Z"),
			},
			// met Acme, Delta; missed Beta, Gamma, Eta: 2/5.
			want: summary{Value: ptr(40), Status: measure.StatusRed, Population: 5, Met: 2, Missed: 3,
				Items: []outcome{met(1), missed(2), missed(3), met(4), missed(7)}},
		},
		{
			name: "assessments after T do not count", period: "2026-Q4", asOf: "2026-11-15T00:00:00Z",
			suppliers: []rec{sup(1, "Acme", crit), sup(2, "Beta", crit)},
			related: []rec{
				assess(101, "Acme", "2026-12-01T00:00:00Z"),
				assess(102, "Beta", "2026-11-15T00:00:00Z"), // exactly T
			},
			want: summary{Value: ptr(50), Status: measure.StatusRed, Population: 2, Met: 1, Missed: 1,
				Items: []outcome{missed(1), met(2)}},
		},
		{
			// Window for 2026-Q4 in Helsinki: [2025-12-31T22:00Z, 2026-12-31T22:00Z).
			name: "Helsinki window", period: "2026-Q4", loc: helsinki, asOf: "2027-01-15T00:00:00Z",
			suppliers: []rec{sup(1, "Acme", crit), sup(2, "Beta", crit), sup(3, "Gamma", crit)},
			related: []rec{
				assess(101, "Acme", "2025-12-31T22:00:00Z"),
				assess(102, "Beta", "2025-12-31T21:59:59Z"),
				assess(103, "Gamma", "2026-12-31T22:00:00Z"),
			},
			want: summary{Value: ptr(100.0 / 3), Status: measure.StatusRed, Population: 3, Met: 1, Missed: 2,
				Items: []outcome{met(1), missed(2), missed(3)}},
		},
		{
			name: "all covered is green", period: "2026-Q2", asOf: "2026-07-01T00:00:00Z",
			suppliers: []rec{sup(1, "Acme", crit), sup(2, "ACME Oy", text("critical", "yes"))},
			related: []rec{
				assess(101, "acme", "2025-07-01T00:00:00Z"),
				assess(102, "Acme Oy", "2026-06-30T23:59:59Z"),
			},
			want: summary{Value: ptr(100), Status: measure.StatusGreen, Population: 2, Met: 2,
				Items: []outcome{met(1), met(2)}},
		},
		{
			name: "no critical suppliers", period: "2026-Q4", asOf: "2027-01-15T00:00:00Z",
			suppliers: []rec{sup(1, "Eps", flag("critical", false))},
			related:   []rec{assess(101, "Eps", "2026-06-01T00:00:00Z")},
			want:      summary{Status: measure.StatusGrey},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			in := measure.Input{
				Period:  MustPeriod(t, tc.period, loc),
				AsOf:    MustTime(t, tc.asOf),
				Records: build(t, tc.suppliers),
				Related: build(t, tc.related),
			}
			checkSummary(t, MustCompute(t, MustBuiltin(t, "supplier-coverage"), in), tc.want)
		})
	}
}

func TestManual(t *testing.T) {
	t.Parallel()
	def := measure.Definition{
		Key: "phishing-clicks", Name: "Phishing simulation click rate", Measure: measure.MeasureManual,
		Frequency: measure.FrequencyQuarter, Unit: measure.UnitPercent,
		Rule: measure.Rule{Kind: measure.RuleAtMost, Green: 5, Yellow: ptr(10)},
	}
	cases := []struct {
		name   string
		value  *float64
		status measure.Status
		pop    int
	}{
		{"green", ptr(5), measure.StatusGreen, 1},
		{"yellow", ptr(7.5), measure.StatusYellow, 1},
		{"red", ptr(10.01), measure.StatusRed, 1},
		{"not entered", nil, measure.StatusGrey, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := measure.Input{Period: MustPeriod(t, "2026-Q4", time.UTC), AsOf: MustTime(t, "2027-01-15T00:00:00Z"), Manual: tc.value}
			checkSummary(t, MustCompute(t, def, in), summary{Value: tc.value, Status: tc.status, Population: tc.pop})
		})
	}
	t.Run("not rising with typed previous values", func(t *testing.T) {
		t.Parallel()
		d := def
		d.Rule = measure.Rule{Kind: measure.RuleNotRising}
		in := measure.Input{
			Period: MustPeriod(t, "2026-Q4", time.UTC), AsOf: MustTime(t, "2027-01-15T00:00:00Z"),
			Manual: ptr(4), ManualPrevious: []*float64{ptr(3), ptr(2)},
		}
		if m := MustCompute(t, d, in); m.Status != measure.StatusRed {
			t.Errorf("status %s, want red (%s)", m.Status, m.Reason)
		}
	})
}

package measure_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

func TestRate(t *testing.T) {
	t.Parallel()
	atLeast := measure.Rule{Kind: measure.RuleAtLeast, Green: 100, Yellow: ptr(95)}
	atLeastNoYellow := measure.Rule{Kind: measure.RuleAtLeast, Green: 1}
	atMost := measure.Rule{Kind: measure.RuleAtMost, Green: 14, Yellow: ptr(20)}
	atMostNoYellow := measure.Rule{Kind: measure.RuleAtMost, Green: 0}
	notRising := measure.Rule{Kind: measure.RuleNotRising}
	cases := []struct {
		name     string
		rule     measure.Rule
		value    *float64
		previous []*float64
		want     measure.Status
	}{
		{"at_least green at the bound", atLeast, ptr(100), nil, measure.StatusGreen},
		{"at_least just below green", atLeast, ptr(99.999), nil, measure.StatusYellow},
		{"at_least yellow at the bound", atLeast, ptr(95), nil, measure.StatusYellow},
		{"at_least red", atLeast, ptr(94.99), nil, measure.StatusRed},
		{"at_least nil is grey", atLeast, nil, nil, measure.StatusGrey},
		{"at_least no yellow: green", atLeastNoYellow, ptr(1), nil, measure.StatusGreen},
		{"at_least no yellow: red", atLeastNoYellow, ptr(0), nil, measure.StatusRed},
		{"at_most green at the bound", atMost, ptr(14), nil, measure.StatusGreen},
		{"at_most just above green", atMost, ptr(14.0001), nil, measure.StatusYellow},
		{"at_most yellow at the bound", atMost, ptr(20), nil, measure.StatusYellow},
		{"at_most red", atMost, ptr(20.01), nil, measure.StatusRed},
		{"at_most nil is grey", atMost, nil, nil, measure.StatusGrey},
		{"at_most no yellow: zero green", atMostNoYellow, ptr(0), nil, measure.StatusGreen},
		{"at_most no yellow: red", atMostNoYellow, ptr(1), nil, measure.StatusRed},
		{"not_rising equal", notRising, ptr(3), []*float64{ptr(3), ptr(2)}, measure.StatusGreen},
		{"not_rising lower", notRising, ptr(2), []*float64{ptr(3), ptr(1)}, measure.StatusGreen},
		{"not_rising higher after fall", notRising, ptr(4), []*float64{ptr(3), ptr(5)}, measure.StatusYellow},
		{"not_rising higher after flat", notRising, ptr(4), []*float64{ptr(3), ptr(3)}, measure.StatusYellow},
		{"not_rising higher twice", notRising, ptr(4), []*float64{ptr(3), ptr(2)}, measure.StatusRed},
		{"not_rising no P-1", notRising, ptr(4), []*float64{nil, ptr(2)}, measure.StatusGreen},
		{"not_rising no previous at all", notRising, ptr(4), nil, measure.StatusGreen},
		{"not_rising no P-2", notRising, ptr(4), []*float64{ptr(3), nil}, measure.StatusYellow},
		{"not_rising only P-1 given", notRising, ptr(4), []*float64{ptr(3)}, measure.StatusYellow},
		{"not_rising nil is grey", notRising, nil, []*float64{ptr(3), ptr(2)}, measure.StatusGrey},
		{"unknown rule is grey", measure.Rule{Kind: "sideways"}, ptr(1), nil, measure.StatusGrey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := measure.Rate(tc.rule, tc.value, tc.previous); got != tc.want {
				t.Errorf("Rate = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRound2(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want float64
	}{
		{2.675, 2.68},
		{1.005, 1.01},
		{-1.005, -1.01},
		{200.0 / 3, 66.67},
		{100.0 / 3, 33.33},
		{-200.0 / 3, -66.67},
		{0.125, 0.13},
		{0.124999, 0.12},
		{0.995, 1},
		{99.995, 100},
		{9.999, 10},
		{-0.004, 0},
		{-0.005, -0.01},
		{0, 0},
		{95, 95},
		{1.5, 1.5},
		{14 + 1.0/86400, 14},
		{1e20, 1e20},
		{1234567.125, 1234567.13},
	}
	for _, tc := range cases {
		t.Run(strconv.FormatFloat(tc.in, 'g', -1, 64), func(t *testing.T) {
			t.Parallel()
			got := measure.Round2(tc.in)
			if got != tc.want || math.Signbit(got) != math.Signbit(tc.want) {
				t.Errorf("Round2(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
	t.Run("not finite", func(t *testing.T) {
		t.Parallel()
		if !math.IsNaN(measure.Round2(math.NaN())) || !math.IsInf(measure.Round2(math.Inf(-1)), -1) {
			t.Error("NaN or Inf not returned unchanged")
		}
	})
}

func TestRoundedAndReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		metric  string
		period  string
		recs    []rec
		rounded *float64
		reason  string
	}{
		{
			name: "two of three", metric: "changes-documented", period: "2026-10",
			recs: []rec{
				row(1, "a", flag("documented", true), at("implemented_at", "2026-10-02T00:00:00Z")),
				row(2, "b", flag("documented", true), at("implemented_at", "2026-10-02T00:00:00Z")),
				row(3, "c", at("implemented_at", "2026-10-02T00:00:00Z")),
			},
			rounded: ptr(66.67), reason: "66.67 % is below the green target 95 %",
		},
		{
			name: "yellow", metric: "incident-response-start", period: "2026-10",
			recs: func() []rec {
				var out []rec
				for i := int64(1); i <= 19; i++ {
					out = append(out, row(i, "i", text("severity", "critical"),
						at("detected_at", "2026-10-02T00:00:00Z"), at("action_started_at", "2026-10-02T01:00:00Z")))
				}
				return append(out, row(20, "i", text("severity", "critical"), at("detected_at", "2026-10-02T00:00:00Z")))
			}(),
			rounded: ptr(95), reason: "95 % is below the green target 100 % but at least 90 %",
		},
		{name: "grey", metric: "access-removal", period: "2026-10", reason: "no data: nothing to judge in 2026-10"},
		{
			name: "count", metric: "restore-tests", period: "2026-Q4",
			recs:    []rec{row(1, "s", text("result", "pass"), at("tested_at", "2026-10-02T00:00:00Z"))},
			rounded: ptr(1), reason: "1 meets the green target of at least 1",
		},
		{
			name: "not rising", metric: "open-deviations", period: "2026-10",
			recs:    []rec{row(1, "d", at("detected_at", "2026-10-02T00:00:00Z"))},
			rounded: ptr(1), reason: "1 is higher than 0 in 2026-09",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := measure.Input{
				Period:  MustPeriod(t, tc.period, time.UTC),
				AsOf:    MustTime(t, "2027-02-01T00:00:00Z"),
				Records: build(t, tc.recs),
			}
			m := MustCompute(t, MustBuiltin(t, tc.metric), in)
			got := m.Rounded()
			if (got == nil) != (tc.rounded == nil) || (got != nil && *got != *tc.rounded) {
				t.Errorf("Rounded() = %v, want %v", deref(got), deref(tc.rounded))
			}
			if m.Reason != tc.reason {
				t.Errorf("Reason = %q, want %q", m.Reason, tc.reason)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestReasonBands(t *testing.T) {
	t.Parallel()
	manual := func(rule measure.Rule, unit measure.Unit) measure.Definition {
		return measure.Definition{Key: "m", Measure: measure.MeasureManual, Frequency: measure.FrequencyMonth, Unit: unit, Rule: rule}
	}
	atLeast := measure.Rule{Kind: measure.RuleAtLeast, Green: 100, Yellow: ptr(95)}
	atMost := measure.Rule{Kind: measure.RuleAtMost, Green: 14}
	cases := []struct {
		name  string
		def   measure.Definition
		value *float64
		want  string
	}{
		{"red under a yellow band", manual(atLeast, measure.UnitPercent), ptr(90), "90 % is below the yellow limit 95 %"},
		{"just under green is not shown as green", manual(atLeast, measure.UnitPercent), ptr(99.999), "99.999 % is below the green target 100 % but at least 95 %"},
		{"days above target", manual(atMost, measure.UnitDays), ptr(20.5), "20.5 days is above the green target 14 days"},
		{"days within target", manual(atMost, measure.UnitDays), ptr(14), "14 days is within the green target of at most 14 days"},
		{"nothing typed", manual(atMost, measure.UnitDays), nil, "no value has been entered for 2026-10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := measure.Input{Period: MustPeriod(t, "2026-10", time.UTC), AsOf: MustTime(t, "2026-11-01T00:00:00Z"), Manual: tc.value}
			if m := MustCompute(t, tc.def, in); m.Reason != tc.want {
				t.Errorf("Reason = %q, want %q", m.Reason, tc.want)
			}
		})
	}
}

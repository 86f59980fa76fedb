package app

import (
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

// TestMetricRedReason: an automatic deviation says why in words: the
// metric's name, the period, the value with its unit and the rule broken;
// never the metric's key or a raw unit ("value 5 count").
func TestMetricRedReason(t *testing.T) {
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	month := measure.PeriodContaining(measure.FrequencyMonth, time.Date(2026, 10, 15, 0, 0, 0, 0, hel), hel)
	quarter := measure.PeriodContaining(measure.FrequencyQuarter, time.Date(2026, 11, 15, 0, 0, 0, 0, hel), hel)
	num := func(v float64) *float64 { return &v }
	rated := func(name string, p measure.Period, v *float64, u measure.Unit, rule measure.Rule, reason string) Rated {
		return Rated{Measurement: measure.Measurement{Key: "some-key", Period: p, Value: v, Unit: u, Status: measure.StatusRed, Reason: reason},
			Name: name, Rule: rule}
	}
	tests := []struct {
		name string
		r    Rated
		want string
	}{
		{"engine's reason, percent", rated("Access removed within 24 h", month, num(50), measure.UnitPercent, measure.Rule{Kind: measure.RuleAtLeast, Green: 100},
			"50 % is below the green target 100 %"),
			"Access removed within 24 h was red in October 2026: 50 % is below the green target 100 %."},
		{"not rising names the rule", rated("Open deviations", month, num(5), measure.UnitCount, measure.Rule{Kind: measure.RuleNotRising},
			"5 is higher than 3 in 2026-09, which was higher than 2 in 2026-08"),
			"Open deviations was red in October 2026: 5 is higher than 3 in 2026-09, which was higher than 2 in 2026-08 (the rule: green when not higher than the period before, red when higher two periods in a row)."},
		{"no engine reason: count", rated("Audit findings open over 30 days", quarter, num(5), measure.UnitCount, measure.Rule{Kind: measure.RuleAtMost, Green: 0}, ""),
			"Audit findings open over 30 days was red in the fourth quarter of 2026: 5 breaks the rule: green at most 0."},
		{"no engine reason: days", rated("Critical vulnerabilities fixed", month, num(41.5), measure.UnitDays, measure.Rule{Kind: measure.RuleAtMost, Green: 30}, ""),
			"Critical vulnerabilities fixed was red in October 2026: 41.5 days breaks the rule: green at most 30 days."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := metricRedReason(tt.r, hel)
			if got != tt.want {
				t.Errorf("reason\n got %q\nwant %q", got, tt.want)
			}
			if strings.Contains(got, "some-key") || strings.Contains(got, "count") {
				t.Errorf("reason %q names the key or a raw unit", got)
			}
		})
	}
}

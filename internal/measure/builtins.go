package measure

import "time"

// Builtins returns the nine built-in metrics of PRODUCT.md, in the order of
// its table. Each call returns fresh values the caller may change.
func Builtins() []Definition {
	yellow := func(v float64) *float64 { return &v }
	return []Definition{
		{
			Key: "access-removal", Name: "Access removed within 24 h of employment end",
			Kind: "access_removals", Measure: MeasureShareWithin, Frequency: FrequencyMonth, Unit: UnitPercent,
			PeriodField: "employment_ended_at", StartField: "employment_ended_at",
			DoneField: "access_removed_at", Within: 24 * time.Hour,
			Rule: Rule{Kind: RuleAtLeast, Green: 100, Yellow: yellow(95)},
		},
		{
			Key: "incident-response-start", Name: "Critical incidents acted on within 4 h",
			Kind: "incidents", Measure: MeasureShareWithin, Frequency: FrequencyMonth, Unit: UnitPercent,
			Filter:      []Condition{{Field: "severity", Equals: "critical"}},
			PeriodField: "detected_at", StartField: "detected_at",
			DoneField: "action_started_at", Within: 4 * time.Hour,
			Rule: Rule{Kind: RuleAtLeast, Green: 100, Yellow: yellow(90)},
		},
		{
			Key: "restore-tests", Name: "Passed restore tests",
			Kind: "restore_tests", Measure: MeasureCount, Frequency: FrequencyQuarter, Unit: UnitCount,
			Filter:      []Condition{{Field: "result", Equals: "pass"}},
			PeriodField: "tested_at",
			Rule:        Rule{Kind: RuleAtLeast, Green: 1},
		},
		{
			Key: "supplier-coverage", Name: "Critical suppliers assessed in the last 12 months",
			Kind: "suppliers", Measure: MeasureCoverage, Frequency: FrequencyQuarter, Unit: UnitPercent,
			Filter:      []Condition{{Field: "critical", Equals: "true"}},
			RelatedKind: "supplier_assessments", RelatedKeyField: "supplier", RelatedTimeField: "assessed_at",
			Window: Window{Years: 1},
			Rule:   Rule{Kind: RuleAtLeast, Green: 100},
		},
		{
			Key: "changes-documented", Name: "Changes documented",
			Kind: "changes", Measure: MeasurePercentage, Frequency: FrequencyMonth, Unit: UnitPercent,
			PeriodField: "implemented_at", BoolField: "documented",
			Rule: Rule{Kind: RuleAtLeast, Green: 95},
		},
		{
			Key: "open-deviations", Name: "Open deviations",
			Kind: "deviations", Measure: MeasureStockCount, Frequency: FrequencyMonth, Unit: UnitCount,
			StartField: "detected_at", DoneField: "closed_at",
			Rule: Rule{Kind: RuleNotRising},
		},
		{
			Key: "critical-vuln-fix-time", Name: "Critical vulnerability fix time (90th percentile)",
			Kind: "vulnerabilities", Measure: MeasurePercentileDuration, Frequency: FrequencyMonth, Unit: UnitDays,
			Filter:     []Condition{{Field: "severity", Equals: "critical"}},
			StartField: "found_at", DoneField: "fixed_at", PeriodField: "fixed_at", Percentile: 90,
			Rule: Rule{Kind: RuleAtMost, Green: 14},
		},
		{
			Key: "audit-findings-overdue", Name: "Audit findings open more than 30 days",
			Kind: "audit_findings", Measure: MeasureStockAgedCount, Frequency: FrequencyQuarter, Unit: UnitCount,
			StartField: "raised_at", DoneField: "closed_at", AgeOver: 30 * 24 * time.Hour,
			Rule: Rule{Kind: RuleAtMost, Green: 0},
		},
		{
			Key: "training-completion", Name: "Training completed by its due date",
			Kind: "training", Measure: MeasureShareWithin, Frequency: FrequencyQuarter, Unit: UnitPercent,
			PeriodField: "due_at", PeriodIsDeadline: true, StartField: "due_at",
			DoneField: "completed_at", Within: 0,
			Rule: Rule{Kind: RuleAtLeast, Green: 95},
		},
	}
}

// Builtin returns the built-in metric with the given key, and whether there
// is one.
func Builtin(key string) (Definition, bool) {
	for _, d := range Builtins() {
		if d.Key == key {
			return d, true
		}
	}
	return Definition{}, false
}

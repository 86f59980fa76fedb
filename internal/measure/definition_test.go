package measure_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdca/pdca/internal/measure"
)

// TestBuiltins checks the nine metrics against the PRODUCT.md table.
func TestBuiltins(t *testing.T) {
	t.Parallel()
	type row struct {
		Key       string
		Kind      string
		Frequency measure.Frequency
		Measure   measure.Measure
		Unit      measure.Unit
		Rule      measure.Rule
		Filter    []measure.Condition
	}
	crit := []measure.Condition{{Field: "severity", Equals: "critical"}}
	want := []row{
		{"access-removal", "access_removals", "month", "share_within", "%", measure.Rule{Kind: "at_least", Green: 100, Yellow: ptr(95)}, nil},
		{"incident-response-start", "incidents", "month", "share_within", "%", measure.Rule{Kind: "at_least", Green: 100, Yellow: ptr(90)}, crit},
		{"restore-tests", "restore_tests", "quarter", "count", "count", measure.Rule{Kind: "at_least", Green: 1}, []measure.Condition{{Field: "result", Equals: "pass"}}},
		{"supplier-coverage", "suppliers", "quarter", "coverage", "%", measure.Rule{Kind: "at_least", Green: 100}, []measure.Condition{{Field: "critical", Equals: "true"}}},
		{"changes-documented", "changes", "month", "percentage", "%", measure.Rule{Kind: "at_least", Green: 95}, nil},
		{"open-deviations", "deviations", "month", "stock_count", "count", measure.Rule{Kind: "not_rising"}, nil},
		{"critical-vuln-fix-time", "vulnerabilities", "month", "percentile_duration", "days", measure.Rule{Kind: "at_most", Green: 14}, crit},
		{"audit-findings-overdue", "audit_findings", "quarter", "stock_aged_count", "count", measure.Rule{Kind: "at_most", Green: 0}, nil},
		{"training-completion", "training", "quarter", "share_within", "%", measure.Rule{Kind: "at_least", Green: 95}, nil},
	}
	var got []row
	for _, d := range measure.Builtins() {
		if err := d.Validate(); err != nil {
			t.Errorf("built-in %s does not validate: %v", d.Key, err)
		}
		if d.Name == "" {
			t.Errorf("built-in %s has no name", d.Key)
		}
		got = append(got, row{d.Key, d.Kind, d.Frequency, d.Measure, d.Unit, d.Rule, d.Filter})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("built-ins (-want +got):\n%s", diff)
	}

	t.Run("fields", func(t *testing.T) {
		t.Parallel()
		ar := MustBuiltin(t, "access-removal")
		if ar.Within != 24*time.Hour || ar.StartField != "employment_ended_at" || ar.DoneField != "access_removed_at" {
			t.Errorf("access-removal fields: %+v", ar)
		}
		ir := MustBuiltin(t, "incident-response-start")
		if ir.Within != 4*time.Hour || ir.StartField != "detected_at" || ir.DoneField != "action_started_at" {
			t.Errorf("incident-response-start fields: %+v", ir)
		}
		tc := MustBuiltin(t, "training-completion")
		if tc.Within != 0 || !tc.PeriodIsDeadline || tc.PeriodField != "due_at" || tc.DoneField != "completed_at" {
			t.Errorf("training-completion fields: %+v", tc)
		}
		sc := MustBuiltin(t, "supplier-coverage")
		if sc.Window != (measure.Window{Years: 1}) || sc.RelatedKind != "supplier_assessments" ||
			sc.RelatedKeyField != "supplier" || sc.RelatedTimeField != "assessed_at" {
			t.Errorf("supplier-coverage fields: %+v", sc)
		}
		af := MustBuiltin(t, "audit-findings-overdue")
		if af.AgeOver != 30*24*time.Hour || af.StartField != "raised_at" || af.DoneField != "closed_at" {
			t.Errorf("audit-findings-overdue fields: %+v", af)
		}
		cv := MustBuiltin(t, "critical-vuln-fix-time")
		if cv.Percentile != 90 || cv.StartField != "found_at" || cv.DoneField != "fixed_at" {
			t.Errorf("critical-vuln-fix-time fields: %+v", cv)
		}
	})

	t.Run("fresh copies", func(t *testing.T) {
		t.Parallel()
		a := measure.Builtins()
		*a[0].Rule.Yellow = 1
		if b := measure.Builtins(); *b[0].Rule.Yellow != 95 {
			t.Error("Builtins shares state between calls")
		}
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	base := MustBuiltin(t, "access-removal")
	cases := []struct {
		name   string
		change func(d *measure.Definition)
		want   string // "" means valid
	}{
		{"valid", func(*measure.Definition) {}, ""},
		{"no key", func(d *measure.Definition) { d.Key = "" }, "key is required"},
		{"unknown measure", func(d *measure.Definition) { d.Measure = "median" }, "unknown measure"},
		{"no kind", func(d *measure.Definition) { d.Kind = "" }, "record kind is required"},
		{"bad frequency", func(d *measure.Definition) { d.Frequency = "week" }, "frequency"},
		{"bad unit", func(d *measure.Definition) { d.Unit = "hours" }, "unit"},
		{"empty filter field", func(d *measure.Definition) { d.Filter = []measure.Condition{{Equals: "x"}} }, "no field"},
		{"no done field", func(d *measure.Definition) { d.DoneField = "" }, "needs a done field"},
		{"negative within", func(d *measure.Definition) { d.Within = -time.Second }, "negative"},
		{"bad rule", func(d *measure.Definition) { d.Rule.Kind = "between" }, "rule must be"},
		{"yellow above green", func(d *measure.Definition) { d.Rule.Yellow = ptr(101) }, "yellow limit"},
		{"at_most yellow below green", func(d *measure.Definition) {
			d.Rule = measure.Rule{Kind: measure.RuleAtMost, Green: 14, Yellow: ptr(10)}
		}, "yellow limit"},
		{"percentile out of range", func(d *measure.Definition) {
			*d = MustBuiltin(t, "critical-vuln-fix-time")
			d.Percentile = 0
		}, "percentile"},
		{"percentile period field", func(d *measure.Definition) {
			*d = MustBuiltin(t, "critical-vuln-fix-time")
			d.PeriodField = "found_at"
		}, "done field"},
		{"coverage without window", func(d *measure.Definition) {
			*d = MustBuiltin(t, "supplier-coverage")
			d.Window = measure.Window{}
		}, "window"},
		{"coverage without related kind", func(d *measure.Definition) {
			*d = MustBuiltin(t, "supplier-coverage")
			d.RelatedKind = ""
		}, "related kind"},
		{"percentage without bool", func(d *measure.Definition) {
			*d = MustBuiltin(t, "changes-documented")
			d.BoolField = ""
		}, "bool field"},
		{"manual needs no kind", func(d *measure.Definition) {
			*d = measure.Definition{Key: "m", Measure: measure.MeasureManual, Frequency: "month", Unit: "%",
				Rule: measure.Rule{Kind: measure.RuleAtLeast, Green: 1}}
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := base
			d.Rule.Yellow = ptr(*base.Rule.Yellow)
			tc.change(&d)
			err := d.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var me *measure.Error
			if !errors.As(err, &me) || me.Code != measure.EINVALID {
				t.Fatalf("err = %v, want an EINVALID *measure.Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q does not say %q", err.Error(), tc.want)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	t.Parallel()
	month := MustPeriod(t, "2026-10", time.UTC)
	asOf := MustTime(t, "2026-11-01T00:00:00Z")
	bad := MustBuiltin(t, "access-removal")
	bad.Measure = "median"
	cases := []struct {
		name string
		def  measure.Definition
		in   measure.Input
	}{
		{"invalid definition", bad, measure.Input{Period: month, AsOf: asOf}},
		{"quarter for a monthly metric", MustBuiltin(t, "access-removal"), measure.Input{Period: MustPeriod(t, "2026-Q4", time.UTC), AsOf: asOf}},
		{"no as-of", MustBuiltin(t, "access-removal"), measure.Input{Period: month}},
		{"no period bounds", MustBuiltin(t, "access-removal"), measure.Input{Period: measure.Period{Frequency: "month"}, AsOf: asOf}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := measure.Compute(tc.def, tc.in)
			var me *measure.Error
			if !errors.As(err, &me) || me.Code != measure.EINVALID {
				t.Fatalf("err = %v, want an EINVALID *measure.Error", err)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	t.Parallel()
	def := measure.Definition{
		Key: "c", Kind: "k", Measure: measure.MeasureCount, Frequency: "month", Unit: "count",
		PeriodField: "at", Rule: measure.Rule{Kind: measure.RuleAtLeast, Green: 1},
	}
	when := at("at", "2026-10-02T00:00:00Z")
	cases := []struct {
		name string
		cond measure.Condition
		rec  rec
		want float64
	}{
		{"text any case", measure.Condition{Field: "s", Equals: "Critical"}, row(1, "a", when, text("s", "CRITICAL")), 1},
		{"text differs", measure.Condition{Field: "s", Equals: "critical"}, row(1, "a", when, text("s", "high")), 0},
		{"text absent", measure.Condition{Field: "s", Equals: "critical"}, row(1, "a", when), 0},
		{"bool true", measure.Condition{Field: "b", Equals: "true"}, row(1, "a", when, flag("b", true)), 1},
		{"bool false", measure.Condition{Field: "b", Equals: "true"}, row(1, "a", when, flag("b", false)), 0},
		{"bool absent is false", measure.Condition{Field: "b", Equals: "false"}, row(1, "a", when), 1},
		{"bool absent is not true", measure.Condition{Field: "b", Equals: "true"}, row(1, "a", when), 0},
		{"bool as text", measure.Condition{Field: "b", Equals: "true"}, row(1, "a", when, text("b", "Yes")), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := def
			d.Filter = []measure.Condition{tc.cond}
			in := measure.Input{Period: MustPeriod(t, "2026-10", time.UTC), AsOf: MustTime(t, "2026-11-01T00:00:00Z"),
				Records: build(t, []rec{tc.rec})}
			if m := MustCompute(t, d, in); *m.Value != tc.want {
				t.Errorf("count %v, want %v", *m.Value, tc.want)
			}
		})
	}
}

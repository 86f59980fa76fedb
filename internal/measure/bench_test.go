package measure_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

// syntheticRecords builds about n records spread over the record kinds the
// built-ins read, with timestamps over the two years before asOf. Text and
// bool maps are shared between records (they are only read); time maps are
// per record, as a store would produce them.
func syntheticRecords(n int, asOf time.Time) map[string][]measure.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	span := int64(2 * 365 * 24 * time.Hour)
	ago := func() time.Time { return asOf.Add(-time.Duration(rng.Int64N(span))) }
	later := func(t time.Time, max time.Duration) time.Time { return t.Add(time.Duration(rng.Int64N(int64(max)))) }
	texts := func(k, v string) map[string]string { return map[string]string{k: v} }
	severities := []map[string]string{texts("severity", "critical"), texts("severity", "high"), texts("severity", "low")}
	results := []map[string]string{texts("result", "pass"), texts("result", "fail")}
	bools := []map[string]bool{{"documented": true, "critical": true}, {"documented": false}, {}}

	kinds := []string{"access_removals", "incidents", "restore_tests", "changes", "deviations",
		"vulnerabilities", "audit_findings", "training", "supplier_assessments"}
	out := make(map[string][]measure.Record, len(kinds)+1)
	per := n / len(kinds)
	for _, kind := range kinds {
		recs := make([]measure.Record, per)
		for i := range recs {
			r := &recs[i]
			r.ID = int64(i + 1)
			r.Key = "k"
			start := ago()
			times := make(map[string]time.Time, 2)
			switch kind {
			case "access_removals":
				times["employment_ended_at"] = start
				times["access_removed_at"] = later(start, 48*time.Hour)
			case "incidents":
				r.Texts = severities[i%3]
				times["detected_at"] = start
				times["action_started_at"] = later(start, 8*time.Hour)
			case "restore_tests":
				r.Texts = results[i%2]
				times["tested_at"] = start
			case "changes":
				r.Bools = bools[i%3]
				times["implemented_at"] = start
			case "deviations":
				times["detected_at"] = start
				if i%4 != 0 {
					times["closed_at"] = later(start, 90*24*time.Hour)
				}
			case "vulnerabilities":
				r.Texts = severities[i%3]
				times["found_at"] = start
				if i%5 != 0 {
					times["fixed_at"] = later(start, 30*24*time.Hour)
				}
			case "audit_findings":
				times["raised_at"] = start
				if i%3 != 0 {
					times["closed_at"] = later(start, 60*24*time.Hour)
				}
			case "training":
				times["due_at"] = start
				if i%10 != 0 {
					times["completed_at"] = later(start.Add(-14*24*time.Hour), 20*24*time.Hour)
				}
			case "supplier_assessments":
				r.Texts = map[string]string{"supplier": supplierName(i % 2000)}
				times["assessed_at"] = start
			}
			r.Times = times
		}
		out[kind] = recs
	}
	suppliers := make([]measure.Record, 2000)
	for i := range suppliers {
		suppliers[i] = measure.Record{ID: int64(i + 1), Key: supplierName(i), Bools: bools[i%2]}
	}
	out["suppliers"] = suppliers
	return out
}

func supplierName(i int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	return "supplier-" + string(letters[i%26]) + string(letters[(i/26)%26]) + string(letters[(i/676)%26])
}

// BenchmarkComputeBuiltins computes all nine built-ins for one month (and
// its quarter) over about 1,000,000 records.
func BenchmarkComputeBuiltins(b *testing.B) {
	asOf := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	data := syntheticRecords(1_000_000, asOf)
	total := 0
	for _, recs := range data {
		total += len(recs)
	}
	month := measure.PeriodContaining(measure.FrequencyMonth, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), time.UTC)
	defs := measure.Builtins()
	inputs := make([]measure.Input, len(defs))
	for i, d := range defs {
		inputs[i] = measure.Input{
			Period:  measure.PeriodsFor(d.Frequency, month)[0],
			AsOf:    asOf,
			Records: data[d.Kind],
			Related: data[d.RelatedKind],
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i, d := range defs {
			if _, err := measure.Compute(d, inputs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

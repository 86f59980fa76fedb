package measure_test

import (
	"math/rand/v2"

	"github.com/google/go-cmp/cmp"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

// FuzzCompute rates the built-in metrics over random records and checks
// what must hold whatever the data: no panic, a population that adds up,
// percentages within 0..100, a grey status exactly when there is no value.
func FuzzCompute(f *testing.F) {
	f.Add(uint64(1), uint8(20), int64(0))
	f.Add(uint64(27001), uint8(200), int64(-40*24*3600))
	f.Add(uint64(7), uint8(0), int64(90*24*3600))
	loc, _ := time.LoadLocation("Europe/Helsinki")
	base := time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, asOfShift int64) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		asOf := base.Add(time.Duration(asOfShift%(400*24*3600)) * time.Second)
		at := func() time.Time { return base.Add(time.Duration(r.Int64N(240*24*3600)-120*24*3600) * time.Second) }
		var recs []measure.Record
		for i := range int(n) {
			rec := measure.Record{ID: int64(i + 1), Key: "k", Times: map[string]time.Time{}, Bools: map[string]bool{}, Texts: map[string]string{}}
			for _, f := range []string{"employment_ended_at", "access_removed_at", "detected_at", "action_started_at", "tested_at", "implemented_at",
				"found_at", "fixed_at", "due_at", "completed_at", "closed_at", "raised_at", "assessed_at"} {
				if r.IntN(4) > 0 {
					rec.Times[f] = at()
				}
			}
			rec.Bools["documented"], rec.Bools["critical"] = r.IntN(2) == 0, r.IntN(2) == 0
			rec.Texts["severity"] = []string{"critical", "high", "Critical", ""}[r.IntN(4)]
			rec.Texts["result"] = []string{"pass", "fail", "PASS"}[r.IntN(3)]
			rec.Texts["supplier"] = []string{"a", "b", "c"}[r.IntN(3)]
			rec.Key = rec.Texts["supplier"]
			recs = append(recs, rec)
		}
		month, _ := measure.ParsePeriod("2026-10", loc)
		for _, d := range measure.Builtins() {
			for _, p := range measure.PeriodsFor(d.Frequency, month) {
				m, err := measure.Compute(d, measure.Input{Period: p, AsOf: asOf, Records: recs, Related: recs})
				if err != nil {
					t.Fatalf("%s: %v", d.Key, err)
				}
				if (m.Value == nil) != (m.Status == measure.StatusGrey) {
					t.Fatalf("%s: value %v with status %s", d.Key, m.Value, m.Status)
				}
				for _, def := range []measure.Definition{d, notRising(d)} {
					tallyMatchesCompute(t, def, measure.Input{Period: p, AsOf: asOf, Records: recs, Related: recs})
				}
				switch d.Measure {
				case measure.MeasureShareWithin, measure.MeasurePercentage, measure.MeasureCoverage:
					if m.Population != m.Met+m.Missed {
						t.Fatalf("%s: population %d != met %d + missed %d", d.Key, m.Population, m.Met, m.Missed)
					}
					if m.Value != nil && (*m.Value < 0 || *m.Value > 100) {
						t.Fatalf("%s: %v %%", d.Key, *m.Value)
					}
				case measure.MeasureCount, measure.MeasureStockCount, measure.MeasureStockAgedCount:
					if m.Value == nil || *m.Value != float64(m.Population) {
						t.Fatalf("%s: count %v, population %d", d.Key, m.Value, m.Population)
					}
				case measure.MeasurePercentileDuration:
					if m.Value != nil && *m.Value < 0 {
						t.Fatalf("%s: negative duration %v", d.Key, *m.Value)
					}
				}
			}
		}
	})
}

// notRising is d rated against its two previous periods.
func notRising(d measure.Definition) measure.Definition {
	d.Rule = measure.Rule{Kind: measure.RuleNotRising}
	return d
}

// tallyMatchesCompute streams in's records through a Tally without items,
// one reused record at a time as the store gives them, and checks that it
// gives Compute's measurement less the items.
func tallyMatchesCompute(t *testing.T, d measure.Definition, in measure.Input) {
	t.Helper()
	want, err := measure.Compute(d, in)
	if err != nil {
		t.Fatalf("%s: %v", d.Key, err)
	}
	tl, err := measure.NewTally(d, in.Period, in.AsOf, false)
	if err != nil {
		t.Fatalf("%s: %v", d.Key, err)
	}
	var reused measure.Record
	for _, r := range in.Related {
		reused = r
		tl.AddRelated(&reused)
	}
	for _, r := range in.Records {
		reused = r
		tl.Add(&reused)
	}
	got := tl.Result()
	want.Items = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s %s: tally differs from Compute (-compute +tally):\n%s", d.Key, in.Period, diff)
	}
}

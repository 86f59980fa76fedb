package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// edgeRecords are records that only a careless window would drop: fixed
// before found, closed after an early T, assessments just inside the
// look-back, deadlines far ahead.
var edgeRecords = map[isms.RecordKind]string{
	isms.KindVulnerabilities: `ref,asset,severity,found_at,fixed_at
CVE-E1,web,critical,2026-09-20T00:00:00Z,2026-09-10T00:00:00Z
CVE-E2,web,critical,2025-01-01T00:00:00Z,
CVE-E3,web,critical,2026-06-30T23:59:59Z,2026-07-01T00:00:00Z
`,
	isms.KindDeviations: `ref,title,source,severity,detected_at,closed_at
DEV-E1,old,audit,low,2025-02-01T00:00:00Z,2026-10-15T00:00:00Z
DEV-E2,late close,audit,low,2026-01-01T00:00:00Z,2026-12-31T00:00:00Z
`,
	isms.KindTraining: `person,course,due_at,completed_at
eve,privacy,2026-12-31T00:00:00Z,2026-10-02T00:00:00Z
`,
}

// TestWindowedLoadingMatchesFullLoad rates every metric with the fast,
// windowed, streamed computation and compares with measure.Compute over
// every record of the organisation held in memory (the engine as it was
// before issue 16), for many periods and moments: the figures of Measure
// (pdca metrics), and the records behind each figure of MeasureOne (the
// drill-down).
func TestWindowedLoadingMatchesFullLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
		if _, err := demo.Load(ctx, f.app, f.org, now); err != nil {
			t.Fatal(err)
		}
		for kind, csv := range edgeRecords {
			mustImport(t, f.app, app.System, "acme", kind, csv, false)
		}
		periods := []string{"2025-12", "2026-03", "2026-06", "2026-09", "2026-10", "2026-11", "2026-Q1", "2026-Q3", "2026-Q4"}
		moments := []time.Time{now, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}
		if n := compareWithFullLoad(t, f, periods, moments); n < 200 {
			t.Fatalf("only %d figures compared", n)
		}
	})
}

// TestStreamedMetricsMatchFullLoadOnRandomData is the same comparison on
// random registers: records of every kind spread over two years with
// random gaps, open ends and severities, rated at random moments.
func TestStreamedMetricsMatchFullLoadOnRandomData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		r := rand.New(rand.NewPCG(seed, 16))
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(2, 0, 0)
		for _, spec := range isms.Kinds() {
			var buf bytes.Buffer
			if err := demo.WriteCSV(&buf, spec.Kind, demo.Records(spec.Kind, 150+r.IntN(150), start, end, r), time.UTC); err != nil {
				t.Fatal(err)
			}
			mustImport(t, f.app, app.System, "acme", spec.Kind, buf.String(), false)
		}
		var periods, moments = []string{}, []time.Time{}
		for range 4 {
			m := start.AddDate(0, r.IntN(24), 0)
			periods = append(periods, m.Format("2006-01"), fmt.Sprintf("%d-Q%d", m.Year(), (int(m.Month())+2)/3))
		}
		for range 3 {
			moments = append(moments, start.Add(time.Duration(r.Int64N(int64(end.Sub(start)+90*24*time.Hour)))).Truncate(time.Second))
		}
		if n := compareWithFullLoad(t, f, periods, moments); n < 100 {
			t.Fatalf("only %d figures compared", n)
		}
	})
}

// compareWithFullLoad rates every metric of f's organisation for each
// period and moment with Measure and MeasureOne and compares each figure
// with measure.Compute over all its records; it returns how many figures
// it compared.
func compareWithFullLoad(t *testing.T, f *fixture, periods []string, moments []time.Time) int {
	t.Helper()
	ctx := context.Background()
	db := f.app.DB
	metrics, err := f.app.Metrics(ctx, app.System, f.org.Slug)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string][]measure.Record{}
	if err := db.Read(ctx, func(tx *store.Tx) error {
		for _, spec := range isms.Kinds() {
			rs, err := tx.Records(ctx, f.org.ID, spec.Kind)
			if err != nil {
				return err
			}
			for _, r := range rs {
				all[string(spec.Kind)] = append(all[string(spec.Kind)], measure.Record{ID: r.ID, Key: r.Key, Times: r.Times, Bools: r.Bools, Texts: r.Texts})
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	loc := f.org.Location()
	checked := 0
	for _, period := range periods {
		for _, asOf := range moments {
			got, err := f.app.Measure(ctx, app.System, f.org.Slug, period, asOf)
			if err != nil {
				t.Fatal(err)
			}
			per, _ := measure.ParsePeriod(period, loc)
			i := 0
			for _, md := range metrics {
				for _, p := range measure.PeriodsFor(md.Frequency, per) {
					want, err := measure.Compute(md.Definition, measure.Input{Period: p, AsOf: asOf, Records: all[md.Kind], Related: all[md.RelatedKind]})
					if err != nil {
						t.Fatal(err)
					}
					g := got[i].Measurement
					i++
					name := fmt.Sprintf("%s %s as of %s", md.Key, p, asOf.Format(time.RFC3339))
					if diff := cmp.Diff(summary(want, false), summary(g, false)); diff != "" {
						t.Errorf("%s (-full +streamed):\n%s", name, diff)
					}
					if len(g.Items) != 0 {
						t.Errorf("%s: Measure listed %d items; only the drill-down needs them", name, len(g.Items))
					}
					one, _, err := f.app.MeasureOne(ctx, app.System, f.org.Slug, md.Key, p.String(), asOf)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(summary(want, true), summary(one.Measurement, true)); diff != "" {
						t.Errorf("%s drill-down (-full +streamed):\n%s", name, diff)
					}
					checked++
				}
			}
		}
	}
	return checked
}

// summary is what a comparison looks at: the figure, its counts, the
// previous values, and (with items) each record's outcome.
func summary(m measure.Measurement, items bool) map[string]any {
	out := map[string]any{"value": m.Value, "status": m.Status, "population": m.Population, "met": m.Met, "missed": m.Missed,
		"pending": m.Pending, "counted": m.Counted, "previous": m.Previous}
	if items {
		byID := map[int64]string{}
		for _, it := range m.Items {
			byID[it.ID] = string(it.Outcome)
		}
		out["items"] = byID
	}
	return out
}

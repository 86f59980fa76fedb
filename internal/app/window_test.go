package app_test

import (
	"context"
	"fmt"
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
// windowed loading and compares with rating over every record of the
// organisation, for many periods and moments.
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
		metrics, err := f.app.Metrics(ctx, app.System, "acme")
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
		periods := []string{"2025-12", "2026-03", "2026-06", "2026-09", "2026-10", "2026-11", "2026-Q1", "2026-Q3", "2026-Q4"}
		moments := []time.Time{now, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}
		checked := 0
		for _, period := range periods {
			for _, asOf := range moments {
				got, err := f.app.Measure(ctx, app.System, "acme", period, asOf)
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
						if diff := cmp.Diff(summary(want), summary(g)); diff != "" {
							t.Errorf("%s (-full +windowed):\n%s", name, diff)
						}
						checked++
					}
				}
			}
		}
		if checked < 200 {
			t.Fatalf("only %d figures compared", checked)
		}
	})
}

func summary(m measure.Measurement) map[string]any {
	items := map[int64]string{}
	for _, it := range m.Items {
		items[it.ID] = string(it.Outcome)
	}
	return map[string]any{"value": m.Value, "status": m.Status, "population": m.Population, "met": m.Met, "missed": m.Missed,
		"pending": m.Pending, "counted": m.Counted, "previous": m.Previous, "items": items}
}

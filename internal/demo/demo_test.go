package demo_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func newApp(db *store.DB, now time.Time) *app.App {
	db.Now = func() time.Time { return now }
	a := app.New(db, nil)
	a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
	return a
}

// lastMonth is the last complete month before now in the demo's zone.
func lastMonth(t *testing.T, now time.Time) string {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	return measure.PeriodContaining(measure.FrequencyMonth, now, loc).Prev().String()
}

// TestDemoShowsEveryRating seeds the demo as of several moments (mid-month,
// the first hour of a quarter, just after a daylight-saving change) and
// checks that the last complete month shows green, yellow and red, that
// every record kind has records and that every import stored every row.
func TestDemoShowsEveryRating(t *testing.T) {
	t.Parallel()
	nows := []time.Time{
		time.Date(2026, 11, 23, 23, 55, 0, 0, time.UTC),
		time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC), // 00:30 on 1 April in Helsinki
		time.Date(2027, 3, 29, 8, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC),
	}
	for _, now := range nows {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				a := newApp(db, now)
				var results []*app.ImportResult
				d, err := a.SeedDemo(ctx, func(ctx context.Context, a *app.App, org *isms.Organization) error {
					var err error
					results, err = demo.Load(ctx, a, org, now)
					return err
				})
				if err != nil || d == nil {
					t.Fatalf("seed: %v, %v", d, err)
				}
				for _, res := range results {
					if res.Rows == 0 || res.Created != res.Rows || res.Updated+res.Unchanged != 0 || res.ImportID == 0 {
						t.Errorf("%s import: %+v", res.Kind, res)
					}
				}
				counts, err := a.RecordCounts(ctx, app.System, app.DemoOrgSlug)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range isms.Kinds() {
					if counts[k.Kind] == 0 {
						t.Errorf("no %s records", k.Kind)
					}
				}
				period := lastMonth(t, now)
				rated, err := a.Measure(ctx, app.System, app.DemoOrgSlug, period, now)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[measure.Status]bool{}
				for _, r := range rated {
					seen[r.Status] = true
					t.Logf("%-24s %-8s %-6s %v pop=%d met=%d missed=%d pending=%d", r.Key, r.Period, r.Status, fmtValue(r.Rounded()), r.Population, r.Met, r.Missed, r.Pending)
				}
				for _, s := range []measure.Status{measure.StatusGreen, measure.StatusYellow, measure.StatusRed} {
					if !seen[s] {
						t.Errorf("no %s metric for %s as of %s", s, period, now)
					}
				}
			})
		})
	}
}

func fmtValue(v *float64) any {
	if v == nil {
		return "null"
	}
	return *v
}

// TestSeedTwice checks that a second SeedDemo on the same database adds
// nothing: the demo organisation exists, so the seeder is not called.
func TestSeedTwice(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(db, now)
		if d, err := a.SeedDemo(ctx, demo.Seeder(now)); err != nil || d == nil {
			t.Fatalf("first seed: %v, %v", d, err)
		}
		before, err := a.RecordCounts(ctx, app.System, app.DemoOrgSlug)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := a.StoredMeasurements(ctx, app.System, app.DemoOrgSlug)
		if err != nil || len(stored) != 9*app.TrendPeriods {
			t.Fatalf("stored measurements: %d, %v; want %d", len(stored), err, 9*app.TrendPeriods)
		}
		d, err := a.SeedDemo(ctx, demo.Seeder(now))
		if err != nil || d != nil {
			t.Fatalf("second seed: %+v, %v; want nil, nil", d, err)
		}
		after, err := a.RecordCounts(ctx, app.System, app.DemoOrgSlug)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("record counts changed (-before +after):\n%s", diff)
		}
	})
}

// TestYearIsDeterministic checks that the same moment gives the same
// records, and that nothing happens after now.
func TestYearIsDeterministic(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, b := demo.Year(now, loc), demo.Year(now, loc)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("two runs differ:\n%s", diff)
	}
	for kind, recs := range a {
		for _, r := range recs {
			for field, v := range r.Times {
				// deadlines may lie ahead; events may not
				if v.After(now) && field != "due_at" {
					t.Errorf("%s %s: %s %s is after now", kind, r.Key, field, v)
				}
			}
		}
	}
}

// TestRecordsAreValid writes synthetic records of every kind as CSV and
// reads them back with the importer: every row is valid and keys are
// distinct (the importer rejects a repeated key).
func TestRecordsAreValid(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for _, spec := range isms.Kinds() {
		t.Run(string(spec.Kind), func(t *testing.T) {
			const n = 2000
			recs := demo.Records(spec.Kind, n, start, end, r)
			if len(recs) != n {
				t.Fatalf("got %d records, want %d", len(recs), n)
			}
			var buf bytes.Buffer
			if err := demo.WriteCSV(&buf, spec.Kind, recs, time.UTC); err != nil {
				t.Fatal(err)
			}
			opts := importer.Options{Kind: spec.Kind, Format: importer.FormatCSV}
			if spec.Kind == isms.KindSupplierAssessments {
				opts.KnownSuppliers = func(name string) bool {
					for i := range demo.SyntheticSuppliers {
						if name == demo.SupplierName(i) {
							return true
						}
					}
					return false
				}
			}
			rows, err := importer.ReadAll(&buf, opts)
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			if len(rows) != n {
				t.Fatalf("read %d rows, want %d", len(rows), n)
			}
			for i, row := range rows {
				if !row.Record.Equal(recs[i]) {
					t.Fatalf("row %d: read %+v, wrote %+v", i, row.Record, recs[i])
				}
			}
		})
	}
}

// TestDesignedRatingsHoldEveryMonth rates the generated year directly with
// the metric engine for moments all over three years (the first minute of
// a month, mid-month, the last minute) and checks the ratings the demo is
// built to show for the last complete month.
func TestDesignedRatingsHoldEveryMonth(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]measure.Status{
		"access-removal":          measure.StatusYellow,
		"incident-response-start": measure.StatusGreen,
		"changes-documented":      measure.StatusGreen,
		"critical-vuln-fix-time":  measure.StatusGreen,
		"open-deviations":         measure.StatusRed,
		"supplier-coverage":       measure.StatusRed,
	}
	for m := range 36 {
		first := time.Date(2026, time.Month(1+m), 1, 0, 0, 0, 0, loc)
		for _, now := range []time.Time{first.Add(time.Minute), first.AddDate(0, 0, 14).Add(12 * time.Hour), first.AddDate(0, 1, 0).Add(-time.Minute)} {
			year := demo.Year(now, loc)
			month := measure.PeriodContaining(measure.FrequencyMonth, now, loc).Prev()
			for _, def := range measure.Builtins() {
				p := month
				if def.Frequency == measure.FrequencyQuarter {
					p = measure.PeriodContaining(def.Frequency, month.Start, loc)
				}
				in := measure.Input{Period: p, AsOf: now, Records: engineRecords(year[isms.RecordKind(def.Kind)])}
				if def.RelatedKind != "" {
					in.Related = engineRecords(year[isms.RecordKind(def.RelatedKind)])
				}
				got, err := measure.Compute(def, in)
				if err != nil {
					t.Fatal(err)
				}
				w, ok := want[def.Key]
				if def.Key == "restore-tests" && p.End.After(now) {
					w, ok = measure.StatusRed, true // none yet in now's quarter
				}
				if ok && got.Status != w {
					t.Errorf("as of %s: %s for %s is %s, want %s (%s)", now.Format(time.RFC3339), def.Key, p, got.Status, w, got.Reason)
				}
			}
		}
	}
}

func engineRecords(recs []isms.Record) []measure.Record {
	out := make([]measure.Record, len(recs))
	for i, r := range recs {
		out[i] = measure.Record{ID: int64(i + 1), Key: r.Key, Times: r.Times, Bools: r.Bools, Texts: r.Texts}
	}
	return out
}

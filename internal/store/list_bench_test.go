package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// BenchmarkListRecords lists a page of 50 of 100,000 vulnerabilities
// found over two years, as the records page does: newest first, one
// month, one month still open, and a page deep in the list. It prints
// figures and asserts nothing about time:
//
//	go test -run '^$' -bench ListRecords -benchtime 20x ./internal/store/
func BenchmarkListRecords(b *testing.B) {
	benchStoreEngines(b, func(b *testing.B, engine store.Engine) {
		if engine == store.Postgres && os.Getenv(storetest.EnvPostgres) == "" {
			b.Skipf("%s is not set", storetest.EnvPostgres)
		}
		ctx := context.Background()
		db := storetest.Open(b, engine)
		org := &isms.Organization{Slug: "bench", Name: "Bench Oy", TimeZone: "Europe/Helsinki"}
		recs := demo.Records(isms.KindVulnerabilities, 100_000, benchAsOf.AddDate(-2, 0, 0), benchAsOf, rand.New(rand.NewPCG(7, 8)))
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, org); err != nil {
				return err
			}
			return tx.InsertRecords(ctx, org.ID, recs, 0)
		})
		if err != nil {
			b.Fatal(err)
		}
		if engine == store.Postgres {
			// Statistics, as autovacuum gathers them within a minute of
			// a large import: without them PostgreSQL guesses the keyset
			// page's range matches one row and sorts the register (70 ms
			// instead of 1).
			if _, err := db.Writer().ExecContext(ctx, `ANALYZE rec_vulnerabilities`); err != nil {
				b.Fatal(err)
			}
		}
		p, _ := measure.ParsePeriod("2026-10", org.Location())
		var halfWay store.RecordKey // the record at offset 50,000: a keyset page after it
		err = db.Read(ctx, func(tx *store.Tx) error {
			rs, _, err := tx.ListRecords(ctx, org.ID, isms.KindVulnerabilities, store.RecordFilter{Offset: 49_999, Limit: 1, NoCount: true})
			if err == nil {
				halfWay = store.RecordKeyOf(isms.KindVulnerabilities, rs[0])
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			f    store.RecordFilter
		}{
			{"newest", store.RecordFilter{}},
			{"month", store.RecordFilter{From: p.Start, To: p.End}},
			{"month-open", store.RecordFilter{From: p.Start, To: p.End, Status: "open"}},
			{"offset-50000", store.RecordFilter{Offset: 50_000}},
			// What the API runs without count=true (issue 16).
			{"newest-nocount", store.RecordFilter{NoCount: true}},
			{"month-nocount", store.RecordFilter{From: p.Start, To: p.End, NoCount: true}},
			{"offset-50000-nocount", store.RecordFilter{Offset: 50_000, NoCount: true}},
			{"after-50000-keyset", store.RecordFilter{After: &halfWay, NoCount: true}},
		} {
			b.Run(c.name, func(b *testing.B) {
				var n, total int
				for b.Loop() {
					err := db.Read(ctx, func(tx *store.Tx) error {
						rs, t, err := tx.ListRecords(ctx, org.ID, isms.KindVulnerabilities, c.f)
						n, total = len(rs), t
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if n != 50 {
					b.Fatalf("%d records on the page (of %d)", n, total)
				}
				if total >= 0 {
					b.ReportMetric(float64(total), "matching")
				}
			})
		}
	})
}

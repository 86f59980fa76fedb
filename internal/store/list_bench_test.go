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
		p, _ := measure.ParsePeriod("2026-10", org.Location())
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

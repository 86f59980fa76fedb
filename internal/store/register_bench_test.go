package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// BenchmarkFrameworkRegister reads a page of 50 of a framework's register
// (store.Tx.FrameworkRegister, as the framework's page, the SoA of a
// framework and list-framework-requirements read it) for a framework of
// 1,000 or 100,000 controls: the first page without and with its count, a
// page at offset n/2, the undecided ones, one group, and a text search
// (which reads every requirement's text: its cost grows with the
// framework). It prints figures and asserts nothing about time:
//
//	go test -run '^$' -bench FrameworkRegister -benchtime 20x ./internal/store/
func BenchmarkFrameworkRegister(b *testing.B) {
	benchOrgOfSizes(b, []int{1_000, 100_000}, func(b *testing.B, db *store.DB, org *isms.Organization, n int) {
		ctx := context.Background()
		var fw *isms.Framework
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			fw, err = tx.SeedFrameworkForBench(ctx, org.ID, "bench-fw", n)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if db.Engine == store.Postgres {
			if _, err := db.Writer().ExecContext(ctx, `ANALYZE framework_requirements`); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Writer().ExecContext(ctx, `ANALYZE soa_entries`); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range []struct {
			name string
			f    store.RegisterFilter
		}{
			{"first", store.RegisterFilter{Limit: 50, NoCount: true}},
			{"first-counted", store.RegisterFilter{Limit: 50}},
			{"half-way", store.RegisterFilter{Limit: 50, Offset: n / 2, NoCount: true}},
			{"undecided", store.RegisterFilter{Limit: 50, Applicability: "undecided", NoCount: true}},
			{"one-group", store.RegisterFilter{Limit: 50, Group: fmt.Sprintf("G-%d", n/200), NoCount: true}},
			{"text", store.RegisterFilter{Limit: 50, Text: "thing 7", NoCount: true}},
		} {
			b.Run(c.name, func(b *testing.B) {
				benchPage(b, db, func(ctx context.Context, tx *store.Tx) (int, error) {
					p, err := tx.FrameworkRegister(ctx, org.ID, fw, c.f)
					if err != nil {
						return 0, err
					}
					return len(p.Items), nil
				})
			})
		}
	})
}

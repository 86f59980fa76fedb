package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestRecordKeysetPages: walking a list of records page by page after
// the last record of each (store.RecordKeyOf) gives the same records in
// the same order as offsets, in the default order (main time newest
// first, empty times last, ties by id) and by id both ways, with a filter
// too, on both engines. A third of the incidents share one time and a
// fifth have none, so ties and the empty tail are crossed by pages.
func TestRecordKeysetPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := &isms.Organization{Slug: "keyset", Name: "Keyset", TimeZone: "UTC"}
		end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
		recs := demo.Records(isms.KindIncidents, 37, end.AddDate(0, -3, 0), end, rand.New(rand.NewPCG(1, 2)))
		tie := end.AddDate(0, -1, 0)
		for i := range recs {
			switch {
			case i%5 == 0:
				delete(recs[i].Times, "detected_at")
			case i%3 == 0:
				recs[i].Times["detected_at"] = tie
			}
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, org); err != nil {
				return err
			}
			return tx.InsertRecords(ctx, org.ID, recs, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		list := func(f store.RecordFilter) ([]isms.Record, int) {
			t.Helper()
			var rs []isms.Record
			var total int
			err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				rs, total, err = tx.ListRecords(ctx, org.ID, isms.KindIncidents, f)
				return err
			})
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			return rs, total
		}
		for _, f := range []store.RecordFilter{{Limit: 4}, {Limit: 7}, {Limit: 50}, {Limit: 3, Sort: "id"}, {Limit: 5, Sort: "id", Desc: true},
			{Limit: 2, Status: "open"}, {Limit: 3, Query: "1"}} {
			var byOffset, byKey []int64
			nulls := 0
			for off := 0; ; off += f.Limit {
				g := f
				g.Offset = off
				rs, _ := list(g)
				if len(rs) == 0 {
					break
				}
				for _, r := range rs {
					byOffset = append(byOffset, r.ID)
					if _, ok := r.Times["detected_at"]; !ok {
						nulls++
					}
				}
			}
			g := f
			g.NoCount = true
			for pages := 0; pages < 100; pages++ {
				rs, total := list(g)
				for _, r := range rs {
					byKey = append(byKey, r.ID)
				}
				if total >= 0 { // the last page
					break
				}
				k := store.RecordKeyOf(isms.KindIncidents, rs[len(rs)-1])
				g.After = &k
			}
			if len(byOffset) < 2 || fmt.Sprint(byKey) != fmt.Sprint(byOffset) {
				t.Errorf("%+v: keyset pages %v, offset pages %v", f, byKey, byOffset)
			}
			if f == (store.RecordFilter{Limit: 4}) && (nulls == 0 || len(byOffset) != len(recs)) {
				t.Errorf("the default order crossed %d empty times over %d records; the test means some", nulls, len(byOffset))
			}
		}
		// Other sorts page by offset; a keyset page is not counted.
		err = db.Read(ctx, func(tx *store.Tx) error {
			k := store.RecordKey{ID: 1}
			if _, _, err := tx.ListRecords(ctx, org.ID, isms.KindIncidents, store.RecordFilter{Sort: "severity", After: &k, NoCount: true}); isms.ErrorCode(err) != isms.EINVALID {
				t.Errorf("after with sort=severity: %v, want EINVALID", err)
			}
			if _, _, err := tx.ListRecords(ctx, org.ID, isms.KindIncidents, store.RecordFilter{After: &k}); isms.ErrorCode(err) != isms.EINVALID {
				t.Errorf("after with a count: %v, want EINVALID", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

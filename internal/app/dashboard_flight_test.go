package app

import (
	"context"
	"sync"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestDashboardComputedOncePerVersion sends 16 views of an uncached
// dashboard at once: one computes it, the others share it or find it
// cached. (A large organisation's dashboard takes tens of milliseconds;
// computing it once per view after each change made the views of a
// 1,000,000-record organisation queue for seconds.)
func TestDashboardComputedOncePerVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := New(db, nil)
		if err := a.CreateOrg(ctx, System, &isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
		for round := 1; round <= 2; round++ {
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					if _, err := a.Dashboard(ctx, System, "acme"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := a.dashComputed.Load(); n != int64(round) {
				t.Fatalf("round %d: the dashboard was computed %d times in all, want %d", round, n, round)
			}
			// A change: the next round misses once.
			if err := a.SetCheckAfterDays(ctx, System, "acme", 20+round); err != nil {
				t.Fatal(err)
			}
		}
	})
}

package cli

import (
	"context"
	"sync"
	"testing"

	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestConcurrentMigrations starts several processes' worth of migrations
// on one empty database at the same moment (each with its own connection
// pool, as separate pdca processes have): every one succeeds and the
// schema ends complete, because migrations take a database lock.
func TestConcurrentMigrations(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			const n = 4
			dbs := make([]*store.DB, n)
			for i := range dbs {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i, db := range dbs {
				wg.Go(func() {
					<-start
					errs[i] = migrateAll(ctx, db, nil)
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("process %d: %v", i, err)
				}
			}
			// The schema is whole: a table of the last migration is there.
			if err := dbs[0].Read(ctx, func(tx *store.Tx) error {
				_, err := tx.RecomputedInputs(ctx, 1)
				return err
			}); err != nil {
				t.Errorf("after the migrations: %v", err)
			}
		})
	}
}

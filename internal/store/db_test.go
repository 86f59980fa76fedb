package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestConcurrentFirstUseOfStatements runs writers and readers at once,
// each using statements for the first time, on SQLite's single writer
// connection and its readers: the statement cache must never wait for a
// connection a transaction holds. The deadline only turns a deadlock into
// a failure instead of a hung test; it measures nothing.
func TestConcurrentFirstUseOfStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 16 {
			wg.Go(func() {
				for i := range 5 {
					slug := fmt.Sprintf("org-%d-%d", w, i)
					err := db.Write(ctx, func(tx *store.Tx) error {
						if err := tx.CreateOrg(ctx, &isms.Organization{Slug: slug, Name: slug, TimeZone: "UTC"}); err != nil {
							return err
						}
						// Read back inside the writer: a second statement on
						// the same held connection.
						_, err := tx.OrgBySlug(ctx, slug)
						return err
					})
					if err != nil {
						errs <- fmt.Errorf("write %s: %w", slug, err)
						return
					}
					err = db.Read(ctx, func(tx *store.Tx) error {
						if _, err := tx.OrgBySlug(ctx, slug); err != nil {
							return err
						}
						_, err := tx.ListOrgs(ctx)
						return err
					})
					if err != nil {
						errs <- fmt.Errorf("read %s: %w", slug, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var n int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.CountOrgs(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n < 80 {
			t.Errorf("%d organisations stored, want at least the 80 created", n)
		}
	})
}

package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestConcurrentNumbering opens deviations and risks from many goroutines
// at once: every one must succeed with a reference of its own, and the
// audit chain must stay whole. On PostgreSQL, transactions run in
// parallel, so the per-organisation numbering must be serialised.
func TestConcurrentNumbering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr := f.members[isms.RoleISMSManager]
		const n = 32
		var wg sync.WaitGroup
		refs := make([]string, n)
		risks := make([]string, n)
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				d, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: fmt.Sprintf("Concurrent %d", i), Kind: "observation", Source: "observation", Severity: "low"})
				if err != nil {
					errs <- err
					return
				}
				refs[i] = d.Ref
			}()
			go func() {
				defer wg.Done()
				r, err := f.app.CreateRisk(ctx, mgr, "acme", app.RiskFields{Asset: fmt.Sprintf("Asset %d", i), Threat: "t", Vulnerability: "v"}, 2, 2, "initial")
				if err != nil {
					errs <- err
					return
				}
				risks[i] = r.Ref()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent create: %v", err)
		}
		for _, list := range [][]string{refs, risks} {
			seen := map[string]bool{}
			for _, r := range list {
				if r == "" || seen[r] {
					t.Fatalf("missing or repeated reference %q in %v", r, list)
				}
				seen[r] = true
			}
		}
		if _, ok, err := f.app.VerifyAudit(ctx, app.System); err != nil || !ok {
			t.Errorf("audit chain after concurrent writes: %v %v", ok, err)
		}
	})
}

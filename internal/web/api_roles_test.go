package web_test

import (
	"net/http"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// TestAPIRoleMatrix sends every operation of the OpenAPI document with a
// write token of a member of each role: a role that may perform the
// operation's declared action gets through (neither 403 nor 404 nor a
// server error), any other gets 403.
func TestAPIRoleMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		vals := map[string]string{"org": o.Slug, "records.id": id(rec), "kind": recordKind, "key": metricKey, "period": metricPeriod}
		merge(vals, mustAggregates(t, a, o))
		anon := e.client(t, false)
		for _, role := range isms.Roles() {
			_, secret := mustToken(t, a, o, role, isms.ScopeWrite)
			for _, op := range apiOps(t, e.srv) {
				act, ok := web.APIAction(op.OperationID)
				if !ok {
					t.Fatalf("operation %s declares no action in apiActions", op.OperationID)
				}
				t.Run(string(role)+" "+op.OperationID, func(t *testing.T) {
					path, body := apiRequest(t, op, vals)
					r := e.do(t, anon, op.Method, path, body, bearer(secret))
					if web.APISessionOnly(op.OperationID) {
						if r.status != http.StatusForbidden {
							t.Errorf("a token on the session-only %s: %d, want 403: %s", op.OperationID, r.status, r.body)
						}
						return
					}
					if role.Can(act) {
						if r.status == http.StatusForbidden || r.status == http.StatusNotFound || r.status >= 500 {
							t.Errorf("%s may %s: %s %s got %d: %s", role, act, op.Method, path, r.status, r.body)
						}
					} else if r.status != http.StatusForbidden {
						t.Errorf("%s may not %s: %s %s got %d, want 403: %s", role, act, op.Method, path, r.status, r.body)
					}
				})
			}
		}
	})
}

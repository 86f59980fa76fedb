package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestRatingsOutOfRange asks for ratings, one figure and the metric pages
// with periods and as_of moments outside the supported years: each answers
// 422 naming the bound, never 500 (before issue 13,
// period=0001-01&as_of=0001-01-01T00:00:00Z answered 500).
func TestRatingsOutOfRange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustRecords(t, a, o)
		_, secret := mustToken(t, a, o, isms.RoleViewer, isms.ScopeRead)
		c := e.client(t, false)
		for _, tc := range []struct{ path, want string }{
			{"/api/v1/orgs/acme/ratings?period=0001-01&as_of=0001-01-01T00:00:00Z", "year"},
			{"/api/v1/orgs/acme/ratings?period=0001-01", "year"},
			{"/api/v1/orgs/acme/ratings?period=1969-12", "year"},
			{"/api/v1/orgs/acme/ratings?period=9999-Q4", "year"},
			{"/api/v1/orgs/acme/ratings?period=2026-10&as_of=0001-01-01T00:00:00Z", "as_of"},
			{"/api/v1/orgs/acme/ratings?period=2026-10&as_of=9999-12-31T23:59:59Z", "as_of"},
			{"/api/v1/orgs/acme/metrics/" + metricKey + "/ratings/0001-01?as_of=0001-01-01T00:00:00Z", "year"},
			{"/api/v1/orgs/acme/metrics/" + metricKey + "/ratings/2026-10?as_of=0001-01-01T00:00:00Z", "as_of"},
		} {
			r := e.do(t, c, http.MethodGet, tc.path, nil, bearer(secret))
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) || !strings.Contains(r.body, "2200") {
				t.Errorf("GET %s: %d %s", tc.path, r.status, r.body)
			}
		}
		web := e.signIn(t, o.users[isms.RoleViewer].Email)
		for _, path := range []string{"/o/acme/metrics/" + metricKey + "/0001-01", "/o/acme/metrics/" + metricKey + "/0001-01?as_of=0001-01-01"} {
			if r := e.do(t, web, http.MethodGet, path, nil, nil); r.status >= 500 {
				t.Errorf("GET %s: %d %s", path, r.status, r.body)
			}
		}
		r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/ratings?period=2026-10&as_of=2026-11-05T00:00:00Z", nil, bearer(secret))
		if r.status != http.StatusOK {
			t.Fatalf("a period in range: %d %s", r.status, r.body)
		}
	})
}

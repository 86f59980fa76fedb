package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestFieldLimitsHTTP sends a 50 KB title through a page form and the API:
// both answer 422 naming the field and its limit, and nothing is stored.
func TestFieldLimitsHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		long := strings.Repeat("A", 50_000)
		c := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		r := e.do(t, c, http.MethodPost, "/o/acme/deviations", url.Values{"title": {long}, "kind": {"minor"}, "source": {"complaint"},
			"severity": {"high"}, "detected": {"2026-01-01"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at most 200 characters (this one has 50000)") || !strings.Contains(r.body, `aria-describedby="n-title-error"`) {
			t.Errorf("page form with a 50 KB title: %d %s", r.status, r.body[:min(len(r.body), 2000)])
		}
		_, secret := mustToken(t, a, o, isms.RoleISMSManager, isms.ScopeWrite)
		body, _ := json.Marshal(map[string]any{"title": long, "kind": "minor", "source": "complaint", "severity": "high", "detected_at": "2026-01-01T00:00:00Z"})
		r = e.do(t, e.client(t, false), http.MethodPost, "/api/v1/orgs/acme/deviations", jsonBody(body), bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "body.title") || !strings.Contains(r.body, "200") {
			t.Errorf("API with a 50 KB title: %d %s", r.status, r.body[:min(len(r.body), 2000)])
		}
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/deviations", nil, nil); r.status != http.StatusOK || strings.Contains(r.body, "AAAA") {
			t.Errorf("a deviation with the long title was stored: %d", r.status)
		}
	})
}

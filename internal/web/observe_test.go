package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// TestRequestsCountedByRoute checks that the request log and the
// Prometheus counters name the route pattern that served each request,
// pages and API alike, and never the path with its ids.
func TestRequestsCountedByRoute(t *testing.T) {
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
	var logs bytes.Buffer
	srv, err := web.New(t.Context(), a, web.Config{Version: "test"}, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(path string, h http.Header) string {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	cases := []struct{ path, route string }{
		{"/signin", "GET /signin"},
		{"/api/v1/orgs/acme", "GET /api/v1/orgs/{org}"},
		{"/api/v1/orgs/acme/deviations/12345", "GET /api/v1/orgs/{org}/deviations/{id}"},
		{"/api/v1/no-such-thing", "unmatched"},
	}
	for _, c := range cases {
		get(c.path, bearer(secret))
	}
	var routes []string
	for line := range strings.Lines(logs.String()) {
		var l struct{ Msg, Route string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "request" {
			routes = append(routes, l.Route)
		}
	}
	if len(routes) != len(cases) {
		t.Fatalf("logged routes %q for %d requests", routes, len(cases))
	}
	for i, c := range cases {
		if routes[i] != c.route {
			t.Errorf("GET %s logged as route %q, want %q", c.path, routes[i], c.route)
		}
	}
	metrics := get("/metrics", nil)
	for _, c := range cases {
		if want := `pdca_http_requests_total{route="` + c.route + `"`; !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if strings.Contains(metrics, "12345") {
		t.Error("/metrics names a path with an id")
	}
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestEveryPageRenders renders every page template through a real request
// as an admin. A page template without a request here fails the test.
func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		// A used token and a revoked one, so the token table shows every state.
		_, used := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
		if r := e.do(t, e.client(t, false), http.MethodGet, "/api/v1/orgs/acme", nil, bearer(used)); r.status != http.StatusOK {
			t.Fatalf("use token: %d %s", r.status, r.body)
		}
		revoked, _ := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		rec := mustRecords(t, a, o)
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)

		// Each page: a request that renders it, its status, and text that only
		// that page shows (html/template escapes quotes as &#34;).
		requests := map[string]struct {
			path   string
			status int
			want   []string
			upload bool // POST incidentsCSV to path
			client *http.Client
		}{
			"signin":      {"/signin", http.StatusOK, []string{"Sign in to pdca", `name="password"`}, false, nil},
			"error":       {"/o/no-such-org/", http.StatusNotFound, []string{"404 · Not Found", "Back to the start page"}, false, nil},
			"orgs":        {"/orgs", http.StatusOK, []string{"Your organisations", "Acme Oy", "your role: Admin"}, false, nil},
			"home":        {"/o/acme/", http.StatusOK, []string{"<h1>Acme Oy</h1>", "<strong>Admin</strong>", "7 members"}, false, nil},
			"people":      {"/o/acme/people", http.StatusOK, []string{"People and roles", "viewer@acme.example", "Invite a member", `href="/o/acme/security"`}, false, nil},
			"tokens":      {"/o/acme/tokens", http.StatusOK, []string{"API tokens", "admin read", "active", "revoked 20"}, false, nil},
			"audit":       {"/o/acme/audit", http.StatusOK, []string{"Audit trail", "Added a member", "Revoked an API token", `<pre class="raw">`, "&#34;action&#34;: &#34;member.add&#34;"}, false, nil},
			"account":     {"/account", http.StatusOK, []string{"Signed in as admin@acme.example", "Change your password"}, false, nil},
			"records":     {"/o/acme/records", http.StatusOK, []string{"<h1>Records</h1>", "Incidents", "Import a file"}, false, nil},
			"record_list": {"/o/acme/records/incidents", http.StatusOK, []string{"<h1>Incidents</h1>", "Phishing at Acme Oy", "2 records", ">Action started</a>", "2 records, newest first"}, false, nil},
			"record":      {"/o/acme/records/incidents/" + id(rec), http.StatusOK, []string{"<h1>Incident INC-1</h1>", "Phishing at Acme Oy", "History", "<dt>Action started</dt>", "Imported records"}, false, nil},
			"metrics":     {"/o/acme/metrics", http.StatusOK, []string{"<h1>Metrics</h1>", "Critical incidents acted on within 4 h", metricKey}, false, nil},
			"metricdef":   {"/o/acme/metrics/" + metricKey, http.StatusOK, []string{"<h1>Critical incidents acted on within 4 h</h1>", "Change the decision rule", "Versions"}, false, nil},
			"metric":      {"/o/acme/metrics/" + metricKey + "/" + metricPeriod, http.StatusOK, []string{"Critical incidents acted on within 4 h · 2026-10", "INC-1", "met (1)"}, false, nil},
			"import":      {"/o/acme/imports", http.StatusOK, []string{"Import incidents.csv as incidents", "Confirm the import"}, true, nil},
			// Second factor (issue 13).
			"account_mfa":  {"/account/mfa", http.StatusOK, []string{`id="totp-secret"`, "otpauth://totp/pdca:admin@acme.example?", `src="data:image/png;base64,`}, false, nil},
			"signin_code":  {"/signin/code", http.StatusOK, []string{"Enter the six-digit code", `name="code"`}, false, e.pendingCode(t, mustTOTPUser(t, a, "", "second@acme.example"))},
			"org_security": {"/o/acme/security", http.StatusOK, []string{"Sign-in security", `name="require_mfa"`}, false, nil},
		}
		vals := mustAggregates(t, a, o)
		// Revoked after the aggregates' data, so that the revocation is on
		// the audit trail's first page.
		if err := a.RevokeToken(ctx, app.System, "acme", revoked.ID); err != nil {
			t.Fatal(err)
		}
		for name, pr := range aggregatePages(vals) {
			requests[name] = struct {
				path   string
				status int
				want   []string
				upload bool
				client *http.Client
			}{pr.path, pr.status, pr.want, false, nil}
		}
		// Revoked after the aggregates' fixtures, so that it is among the
		// audit trail's latest events, which the audit page shows.
		if err := a.RevokeToken(ctx, app.System, "acme", revoked.ID); err != nil {
			t.Fatal(err)
		}
		names := e.srv.PageNames()
		slices.Sort(names)
		if len(names) < len(requests) {
			t.Fatalf("PageNames() = %v, want at least the %d pages of this test", names, len(requests))
		}
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				req, ok := requests[name]
				if !ok {
					t.Fatalf("page %q has no request in TestEveryPageRenders: add one", name)
				}
				var r result
				if req.upload {
					r = e.do(t, c, http.MethodPost, req.path, formFor("POST /o/{org}/imports", nil), nil)
				} else if req.client != nil {
					r = e.do(t, req.client, http.MethodGet, req.path, nil, nil)
				} else {
					r = e.do(t, c, http.MethodGet, req.path, nil, nil)
				}
				if r.status != req.status {
					t.Fatalf("GET %s: status %d, want %d; body:\n%s", req.path, r.status, req.status, r.body)
				}
				if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if !strings.HasPrefix(r.body, "<!doctype html>") || !strings.HasSuffix(strings.TrimSpace(r.body), "</html>") {
					t.Errorf("GET %s: not a whole page:\n%s", req.path, r.body)
				}
				for _, w := range req.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("GET %s: body lacks %q:\n%s", req.path, w, r.body)
					}
				}
				if strings.Contains(r.body, "internal error") {
					t.Errorf("GET %s: internal error:\n%s", req.path, r.body)
				}
			})
		}
	})
}

// TestSecurityHeaders checks the headers of a page and that a cross-origin
// form post is refused before it reaches the handler.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)

		for _, path := range []string{"/signin", "/o/acme/", "/api/v1/orgs/acme"} {
			r := e.do(t, c, http.MethodGet, path, nil, nil)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.status)
			}
			csp := r.header.Get("Content-Security-Policy")
			for _, want := range []string{"frame-ancestors 'none'", "default-src 'self'", "script-src 'self'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("GET %s: CSP %q lacks %q", path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("GET %s: CSP %q allows inline code", path, csp)
			}
			want := map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
			for k, v := range want {
				if got := r.header.Get(k); got != v {
					t.Errorf("GET %s: %s = %q, want %q", path, k, got, v)
				}
			}
			if r.header.Get("X-Request-Id") == "" {
				t.Errorf("GET %s: no X-Request-Id", path)
			}
		}

		form := url.Values{"email": {o.users[isms.RoleAdmin].Email}, "password": {password}}
		tests := []struct {
			name   string
			header http.Header
			status int
		}{
			{"cross-site fetch", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
			{"foreign origin", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
			{"same-origin fetch", http.Header{"Sec-Fetch-Site": {"same-origin"}}, http.StatusSeeOther},
			{"own origin", http.Header{"Origin": {e.ts.URL}}, http.StatusSeeOther},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(t, e.client(t, false), http.MethodPost, "/signin", form, tt.header)
				if r.status != tt.status {
					t.Fatalf("POST /signin: status %d, want %d; body %s", r.status, tt.status, r.body)
				}
				if signedIn := r.cookie("pdca_session") != nil; signedIn != (tt.status == http.StatusSeeOther) {
					t.Errorf("session cookie set = %v with status %d", signedIn, r.status)
				}
			})
		}
		// A cross-site post of a signed-in person's form does not act either.
		r := e.do(t, c, http.MethodPost, "/o/acme/tokens", url.Values{"name": {"csrf"}, "scope": {"write"}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("cross-site POST /o/acme/tokens: %d", r.status)
		}
		toks, err := a.Tokens(context.Background(), app.System, "acme")
		if err != nil || len(toks) != 0 {
			t.Fatalf("tokens after a cross-site post: %v, %v", toks, err)
		}
	})
}

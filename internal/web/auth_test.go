package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		signin := func(t *testing.T, email, pw string) result {
			t.Helper()
			return e.do(t, e.client(t, false), http.MethodPost, "/signin", url.Values{"email": {email}, "password": {pw}}, nil)
		}
		refused := func(t *testing.T, r result, status int, msg string) {
			t.Helper()
			if r.status != status || !strings.Contains(r.body, msg) || !strings.Contains(r.body, "Sign in to pdca") {
				t.Errorf("status %d, want %d with %q on the sign-in page; body:\n%s", r.status, status, msg, r.body)
			}
			if r.cookie("pdca_session") != nil {
				t.Error("a refused sign-in set a session cookie")
			}
		}

		t.Run("wrong password", func(t *testing.T) {
			refused(t, signin(t, o.users[isms.RoleAdmin].Email, "not the password at all"), http.StatusUnauthorized, "wrong email or password")
		})
		t.Run("unknown email", func(t *testing.T) {
			refused(t, signin(t, "nobody@acme.example", password), http.StatusUnauthorized, "wrong email or password")
		})
		t.Run("throttled after 5 failures", func(t *testing.T) {
			email := o.users[isms.RoleViewer].Email
			for i := range app.PairFreeFailures {
				refused(t, signin(t, email, "wrong password number "+id(int64(i))), http.StatusUnauthorized, "wrong email or password")
			}
			r := signin(t, email, password)
			refused(t, r, http.StatusTooManyRequests, "too many failed sign-ins")
			if ra := r.header.Get("Retry-After"); ra != "60" {
				t.Errorf("Retry-After %q, want 60 (seconds of the first back-off)", ra)
			}
			// Another account from the same address is not locked out.
			if r := signin(t, o.users[isms.RoleAuditor].Email, password); r.status != http.StatusSeeOther {
				t.Errorf("another account: status %d", r.status)
			}
		})
		t.Run("session cookie", func(t *testing.T) {
			r := signin(t, o.users[isms.RoleAdmin].Email, password)
			c := r.cookie("pdca_session")
			if r.status != http.StatusSeeOther || c == nil {
				t.Fatalf("status %d, cookie %v", r.status, c)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
				t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure on http, Path=/", c)
			}
		})
		t.Run("secure cookie", func(t *testing.T) {
			es := startServer(t, a, func(string) web.Config { return web.Config{SecureCookies: true} })
			r := es.do(t, es.client(t, false), http.MethodPost, "/signin", url.Values{"email": {o.users[isms.RoleAdmin].Email}, "password": {password}}, nil)
			if c := r.cookie("pdca_session"); c == nil || !c.Secure || !c.HttpOnly {
				t.Errorf("with SecureCookies: cookie %+v", c)
			}
		})
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		if r := e.do(t, c, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK {
			t.Fatalf("signed in: GET /o/acme/ = %d", r.status)
		}
		u, _ := url.Parse(e.ts.URL)
		old := c.Jar.Cookies(u)

		r := e.do(t, c, http.MethodPost, "/signout", nil, nil)
		if r.status != http.StatusSeeOther || r.location() != "/signin" {
			t.Fatalf("sign out: %d to %q", r.status, r.location())
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/", nil, nil)
		if r.status != http.StatusSeeOther || r.location() != "/signin?next=%2Fo%2Facme%2F" {
			t.Errorf("after sign-out: %d to %q, want 303 to /signin?next=...", r.status, r.location())
		}
		// The old cookie, replayed, is dead on the server too.
		replay := e.client(t, false)
		replay.Jar.SetCookies(u, old)
		if r := e.do(t, replay, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusSeeOther {
			t.Errorf("replayed session cookie after sign-out: %d", r.status)
		}
	})
}

// TestSignInNext checks that the page after sign-in is on this site.
func TestSignInNext(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		tests := []struct{ next, want string }{
			{"/o/acme/people", "/o/acme/people"},
			{"/o/acme/audit?entity=token", "/o/acme/audit?entity=token"},
			{"", "/"},
			{"https://evil.example", "/"},
			{"https://evil.example/o/acme/", "/"},
			{"//evil.example", "/"},
			{`/\evil.example`, "/"},
			{"javascript:alert(1)", "/"},
			// Browsers drop tabs and newlines and read \ as /: each of
			// these would leave the site (issue 13).
			{"/\t/evil.example", "/"},
			{"/\n/evil.example", "/"},
			{"/\r\n/evil.example", "/"},
			{"/\x00/evil.example", "/"},
			{"/\x7f/evil.example", "/"},
			{"/\u0085/evil.example", "/"},
			{"/\\/evil.example", "/"},
			{"/o/acme\\..\\..\\evil", "/"},
			{"/\t\t//evil.example", "/"},
			{"https:/evil.example", "/"},
			{"/o/acme/people?q=a%2F%2Fb", "/o/acme/people?q=a%2F%2Fb"},
		}
		for _, tt := range tests {
			t.Run(tt.next, func(t *testing.T) {
				form := url.Values{"email": {o.users[isms.RoleAdmin].Email}, "password": {password}, "next": {tt.next}}
				r := e.do(t, e.client(t, false), http.MethodPost, "/signin", form, nil)
				if r.status != http.StatusSeeOther || r.location() != tt.want {
					t.Errorf("next=%q: %d to %q, want %q", tt.next, r.status, r.location(), tt.want)
				}
				// The form carries only a safe next, too.
				r = e.do(t, e.client(t, false), http.MethodGet, "/signin?next="+url.QueryEscape(tt.next), nil, nil)
				if want := `name="next" value="` + tt.want + `"`; !strings.Contains(r.body, want) {
					t.Errorf("GET /signin?next=%q: form lacks %s", tt.next, want)
				}
			})
		}
	})
}

// TestSignInNextTab is the reported attack: GET /signin?next=/%09/evil.example
// and then signing in answered 303 Location: /\t/evil.example.
func TestSignInNextTab(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.client(t, false)
		r := e.do(t, c, http.MethodGet, "/signin?next=/%09/evil.example", nil, nil)
		next := between(r.body, `name="next" value="`, `"`)
		r = e.do(t, c, http.MethodPost, "/signin", url.Values{"email": {o.users[isms.RoleAdmin].Email}, "password": {password}, "next": {next}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/" {
			t.Errorf("next %q from the form: %d to %q, want /", next, r.status, r.location())
		}
	})
}

// TestPasswordChangeEndsOtherSessions: a change on the account page ends
// every other session of the person and keeps this one with a new token;
// pdca user password (SetPasswordByEmail) ends them all.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		email := o.users[isms.RoleAuditor].Email
		here, elsewhere := e.signIn(t, email), e.signIn(t, email)
		other := e.signIn(t, o.users[isms.RoleAdmin].Email)
		u, _ := url.Parse(e.ts.URL)
		before := here.Jar.Cookies(u)

		r := e.do(t, here, http.MethodPost, "/account/password", url.Values{"current": {password}, "new": {"a fresh passphrase"}, "confirm": {"a fresh passphrase"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("change: %d %s", r.status, r.body)
		}
		if after := here.Jar.Cookies(u); len(after) != 1 || after[0].Value == before[0].Value {
			t.Errorf("the session token was not renewed")
		}
		if r := e.do(t, here, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK {
			t.Errorf("the session that changed the password: %d, want 200", r.status)
		}
		if r := e.do(t, elsewhere, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/signin") {
			t.Errorf("another session of the person: %d to %q, want signed out", r.status, r.location())
		}
		if r := e.do(t, other, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK {
			t.Errorf("someone else's session: %d", r.status)
		}
		// The replayed old cookie of the changing session is dead too.
		replay := e.client(t, false)
		replay.Jar.SetCookies(u, before)
		if r := e.do(t, replay, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusSeeOther {
			t.Errorf("the old token of the changing session: %d", r.status)
		}

		// The command line's reset ends every session, this one too.
		if err := a.SetPasswordByEmail(t.Context(), app.System, email, "an operator's passphrase"); err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, here, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusSeeOther {
			t.Errorf("after pdca user password: %d, want signed out", r.status)
		}
	})
}

// TestSignInEventsFromTheWeb: sign-in and sign-out through the pages are
// in the system organisation's audit chain.
func TestSignInEventsFromTheWeb(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		email := o.users[isms.RoleViewer].Email
		e.do(t, e.client(t, false), http.MethodPost, "/signin", url.Values{"email": {email}, "password": {"not it at all"}}, nil)
		c := e.signIn(t, email)
		e.do(t, c, http.MethodPost, "/signout", nil, nil)
		rows, err := db.Reader().Query(`SELECT action, after_json FROM audit_events WHERE org_id = $1 AND actor = $2 ORDER BY seq`, isms.SystemOrgID, email)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var action, after string
			if err := rows.Scan(&action, &after); err != nil {
				t.Fatal(err)
			}
			got = append(got, action+" "+after)
		}
		want := []string{
			`user.signin_failed {"address":"127.0.0.1","email":"` + email + `","method":"password","reason":"wrong password"}`,
			`user.signin {"address":"127.0.0.1","method":"password"}`,
			`user.signout `,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestAPITokens follows a token's life: it works, records its use, stops
// when revoked, and never reaches another organisation, not even one its
// owner belongs to.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", secretName)
		admin := o.users[isms.RoleAdmin]
		// The owner of the token is a member of beta too.
		if _, err := a.AddMember(ctx, app.System, "beta", admin.Email, isms.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		tok, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		lastUsed := func() *isms.Token {
			t.Helper()
			toks, err := a.Tokens(ctx, app.System, "acme")
			if err != nil || len(toks) != 1 || toks[0].ID != tok.ID {
				t.Fatalf("tokens: %+v, %v", toks, err)
			}
			return toks[0]
		}
		if lastUsed().LastUsedAt != nil {
			t.Fatal("a new token has a last-used time")
		}
		c := e.client(t, false)

		r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme", nil, bearer(secret))
		var got web.OrgJSON
		if err := json.Unmarshal([]byte(r.body), &got); r.status != http.StatusOK || err != nil {
			t.Fatalf("GET /api/v1/orgs/acme: %d %s (%v)", r.status, r.body, err)
		}
		if got.Slug != "acme" || got.Name != "Acme Oy" || got.Role != "admin" {
			t.Errorf("org = %+v", got)
		}
		if lastUsed().LastUsedAt == nil {
			t.Error("last_used_at was not set")
		}

		r = e.do(t, c, http.MethodGet, "/api/v1/orgs/beta", nil, bearer(secret))
		if r.status != http.StatusNotFound || strings.Contains(r.body, secretName) {
			t.Errorf("acme's token on beta: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, "/api/v1/orgs?count=true", nil, bearer(secret))
		if r.status != http.StatusOK || !strings.Contains(r.body, `"total":1`) || strings.Contains(r.body, secretName) {
			t.Errorf("acme's token lists: %d %s", r.status, r.body)
		}

		if err := a.RevokeToken(ctx, app.System, "acme", tok.ID); err != nil {
			t.Fatal(err)
		}
		r = e.do(t, c, http.MethodGet, "/api/v1/orgs/acme", nil, bearer(secret))
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "invalid or revoked API token") {
			t.Errorf("revoked token: %d %s", r.status, r.body)
		}
	})
}

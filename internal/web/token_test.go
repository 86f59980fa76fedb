package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestTokenExpiry creates a token that expires in 12 hours through the
// tokens page: the page shows its expiry and last use in the
// organisation's time zone; it works until the moment and is refused with
// 401 and a clear message after it. A bad expiry is a 422 naming the field.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var clock atomic.Int64
		clock.Store(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).UnixMicro())
		db.Now = func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy") // Europe/Helsinki: UTC+2 in December
		c := e.signIn(t, "admin@acme.example")

		r := e.do(t, c, http.MethodPost, "/o/acme/tokens", url.Values{"name": {"nightly export"}, "scope": {"read"}, "expires": {"12h"}}, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "pdca_") {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		secret := "pdca_" + strings.SplitN(strings.SplitN(r.body, "pdca_", 2)[1], "<", 2)[0]
		if !strings.Contains(r.body, "2026-12-05 00:00") || !strings.Contains(r.body, "times in Europe/Helsinki") {
			t.Errorf("tokens page lacks the expiry in Helsinki time (2026-12-05 00:00, zone in the footer):\n%s", r.body)
		}
		api := e.client(t, false)
		if r := e.do(t, api, http.MethodGet, "/api/v1/orgs/acme", nil, bearer(secret)); r.status != http.StatusOK {
			t.Fatalf("fresh token: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/tokens", nil, nil)
		if !strings.Contains(r.body, "<td>2026-12-04 12:00</td>") || !strings.Contains(r.body, "active") {
			t.Errorf("tokens page lacks the last use in Helsinki time:\n%s", r.body)
		}
		clock.Store(time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC).UnixMicro())
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme", nil, bearer(secret))
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "expired at 2026-12-04T22:00:00Z") {
			t.Fatalf("expired token: %d %s", r.status, r.body)
		}
		if r = e.do(t, c, http.MethodGet, "/o/acme/tokens", nil, nil); !strings.Contains(r.body, "expired") {
			t.Errorf("tokens page does not show the token as expired:\n%s", r.body)
		}
		for _, bad := range []string{"soon", "2020-01-01", "9999d"} {
			r = e.do(t, c, http.MethodPost, "/o/acme/tokens", url.Values{"name": {"bad"}, "scope": {"read"}, "expires": {bad}}, nil)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "expires &#34;"+bad+"&#34;") || strings.Contains(r.body, "pdca_") {
				t.Errorf("expires %q: %d %s", bad, r.status, r.body)
			}
		}
	})
}

// TestTokenDenied uses a read token on write operations in a loop: the
// first denial writes one token.denied event naming the action, the next
// ones within TokenDeniedEvery write none, and after the window one more.
func TestTokenDenied(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var clock atomic.Int64
		clock.Store(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).UnixMicro())
		db.Now = func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		tok, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
		api := e.client(t, false)
		denied := func() int {
			t.Helper()
			evs, err := a.Events(context.Background(), app.System, "acme", store.EventFilter{Action: "token.denied", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if ev.EntityID != id(tok.ID) || !strings.Contains(ev.After, `"action":"manage_members"`) && !strings.Contains(ev.After, `"action":"set_notification_prefs"`) || !strings.Contains(ev.Actor, "token") {
					t.Errorf("event %+v", ev)
				}
			}
			return len(evs)
		}
		for range 20 {
			r := e.do(t, api, http.MethodDelete, "/api/v1/orgs/acme/members/"+id(o.users[isms.RoleViewer].ID), nil, bearer(secret))
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "read-only") {
				t.Fatalf("read token deletes: %d %s", r.status, r.body)
			}
		}
		if n := denied(); n != 1 {
			t.Fatalf("token.denied events after 20 denials: %d, want 1", n)
		}
		// Allowed reads write nothing.
		if r := e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/members", nil, bearer(secret)); r.status != http.StatusOK {
			t.Fatalf("read: %d", r.status)
		}
		clock.Add((app.TokenDeniedEvery + time.Second).Microseconds())
		e.do(t, api, http.MethodDelete, "/api/v1/orgs/acme/members/"+id(o.users[isms.RoleViewer].ID), nil, bearer(secret))
		if n := denied(); n != 2 {
			t.Fatalf("token.denied events after the window: %d, want 2", n)
		}
		// Setting notification preferences with a read token is a denial too.
		clock.Add((app.TokenDeniedEvery + time.Second).Microseconds())
		if r := e.do(t, api, http.MethodPut, "/api/v1/orgs/acme/notification-prefs", jsonBody(`{"email":true,"digest":false}`), bearer(secret)); r.status != http.StatusForbidden {
			t.Fatalf("read token sets preferences: %d %s", r.status, r.body)
		}
		if n := denied(); n != 3 {
			t.Fatalf("token.denied events after a preferences denial: %d, want 3", n)
		}
	})
}

// TestTokenAPI creates a token with an expiry through the API from a
// browser session: the answer carries the secret once and the expiry; the
// list shows expiry and last use; a token cannot create tokens.
func TestTokenAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC) }
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleProcessOwner].Email)
		r := e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/tokens", jsonBody(`{"name":"ci","scope":"write","expires":"90d"}`), nil)
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"secret":"pdca_`) || !strings.Contains(r.body, `"expires_at":"2027-03-04T10:00:00Z"`) {
			t.Fatalf("create-token: %d %s", r.status, r.body)
		}
		secret := strings.SplitN(strings.SplitN(r.body, `"secret":"`, 2)[1], `"`, 2)[0]
		if r := e.do(t, e.client(t, false), http.MethodGet, "/api/v1/orgs/acme/tokens", nil, bearer(secret)); r.status != http.StatusOK ||
			!strings.Contains(r.body, `"last_used_at":"2026-12-04T10:00:00Z"`) || !strings.Contains(r.body, `"expires_at":"2027-03-04T10:00:00Z"`) || strings.Contains(r.body, "pdca_") {
			t.Errorf("list-tokens: %d %s", r.status, r.body)
		}
		if r := e.do(t, e.client(t, false), http.MethodPost, "/api/v1/orgs/acme/tokens", jsonBody(`{"name":"x","scope":"read"}`), bearer(secret)); r.status != http.StatusForbidden {
			t.Errorf("a token creates a token: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/tokens", jsonBody(`{"name":"x","scope":"read","expires":"yesterday"}`), nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "expires") {
			t.Errorf("bad expiry: %d %s", r.status, r.body)
		}
	})
}

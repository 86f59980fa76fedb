package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// secretName is organisation B's name; no response to A may contain it.
const secretName = "Beta Secret Oy"

// TestTenantIsolation walks every organisation page (OrgRoutes) and every
// API operation (the OpenAPI document) as the admin of organisation A and
// aims each at organisation B's data: B's slug, or A's slug with ids of
// B's data. Every one must answer 404 and reveal nothing of B; afterwards B
// must be unchanged. A new route is covered without changing this test.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		orgA := mustOrg(t, a, "alpha", "Alpha Oy")
		orgB := mustOrg(t, a, "beta", secretName)
		adminA := orgA.users[isms.RoleAdmin]
		tokB, _ := mustToken(t, a, orgB, isms.RoleAdmin, isms.ScopeWrite)
		_, secretA := mustToken(t, a, orgA, isms.RoleAdmin, isms.ScopeWrite)
		victim := orgB.users[isms.RoleViewer]
		mustRecords(t, a, orgA)
		recB := mustRecords(t, a, orgB)
		// An upload of B's admin waits for confirmation.
		uploadB := e.uploadToken(t, e.signIn(t, orgB.users[isms.RoleAdmin].Email), orgB.Slug)

		// The value of each wildcard (see value): ids of B's data, and names
		// that exist in every organisation. A route with a new wildcard fails
		// in fill until it gets a value here.
		idsB := map[string]string{"user": id(victim.ID), "tokens.id": id(tokB.ID), "records.id": id(recB), "imports.token": uploadB}
		mustAggregates(t, a, orgA)
		merge(idsB, mustAggregates(t, a, orgB))
		for k := range sharedValues() {
			delete(idsB, k)
		}
		membersB, err := a.Members(ctx, app.System, orgB.Slug)
		if err != nil {
			t.Fatal(err)
		}
		tokensB, err := a.Tokens(ctx, app.System, orgB.Slug) // tokB and the aggregates'
		if err != nil {
			t.Fatal(err)
		}
		shared := map[string]string{"kind": recordKind, "key": metricKey, "period": metricPeriod}
		merge(shared, sharedValues())
		inB := map[string]string{"org": orgB.Slug}
		inA := map[string]string{"org": orgA.Slug}
		for _, m := range []map[string]string{idsB, shared} {
			for k, v := range m {
				inB[k], inA[k] = v, v
			}
		}
		// hasIDs reports whether a path names B's data besides B's slug.
		hasIDs := func(path string) bool {
			for _, w := range wildcards(path) {
				if key, _, _ := value(path, w, inA); idsB[key] != "" {
					return true
				}
			}
			return false
		}
		// What a request would do in B, had it got through.
		form := url.Values{"email": {adminA.Email}, "role": {string(isms.RoleAdmin)}, "name": {"intrusion"}, "scope": {"write"}}

		session := e.signIn(t, adminA.Email)
		// Every change is audited in its transaction, so an unchanged count
		// of B's events means nothing changed in B.
		eventsB := countEvents(t, a, orgB.Slug)
		check := func(t *testing.T, r result, want int) {
			t.Helper()
			if r.status != want {
				t.Errorf("status %d, want %d; body:\n%s", r.status, want, r.body)
			}
			if strings.Contains(r.body, secretName) || strings.Contains(r.body, "@beta.example") {
				t.Errorf("the response reveals B's data:\n%s", r.body)
			}
		}

		for _, rt := range e.srv.OrgRoutes() {
			t.Run("page "+rt.Pattern, func(t *testing.T) {
				method, path := fill(t, rt.Pattern, inB)
				body := formFor(rt.Pattern, form)
				check(t, e.do(t, session, method, path, body, nil), http.StatusNotFound)

				// Tokens do not open pages at all: GET sends to sign-in, others are 401.
				r := e.do(t, e.client(t, false), method, path, body, bearer(secretA))
				if readOnly(method) {
					check(t, r, http.StatusSeeOther)
					if !strings.HasPrefix(r.location(), "/signin") {
						t.Errorf("token on a page: Location %q, want /signin", r.location())
					}
				} else {
					check(t, r, http.StatusUnauthorized)
				}

				// A's own slug with B's ids: the ids must be looked up in A.
				if hasIDs(rt.Pattern) {
					method, path := fill(t, rt.Pattern, inA)
					check(t, e.do(t, session, method, path, body, nil), http.StatusNotFound)
				}
			})
		}

		callers := []struct {
			name   string
			client *http.Client
			header http.Header
		}{
			{"session", session, nil},
			{"token", e.client(t, false), bearer(secretA)},
		}
		for _, op := range apiOps(t, e.srv) {
			for _, c := range callers {
				t.Run("api "+op.Method+" "+op.Path+" "+c.name, func(t *testing.T) {
					path, body := apiRequest(t, op, inB)
					r := e.do(t, c.client, op.Method, path, body, c.header)
					if len(wildcards(op.Path)) == 0 {
						// Not about one organisation (e.g. the caller's list):
						// it answers, and only with A's data.
						check(t, r, http.StatusOK)
						if !strings.Contains(r.body, orgA.Slug) {
							t.Errorf("%s %s lacks A's own data:\n%s", op.Method, path, r.body)
						}
						return
					}
					check(t, r, http.StatusNotFound)
					if hasIDs(op.Path) {
						path, body := apiRequest(t, op, inA)
						check(t, e.do(t, c.client, op.Method, path, body, c.header), http.StatusNotFound)
					}
				})
			}
		}

		// B is as it was.
		if n := countEvents(t, a, orgB.Slug); n != eventsB {
			t.Errorf("B's audit trail grew from %d to %d events during the attack", eventsB, n)
		}
		toks, err := a.Tokens(ctx, app.System, orgB.Slug)
		if err != nil || len(toks) != len(tokensB) {
			t.Errorf("B's tokens changed: %+v, %v", toks, err)
		}
		for _, tok := range toks {
			if tok.RevokedAt != nil {
				t.Errorf("B's token %d was revoked", tok.ID)
			}
		}
		if counts, err := a.RecordCounts(ctx, app.System, orgB.Slug); err != nil || counts[recordKind] != 2 {
			t.Errorf("B's records changed: %v, %v", counts, err)
		}
		members, err := a.Members(ctx, app.System, orgB.Slug)
		if err != nil || len(members) != len(membersB) {
			t.Errorf("B's members changed: %+v, %v", members, err)
		}
		for _, m := range members {
			if m.UserID == victim.ID && m.Role != isms.RoleViewer {
				t.Errorf("B's viewer became %s", m.Role)
			}
		}
		if _, err := a.Authorize(ctx, app.Principal{UserID: adminA.ID, Label: adminA.Email}, orgB.Slug, isms.ActRead); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("A's admin got into B: %v", err)
		}
	})
}

// countEvents counts the organisation's audit events.
func countEvents(t *testing.T, a *app.App, slug string) int {
	t.Helper()
	n := 0
	if err := a.EachEvent(context.Background(), app.System, slug, func(isms.Event) error { n++; return nil }); err != nil {
		t.Fatalf("events of %s: %v", slug, err)
	}
	return n
}

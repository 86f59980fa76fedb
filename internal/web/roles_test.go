package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestRoleMatrix signs in one member per role and requests every
// organisation page (OrgRoutes): a member whose role may perform the
// route's action gets through (neither 403 nor 404 nor a server error),
// any other gets 403. The requests are harmless when they succeed, so the
// order does not matter.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		// Role changes aim at the viewer and keep its role; adding it again
		// conflicts.
		target := o.users[isms.RoleViewer]
		aggVals := mustAggregates(t, a, o)
		form := url.Values{"email": {target.Email}, "role": {string(isms.RoleViewer)}, "name": {"matrix"}, "scope": {"read"}}

		for _, role := range isms.Roles() {
			c := e.signIn(t, o.users[role].Email)
			// Everyone revokes a token of their own: revoking another's
			// needs manage_members besides manage_tokens.
			own, _ := mustToken(t, a, o, role, isms.ScopeRead)
			// Those who may import confirm an upload of their own.
			upload := "no-upload"
			if role.Can(isms.ActImport) {
				upload = e.uploadToken(t, c, o.Slug)
			}
			vals := map[string]string{"org": o.Slug, "user": id(target.ID), "tokens.id": id(own.ID), "records.id": id(rec),
				"imports.token": upload, "kind": recordKind, "key": metricKey, "period": metricPeriod}
			merge(vals, aggVals)
			for _, rt := range e.srv.OrgRoutes() {
				t.Run(string(role)+" "+rt.Pattern, func(t *testing.T) {
					method, path := fill(t, rt.Pattern, vals)
					r := e.do(t, c, method, path, formFor(rt.Pattern, form), nil)
					if role.Can(rt.Action) {
						if r.status == http.StatusForbidden || r.status == http.StatusNotFound || r.status >= 500 {
							t.Errorf("%s may %s: %s %s got %d:\n%s", role, rt.Action, method, path, r.status, r.body)
						}
					} else if r.status != http.StatusForbidden {
						t.Errorf("%s may not %s: %s %s got %d, want 403:\n%s", role, rt.Action, method, path, r.status, r.body)
					}
				})
			}
		}
		// The viewer is still a viewer and still a member.
		c := e.signIn(t, target.Email)
		if r := e.do(t, c, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "<strong>Viewer</strong>") {
			t.Errorf("viewer's home: %d\n%s", r.status, r.body)
		}
	})
}

// TestAPIAuth checks the API's answers to missing, bad and read-only
// credentials on every operation of the OpenAPI document, and that API
// tokens do not open pages.
func TestAPIAuth(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, read := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
		_, write := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		rec := mustRecords(t, a, o)
		vals := map[string]string{"org": o.Slug, "records.id": id(rec), "kind": recordKind, "key": metricKey, "period": metricPeriod}
		aggVals := mustAggregates(t, a, o)
		merge(vals, aggVals)
		anon := e.client(t, false)

		for _, op := range apiOps(t, e.srv) {
			t.Run(op.Method+" "+op.Path, func(t *testing.T) {
				path, body := apiRequest(t, op, vals)
				for name, h := range map[string]http.Header{
					"no credentials": nil,
					"unknown token":  bearer("pdca_not-a-token"),
					"not bearer":     {"Authorization": {"Basic " + write}},
				} {
					r := e.do(t, anon, op.Method, path, body, h)
					if r.status != http.StatusUnauthorized {
						t.Errorf("%s: status %d, want 401; body %s", name, r.status, r.body)
					}
					if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("%s: Content-Type %q, want application/problem+json", name, ct)
					}
				}
				// The admin's read-only token reads everything and writes nothing.
				r := e.do(t, anon, op.Method, path, body, bearer(read))
				if readOnly(op.Method) && r.status != http.StatusOK {
					t.Errorf("read token: status %d, want 200; body %s", r.status, r.body)
				}
				if !readOnly(op.Method) && r.status != http.StatusForbidden {
					t.Errorf("read token on a write operation: status %d, want 403; body %s", r.status, r.body)
				}
			})
		}

		// Pages need a signed-in person: a token, even a write token of an
		// admin, gets no page and changes nothing through one.
		own, _ := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		pvals := map[string]string{"org": o.Slug, "user": id(o.users[isms.RoleViewer].ID), "tokens.id": id(own.ID), "records.id": id(rec),
			"imports.token": "none", "kind": recordKind, "key": metricKey, "period": metricPeriod}
		merge(pvals, aggVals)
		form := url.Values{"email": {o.users[isms.RoleViewer].Email}, "role": {string(isms.RoleAdmin)}, "name": {"via token"}, "scope": {"write"}}
		for _, rt := range e.srv.OrgRoutes() {
			method, path := fill(t, rt.Pattern, pvals)
			r := e.do(t, anon, method, path, formFor(rt.Pattern, form), bearer(write))
			want := http.StatusUnauthorized
			if readOnly(method) {
				want = http.StatusSeeOther
			}
			if r.status != want {
				t.Errorf("token on page %s %s: status %d, want %d", method, path, r.status, want)
			}
		}
		toks, err := a.Tokens(t.Context(), app.System, o.Slug)
		if counts, err := a.RecordCounts(t.Context(), app.System, o.Slug); err != nil || counts[recordKind] != 2 {
			t.Errorf("records changed through a page by a token: %v, %v", counts, err)
		}
		if err != nil || len(toks) != 4 {
			t.Fatalf("tokens: %d, %v; want the 3 created here and the aggregates' one", len(toks), err)
		}
		for _, tok := range toks {
			if tok.RevokedAt != nil {
				t.Errorf("token %d was revoked through a page by a token", tok.ID)
			}
		}
		members, err := a.Members(t.Context(), app.System, o.Slug)
		for _, m := range members {
			if m.Role == isms.RoleAdmin && m.UserID != o.users[isms.RoleAdmin].ID {
				t.Errorf("%s became admin through a page by a token (%v)", m.Email, err)
			}
		}
	})
}

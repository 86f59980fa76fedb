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

func init() {
	registerAggregate(aggregate{
		name: "members",
		// A member the API role matrix may remove (members.user), so that
		// removing one of the role users does not disturb the other tests.
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			u := &isms.User{Email: "leaver@" + o.Slug + ".example", Name: "The leaver of " + o.Name}
			if err := a.CreateUser(context.Background(), app.System, u, password); err != nil {
				t.Fatal(err)
			}
			if _, err := a.AddMember(context.Background(), app.System, o.Slug, u.Email, isms.RoleViewer); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"members.user": id(u.ID), "people.user": id(u.ID)}
		},
		bodies: map[string]jsonBody{"create-token": `{"name":"matrix","scope":"read","expires":"30d"}`},
		pages: map[string]pageRequest{
			"member_remove": {path: "/o/acme/people/{people.user}/remove", want: []string{"Remove The leaver of Acme Oy from Acme Oy?", `name="confirm" value="yes"`, "API tokens for Acme Oy are revoked"}},
		},
	})
}

// TestMemberRemoval removes a member through the people page (after its
// confirmation step) while they are signed in and hold an API token: their
// open session gets 404 on the organisation's pages and API at once, their
// token is refused, the removal and the revocation are audited, and the
// last admin cannot be removed. Removing through the API answers 204.
func TestMemberRemoval(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", "Beta Oy")
		po := o.users[isms.RoleProcessOwner]
		if _, err := a.AddMember(ctx, app.System, "beta", po.Email, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
		tok, secret := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
		victim := e.signIn(t, po.Email)
		for _, path := range []string{"/o/acme/", "/api/v1/orgs/acme/members"} {
			if r := e.do(t, victim, http.MethodGet, path, nil, nil); r.status != http.StatusOK {
				t.Fatalf("before removal GET %s: %d", path, r.status)
			}
		}
		admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
		target := "/o/acme/people/" + id(po.ID) + "/remove"
		if r := e.do(t, admin, http.MethodGet, "/o/acme/people", nil, nil); !strings.Contains(r.body, `href="`+target+`"`) {
			t.Fatalf("people page lacks the remove link %s:\n%s", target, r.body)
		}
		// Without the confirmation's field nothing happens.
		if r := e.do(t, admin, http.MethodPost, target, url.Values{}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "confirm the removal") {
			t.Fatalf("remove without confirmation: %d %s", r.status, r.body)
		}
		if r := e.do(t, victim, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK {
			t.Fatalf("an unconfirmed removal removed: %d", r.status)
		}
		if r := e.do(t, admin, http.MethodPost, target, url.Values{"confirm": {"yes"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", r.status, r.body)
		}
		// The victim's open session: 404 at once on pages and the API of
		// acme, their other organisation still works.
		for _, path := range []string{"/o/acme/", "/o/acme/records", "/api/v1/orgs/acme", "/api/v1/orgs/acme/members"} {
			if r := e.do(t, victim, http.MethodGet, path, nil, nil); r.status != http.StatusNotFound {
				t.Errorf("removed member's session GET %s: %d, want 404", path, r.status)
			}
		}
		if r := e.do(t, victim, http.MethodGet, "/o/beta/", nil, nil); r.status != http.StatusOK {
			t.Errorf("removed member's other organisation: %d", r.status)
		}
		if r := e.do(t, e.client(t, false), http.MethodGet, "/api/v1/orgs/acme", nil, bearer(secret)); r.status != http.StatusUnauthorized {
			t.Errorf("removed member's token: %d, want 401", r.status)
		}
		toks, err := a.Tokens(ctx, app.System, "acme")
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			if tk.ID == tok.ID && tk.RevokedAt == nil {
				t.Errorf("token %d of the removed member is not revoked", tk.ID)
			}
		}
		events, err := a.Events(ctx, app.System, "acme", store.EventFilter{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		var removed, revoked bool
		for _, ev := range events {
			removed = removed || ev.Action == "member.remove" && strings.Contains(ev.Before, po.Email) && strings.Contains(ev.Before, "process_owner")
			revoked = revoked || ev.Action == "token.revoke" && ev.EntityID == id(tok.ID)
		}
		if !removed || !revoked {
			t.Errorf("events lack member.remove with before (%v) or token.revoke (%v): %+v", removed, revoked, events)
		}
		// Only one admin: removing them conflicts, on the page and in app.
		adminID := o.users[isms.RoleAdmin].ID
		r := e.do(t, admin, http.MethodPost, "/o/acme/people/"+id(adminID)+"/remove", url.Values{"confirm": {"yes"}}, nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "last admin") {
			t.Errorf("remove the last admin: %d %s", r.status, r.body)
		}
		if err := a.RemoveMember(ctx, app.System, "acme", adminID); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("app: remove the last admin: %v", err)
		}
		// Non-admins may not remove; the API removes with 204.
		_, viewerTok := mustToken(t, a, o, isms.RoleViewer, isms.ScopeWrite)
		aud := o.users[isms.RoleAuditor]
		if r := e.do(t, e.client(t, false), http.MethodDelete, "/api/v1/orgs/acme/members/"+id(aud.ID), nil, bearer(viewerTok)); r.status != http.StatusForbidden {
			t.Errorf("viewer removes through the API: %d", r.status)
		}
		_, adminTok := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		if r := e.do(t, e.client(t, false), http.MethodDelete, "/api/v1/orgs/acme/members/"+id(aud.ID), nil, bearer(adminTok)); r.status != http.StatusNoContent {
			t.Errorf("admin removes through the API: %d %s", r.status, r.body)
		}
		if r := e.do(t, e.client(t, false), http.MethodDelete, "/api/v1/orgs/acme/members/"+id(aud.ID), nil, bearer(adminTok)); r.status != http.StatusNotFound {
			t.Errorf("remove a non-member: %d %s", r.status, r.body)
		}
	})
}

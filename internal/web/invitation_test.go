package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestInvitations: the admin of acme adds a person of another tenant and an
// email without an account; both answers are the same ("an invitation was
// recorded") and neither becomes a member. The person sees the invitation
// on /orgs after signing in and accepts it (member with the invited role,
// audited in acme and in the person's chain); a second invitation is
// declined; a third one expires after 14 days. Before issue 13 the first
// request made the person a member at once and the second answered 404
// "no person with email".
func TestInvitations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var clock atomic.Int64
		clock.Store(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).UnixMicro())
		db.Now = func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", "Beta Oy")
		mustOrg(t, a, "gamma", "Gamma Oy")
		guest := "auditor@beta.example" // has an account, in another tenant
		admin := e.signIn(t, "admin@acme.example")
		// Issue 18: without email configured, the link is shown to pass on.
		flash := regexp.MustCompile(`Pass it on to [^ ]+ yourself:[^<]*`)
		var answers []string
		for _, email := range []string{guest, "nobody@nowhere.example"} {
			c := e.client(t, true)
			c.Jar = admin.Jar
			r := e.do(t, c, http.MethodPost, "/o/acme/people", url.Values{"email": {email}, "role": {"auditor"}}, nil)
			m := flash.FindString(r.body)
			if r.status != http.StatusOK || m == "" {
				t.Fatalf("invite %s: %d %s", email, r.status, r.body)
			}
			answers = append(answers, strings.Replace(m, email, "EMAIL", 1))
		}
		if r := e.do(t, admin, http.MethodGet, "/o/acme/people", nil, nil); !strings.Contains(r.body, "<td>nobody@nowhere.example</td><td>Auditor</td><td>admin@acme.example</td>") ||
			!strings.Contains(r.body, "<td>"+guest+"</td><td>Auditor</td>") {
			t.Errorf("people page lacks the pending invitations:\n%s", r.body)
		}
		if answers[0] != answers[1] {
			t.Errorf("the answers differ, revealing which email has an account:\n%q\n%q", answers[0], answers[1])
		}
		// Not a member yet: their session gets 404 in acme.
		gc := e.signIn(t, guest)
		if r := e.do(t, gc, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusNotFound {
			t.Fatalf("invited, not accepted: %d", r.status)
		}
		// Inviting a member again conflicts; a bad email is a 422.
		if r := e.do(t, admin, http.MethodPost, "/o/acme/people", url.Values{"email": {"viewer@acme.example"}, "role": {"auditor"}}, nil); r.status != http.StatusConflict {
			t.Errorf("invite a member: %d", r.status)
		}
		if r := e.do(t, admin, http.MethodPost, "/o/acme/people", url.Values{"email": {"not an email"}, "role": {"auditor"}}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("invite a bad email: %d", r.status)
		}
		if _, err := a.Invite(ctx, app.System, "gamma", guest, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
		r := e.do(t, gc, http.MethodGet, "/orgs", nil, nil)
		acceptRe := regexp.MustCompile(`/invitations/(\d+)/accept`)
		ids := acceptRe.FindAllStringSubmatch(r.body, -1)
		if r.status != http.StatusOK || len(ids) != 2 || !strings.Contains(r.body, "<strong>Acme Oy</strong> invites you as Auditor") {
			t.Fatalf("/orgs of the invited person: %d %s", r.status, r.body)
		}
		// Another person cannot answer it.
		other := e.signIn(t, "viewer@beta.example")
		if r := e.do(t, other, http.MethodPost, "/invitations/"+ids[0][1]+"/accept", url.Values{}, nil); r.status != http.StatusNotFound {
			t.Errorf("someone else accepts: %d", r.status)
		}
		if r := e.do(t, gc, http.MethodPost, "/invitations/"+ids[0][1]+"/accept", url.Values{}, nil); r.status != http.StatusSeeOther || r.location() != "/o/acme/" {
			t.Fatalf("accept: %d %s", r.status, r.location())
		}
		if r := e.do(t, gc, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "<strong>Auditor</strong>") {
			t.Fatalf("after accepting: %d", r.status)
		}
		if r := e.do(t, gc, http.MethodPost, "/invitations/"+ids[0][1]+"/accept", url.Values{}, nil); r.status != http.StatusNotFound {
			t.Errorf("accept twice: %d", r.status)
		}
		if r := e.do(t, gc, http.MethodPost, "/invitations/"+ids[1][1]+"/decline", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("decline: %d", r.status)
		}
		if r := e.do(t, gc, http.MethodGet, "/o/gamma/", nil, nil); r.status != http.StatusNotFound {
			t.Errorf("declined, yet a member: %d", r.status)
		}
		for org, want := range map[string][]string{"acme": {"member.invite", "invitation.accept"}, "gamma": {"member.invite", "invitation.decline"}} {
			evs, err := a.Events(ctx, app.System, org, store.EventFilter{Entity: "invitation", Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range evs {
				got = append(got, ev.Action)
			}
			for _, w := range want {
				if !strings.Contains(strings.Join(got, " "), w) {
					t.Errorf("%s events %v lack %s", org, got, w)
				}
			}
		}
		// An invitation expires after 14 days.
		inv, err := a.Invite(ctx, app.System, "gamma", guest, isms.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		clock.Add((isms.InvitationLifetime + time.Minute).Microseconds())
		if r := e.do(t, gc, http.MethodGet, "/orgs", nil, nil); strings.Contains(r.body, "Gamma Oy</strong> invites") {
			t.Errorf("an expired invitation is listed:\n%s", r.body)
		}
		if r := e.do(t, gc, http.MethodPost, "/invitations/"+id(inv.ID)+"/accept", url.Values{}, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "expired") {
			t.Errorf("accept an expired invitation: %d %s", r.status, r.body)
		}
		// The admin's AddMember no longer adds anyone directly.
		if _, err := a.AddMember(ctx, app.Principal{UserID: 1, Label: "admin@acme.example"}, "acme", "viewer@beta.example", isms.RoleViewer); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("AddMember by an admin: %v", err)
		}
	})
}

package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Issue 18: people in the UI.

func init() {
	// An invitation the page routes resend and revoke, and the link of
	// another one, for the role matrix, the tenant isolation test and the
	// page test.
	registerAggregate(aggregate{
		name: "people",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			ctx := context.Background()
			inv, err := a.Invite(ctx, app.System, o.Slug, "page-invited@"+o.Slug+".example", isms.RoleViewer)
			if err != nil {
				t.Fatal(err)
			}
			sent, err := a.InviteByLink(ctx, app.System, o.Slug, "linked@"+o.Slug+".example", isms.RoleAuditor, "http://pdca.test")
			if err != nil {
				t.Fatal(err)
			}
			// The admin is an operator of the instance: /orgs/new renders.
			if err := a.SetOperator(ctx, app.System, o.users[isms.RoleAdmin].Email, true); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"people.id": id(inv.ID), "invite-link": strings.TrimPrefix(sent.Link, "http://pdca.test")}
		},
		pages: map[string]pageRequest{
			"invitation_link":   {"{invite-link}", http.StatusOK, []string{"Join Acme Oy", "as Auditor"}},
			"invitation_revoke": {"/o/acme/people/invitations/{people.id}/revoke", http.StatusOK, []string{"Revoke the invitation of page-invited@acme.example?"}},
			"forgot":            {"/signin/forgot", http.StatusOK, []string{"Forgot your password?"}},
			"reset":             {"/signin/reset/not-a-token", http.StatusNotFound, []string{"This link has expired or was already used."}},
			"org_new":           {"/orgs/new", http.StatusOK, []string{"Create an organisation", `name="slug"`}},
			"org_settings":      {"/o/acme/settings", http.StatusOK, []string{"Organisation settings", `name="time_zone" value="Europe/Helsinki"`, `href="/o/acme/security"`}},
		},
		bodies: map[string]jsonBody{
			"update-org-settings": `{"name":"Acme Oy","time_zone":"Europe/Helsinki"}`,
		},
	})
}

// mailbox is an in-process SMTP server's backend that keeps what it gets.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct{ to, data string }

type mailSession struct {
	box *mailbox
	cur mailMsg
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }
func (s *mailSession) Reset()                                  { s.cur = mailMsg{} }
func (s *mailSession) Logout() error                           { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error    { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}

// startMail runs a real SMTP server on a free local port and makes the
// app send through it.
func startMail(t *testing.T, a *app.App) *mailbox {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	a.Mail = jobs.SMTP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: "none", From: "pdca@example.com"}
	return box
}

var linkRe = regexp.MustCompile(`https?://[^\s]+/(invitations|signin/reset)/([A-Za-z0-9_-]{43})`)

// waitLink waits for an email to the address and returns the path of the
// link in it.
func (b *mailbox) waitLink(t *testing.T, to string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		for i := len(b.msgs) - 1; i >= 0; i-- {
			m := b.msgs[i]
			if m.to == to {
				// Quoted-printable may break long lines.
				data := strings.ReplaceAll(m.data, "=\r\n", "")
				if l := linkRe.FindStringSubmatch(data); l != nil {
					b.msgs = append(b.msgs[:i], b.msgs[i+1:]...)
					b.mu.Unlock()
					return "/" + l[1] + "/" + l[2]
				}
			}
		}
		b.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no email with a link to %s", to)
	return ""
}

func (b *mailbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.msgs)
}

func auditActions(t *testing.T, a *app.App, slug string) string {
	t.Helper()
	evs, err := a.Events(context.Background(), app.System, slug, store.EventFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Action)
	}
	return " " + strings.Join(got, " ") + " "
}

// TestInvitationLinks: an emailed invitation link shows its organisation
// and role (never another's), creates the account of a person without
// one, signs them in as a member, and works once; resent and revoked
// links say why they no longer work; a person with an account signs in
// and accepts as themselves only; without email the link is shown to the
// admin. Everything is audited.
func TestInvitationLinks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", "Beta Oy")
		box := startMail(t, a)
		admin := e.signIn(t, "admin@acme.example")
		betaAdmin := e.signIn(t, "admin@beta.example")

		invite := func(c *http.Client, slug, email, role string) {
			t.Helper()
			r := e.do(t, c, http.MethodPost, "/o/"+slug+"/people", url.Values{"email": {email}, "role": {role}}, nil)
			if r.status != http.StatusSeeOther {
				t.Fatalf("invite %s to %s: %d %s", email, slug, r.status, r.body)
			}
		}
		invite(admin, "acme", "new@person.example", "process_owner")
		link := box.waitLink(t, "new@person.example")
		invite(betaAdmin, "beta", "other@person.example", "auditor")
		betaLink := box.waitLink(t, "other@person.example")

		// The link shows its own organisation only.
		anon := e.client(t, false)
		r := e.do(t, anon, http.MethodGet, link, nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "Join Acme Oy") || !strings.Contains(r.body, "as Process owner") ||
			!strings.Contains(r.body, "Create your account") || strings.Contains(r.body, "Beta Oy") {
			t.Fatalf("acme's link: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodGet, betaLink, nil, nil); !strings.Contains(r.body, "Join Beta Oy") || strings.Contains(r.body, "Acme Oy") {
			t.Errorf("beta's link shows: %s", r.body)
		}
		// Password rules and confirmation.
		if r := e.do(t, anon, http.MethodPost, link+"/join", url.Values{"name": {"New Person"}, "password": {"short"}, "confirm": {"short"}}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("short password: %d", r.status)
		}
		if r := e.do(t, anon, http.MethodPost, link+"/join", url.Values{"name": {"New Person"}, "password": {"a long enough phrase"}, "confirm": {"another phrase here"}}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("confirmation differs: %d", r.status)
		}
		newPW := "a long enough phrase"
		r = e.do(t, anon, http.MethodPost, link+"/join", url.Values{"name": {"New Person"}, "password": {newPW}, "confirm": {newPW}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/o/acme/" {
			t.Fatalf("join: %d %s %s", r.status, r.location(), r.body)
		}
		if r := e.do(t, anon, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Process owner") {
			t.Fatalf("after joining: %d", r.status)
		}
		if r := e.do(t, anon, http.MethodGet, "/o/beta/", nil, nil); r.status != http.StatusNotFound {
			t.Errorf("the new member in beta: %d", r.status)
		}
		// The link works once.
		if r := e.do(t, e.client(t, false), http.MethodGet, link, nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "already been used") {
			t.Errorf("a used link: %d %s", r.status, r.body)
		}
		if r := e.do(t, e.client(t, false), http.MethodPost, link+"/join", url.Values{"name": {"X"}, "password": {newPW}, "confirm": {newPW}}, nil); r.status != http.StatusNotFound {
			t.Errorf("join twice: %d", r.status)
		}
		// The new person signs in with their password.
		e.signIn2(t, "new@person.example", newPW)

		// Resend: the old link is void, the new one works; revoke: void.
		invite(admin, "acme", "late@person.example", "viewer")
		first := box.waitLink(t, "late@person.example")
		invs, err := a.OrgInvitations(ctx, app.System, "acme")
		if err != nil || len(invs) != 1 {
			t.Fatalf("invitations %v %v", invs, err)
		}
		if r := e.do(t, admin, http.MethodPost, "/o/acme/people/invitations/"+id(invs[0].ID)+"/resend", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("resend: %d %s", r.status, r.body)
		}
		second := box.waitLink(t, "late@person.example")
		if r := e.do(t, anon, http.MethodGet, first, nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "newer invitation replaced") {
			t.Errorf("the resent link: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodGet, second, nil, nil); r.status != http.StatusOK {
			t.Errorf("the new link: %d", r.status)
		}
		// Beta's admin can neither resend nor revoke acme's invitation.
		if r := e.do(t, betaAdmin, http.MethodPost, "/o/beta/people/invitations/"+id(invs[0].ID)+"/resend", url.Values{}, nil); r.status != http.StatusNotFound {
			t.Errorf("beta resends acme's invitation: %d", r.status)
		}
		if r := e.do(t, betaAdmin, http.MethodPost, "/o/beta/people/invitations/"+id(invs[0].ID)+"/revoke", url.Values{"confirm": {"yes"}}, nil); r.status != http.StatusNotFound {
			t.Errorf("beta revokes acme's invitation: %d", r.status)
		}
		if r := e.do(t, admin, http.MethodGet, "/o/acme/people/invitations/"+id(invs[0].ID)+"/revoke", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Revoke the invitation of late@person.example") {
			t.Errorf("revoke confirmation: %d", r.status)
		}
		if r := e.do(t, admin, http.MethodPost, "/o/acme/people/invitations/"+id(invs[0].ID)+"/revoke", url.Values{"confirm": {"yes"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodGet, second, nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "withdrawn") {
			t.Errorf("the revoked link: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodGet, "/invitations/not-a-token", nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "not valid") {
			t.Errorf("a made-up link: %d", r.status)
		}

		// A person with an account signs in and accepts, as themselves.
		invite(admin, "acme", "auditor@beta.example", "auditor")
		guestLink := box.waitLink(t, "auditor@beta.example")
		if r := e.do(t, e.client(t, false), http.MethodGet, guestLink, nil, nil); !strings.Contains(r.body, "Sign in to accept") || strings.Contains(r.body, "Create your account") {
			t.Errorf("link of a person with an account: %s", r.body)
		}
		someoneElse := e.signIn(t, "viewer@beta.example")
		if r := e.do(t, someoneElse, http.MethodGet, guestLink, nil, nil); !strings.Contains(r.body, "signed in with another email") {
			t.Errorf("another person sees: %s", r.body)
		}
		if r := e.do(t, someoneElse, http.MethodPost, guestLink, url.Values{"answer": {"accept"}}, nil); r.status != http.StatusForbidden {
			t.Errorf("another person accepts: %d", r.status)
		}
		guest := e.signIn(t, "auditor@beta.example")
		if r := e.do(t, guest, http.MethodPost, guestLink, url.Values{"answer": {"accept"}}, nil); r.status != http.StatusSeeOther || r.location() != "/o/acme/" {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		if r := e.do(t, guest, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusOK {
			t.Errorf("after accepting: %d", r.status)
		}

		// Without email, the admin gets the link to pass on.
		a.Mail = nil
		r = e.do(t, admin, http.MethodPost, "/o/acme/people", url.Values{"email": {"nomail@person.example"}, "role": {"viewer"}}, nil)
		m := regexp.MustCompile(`<code class="wrap" id="invite-link">(https?://[^<]+/invitations/[A-Za-z0-9_-]{43})</code>`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, "email is not configured") {
			t.Fatalf("invite without email: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodGet, m[1], nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Join Acme Oy") {
			t.Errorf("the shown link: %d", r.status)
		}

		acts := auditActions(t, a, "acme")
		for _, w := range []string{"member.invite", "invitation.accept", "member.invitation_resend", "member.invitation_revoke"} {
			if !strings.Contains(acts, " "+w+" ") {
				t.Errorf("acme's audit trail lacks %s: %s", w, acts)
			}
		}
		if acts := auditActions(t, a, "beta"); strings.Contains(acts, "invitation.accept") {
			t.Errorf("beta's trail has acme's events: %s", acts)
		}
		// The last admin cannot be demoted.
		if err := a.SetRole(ctx, app.System, "acme", 1, isms.RoleViewer); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("demote the last admin: %v", err)
		}
	})
}

// signIn2 signs in with a password and returns the client.
func (e *env) signIn2(t *testing.T, email, pw string) *http.Client {
	t.Helper()
	c := e.client(t, false)
	r := e.do(t, c, http.MethodPost, "/signin", url.Values{"email": {email}, "password": {pw}}, nil)
	if r.status != http.StatusSeeOther || r.cookie("pdca_session") == nil {
		t.Fatalf("sign in as %s: status %d, body %s", email, r.status, r.body)
	}
	return c
}

// TestPasswordReset: "Forgot your password?" answers the same for any
// email, emails a link only to an account, which sets a new password once
// and ends every session; requests are throttled; without email the page
// sends people to the operator.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		anon := e.client(t, false)
		if r := e.do(t, anon, http.MethodGet, "/signin/forgot", nil, nil); !strings.Contains(r.body, "pdca user password") {
			t.Errorf("forgot without email: %s", r.body)
		}
		box := startMail(t, a)
		a.PublicURL = e.ts.URL
		if r := e.do(t, anon, http.MethodGet, "/signin", nil, nil); !strings.Contains(r.body, `href="/signin/forgot"`) {
			t.Error("the sign-in page lacks the link")
		}
		old := e.signIn(t, "viewer@acme.example")
		known := e.do(t, anon, http.MethodPost, "/signin/forgot", url.Values{"email": {"viewer@acme.example"}}, nil)
		unknown := e.do(t, anon, http.MethodPost, "/signin/forgot", url.Values{"email": {"nobody@acme.example"}}, nil)
		if known.status != http.StatusOK || known.body != unknown.body || !strings.Contains(known.body, "If that email has a pdca account") {
			t.Errorf("the answers differ or fail: %d %d", known.status, unknown.status)
		}
		link := box.waitLink(t, "viewer@acme.example")
		time.Sleep(100 * time.Millisecond)
		if n := box.count(); n != 0 {
			t.Errorf("%d more emails: to an email without an account?", n)
		}
		if r := e.do(t, anon, http.MethodGet, link, nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "New password again") {
			t.Fatalf("reset form: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodPost, link, url.Values{"password": {"short"}, "confirm": {"short"}}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a short password: %d", r.status)
		}
		pw := "a brand new passphrase"
		if r := e.do(t, anon, http.MethodPost, link, url.Values{"password": {pw}, "confirm": {pw}}, nil); r.status != http.StatusSeeOther || r.location() != "/signin" {
			t.Fatalf("reset: %d %s", r.status, r.body)
		}
		// The session begun before is over; the new password works; the link is spent.
		if r := e.do(t, old, http.MethodGet, "/o/acme/", nil, nil); r.status != http.StatusSeeOther {
			t.Errorf("the old session after the reset: %d", r.status)
		}
		e.signIn2(t, "viewer@acme.example", pw)
		if r := e.do(t, anon, http.MethodGet, link, nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "expired or was already used") {
			t.Errorf("the used link: %d", r.status)
		}
		if r := e.do(t, anon, http.MethodPost, link, url.Values{"password": {pw + "x"}, "confirm": {pw + "x"}}, nil); r.status != http.StatusNotFound {
			t.Errorf("reset twice: %d", r.status)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'user.password_reset_request'`, isms.SystemOrgID).Scan(&n); err != nil || n != 1 {
			t.Errorf("user.password_reset_request events: %d %v", n, err)
		}
		// Throttled per email and address: the sixth request in a row waits.
		var last result
		for range 6 {
			last = e.do(t, anon, http.MethodPost, "/signin/forgot", url.Values{"email": {"someone@else.example"}}, nil)
		}
		if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
			t.Errorf("the sixth request: %d", last.status)
		}
	})
}

// TestOrgSettings: an admin renames the organisation and sets its time
// zone on the settings page (an unknown zone is refused beside the form),
// audited as org.settings; the date order form there comes back to it;
// others may not.
func TestOrgSettings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		admin := e.signIn(t, "admin@acme.example")
		if r := e.do(t, admin, http.MethodPost, "/o/acme/settings", url.Values{"name": {"Acme Group"}, "time_zone": {"Mars/Olympus"}}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not an IANA zone name") {
			t.Errorf("an unknown zone: %d", r.status)
		}
		if r := e.do(t, admin, http.MethodPost, "/o/acme/settings", url.Values{"name": {"Acme Group"}, "time_zone": {"America/New_York"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		r := e.do(t, admin, http.MethodGet, "/o/acme/settings", nil, nil)
		if !strings.Contains(r.body, `value="Acme Group"`) || !strings.Contains(r.body, `value="America/New_York"`) {
			t.Errorf("after saving:\n%s", r.body)
		}
		if r := e.do(t, admin, http.MethodPost, "/o/acme/settings/date-order", url.Values{"date_order": {"dmy"}, "back": {"settings"}}, nil); r.status != http.StatusSeeOther || r.location() != "/o/acme/settings" {
			t.Errorf("date order from the settings page: %d %s", r.status, r.location())
		}
		evs, err := a.Events(context.Background(), app.System, "acme", store.EventFilter{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range evs {
			found = found || ev.Action == "org.settings" && strings.Contains(ev.Before, "Acme Oy") && strings.Contains(ev.After, "America/New_York")
		}
		if !found {
			t.Errorf("no org.settings event with before and after: %+v", evs)
		}
		viewer := e.signIn(t, "viewer@acme.example")
		if r := e.do(t, viewer, http.MethodPost, "/o/acme/settings", url.Values{"name": {"Hijacked"}, "time_zone": {"UTC"}}, nil); r.status != http.StatusForbidden {
			t.Errorf("a viewer saves settings: %d", r.status)
		}
	})
}

// TestOrgCreate: who may create organisations in the UI follows serve
// --allow-org-create: operators (named with pdca user operator, audited),
// anyone signed in, or no one. The creator becomes the admin; both are
// audited in the new organisation's chain.
func TestOrgCreate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", "Beta Oy")
		c := e.signIn(t, "viewer@acme.example")
		form := url.Values{"name": {"Gamma Oy"}, "slug": {"gamma"}, "time_zone": {"Europe/Helsinki"}}
		// Operators only (the default), and the viewer is none.
		if r := e.do(t, c, http.MethodGet, "/orgs", nil, nil); strings.Contains(r.body, `href="/orgs/new"`) {
			t.Error("/orgs offers a non-operator to create an organisation")
		}
		if r := e.do(t, c, http.MethodGet, "/orgs/new", nil, nil); r.status != http.StatusForbidden {
			t.Errorf("GET /orgs/new as a non-operator: %d", r.status)
		}
		if r := e.do(t, c, http.MethodPost, "/orgs/new", form, nil); r.status != http.StatusForbidden {
			t.Errorf("POST /orgs/new as a non-operator: %d", r.status)
		}
		if err := a.SetOperator(ctx, app.Principal{UserID: 1, Label: "admin@acme.example"}, "viewer@acme.example", true); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("an admin names an operator: %v", err)
		}
		if err := a.SetOperator(ctx, app.System, "viewer@acme.example", true); err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, c, http.MethodGet, "/orgs", nil, nil); !strings.Contains(r.body, `href="/orgs/new"`) {
			t.Error("/orgs does not offer an operator to create an organisation")
		}
		if r := e.do(t, c, http.MethodPost, "/orgs/new", url.Values{"name": {"Beta again"}, "slug": {"beta"}, "time_zone": {"UTC"}}, nil); r.status != http.StatusConflict {
			t.Errorf("a taken slug: %d", r.status)
		}
		if r := e.do(t, c, http.MethodPost, "/orgs/new", url.Values{"name": {"Bad"}, "slug": {"Not A Slug"}, "time_zone": {"UTC"}}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a bad slug: %d", r.status)
		}
		r := e.do(t, c, http.MethodPost, "/orgs/new", form, nil)
		if r.status != http.StatusSeeOther || r.location() != "/o/gamma/" {
			t.Fatalf("create: %d %s %s", r.status, r.location(), r.body)
		}
		if r := e.do(t, c, http.MethodGet, "/o/gamma/people", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Invite a member") {
			t.Errorf("the creator is not gamma's admin: %d", r.status)
		}
		acts := auditActions(t, a, "gamma")
		if !strings.Contains(acts, " org.create ") || !strings.Contains(acts, " member.add ") {
			t.Errorf("gamma's trail: %s", acts)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'user.operator'`, isms.SystemOrgID).Scan(&n); err != nil || n != 1 {
			t.Errorf("user.operator events: %d %v", n, err)
		}
		// No one: not even an operator.
		a.OrgCreation = app.OrgCreateNo
		if r := e.do(t, c, http.MethodPost, "/orgs/new", url.Values{"name": {"Delta"}, "slug": {"delta"}, "time_zone": {"UTC"}}, nil); r.status != http.StatusForbidden {
			t.Errorf("--allow-org-create=no: %d", r.status)
		}
		// Anyone signed in.
		a.OrgCreation = app.OrgCreateAnyone
		other := e.signIn(t, "auditor@beta.example")
		if r := e.do(t, other, http.MethodPost, "/orgs/new", url.Values{"name": {"Delta"}, "slug": {"delta"}, "time_zone": {"UTC"}}, nil); r.status != http.StatusSeeOther {
			t.Errorf("--allow-org-create=anyone: %d %s", r.status, r.body)
		}
		// A signed-out visitor is sent to sign in.
		if r := e.do(t, e.client(t, false), http.MethodPost, "/orgs/new", form, nil); r.status != http.StatusUnauthorized {
			t.Errorf("signed out: %d", r.status)
		}
	})
}

// TestLinksExpire: an invitation link answers 410 "expired" after 14
// days, and a password reset link is void after an hour; housekeeping
// then forgets both (a pruned invitation's link says "not valid").
func TestLinksExpire(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var clock atomic.Int64
		clock.Store(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).UnixMicro())
		db.Now = func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		box := startMail(t, a)
		a.PublicURL = e.ts.URL
		sent, err := a.InviteByLink(ctx, app.System, "acme", "late@person.example", isms.RoleViewer, e.ts.URL)
		if err != nil || !sent.Emailed {
			t.Fatalf("invite: %+v %v", sent, err)
		}
		link := box.waitLink(t, "late@person.example")
		if e.ts.URL+link != sent.Link {
			t.Errorf("the emailed link %q is not the invitation's %q", link, sent.Link)
		}
		anon := e.client(t, false)
		if r := e.do(t, anon, http.MethodPost, "/signin/forgot", url.Values{"email": {"viewer@acme.example"}}, nil); r.status != http.StatusOK {
			t.Fatalf("forgot: %d", r.status)
		}
		reset := box.waitLink(t, "viewer@acme.example")
		clock.Add((time.Hour + time.Second).Microseconds())
		if r := e.do(t, anon, http.MethodGet, reset, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("a reset link after an hour: %d", r.status)
		}
		pw := "a brand new passphrase"
		if r := e.do(t, anon, http.MethodPost, reset, url.Values{"password": {pw}, "confirm": {pw}}, nil); r.status != http.StatusNotFound {
			t.Errorf("reset after an hour: %d", r.status)
		}
		clock.Add(isms.InvitationLifetime.Microseconds())
		if r := e.do(t, anon, http.MethodGet, link, nil, nil); r.status != http.StatusGone || !strings.Contains(r.body, "has expired") {
			t.Errorf("an expired invitation link: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodPost, link+"/join", url.Values{"name": {"Late"}, "password": {pw}, "confirm": {pw}}, nil); r.status != http.StatusNotFound {
			t.Errorf("join through an expired link: %d", r.status)
		}
		// Housekeeping deletes the invitation a day after it expired; its
		// link still says why for 14 days, then is forgotten.
		clock.Add(25 * time.Hour.Microseconds())
		if _, err := a.Housekeeping(ctx); err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, anon, http.MethodGet, link, nil, nil); r.status != http.StatusGone || !strings.Contains(r.body, "has expired") {
			t.Errorf("a pruned invitation's link: %d", r.status)
		}
		clock.Add((isms.InvitationLifetime + time.Hour).Microseconds())
		if _, err := a.Housekeeping(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT (SELECT COUNT(*) FROM password_resets) + (SELECT COUNT(*) FROM spent_links) + (SELECT COUNT(*) FROM invitations WHERE token_hash IS NOT NULL)`).Scan(&n); err != nil || n != 0 {
			t.Errorf("after housekeeping %d links remain (%v)", n, err)
		}
		if r := e.do(t, anon, http.MethodGet, link, nil, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "not valid") {
			t.Errorf("a forgotten link: %d", r.status)
		}
	})
}

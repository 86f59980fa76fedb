package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// totpUser is a member of an organisation with a second factor on.
type totpUser struct {
	email, secret string
	recovery      []string
	id            int64
}

// mustTOTPUser creates a person, a viewer of the organisation unless slug
// is empty, with the
// password of the fixtures and turns TOTP on for them.
func mustTOTPUser(t *testing.T, a *app.App, slug, email string) *totpUser {
	t.Helper()
	ctx := context.Background()
	u := &isms.User{Email: email, Name: "Second " + email}
	if err := a.CreateUser(ctx, app.System, u, password); err != nil {
		t.Fatal(err)
	}
	if slug != "" {
		if _, err := a.AddMember(ctx, app.System, slug, email, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
	p := app.Principal{UserID: u.ID, Label: u.Email}
	enrol, err := a.NewTOTP(p)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := a.EnableTOTP(ctx, p, enrol.Secret, code(t, enrol.Secret, a.DB.Now().Add(-30*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	return &totpUser{email: email, secret: enrol.Secret, recovery: codes, id: u.ID}
}

// code is the TOTP code of the secret at a time.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pendingCode returns a client whose password was right and whose
// sign-in waits for the second factor.
func (e *env) pendingCode(t *testing.T, u *totpUser) *http.Client {
	t.Helper()
	c := e.client(t, false)
	r := e.do(t, c, http.MethodPost, "/signin", url.Values{"email": {u.email}, "password": {password}, "next": {"/o/acme/people"}}, nil)
	if r.status != http.StatusSeeOther || r.location() != "/signin/code" {
		t.Fatalf("password step: %d to %q, want 303 to /signin/code", r.status, r.location())
	}
	return c
}

// TestTwoStepSignIn signs in with a password and then a code: between
// the two the session is not signed in; a code signs in, a wrong one and
// a replayed one do not, and a recovery code works once.
func TestTwoStepSignIn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		mustOrg(t, a, "acme", "Acme Oy")
		u := mustTOTPUser(t, a, "acme", "two@acme.example")

		c := e.pendingCode(t, u)
		if r := e.do(t, c, http.MethodGet, "/o/acme/people", nil, nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/signin?") {
			t.Fatalf("pending: GET /o/acme/people = %d to %q, want the sign-in page", r.status, r.location())
		}
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme", nil, nil); r.status != http.StatusUnauthorized && r.status != http.StatusNotFound {
			t.Errorf("pending: API = %d, want refused", r.status)
		}
		r := e.do(t, c, http.MethodPost, "/signin/code", url.Values{"code": {"000000"}}, nil)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "the code is wrong or was used already") {
			t.Errorf("wrong code: %d\n%s", r.status, r.body)
		}
		good := code(t, u.secret, time.Now())
		r = e.do(t, c, http.MethodPost, "/signin/code", url.Values{"code": {good}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/o/acme/people" || r.cookie("pdca_session") == nil {
			t.Fatalf("right code: %d to %q", r.status, r.location())
		}
		if r := e.do(t, c, http.MethodGet, "/o/acme/people", nil, nil); r.status != http.StatusOK {
			t.Errorf("signed in: %d", r.status)
		}
		// The same code cannot sign in a second session.
		c2 := e.pendingCode(t, u)
		if r := e.do(t, c2, http.MethodPost, "/signin/code", url.Values{"code": {good}}, nil); r.status != http.StatusUnauthorized {
			t.Errorf("replayed code: %d", r.status)
		}
		// A recovery code does, once.
		if r := e.do(t, c2, http.MethodPost, "/signin/code", url.Values{"code": {u.recovery[0]}}, nil); r.status != http.StatusSeeOther {
			t.Errorf("recovery code: %d %s", r.status, r.body)
		}
		c3 := e.pendingCode(t, u)
		if r := e.do(t, c3, http.MethodPost, "/signin/code", url.Values{"code": {u.recovery[0]}}, nil); r.status != http.StatusUnauthorized {
			t.Errorf("recovery code used twice: %d", r.status)
		}
		// Without a password step there is nothing to complete.
		if r := e.do(t, e.client(t, false), http.MethodPost, "/signin/code", url.Values{"code": {u.recovery[1]}}, nil); r.status != http.StatusUnauthorized {
			t.Errorf("code without a password: %d", r.status)
		}
	})
}

// TestEnrolOnAccountPage enrols through the pages: the secret is shown as
// text and URI, a code confirms it, recovery codes are shown once.
func TestEnrolOnAccountPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleViewer].Email)
		r := e.do(t, c, http.MethodGet, "/account/mfa", nil, nil)
		secret := between(r.body, `<code id="totp-secret">`, "</code>")
		if r.status != http.StatusOK || secret == "" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("enrol page: %d, secret %q, Cache-Control %q", r.status, secret, r.header.Get("Cache-Control"))
		}
		if r := e.do(t, c, http.MethodPost, "/account/mfa", url.Values{"secret": {secret}, "code": {"123456"}}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, secret) {
			t.Errorf("wrong code: %d, want 422 showing the same secret", r.status)
		}
		// A secret of the client's choosing is not taken: the one set up is
		// the one the server made and kept in the session.
		chosen := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		if r := e.do(t, c, http.MethodPost, "/account/mfa", url.Values{"secret": {chosen}, "code": {code(t, chosen, time.Now())}}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a secret chosen by the client: %d, want 422", r.status)
		}
		r = e.do(t, c, http.MethodPost, "/account/mfa", url.Values{"code": {code(t, secret, time.Now())}, "next": {"/o/acme/"}}, nil)
		if r.status != http.StatusOK || strings.Count(r.body, "<li><code>") != app.RecoveryCodes || !strings.Contains(r.body, `href="/o/acme/"`) {
			t.Fatalf("confirm: %d\n%s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, "/account", nil, nil); !strings.Contains(r.body, "Recovery codes left: 10") {
			t.Errorf("account page after enrolment:\n%s", r.body)
		}
		// Signing in now takes a code.
		if r := e.do(t, e.client(t, false), http.MethodPost, "/signin", url.Values{"email": {o.users[isms.RoleViewer].Email}, "password": {password}}, nil); r.location() != "/signin/code" {
			t.Errorf("sign-in after enrolment: %d to %q", r.status, r.location())
		}
	})
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

// TestOrgRequiresSecondFactor: members who signed in with a password and
// have no second factor are sent to enrol before any page of the
// organisation; API tokens are unaffected; other organisations too.
func TestOrgRequiresSecondFactor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", "Beta Oy")
		viewer := o.users[isms.RoleViewer]
		if _, err := a.AddMember(ctx, app.System, "beta", viewer.Email, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
		_, token := mustToken(t, a, o, isms.RoleViewer, isms.ScopeRead)
		admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
		c := e.signIn(t, viewer.Email)

		// Only admins may turn it on.
		if r := e.do(t, c, http.MethodPost, "/o/acme/security/mfa", url.Values{"require_mfa": {"on"}}, nil); r.status != http.StatusForbidden {
			t.Errorf("viewer sets the requirement: %d", r.status)
		}
		if r := e.do(t, admin, http.MethodPost, "/o/acme/security/mfa", url.Values{"require_mfa": {"on"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("admin sets the requirement: %d %s", r.status, r.body)
		}
		r := e.do(t, c, http.MethodGet, "/o/acme/people", nil, nil)
		if r.status != http.StatusSeeOther || r.location() != "/account/mfa?next=%2Fo%2Facme%2Fpeople" {
			t.Errorf("GET without a second factor: %d to %q", r.status, r.location())
		}
		if r := e.do(t, c, http.MethodPost, "/o/acme/tokens", url.Values{"name": {"x"}, "scope": {"read"}}, nil); r.status != http.StatusForbidden {
			t.Errorf("POST without a second factor: %d", r.status)
		}
		if r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme", nil, nil); r.status != http.StatusForbidden {
			t.Errorf("API with the session: %d", r.status)
		}
		if r := e.do(t, e.client(t, false), http.MethodGet, "/api/v1/orgs/acme", nil, bearer(token)); r.status != http.StatusOK {
			t.Errorf("API token: %d, want 200 (unaffected)", r.status)
		}
		if r := e.do(t, c, http.MethodGet, "/o/beta/", nil, nil); r.status != http.StatusOK {
			t.Errorf("another organisation: %d", r.status)
		}
		// Enrolling lets them in.
		r = e.do(t, c, http.MethodGet, "/account/mfa?next=%2Fo%2Facme%2Fpeople", nil, nil)
		if !strings.Contains(r.body, "requires a second factor") {
			t.Errorf("enrol page does not say why:\n%s", r.body)
		}
		secret := between(r.body, `<code id="totp-secret">`, "</code>")
		if r := e.do(t, c, http.MethodPost, "/account/mfa", url.Values{"secret": {secret}, "code": {code(t, secret, time.Now())}}, nil); r.status != http.StatusOK {
			t.Fatalf("enrol: %d", r.status)
		}
		if r := e.do(t, c, http.MethodGet, "/o/acme/people", nil, nil); r.status != http.StatusOK {
			t.Errorf("after enrolling: %d", r.status)
		}
		// The admin, too, enrols before seeing the organisation again.
		if r := e.do(t, admin, http.MethodGet, "/o/acme/audit", nil, nil); r.status != http.StatusSeeOther {
			t.Errorf("admin without a second factor: %d", r.status)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'org.require_mfa'`, o.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d org.require_mfa events in the organisation's chain, %v", n, err)
		}
	})
}

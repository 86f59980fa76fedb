package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
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

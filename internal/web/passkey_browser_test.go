package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// virtualAuthenticator gives the tab a platform authenticator with user
// verification (Chromium's DevTools WebAuthn domain), as a laptop with a
// fingerprint reader would have.
func virtualAuthenticator(t *testing.T, tab context.Context) {
	t.Helper()
	no := false
	if _, err := chromedp.Call(tab, cdpwebauthn.Enable, cdpwebauthn.EnableParams{EnableUI: &no}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	if _, err := chromedp.Call(tab, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
		Options: &cdpwebauthn.VirtualAuthenticatorOptions{
			Protocol: cdpwebauthn.AuthenticatorProtocolCtap2, Transport: cdpwebauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		}}); err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
}

// waitPath waits until the tab shows path (location.pathname), failing
// with the page's errors if it shows the error of a passkey instead.
func waitPath(t *testing.T, tab context.Context, path string) {
	t.Helper()
	var last, msg string
	for range 200 {
		var err error
		last, err = chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
		if err == nil && last == path {
			return
		}
		msg, _ = chromedp.Run(tab, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('.error')).filter(e => !e.hidden).map(e => e.innerText).join(' | ')`))
		if msg != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the tab is at %q, want %q; errors on the page: %q", last, path, msg)
}

// TestBrowserPasskey registers a passkey on the account page with
// Chromium's virtual authenticator, signs out, signs in with the password
// and the passkey, into an organisation that requires a second factor
// (the passkey is the member's only one), then removes the passkey;
// registration, sign-in and removal are audited without credential
// material.
func TestBrowserPasskey(t *testing.T) {
	tab := newTab(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	mustOrg(t, a, "acme", "Acme Oy")
	u := &isms.User{Email: "passkey@acme.example", Name: "Pia Passkey"}
	if err := a.CreateUser(ctx, app.System, u, password); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddMember(ctx, app.System, "acme", u.Email, isms.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := a.SetRequireMFA(ctx, app.System, "acme", true); err != nil {
		t.Fatal(err)
	}
	e := startServer(t, a, nil)
	// Browsers take no IP address as a relying party id: use localhost.
	base := strings.Replace(e.ts.URL, "127.0.0.1", "localhost", 1)
	violations := watchCSP(t, tab)
	virtualAuthenticator(t, tab)

	signIn := func() {
		t.Helper()
		if err := chromedp.Do(tab,
			chromedp.Navigate(base+"/signin?next=/o/acme/"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), u.Email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)),
		); err != nil {
			t.Fatalf("sign in with the password: %v", err)
		}
	}

	// Without a second factor the organisation sends the member to set
	// one up.
	signIn()
	waitPath(t, tab, "/account/mfa")

	// Register a passkey on the account page.
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.ID("pk-name")),
		chromedp.SendKeys(chromedp.ID("pk-name"), "Test laptop"),
		chromedp.WaitEnabled(chromedp.CSS(`#passkey-add button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`#passkey-add button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("passkeys")),
	); err != nil {
		t.Fatalf("register a passkey: %v", err)
	}
	list, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('passkeys').innerText`))
	if err != nil || !strings.Contains(list, "Test laptop") || !strings.Contains(list, "last used never") {
		t.Errorf("passkey list %q (%v), want Test laptop, never used", list, err)
	}
	var credID, pub string
	if err := db.Reader().QueryRow(`SELECT credential_id, public_key FROM user_passkeys WHERE user_id = $1`, u.ID).Scan(&credID, &pub); err != nil {
		t.Fatalf("the passkey is not stored: %v", err)
	}

	// Sign out, then in: the password, then the passkey.
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.ID("email")),
	); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	signIn()
	waitPath(t, tab, "/signin/code")
	codeInputs, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#code').length`))
	if err != nil || codeInputs != 0 {
		t.Errorf("a passkey-only person is asked for a code (%d inputs, %v)", codeInputs, err)
	}
	if err := chromedp.Do(tab,
		chromedp.WaitEnabled(chromedp.CSS(`#passkey-signin button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`#passkey-signin button[type="submit"]`)),
	); err != nil {
		t.Fatalf("use the passkey: %v", err)
	}
	// The organisation that requires a second factor lets the member in.
	waitPath(t, tab, "/o/acme/")
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if h1, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('h1').innerText`)); err != nil || h1 != "Acme Oy" {
		t.Errorf("h1 = %q (%v), want the organisation's home page", h1, err)
	}
	var used any // integer microseconds on SQLite, a time on PostgreSQL
	if err := db.Reader().QueryRow(`SELECT last_used_at FROM user_passkeys WHERE user_id = $1`, u.ID).Scan(&used); err != nil || used == nil {
		t.Errorf("last_used_at %v (%v), want set", used, err)
	}

	// Remove it, with the password.
	var keyID int64
	if err := db.Reader().QueryRow(`SELECT id FROM user_passkeys WHERE user_id = $1`, u.ID).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	pw := chromedp.ID("pk-password-" + id(keyID))
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(pw),
		chromedp.SendKeys(pw, password),
		chromedp.Click(chromedp.CSS(`#passkeys button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.ID("passkeys")),
	); err != nil {
		t.Fatalf("remove the passkey: %v", err)
	}
	var left int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM user_passkeys WHERE user_id = $1`, u.ID).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d passkeys left (%v), want 0", left, err)
	}
	if v := violations(); len(v) != 0 {
		t.Errorf("CSP violations or script errors: %q", v)
	}

	// The audit trail.
	rows, err := db.Reader().Query(`SELECT action, before_json, after_json FROM audit_events WHERE org_id = $1 ORDER BY seq`, isms.SystemOrgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var events []string
	for rows.Next() {
		var action, before, after string
		if err := rows.Scan(&action, &before, &after); err != nil {
			t.Fatal(err)
		}
		events = append(events, action+" "+before+" "+after)
	}
	joined := strings.Join(events, "\n")
	for _, want := range []string{
		`user.mfa_enable  {"method":"passkey","name":"Test laptop","passkey":` + id(keyID) + `}`,
		`"method":"password+passkey"`,
		`user.mfa_disable {"method":"passkey","name":"Test laptop","passkey":` + id(keyID) + `} `,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit trail lacks %s:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, credID) || strings.Contains(joined, pub) {
		t.Errorf("credential material in the audit trail:\n%s", joined)
	}
}

package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestBrowserInvitationJoin (issue 18): an admin invites a new email from
// the people page; the test reads the link from the email the in-process
// SMTP server received, opens it in a browser without a session, sets a
// name and password, lands in the organisation as a viewer, signs out and
// signs in again with the new password.
func TestBrowserInvitationJoin(t *testing.T) {
	adminTab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	box := startMail(t, a)
	e := startServer(t, a, nil)
	violations := watchCSP(t, adminTab)

	if err := chromedp.Do(adminTab,
		chromedp.Navigate(e.ts.URL+"/signin?next=/o/acme/people"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), o.users[isms.RoleAdmin].Email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	); err != nil {
		t.Fatalf("the sign-in page: %v", err)
	}
	// Signing in navigates: wait for the people page's response before
	// looking for its form, or a query may run against the sign-in
	// page's document as it goes away ("Could not find node with given
	// id", seen once in CI).
	if _, err := chromedp.RunResponse(adminTab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if err := chromedp.Do(adminTab,
		chromedp.WaitVisible(chromedp.ID("m-email")),
		chromedp.SendKeys(chromedp.ID("m-email"), "newcomer@acme.example"),
		chromedp.SetValue(chromedp.ID("m-role"), "viewer"),
	); err != nil {
		t.Fatalf("the people page: %v", err)
	}
	if _, err := chromedp.RunResponse(adminTab, chromedp.Click(chromedp.CSS(`form[action="/o/acme/people"][method="post"] button[type="submit"]`))); err != nil {
		t.Fatalf("invite: %v", err)
	}
	flash, err := chromedp.Run(adminTab, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil || !strings.Contains(flash, "Invitation sent to newcomer@acme.example by email") || !strings.Contains(flash, "newcomer@acme.example") {
		t.Fatalf("after inviting: %v\n%s", err, flash)
	}
	if v := violations(); len(v) != 0 {
		t.Errorf("CSP violations or script errors on the people page: %q", v)
	}
	link := box.waitLink(t, "newcomer@acme.example")

	// The invited person, in a browser of their own.
	tab := newTab(t)
	newPW := "my own long passphrase"
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.ts.URL+link),
		chromedp.WaitVisible(chromedp.ID("j-name")),
	); err != nil {
		t.Fatalf("open the link: %v", err)
	}
	body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(body, "Join Acme Oy") || !strings.Contains(body, "as Viewer") {
		t.Errorf("the link's page:\n%s", body)
	}
	dir := os.Getenv("PDCA_SCREENSHOTS")
	for _, w := range []int64{1366, 390} {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil || len(shot) == 0 {
			t.Fatalf("screenshot at %d px: %v", w, err)
		}
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, "invitation-"+strconv.FormatInt(w, 10)+".png"), shot, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := chromedp.Do(tab,
		chromedp.EmulateViewport(1366, 900),
		chromedp.SendKeys(chromedp.ID("j-name"), "Nina Newcomer"),
		chromedp.SendKeys(chromedp.ID("j-password"), newPW),
		chromedp.SendKeys(chromedp.ID("j-confirm"), newPW),
	); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action$="/join"] button[type="submit"]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("join: %v %v", resp, err)
	}
	if loc, err := chromedp.Run(tab, chromedp.Location()); err != nil || loc != e.ts.URL+"/o/acme/" {
		t.Errorf("after joining: %q %v", loc, err)
	}
	body, _ = chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(body, "Welcome to Acme Oy: you are Viewer here.") {
		t.Errorf("home after joining:\n%s", body)
	}
	// Sign out, and in again with the new password.
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signout"] button`))); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if loc, _ := chromedp.Run(tab, chromedp.Location()); loc != e.ts.URL+"/signin" {
		t.Errorf("after signing out: %q", loc)
	}
	if err := chromedp.Do(tab,
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "newcomer@acme.example"),
		chromedp.SendKeys(chromedp.ID("password"), newPW),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatalf("sign in again: %v", err)
	}
	loc, _ := chromedp.Run(tab, chromedp.Location())
	h1, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('h1').innerText`))
	if !strings.HasSuffix(loc, "/o/acme/") || h1 != "Acme Oy" {
		t.Errorf("after signing in again: %q, h1 %q", loc, h1)
	}
	// The link is spent.
	if _, err := chromedp.Run(tab, chromedp.Navigate(e.ts.URL+link)); err != nil {
		t.Fatal(err)
	}
	body, _ = chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(body, "already been used") {
		t.Errorf("the used link:\n%s", body)
	}
}

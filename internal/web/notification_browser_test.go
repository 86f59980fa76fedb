package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestBrowserNotifications sets a process owner's own preferences in
// Chromium: a Slack webhook, the weekly digest and a pause, with no CSP
// violation on the way.
func TestBrowserNotifications(t *testing.T) {
	tab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	e := startServer(t, a, nil)
	csp := watchCSP(t, tab)
	owner := o.users[isms.RoleProcessOwner]
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.ts.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), owner.Email), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/notifications"), chromedp.WaitVisible(chromedp.ID("n-webhook")),
		chromedp.SendKeys(chromedp.ID("n-webhook"), "https://hooks.example.com/owner"), chromedp.SetValue(chromedp.ID("n-kind"), "slack"),
		chromedp.Click(chromedp.CSS(`input[name="digest"]`)), chromedp.SetValue(chromedp.ID("n-pause"), "2026-12-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/o/acme/notifications"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Your notification preferences are saved.") {
		t.Fatalf("after saving:\n%s", body)
	}
	pr, err := a.NotificationPrefs(context.Background(), app.Principal{UserID: owner.ID}, "acme")
	if err != nil || !pr.Digest || pr.WebhookKind != "slack" || pr.WebhookURL != "https://hooks.example.com/owner" || pr.PausedUntil == nil ||
		pr.PausedUntil.In(isms.Location("Europe/Helsinki")).Format("2006-01-02") != "2026-12-31" || pr.PausedUntil.In(isms.Location("Europe/Helsinki")).Hour() != 0 || !pr.Email {
		t.Fatalf("stored %+v, %v", pr, err)
	}
	if v := csp(); len(v) > 0 {
		t.Fatalf("CSP violations: %v", v)
	}
}

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestBrowserProcessCycleDashboard drives the Plan step in Chromium as
// the ISMS manager: create a process from a template, score it, choose it
// with two others for an improvement cycle, and see the dashboard change.
func TestBrowserProcessCycleDashboard(t *testing.T) {
	tab := newTab(t)
	ctx := context.Background()
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	// Two processes exist already; the third comes from the browser.
	for _, key := range []string{"incident", "backup"} {
		p, _ := app.ProcessFromTemplate(key, o.users[isms.RoleProcessOwner].ID)
		if err := a.CreateProcess(ctx, app.System, o.Slug, p); err != nil {
			t.Fatal(err)
		}
	}
	e := startServer(t, a, nil)
	csp := watchCSP(t, tab)
	manager := o.users[isms.RoleISMSManager]
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.ts.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), manager.Email), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	if strings.Contains(text("main"), "Access management") {
		t.Fatal("the dashboard shows the process before it exists")
	}

	// From the register, start from the access management template.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/processes"), chromedp.WaitVisible(chromedp.CSS(`a[data-template="access"]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`a[data-template="access"]`))); err != nil {
		t.Fatal(err)
	}
	if name, err := chromedp.Run(tab, chromedp.Value(chromedp.ID("p-name"))); err != nil || name != "Access management" {
		t.Fatalf("template name %q, %v", name, err)
	}
	// Score it high on all three and save.
	for id, v := range map[string]string{"p-impact": "5", "p-recurrence": "5", "p-risk": "4"} {
		if err := chromedp.Do(tab, chromedp.SetValue(chromedp.ID(id), v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if h := text("h1"); h != "Access management" {
		t.Fatalf("after saving: h1 %q", h)
	}
	if body := text("main"); !strings.Contains(body, "impact 5 × recurrence 5 × risk 4 = 100 of 125") {
		t.Fatalf("process page lacks its score:\n%s", body)
	}
	// It heads the register.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/processes"), chromedp.WaitVisible(chromedp.CSS("tbody tr"))); err != nil {
		t.Fatal(err)
	}
	if first := text("tbody tr"); !strings.Contains(first, "Access management") || !strings.Contains(first, "100") {
		t.Fatalf("first row of the register: %q", first)
	}

	// Choose the three for a cycle (the form proposes 90 days from today).
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/cycles"), chromedp.WaitVisible(chromedp.ID("c-name")),
		chromedp.SendKeys(chromedp.ID("c-name"), "Winter cycle"), chromedp.SendKeys(chromedp.ID("c-goals"), "Every removal within 24 h"),
		chromedp.Click(chromedp.CSS(`input[name="process"]:nth-of-type(1)`)),
	); err != nil {
		t.Fatal(err)
	}
	boxes, err := chromedp.Run(tab, chromedp.Evaluate[int](`(() => { const b = document.querySelectorAll('input[name="process"]'); b.forEach(x => x.checked = true); return b.length })()`))
	if err != nil || boxes != 3 {
		t.Fatalf("process boxes: %d, %v", boxes, err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/o/acme/cycles"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if h := text("h1"); h != "Winter cycle" {
		t.Fatalf("after starting the cycle: h1 %q\n%s", h, text("main"))
	}
	if body := text("main"); !strings.Contains(body, "Access management") || !strings.Contains(body, "At the start") {
		t.Fatalf("cycle page:\n%s", body)
	}

	// The dashboard now shows the manager's cycle.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if body := text("main"); !strings.Contains(body, "Current improvement cycle: Winter cycle") {
		t.Fatalf("dashboard does not show the cycle:\n%s", body)
	}
	if v := csp(); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil || len(shot) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(shot), err)
	}
	if dir := os.Getenv("PDCA_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "dashboard-after-cycle.png"), shot, 0o644)
	}
}

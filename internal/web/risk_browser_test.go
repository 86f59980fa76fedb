package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestBrowserRiskAndSoA drives the risk register and the Statement of
// Applicability in Chromium as the ISMS manager: add a risk, reassess it,
// follow its heat map cell, and decide the control that treats it, with
// no CSP violation on the way (the heat map uses classes, not styles).
func TestBrowserRiskAndSoA(t *testing.T) {
	tab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
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

	// Add a risk from the register.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/risks"), chromedp.WaitVisible(chromedp.ID("r-asset")),
		chromedp.SendKeys(chromedp.ID("r-asset"), "Customer database"), chromedp.SendKeys(chromedp.ID("r-threat"), "ransomware"),
		chromedp.SetValue(chromedp.ID("r-l"), "4"), chromedp.SetValue(chromedp.ID("r-i"), "5"),
		chromedp.SetValue(chromedp.ID("r-treatment"), "modify"), chromedp.SendKeys(chromedp.ID("r-plan"), "offline backups"),
		chromedp.SendKeys(chromedp.ID("r-controls"), "A.8.13")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[method="post"][action="/o/acme/risks"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if h := text("h1"); h != "R-001 · Customer database" {
		t.Fatalf("after adding: h1 %q\n%s", h, text("main"))
	}
	if body := text("main"); !strings.Contains(body, "likelihood 4 × impact 5 = 20, critical") {
		t.Fatalf("risk page:\n%s", body)
	}

	// Reassess it lower.
	if err := chromedp.Do(tab, chromedp.SetValue(chromedp.ID("a-l"), "2"), chromedp.SendKeys(chromedp.ID("a-note"), "backups restored in a test")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action$="/reassess"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if body := text("main"); !strings.Contains(body, "likelihood 2 × impact 5 = 10, high") || !strings.Contains(body, "backups restored in a test") {
		t.Fatalf("after reassessing:\n%s", body)
	}

	// The heat map counts it at likelihood 2, impact 5 and links to it.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/risks"), chromedp.WaitVisible(chromedp.CSS("table.heat"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`table.heat a[href$="l=2&i=5"]`))); err != nil {
		t.Fatal(err)
	}
	if body := text("main"); !strings.Contains(body, "1 risk matching the filters, likelihood 2, impact 5 (1 risk in the register)") {
		t.Fatalf("filtered register:\n%s", body)
	}
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil || len(shot) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(shot), err)
	}
	if dir := os.Getenv("PDCA_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "risk-register.png"), shot, 0o644)
	}

	// Decide the control that treats it in the SoA.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/soa/A.8.13"), chromedp.WaitVisible(chromedp.ID("c-just")),
		chromedp.Click(chromedp.CSS(`input[name="applicable"][value="yes"]`)), chromedp.SendKeys(chromedp.ID("c-just"), "ransomware risk R-001"),
		chromedp.SetValue(chromedp.ID("c-status"), "partial")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/o/acme/soa/A.8.13"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if row := text(`tr[id="A.8.13"]`); !strings.Contains(row, "applicable") || !strings.Contains(row, "Partial") || !strings.Contains(row, "R-001") {
		t.Fatalf("SoA row after deciding: %q", row)
	}
	if v := csp(); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
	if dir := os.Getenv("PDCA_SCREENSHOTS"); dir != "" {
		if shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "statement-of-applicability.png"), shot, 0o644)
		}
	}
}

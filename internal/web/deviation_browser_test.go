package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// browserSignIn signs the tab in as email.
func browserSignIn(t *testing.T, tab context.Context, url, email string) {
	t.Helper()
	if err := chromedp.Do(tab,
		chromedp.Navigate(url+"/signin"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDeviationPath walks the whole path of issue 5 in Chromium: a
// red metric opens a deviation; its owner records a correction, a root
// cause and an action and marks it done; the effectiveness check comes
// due, is passed and closes the deviation; the audit trail shows each step.
func TestBrowserDeviationPath(t *testing.T) {
	tab := newTab(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	a := newApp(t, db)
	o := mustOrg(t, a, "acme", "Acme Oy")
	owner := o.users[isms.RoleProcessOwner]
	if _, err := a.UpdateMetric(ctx, app.System, "acme", "access-removal", app.MetricChange{OwnerEmail: &owner.Email}); err != nil {
		t.Fatal(err)
	}
	importCSV := func(csv string) {
		t.Helper()
		if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: "csv", FileName: "removals.csv", File: strings.NewReader(csv)}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Access removed four days late in October: red.
	importCSV("person,system,employment_ended_at,access_removed_at\nalice,github,2026-10-05 09:00,2026-10-09 09:00\n")
	e := startServer(t, a, nil)
	csp := watchCSP(t, tab)
	browserSignIn(t, tab, e.ts.URL, owner.Email)

	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	click := func(sel string) {
		t.Helper()
		if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
		if msg, err := chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector('.error') || {}).innerText || ''`)); err != nil || msg != "" {
			t.Fatalf("after %s: error %q (%v)", sel, msg, err)
		}
	}
	set := func(vals ...string) {
		t.Helper()
		for i := 0; i < len(vals); i += 2 {
			if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS(vals[i]), vals[i+1])); err != nil {
				t.Fatalf("set %s: %v", vals[i], err)
			}
		}
	}

	// The register lists the deviation the red metric opened.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/deviations")); err != nil {
		t.Fatal(err)
	}
	if body := text("main"); !strings.Contains(body, "DEV-2026-001") || !strings.Contains(body, "Access removed within 24 h of employment end red in 2026-10") {
		t.Fatalf("register:\n%s", body)
	}
	click(`td a[href^="/o/acme/deviations/"]`)
	if body := text("main"); !strings.Contains(body, "metric access-removal was red in period 2026-10: value 0 %") {
		t.Fatalf("deviation page lacks why it was opened:\n%s", body)
	}
	click("#t-analyse")
	set("#c-text", "Removed alice's GitHub access")
	click("#c-save")
	set("#w-0", "HR told IT four days late", "#w-1", "there is no leaver checklist", "#rc-cause", "no leaver checklist between HR and IT", "#rc-category", "process")
	click("#rc-save")
	set("#a-title", "Leaver checklist shared by HR and IT", "#a-due", "2026-11-20")
	click("#a-add")
	click("#t-plan")
	click("#t-start")
	set(`input[name="evidence"]`, "Checklist v1 in the wiki")
	click(`button[id^="done-"]`)
	click("#t-verify")
	if st := text("#status"); st != "verifying" {
		t.Fatalf("status %q, want verifying", st)
	}
	if due := text("#check-due"); due != "2026-12-10" {
		t.Fatalf("check due %q, want 30 days after the action", due)
	}

	// A month on, November's leaver lost access the same day: green. The
	// check is due and proposes "effective".
	now = time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC)
	importCSV("person,system,employment_ended_at,access_removed_at\ncarol,github,2026-11-12 09:00,2026-11-12 15:00\n")
	if err := chromedp.Do(tab, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if p := text("#proposed"); p != "effective" {
		t.Fatalf("proposed verdict %q", p)
	}
	set("#k-note", "November: the one leaver lost access within 6 h")
	click("#k-save")
	if st := text("#status"); st != "closed" {
		t.Fatalf("status %q, want closed", st)
	}
	if v := csp(); len(v) != 0 {
		t.Errorf("CSP violations or script errors: %q", v)
	}

	// The ISMS manager sees every step in the audit trail.
	mgrTab := newTab(t)
	browserSignIn(t, mgrTab, e.ts.URL, o.users[isms.RoleISMSManager].Email)
	if err := chromedp.Do(mgrTab, chromedp.Navigate(e.ts.URL+"/o/acme/audit?entity=deviation")); err != nil {
		t.Fatal(err)
	}
	trail, err := chromedp.Run(mgrTab, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trail, "pdca (automatic)") {
		t.Errorf("the audit trail lacks the automatic opening:\n%s", trail)
	}
	for _, step := range []string{"deviation.open", "deviation.analyse", "deviation.correction", "deviation.root_cause",
		"deviation.action_add", "deviation.plan", "deviation.start", "deviation.action_done", "deviation.verify", "deviation.check_passed"} {
		// The trail names each action in words (isms.EventLabel).
		if !strings.Contains(trail, isms.EventLabel(step)) {
			t.Errorf("the audit trail lacks %s (%q):\n%s", step, isms.EventLabel(step), trail)
		}
	}
}

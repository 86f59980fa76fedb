package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

// TestBrowserDeviationPath walks the path of issue 14 in Chromium and
// counts what the person does (every field filled and every click): a
// red metric opens a deviation; its owner follows the red figure to it,
// records a correction, a root cause and one action, marks the action
// done; once the first complete month after the action plus the waiting
// days is over and green, the check proposes "effective" and closes the
// deviation. At most 12 interactions; the audit trail shows each step.
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
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	interactions := 0
	click := func(sel string) {
		t.Helper()
		interactions++
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
			interactions++
			if err := chromedp.Do(tab, chromedp.SetValue(chromedp.CSS(vals[i]), vals[i+1])); err != nil {
				t.Fatalf("set %s: %v", vals[i], err)
			}
		}
	}
	// at checks the page came back at step (the stepper's current step
	// and the URL's anchor) and offers only the buttons the step needs.
	at := func(step string, buttons ...string) {
		t.Helper()
		loc, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.hash`))
		if err != nil {
			t.Fatal(err)
		}
		if cur := text(`.stepper li[aria-current="step"] > :first-child`); cur != step {
			t.Errorf("current step %q, want %q", cur, step)
		}
		if strings.HasPrefix(loc, "#") && loc != "#step-"+strings.ToLower(strings.ReplaceAll(step, " ", "-")) && step != "Effectiveness check" && step != "Closed" {
			t.Errorf("the page came back at %s, want the %s step", loc, step)
		}
		got, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main button[type=submit]')].filter(b => b.checkVisibility()).map(b => b.innerText)`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != strings.Join(buttons, "|") {
			t.Errorf("at %s the page shows the buttons %q, want %q", step, got, buttons)
		}
	}

	// The red figure leads to the deviation it opened.
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/acme/metrics")); err != nil {
		t.Fatal(err)
	}
	click(`a.figure-dev-link`)
	if body := text("main"); !strings.Contains(body, "Access removed within 24 h of employment end was red in October 2026: 0 % is below the yellow limit 95 %.") ||
		strings.Count(body, "was red in October 2026") != 1 {
		t.Fatalf("the deviation page should say once why it was opened:\n%s", body)
	}
	if n := count(".stepper li"); n != 6 {
		t.Fatalf("stepper has %d steps, want 6", n)
	}
	at("Correction", "Record the correction")
	devShot(t, tab, "deviation-correction")
	set("#c-text", "Removed alice's GitHub access")
	click("#c-save")
	at("Root cause", "Record the root cause")
	if l := text(`label[for="w-1"]`); l != "Why? (1)" || count(`label[for="w-0"]`) != 0 || count(`label[for="w-5"]`) != 1 {
		t.Errorf("the whys are not numbered 1 to 5: first %q", l)
	}
	set("#w-1", "HR told IT four days late", "#rc-cause", "no leaver checklist between HR and IT", "#rc-category", "process")
	click("#rc-save")
	at("Actions", "Add the action")
	set("#a-title", "Leaver checklist shared by HR and IT")
	click("#a-add")
	at("Actions", "Mark the action done")
	devShot(t, tab, "deviation-actions")
	if st := text("#status"); st != "actions planned" {
		t.Fatalf("status %q, want actions planned", st)
	}
	set(`input[name="evidence"]`, "Checklist v1 in the wiki")
	click(`button[id^="done-"]`)
	at("Effectiveness check", "Reopen")
	if st := text("#status"); st != "verifying" {
		t.Fatalf("status %q, want verifying", st)
	}
	// Done on 10 November plus 30 days: January is the first complete month
	// after, so nothing is proposed before it is over.
	if from := text("#check-from"); !strings.HasPrefix(from, "Check possible from 2027-0") || count("#proposed") != 0 || count("#k-save") != 0 {
		t.Fatalf("before January is over: %q, proposed %d", from, count("#proposed"))
	}

	// In February, January's leaver lost access the same day: green. The
	// check proposes "effective" with the figures as its evidence.
	now = time.Date(2027, 2, 2, 9, 0, 0, 0, time.UTC)
	importCSV("person,system,employment_ended_at,access_removed_at\ncarol,github,2027-01-12 09:00,2027-01-12 15:00\n")
	if err := chromedp.Do(tab, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	at("Effectiveness check", "Record the check", "Reopen")
	devShot(t, tab, "deviation-check")
	if p := text("#proposed"); p != "effective" {
		t.Fatalf("proposed verdict %q", p)
	}
	click("#k-save")
	at("Closed", "Reopen")
	if st := text("#status"); st != "closed" {
		t.Fatalf("status %q, want closed", st)
	}
	if interactions > 12 {
		t.Errorf("closing the deviation took %d interactions, want at most 12", interactions)
	}
	t.Logf("closing the deviation took %d interactions", interactions)
	devShot(t, tab, "deviation-closed")
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

// devShot takes full-page screenshots of the tab at 1366 and 390 px wide
// into $PDCA_SCREENSHOTS, if set, and leaves the tab at 1366 px.
func devShot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PDCA_SCREENSHOTS")
	if dir == "" {
		return
	}
	for _, w := range []int64{390, 1366} {
		if err := chromedp.Do(tab, chromedp.EmulateViewport(w, 844)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), shot, 0o644)
	}
}

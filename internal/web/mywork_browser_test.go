package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/web"
)

// TestBrowserMyWork opens the demo person's My work, creates their
// calendar feed and checks both pages at 1366 and 390 px (no sideways
// scrolling, no overlapping text), saving screenshots as
// mywork-<state>-<width>.png in $PDCA_SHOTS when set.
func TestBrowserMyWork(t *testing.T) {
	tab := openTab(t, 0)
	a, d := web.DemoApp(t, store.SQLite)
	e := startServer(t, a, nil)
	dir := shotsDir(t)
	browserSignInAs(t, tab, e.ts.URL, d.Email, d.Password)
	check := func(state string) {
		t.Helper()
		for _, vp := range viewports {
			if err := chromedp.Do(tab, chromedp.EmulateViewport(vp.width, vp.height)); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, tab, "my work ("+state+") at "+vp.name+" px")
			shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "mywork-"+state+"-"+vp.name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/o/"+app.DemoOrgSlug+"/my-work"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil || !strings.Contains(body, "My work") || !strings.Contains(body, "Calendar feed") {
		t.Fatalf("my work page: %v\n%s", err, body)
	}
	rows, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("table.mywork tbody tr").length`))
	if err != nil || rows == 0 {
		t.Errorf("the demo person owes nothing: %d rows, %v", rows, err)
	}
	check("list")
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action$="/my-work/calendar"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector(".warn code") || {}).innerText || ""`))
	if err != nil || !feedURLRE.MatchString(shown) {
		t.Fatalf("feed URL shown: %q, %v", shown, err)
	}
	check("feed")
}

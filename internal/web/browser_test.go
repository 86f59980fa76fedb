package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// browser is one headless Chromium for all browser tests, started by the
// first of them and stopped by TestMain.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel []context.CancelFunc
	dir    string
	err    error
}

// chromiumPath is $PDCA_CHROMIUM, or chromium in PATH.
func chromiumPath() string {
	if p := os.Getenv("PDCA_CHROMIUM"); p != "" {
		return p
	}
	p, _ := exec.LookPath("chromium")
	return p
}

func startBrowser(path string) {
	browser.dir, browser.err = os.MkdirTemp("", "pdca-chromium-")
	if browser.err != nil {
		return
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("no-first-run", true),
		// Containers often have a small /dev/shm, where Chromium crashes.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(browser.dir))
	ctx, cancel := chromedp.NewContext(alloc)
	browser.ctx, browser.cancel = ctx, []context.CancelFunc{cancel, cancelAlloc}
	// The browser lives as long as the context of its first run, so that
	// run has no deadline; a browser that does not start in time fails.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case browser.err = <-done:
	case <-time.After(60 * time.Second):
		browser.err = fmt.Errorf("%s did not start within 60 s", path)
	}
}

// stopBrowser stops the browser, if a test started one.
func stopBrowser() {
	for _, cancel := range browser.cancel {
		cancel()
	}
	if browser.dir != "" {
		// Chromium's helpers may still write for a moment after it stops.
		for range 50 {
			if os.RemoveAll(browser.dir) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// newTab returns a tab of its own browser context (own cookies) with 30 s
// to do its work, closed when the test ends. It skips the test when no
// Chromium is found, except in CI, where the test fails.
func newTab(t *testing.T) context.Context {
	t.Helper()
	return openTab(t, 30*time.Second)
}

// openTab is newTab with a deadline of d, or none when d is 0 (a test that
// walks many pages; go test's -timeout still bounds it).
func openTab(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium: install chromium or set PDCA_CHROMIUM; CI runs the browser tests")
		}
		t.Skip("no Chromium: install chromium or set PDCA_CHROMIUM")
	}
	browser.once.Do(func() { startBrowser(path) })
	if browser.err != nil {
		t.Fatalf("start %s: %v", path, browser.err)
	}
	ctx, cancel := browser.ctx, context.CancelFunc(func() {})
	if d > 0 {
		ctx, cancel = context.WithTimeout(browser.ctx, d)
	}
	tab, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancelTab(); cancel() })
	return tab
}

// cspWatch is the JavaScript that records Content-Security-Policy
// violations of every page of a tab, run by the browser before the page's
// own scripts (and not subject to the policy itself).
const cspWatch = `window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`

// watchCSP installs cspWatch in the tab and collects the console, where
// Chromium reports violations too. It returns a func that lists what was
// seen on the current page.
func watchCSP(t *testing.T, tab context.Context) func() []string {
	t.Helper()
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		t.Fatalf("install the CSP watch: %v", err)
	}
	var mu sync.Mutex
	var console []string
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				console = append(console, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		t.Helper()
		seen, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`window.__csp || []`))
		if err != nil {
			t.Fatalf("read the CSP watch: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		return append(seen, console...)
	}
}

// TestBrowserSignIn signs in to a demo database in Chromium, as a person
// would, and checks the home page, the absence of CSP violations and a
// screenshot.
func TestBrowserSignIn(t *testing.T) {
	tab := newTab(t)
	ctx := context.Background()
	a := newApp(t, storetest.Open(t, store.SQLite))
	demo, err := a.SeedDemo(ctx)
	if err != nil || demo == nil {
		t.Fatalf("seed demo: %v, %v", demo, err)
	}
	e := startServer(t, a, nil)
	violations := watchCSP(t, tab)

	if err := chromedp.Do(tab,
		chromedp.Navigate(e.ts.URL+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), demo.Email),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
	); err != nil {
		t.Fatalf("fill in the sign-in form: %v", err)
	}
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)))
	if err != nil {
		t.Fatalf("submit the sign-in form: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Errorf("the page after sign-in has status %d", resp.Status)
	}
	h1, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('h1').innerText`))
	if err != nil || h1 != "Demo Oy" {
		t.Errorf("h1 = %q (%v), want Demo Oy", h1, err)
	}
	if loc, err := chromedp.Run(tab, chromedp.Location()); err != nil || loc != e.ts.URL+"/o/demo/" {
		t.Errorf("location %q (%v), want the demo home page", loc, err)
	}
	// The stylesheet applies: external CSS is allowed by the policy.
	if font, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.body).fontFamily`)); err != nil || !strings.HasPrefix(font, "system-ui") {
		t.Errorf("body font %q (%v): the stylesheet did not load", font, err)
	}
	if v := violations(); len(v) != 0 {
		t.Errorf("CSP violations or script errors on the home page: %q", v)
	}

	shot, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(t.TempDir(), "home.png")
	if err := os.WriteFile(file, shot, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		t.Errorf("the screenshot is not a PNG with pixels: %d bytes, %+v, %v", len(b), cfg, err)
	}
}

// TestBrowserCSPWatch shows that watchCSP sees a violation: a page with
// inline script and style under pdca's own policy.
func TestBrowserCSPWatch(t *testing.T) {
	tab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	e := startServer(t, a, nil)
	r := e.do(t, e.client(t, false), http.MethodGet, "/signin", nil, nil)
	csp := r.header.Get("Content-Security-Policy")
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>x</title><h1 style="color:red">x</h1><script>document.title = 'ran'</script>`))
	}))
	defer bad.Close()
	violations := watchCSP(t, tab)
	if err := chromedp.Do(tab, chromedp.Navigate(bad.URL)); err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(tab, chromedp.Title()); err != nil || title == "ran" {
		t.Errorf("title %q (%v): the inline script ran despite the policy", title, err)
	}
	// The browser reports violations asynchronously; wait for them.
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`window.__csp.length >= 2`)); err != nil {
		t.Fatalf("no violations reported: %v", err)
	}
	if v := violations(); len(v) < 2 {
		t.Errorf("violations = %q, want the inline script and the inline style", v)
	}
}

// TestBrowserOIDC signs in through the test OpenID provider by clicking
// the single sign-on link.
func TestBrowserOIDC(t *testing.T) {
	tab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	p := newProvider(t)
	p.signInAs(o.users[isms.RoleManagement].Email, true)
	e := startServer(t, a, p.config)

	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("sso"))); err != nil {
		t.Fatalf("open the sign-in page: %v", err)
	}
	link, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("sso")))
	if err != nil || link != "Sign in with single sign-on" {
		t.Errorf("link text %q (%v)", link, err)
	}
	resp, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.ID("sso")))
	if err != nil {
		t.Fatalf("click single sign-on: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Errorf("the page after single sign-on has status %d", resp.Status)
	}
	if loc, err := chromedp.Run(tab, chromedp.Location()); err != nil || loc != e.ts.URL+"/o/acme/" {
		t.Errorf("location %q (%v), want the acme home page", loc, err)
	}
	h1, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || h1 != "Acme Oy" {
		t.Errorf("h1 = %q (%v), want Acme Oy", h1, err)
	}
	who, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`.who a[href="/account"]`)))
	if err != nil || who != o.users[isms.RoleManagement].Email {
		t.Errorf("signed in as %q (%v)", who, err)
	}
	if _, ok, _ := p.counts(); ok != 1 {
		t.Errorf("the provider verified %d PKCE exchanges, want 1", ok)
	}
}

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// viewports are the widths every page must hold at: a laptop and a phone.
var viewports = []struct {
	name          string
	width, height int64
}{{"1366", 1366, 900}, {"390", 390, 844}}

// layoutCheck is the JavaScript that looks for what breaks a layout on the
// current page. It returns the page's scroll width, the viewport's width
// and a list of problems:
//
//   - overlap: two pieces of text (or a text and a form control, image or
//     chart) drawn over each other. Text is measured by the boxes of its
//     own glyphs (a Range over each text node, so a block's empty width does
//     not count), clipped by every scrolling or clipping ancestor; an
//     element and its own descendants are not compared (a link's text and
//     the bold word in it), nor anything inside an SVG (a chart is one box);
//     boxes must cross by more than 2 px both ways.
//   - misaligned: a definition list whose label and value drift apart
//     (the floated lists did, when a label wrapped): each group's value
//     must not start above its label, and a group must end before the
//     next one starts.
const layoutCheck = `(() => {
  const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, problems: []};
  const name = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
    const t = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return t ? s + ' "' + t + '"' : s;
  };
  const clipped = (el, r) => {
    let b = {x1: r.left, y1: r.top, x2: r.right, y2: r.bottom};
    for (let a = el; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      if (cs.overflowX !== 'visible') { b.x1 = Math.max(b.x1, c.left); b.x2 = Math.min(b.x2, c.right); }
      if (cs.overflowY !== 'visible') { b.y1 = Math.max(b.y1, c.top); b.y2 = Math.min(b.y2, c.bottom); }
    }
    return b;
  };
  const controls = new Set(['input', 'select', 'textarea', 'button', 'img', 'svg', 'progress', 'meter']);
  const boxes = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  for (let el = walk.nextNode(); el; el = walk.nextNode()) {
    const tag = el.tagName.toLowerCase();
    if (el.closest('svg') && tag !== 'svg') continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    let rects = [];
    if (controls.has(tag)) {
      if (tag === 'input' && el.type === 'hidden') continue;
      rects = [el.getBoundingClientRect()];
    } else {
      for (const n of el.childNodes) {
        if (n.nodeType !== Node.TEXT_NODE) continue;
        const s = n.textContent, start = s.search(/\S/);
        if (start < 0) continue;
        const end = s.length - (s.length - s.trimEnd().length);
        const rg = document.createRange();
        rg.setStart(n, start); rg.setEnd(n, end);
        rects.push(...rg.getClientRects());
      }
    }
    for (const r of rects) {
      const b = clipped(el, r);
      if (b.x2 - b.x1 > 2 && b.y2 - b.y1 > 2) boxes.push({el, ...b});
    }
  }
  boxes.sort((p, q) => p.y1 - q.y1);
  const seen = new Set();
  for (let i = 0; i < boxes.length; i++) {
    const p = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].y1 < p.y2 - 2; j++) {
      const q = boxes[j];
      if (p.el === q.el || p.el.contains(q.el) || q.el.contains(p.el)) continue;
      const w = Math.min(p.x2, q.x2) - Math.max(p.x1, q.x1), h = Math.min(p.y2, q.y2) - Math.max(p.y1, q.y1);
      if (w <= 2 || h <= 2) continue;
      const msg = 'overlap: ' + name(p.el) + ' and ' + name(q.el);
      if (!seen.has(msg)) { seen.add(msg); out.problems.push(msg); }
    }
  }
  const extent = el => {
    const rg = document.createRange();
    rg.selectNodeContents(el);
    const r = rg.getBoundingClientRect();
    return r.width || r.height ? r : el.getBoundingClientRect();
  };
  for (const dl of document.querySelectorAll('dl')) {
    if (!dl.checkVisibility()) continue;
    const groups = [];
    let g = null;
    for (const c of dl.children) {
      for (const k of c.tagName === 'DIV' ? [...c.children] : [c]) {
        if (k.tagName === 'DT') {
          if (!g || g.dd.length) { g = {dt: [], dd: []}; groups.push(g); }
          g.dt.push(extent(k));
        } else if (k.tagName === 'DD' && g) {
          g.dd.push(extent(k));
        }
      }
    }
    const label = i => name(dl.querySelectorAll('dt')[i] || dl);
    groups.forEach((g, i) => {
      if (g.dd.length && g.dd[0].top < g.dt[0].top - 2) out.problems.push('misaligned: the value of ' + label(i) + ' starts above its label');
      const next = groups[i + 1];
      if (!next) return;
      const bottom = Math.max(...[...g.dt, ...g.dd].map(r => r.bottom));
      const top = Math.min(...[...next.dt, ...next.dd].map(r => r.top));
      if (bottom > top + 2) out.problems.push('misaligned: ' + label(i) + ' runs into the next label or value');
    });
  }
  return out;
})()`

// layoutResult is what layoutCheck returns.
type layoutResult struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Problems    []string `json:"problems"`
}

// checkLayout runs layoutCheck in the tab and reports its findings as
// errors of the test, prefixed with where.
func checkLayout(t *testing.T, tab context.Context, where string) {
	t.Helper()
	res, err := chromedp.Run(tab, chromedp.Evaluate[layoutResult](layoutCheck))
	if err != nil {
		t.Fatalf("%s: run the layout check: %v", where, err)
	}
	if res.ScrollWidth > res.InnerWidth {
		t.Errorf("%s: the page scrolls sideways: %d px wide in a %d px window", where, res.ScrollWidth, res.InnerWidth)
	}
	for _, p := range res.Problems[:min(len(res.Problems), 8)] {
		t.Errorf("%s: %s", where, p)
	}
	if len(res.Problems) > 8 {
		t.Errorf("%s: and %d more problems", where, len(res.Problems)-8)
	}
}

// shotsDir is where the layout test saves its screenshots: $PDCA_SHOTS
// (created if missing) so that someone can look at them after the run, or
// a temporary directory removed with the test.
func shotsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PDCA_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// downloads are the GET routes inside an organisation that answer with a
// file rather than a page; the layout walk leaves them out.
var downloads = map[string]bool{
	"GET /o/{org}/soa.csv":                                true,
	"GET /o/{org}/soa.xlsx":                               true,
	"GET /o/{org}/exports/bundle.zip":                     true,
	"GET /o/{org}/exports/poam.json":                      true,
	"GET /o/{org}/exports/{file}":                         true,
	"GET /o/{org}/reviews/{id}/pack.pdf":                  true,
	"GET /o/{org}/audit.csv":                              true,
	"GET /o/{org}/deviations/{id}/actions/{aid}/evidence": true,
	"GET /o/{org}/import-profiles/{name}/export":          true,
	// Issue 18: documents.
	"GET /o/{org}/documents/{id}/versions/{vid}/file":   true,
	"GET /o/{org}/documents/{id}/versions/{vid}/pdf":    true,
	"GET /o/{org}/acknowledgements/versions/{vid}/file": true,
}

// TestBrowserLayout signs in to the demo organisation (a year of records,
// processes, risks, deviations, an audit and a signed review) and walks
// every page: the signed-out and account pages and every GET route of
// OrgRoutes but downloads, the ids of routes with wildcards taken from
// links on the pages walked before. At 1366 x 900 and at 390 x 844 no
// page may scroll sideways and no text may overlap other text (see
// layoutCheck). It saves a full-page screenshot of each page at each width
// as <page>-<width>.png in $PDCA_SHOTS, when set, to be looked at.
func TestBrowserLayout(t *testing.T) {
	tab := openTab(t, 0)
	ctx := context.Background()
	a, d := web.DemoApp(t, store.SQLite)
	// A second organisation, so that the header shows the switcher.
	if err := a.CreateOrg(ctx, app.System, &isms.Organization{Slug: "second", Name: "Second Oy", TimeZone: "Europe/Helsinki"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddMember(ctx, app.System, "second", d.Email, isms.RoleViewer); err != nil {
		t.Fatal(err)
	}
	// An import profile, so that its pages are walked too.
	hr := isms.ImportProfile{Name: "HR leavers", Kind: isms.KindAccessRemovals, FilePattern: "hr-leavers-*.csv", DateOrder: "dmy",
		Columns:   map[string]string{"Login": "person", "Left the company on": "employment_ended_at", "Line manager": ""},
		Constants: map[string]string{"system": "github"}}
	if _, err := a.SaveImportProfile(ctx, app.System, app.DemoOrgSlug, hr, false); err != nil {
		t.Fatal(err)
	}
	// Issue 19: a record kind of the organisation's own, with a record,
	// so that its pages are walked too.
	if _, err := a.CreateRecordKind(ctx, app.System, app.DemoOrgSlug, app.RecordKindInput{Key: "customer_complaints", Title: "Customer complaints",
		Fields: []isms.FieldDef{{Name: "complaint_id", Type: isms.FieldText, Key: true}, {Name: "received_at", Type: isms.FieldTime},
			{Name: "severity", Type: isms.FieldEnum, Values: []string{"low", "medium", "high"}}, {Name: "refund", Type: isms.FieldNumber}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: app.DemoOrgSlug, Kind: "customer_complaints", Format: importer.FormatCSV, FileName: "c.csv",
		File: strings.NewReader("complaint_id,received_at,severity,refund\nC-1,2026-10-02 09:00,high,12.50\n")}); err != nil {
		t.Fatal(err)
	}
	// A webhook with a delivery in its log, so that its pages are walked
	// too (issue 17).
	if _, err := a.CreateWebhook(ctx, app.System, app.DemoOrgSlug, app.WebhookInput{URL: "https://hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
		Description: "The #isms channel", Events: isms.EventTypes(), Format: isms.WebhookFormatSlack}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateDeviation(ctx, app.System, app.DemoOrgSlug, app.DeviationInput{Title: "Server room door found open", Kind: "observation",
		Source: "observation", Severity: "low", OwnerEmail: d.Email}); err != nil {
		t.Fatal(err)
	}
	// Issue 18: a document, so that its pages are walked too.
	demoDocument(t, a, app.DemoOrgSlug)
	// Issue 18: its approved version published to everyone, and an
	// invitation waiting, so that the acknowledgement and invitation pages
	// are walked too.
	docs, _, err := a.Documents(ctx, app.System, app.DemoOrgSlug, store.DocumentFilter{Limit: 10})
	if err != nil || len(docs) == 0 {
		t.Fatalf("documents: %v", err)
	}
	if _, err := a.PublishDocumentVersion(ctx, app.System, app.DemoOrgSlug, docs[0].ID, app.PublishInput{Audience: isms.Audience{Kind: isms.AudienceAll}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Invite(ctx, app.System, app.DemoOrgSlug, "new.colleague@example.com", isms.RoleProcessOwner); err != nil {
		t.Fatal(err)
	}
	e := startServer(t, a, nil)
	dir := shotsDir(t)
	t.Logf("screenshots in %s", dir)

	// visit opens path and checks it at each width; it returns the paths of
	// the page's links, for the routes with wildcards.
	visit := func(name, path string, status int) []string {
		t.Helper()
		resp, err := chromedp.Run(tab, chromedp.NavigateResponse(e.ts.URL+path))
		if err != nil {
			t.Fatalf("%s: open %s: %v", name, path, err)
		}
		if int(resp.Status) != status || resp.MimeType != "text/html" {
			t.Errorf("%s: GET %s: status %d, %s", name, path, resp.Status, resp.MimeType)
		}
		for _, vp := range viewports {
			if err := chromedp.Do(tab, chromedp.EmulateViewport(vp.width, vp.height)); err != nil {
				t.Fatal(err)
			}
			where := name + " at " + vp.name + " px (" + path + ")"
			checkLayout(t, tab, where)
			shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: screenshot: %v", where, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+"-"+vp.name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		links, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href]')].filter(a => a.origin === location.origin).map(a => a.pathname)`))
		if err != nil {
			t.Fatal(err)
		}
		return links
	}

	visit("signin", "/signin", http.StatusOK)
	browserSignInAs(t, tab, e.ts.URL, d.Email, d.Password)
	visit("account", "/account", http.StatusOK)
	visit("account_mfa", "/account/mfa", http.StatusOK)
	visit("orgs", "/orgs", http.StatusOK)
	visit("error", "/o/no-such-org/", http.StatusNotFound)

	// Routes without wildcards first, then by their number, so that the
	// pages linking to a route's ids are walked before it.
	var routes []string
	for _, rt := range e.srv.OrgRoutes() {
		if strings.HasPrefix(rt.Pattern, "GET ") && !downloads[rt.Pattern] {
			routes = append(routes, rt.Pattern)
		}
	}
	slices.SortStableFunc(routes, func(p, q string) int { return len(wildcards(p)) - len(wildcards(q)) })
	// Literal segments of routes ("new", "settings") are not ids.
	literal := map[string]bool{}
	for _, rt := range e.srv.OrgRoutes() {
		for _, seg := range strings.Split(strings.Fields(rt.Pattern)[1], "/") {
			literal[seg] = true
		}
	}
	var links []string
	for _, pattern := range routes {
		_, tmpl, _ := strings.Cut(pattern, " ")
		tmpl = strings.ReplaceAll(strings.ReplaceAll(tmpl, "{$}", ""), "{org}", app.DemoOrgSlug)
		path := tmpl
		if ws := wildcards(tmpl); len(ws) > 0 {
			re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(wildcard.ReplaceAllString(tmpl, "\x00")), "\x00", `([^/]+)`) + "$")
			path = ""
			for _, l := range links {
				m := re.FindStringSubmatch(l)
				if m != nil && !slices.ContainsFunc(m[1:], func(v string) bool { return literal[v] }) {
					path = l
					break
				}
			}
			if path == "" {
				t.Errorf("no page walked before links to %s: cannot walk it", pattern)
				continue
			}
		}
		name := strings.Trim(strings.NewReplacer("/o/{org}", "", "{$}", "home", "/", "_", "{", "", "}", "").Replace(strings.TrimPrefix(pattern, "GET ")), "_")
		links = append(links, visit(name, path, http.StatusOK)...)
	}
}

// browserSignInAs signs the tab in with the email and password.
func browserSignInAs(t *testing.T, tab context.Context, url, email, pw string) {
	t.Helper()
	if err := chromedp.Do(tab,
		chromedp.Navigate(url+"/signin"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), pw)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserLayoutCheck shows that layoutCheck finds what it is meant to
// find, on pages made for it with pdca's stylesheet: values beside the
// wrong labels in the floated definition lists pdca had (a label that
// wraps), text drawn over text, and a table wider than a phone; and that
// the same content in pdca's own layout passes.
func TestBrowserLayoutCheck(t *testing.T) {
	tab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	e := startServer(t, a, nil)
	facts := `<dl class="facts"><dt>Threat</dt><dd>Former employee keeps access</dd>
<dt>Treatment plan of the risk as agreed</dt><dd>Daily leaver feed</dd>
<dt>Owner</dt><dd>Ivo IT Lead</dd><dt>Controls</dt><dd>A.5.18 A.8.2</dd></dl>`
	pages := map[string]string{
		"floated": `<style>.facts{display:block}.facts dt{font-weight:600;float:left;clear:left;width:8rem}.facts dd{margin-left:8.5rem}</style>` + facts,
		"pdca":    facts,
		"overlap": `<div style="position:relative"><p style="margin:0">First line of text</p><p style="position:absolute;left:0;top:0;margin:0">Drawn over it</p></div>`,
		"wide":    `<div style="width:900px">wide</div>`,
		"table":   `<table><thead><tr>` + strings.Repeat(`<th>A long column heading</th>`, 8) + `</tr></thead><tbody><tr>` + strings.Repeat(`<td>incident-response-start</td>`, 8) + `</tr></tbody></table>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="%s/static/pdca.css"><title>t</title><body><main>%s</main></body></html>`,
			e.ts.URL, pages[strings.TrimPrefix(r.URL.Path, "/")])
	}))
	defer srv.Close()
	run := func(page string, width int64) layoutResult {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.EmulateViewport(width, 844), chromedp.Navigate(srv.URL+"/"+page)); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.Run(tab, chromedp.Evaluate[layoutResult](layoutCheck))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, w := range []int64{1366, 390} {
		if res := run("floated", w); !slices.ContainsFunc(res.Problems, func(p string) bool { return strings.HasPrefix(p, "misaligned:") }) {
			t.Errorf("floated list at %d px: problems %q, want a misaligned label", w, res.Problems)
		}
		if res := run("pdca", w); len(res.Problems) != 0 {
			t.Errorf("pdca's list at %d px: problems %q, want none", w, res.Problems)
		}
		if res := run("overlap", w); len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0], "overlap: p") {
			t.Errorf("text over text at %d px: problems %q, want one overlap", w, res.Problems)
		}
		if res := run("table", w); res.ScrollWidth > res.InnerWidth || len(res.Problems) != 0 {
			t.Errorf("a wide table at %d px: page %d px in %d, problems %q; want it to scroll in its own box", w, res.ScrollWidth, res.InnerWidth, res.Problems)
		}
	}
	if res := run("wide", 390); res.ScrollWidth <= res.InnerWidth {
		t.Errorf("a 900 px table at 390 px: scroll width %d, want the page to scroll sideways", res.ScrollWidth)
	}
}

// TestBrowserMenus uses the header's menus as people do: at 1366 px the
// navigation is one row and a group opens from the keyboard (Tab, Enter,
// Tab to its first link, Escape closes it and returns to its button); at
// 390 px the navigation hides behind the menu button, which opens all of it
// and the account links. Screenshots: menu-1366.png and menu-390.png.
func TestBrowserMenus(t *testing.T) {
	tab := newTab(t)
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	mustOrg(t, a, "beta", "Beta Oy")
	if _, err := a.AddMember(context.Background(), app.System, "beta", o.users[isms.RoleAdmin].Email, isms.RoleViewer); err != nil {
		t.Fatal(err)
	}
	e := startServer(t, a, nil)
	dir := shotsDir(t)
	browserSignIn(t, tab, e.ts.URL, o.users[isms.RoleAdmin].Email)
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// active names the focused element.
	const active = `(document.activeElement.tagName + ' ' + document.activeElement.textContent.trim())`

	if err := chromedp.Do(tab, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(e.ts.URL+"/o/acme/risks")); err != nil {
		t.Fatal(err)
	}
	// One row: every item of the header overlaps every other vertically.
	if rows := eval(`(() => {
	  const r = [...document.querySelectorAll('.top > *, .nav > ul > li, .who > *')].filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect());
	  return Math.max(...r.map(b => b.top)) < Math.min(...r.map(b => b.bottom)) ? 'one row' : 'rows from ' + Math.min(...r.map(b => b.top)) + ' to ' + Math.max(...r.map(b => b.top));
	})()`); rows != "one row" {
		t.Errorf("the header at 1366 px: %s, want one row", rows)
	}
	if got := eval(`document.querySelector('.menu summary').checkVisibility() ? 'menu button' : 'no menu button'`); got != "no menu button" {
		t.Errorf("at 1366 px: %s", got)
	}
	// Tab from the top of the page to the Plan menu: skip link, brand,
	// Home, My work, Plan.
	for range 5 {
		if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	if got := eval(active); got != "SUMMARY Plan" {
		t.Fatalf("after five tabs the focus is on %q, want the Plan menu", got)
	}
	if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	if got := eval(active); got != "A Processes" {
		t.Errorf("Enter and Tab on the Plan menu: focus on %q, want its first link", got)
	}
	shot("menu-1366")
	if got := eval(`document.activeElement.getAttribute('href')`); got != "/o/acme/processes" {
		t.Errorf("first link of Plan: %q", got)
	}
	if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if got := eval(active + ` + (document.querySelector('.group[open]') ? ' open' : ' closed')`); got != "SUMMARY Plan closed" {
		t.Errorf("Escape: %q, want the Plan menu closed and focused", got)
	}

	// The phone: a menu button opens the whole navigation.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.ts.URL+"/o/acme/risks")); err != nil {
		t.Fatal(err)
	}
	visible := `[...document.querySelectorAll('.nav a, .who > a, .who button, .switcher summary')].filter(e => e.checkVisibility()).length + ' of ' + document.querySelectorAll('.nav a, .who > a, .who button, .switcher summary').length`
	if got := eval(visible); !strings.HasPrefix(got, "0 of ") {
		t.Errorf("at 390 px with the menu closed, %s links are visible, want none", got)
	}
	checkLayout(t, tab, "the closed menu at 390 px")
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(".menu summary"))); err != nil {
		t.Fatal(err)
	}
	if got := eval(visible); !strings.HasPrefix(got, strings.TrimSpace(strings.Split(got, " of ")[1])+" of ") {
		t.Errorf("at 390 px with the menu open, %s links are visible, want all", got)
	}
	checkLayout(t, tab, "the open menu at 390 px")
	shot("menu-390")
}

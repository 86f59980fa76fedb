package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// navGroups returns the groups of the page's navigation: summary text ->
// the link texts in it, and the raw markup of the navigation.
func navGroups(t *testing.T, body string) (map[string][]string, string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<nav class="nav" aria-label="Organisation">(.*?)</nav>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no navigation in the page:\n%s", body)
	}
	groups := map[string][]string{}
	for _, g := range regexp.MustCompile(`(?s)<details class="group" name="nav"><summary[^>]*>([^<]+)</summary>(.*?)</details>`).FindAllStringSubmatch(m[1], -1) {
		for _, l := range regexp.MustCompile(`<a [^>]*>([^<]+)</a>`).FindAllStringSubmatch(g[2], -1) {
			groups[g[1]] = append(groups[g[1]], l[1])
		}
	}
	return groups, m[1]
}

// TestNavigationGroups checks the menu: grouped by the loop it serves,
// entries by role, and where the page is marked with aria-current.
func TestNavigationGroups(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	r, _ := mustRiskData(t, a, o)

	admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
	res := e.do(t, admin, http.MethodGet, "/o/acme/risks", nil, nil)
	groups, nav := navGroups(t, res.body)
	want := map[string]string{
		"Plan":  "Processes Risks SoA Frameworks Cycles Documents", // Issue 18: documents; Issue 19: frameworks
		"Do":    "Records Import a file Acknowledgements",          // Issue 18: acknowledgements
		"Check": "Metrics Internal audits Reviews",
		"Act":   "Deviations Reminders",
		"Admin": "People API tokens Settings Sign-in security Webhooks Incident report link Audit trail Exports",
	}
	for g, links := range want {
		if got := strings.Join(groups[g], " "); got != links {
			t.Errorf("admin: group %s = %q, want %q", g, got, links)
		}
	}
	if len(groups) != len(want) {
		t.Errorf("admin: groups %v, want %d", groups, len(want))
	}
	for _, s := range []string{`<summary aria-current="true">Plan</summary>`, `<a href="/o/acme/risks" aria-current="page">Risks</a>`} {
		if !strings.Contains(nav, s) {
			t.Errorf("risk register: the navigation lacks %s:\n%s", s, nav)
		}
	}
	if n := strings.Count(nav, "aria-current"); n != 2 {
		t.Errorf("risk register: %d aria-current in the navigation, want 2 (group and page)", n)
	}
	if !strings.Contains(res.body, `<details class="menu"><summary>Menu</summary></details>`) {
		t.Error("no menu button for phones")
	}

	// A page under a menu entry marks the entry (not as the page) and its group.
	_, nav = navGroups(t, e.do(t, admin, http.MethodGet, "/o/acme/risks/"+id(r.ID), nil, nil).body)
	for _, s := range []string{`<summary aria-current="true">Plan</summary>`, `<a href="/o/acme/risks" aria-current="true">Risks</a>`} {
		if !strings.Contains(nav, s) {
			t.Errorf("a risk: the navigation lacks %s:\n%s", s, nav)
		}
	}
	// Home marks no group; SoA is not the soa page's prefix of another.
	_, nav = navGroups(t, e.do(t, admin, http.MethodGet, "/o/acme/", nil, nil).body)
	if !strings.Contains(nav, `<a href="/o/acme/" aria-current="page">Home</a>`) || strings.Count(nav, "aria-current") != 1 {
		t.Errorf("home: want only Home marked:\n%s", nav)
	}
	_, nav = navGroups(t, e.do(t, admin, http.MethodGet, "/o/acme/audit", nil, nil).body)
	if !strings.Contains(nav, `<summary aria-current="true">Admin</summary>`) || strings.Contains(nav, `<summary aria-current="true">Check</summary>`) {
		t.Errorf("audit trail: want Admin marked, not Check (internal audits live at /audits):\n%s", nav)
	}

	// The role checks of each entry stay.
	viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
	groups, _ = navGroups(t, e.do(t, viewer, http.MethodGet, "/o/acme/", nil, nil).body)
	if got := strings.Join(groups["Admin"], " "); got != "People Exports" {
		t.Errorf("viewer: Admin = %q, want People Exports", got)
	}
	if got := strings.Join(groups["Do"], " "); got != "Records Acknowledgements" {
		t.Errorf("viewer: Do = %q, want Records Acknowledgements (no import)", got)
	}
}

// TestFavicon checks that pages link an icon that exists and that the
// browsers' default /favicon.ico is answered.
func TestFavicon(t *testing.T) {
	t.Parallel()
	a := newApp(t, storetest.Open(t, store.SQLite))
	e := startServer(t, a, nil)
	c := e.client(t, false)
	if r := e.do(t, c, http.MethodGet, "/signin", nil, nil); !strings.Contains(r.body, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) {
		t.Errorf("the layout links no icon:\n%s", r.body)
	}
	r := e.do(t, c, http.MethodGet, "/favicon.ico", nil, nil)
	if r.status != http.StatusMovedPermanently || r.location() != "/static/favicon.svg" {
		t.Errorf("GET /favicon.ico: %d to %q, want 301 to /static/favicon.svg", r.status, r.location())
	}
	r = e.do(t, c, http.MethodGet, "/static/favicon.svg", nil, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.body, "<svg") {
		t.Errorf("GET /static/favicon.svg: %d %q %.40q", r.status, r.header.Get("Content-Type"), r.body)
	}
}

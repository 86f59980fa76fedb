package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestSwitcherListsTheFirstOrganisations checks the organisation switcher
// of a member of many organisations: the first switcherSize by slug and a
// link to /orgs, which lists them all.
func TestSwitcherListsTheFirstOrganisations(t *testing.T) {
	a := newApp(t, storetest.Open(t, store.SQLite))
	e := startServer(t, a, nil)
	first := mustOrg(t, a, "org-00", "Org 00")
	email := first.users[isms.RoleAuditor].Email
	for i := 1; i < 15; i++ {
		slug := fmt.Sprintf("org-%02d", i)
		if err := a.CreateOrg(t.Context(), app.System, &isms.Organization{Slug: slug, Name: "Org " + slug[4:], TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.AddMember(t.Context(), app.System, slug, email, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
	c := e.signIn(t, email)
	home := e.do(t, c, http.MethodGet, "/o/org-00/", nil, nil)
	switcher := home.body[strings.Index(home.body, `class="switcher"`):]
	switcher = switcher[:strings.Index(switcher, "</details>")]
	if n := strings.Count(switcher, `<li><a href="/o/`); n != 12 {
		t.Errorf("the switcher lists %d organisations, want 12", n)
	}
	if !strings.Contains(switcher, `href="/o/org-11/"`) || strings.Contains(switcher, `href="/o/org-12/"`) ||
		!strings.Contains(switcher, `<a href="/orgs">All 15 organisations</a>`) {
		t.Errorf("switcher:\n%s", switcher)
	}
	orgs := e.do(t, c, http.MethodGet, "/orgs", nil, nil)
	if n := strings.Count(orgs.body, `<li><a href="/o/`); n != 15+12 {
		t.Errorf("/orgs links %d organisations (with the switcher's 12), want all 15", n-12)
	}
}

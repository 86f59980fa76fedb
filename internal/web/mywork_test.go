package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func init() {
	registerAggregate(aggregate{
		name: "my work",
		// The rows are TestMyWorkPageAndFeed's; the fixture adds no due
		// item, which other pages' tests would see.
		pages: map[string]pageRequest{
			"mywork": {path: "/o/acme/my-work", want: []string{"<h1>My work</h1>", "Dates are days in", "Calendar feed", "Create my calendar feed"}},
		},
	})
}

// mustAuditFor plans an internal audit led by the member with the role,
// days from today (in the organisation's zone).
func mustAuditFor(t *testing.T, a *app.App, o *org, role isms.Role, title string, days int) *isms.InternalAudit {
	t.Helper()
	loc, _ := time.LoadLocation(o.TimeZone)
	n := time.Now().In(loc)
	on := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, days)
	au, err := a.CreateAudit(context.Background(), app.System, o.Slug, app.AuditInput{Title: title, Clauses: []string{"9.2"}, PlannedOn: on, LeadEmail: o.users[role].Email})
	if err != nil {
		t.Fatalf("plan audit %q: %v", title, err)
	}
	return au
}

var feedURLRE = regexp.MustCompile(`https?://[^<"\s]+/calendar/[A-Z2-7]+\.ics`)

// feedEvents fetches a feed without a session and parses it with a real
// iCalendar parser, returning its events by UID.
func feedEvents(t *testing.T, e *env, link string) map[string]*ics.VEvent {
	t.Helper()
	r := e.do(t, e.client(t, false), http.MethodGet, link, nil, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET %s: %d %q: %s", link, r.status, r.header.Get("Content-Type"), r.body)
	}
	for _, line := range strings.Split(r.body, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets, not folded: %q", len(line), line)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse the feed: %v\n%s", err, r.body)
	}
	out := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		out[ev.Id()] = ev
	}
	if len(out) != len(cal.Events()) {
		t.Errorf("duplicate UIDs in %s", r.body)
	}
	return out
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

// TestMyWorkPageAndFeed: the page lists the viewer's own items of this
// organisation, overdue first; the feed URL is shown once, parses as
// RFC 5545, holds the same items and nothing of another organisation or
// person, and stops working when rotated or revoked.
func TestMyWorkPageAndFeed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		other := mustOrg(t, a, "beta", "Beta Ab")
		ctx := context.Background()
		po := o.users[isms.RoleProcessOwner]
		if _, err := a.AddMember(ctx, app.System, "beta", po.Email, isms.RoleProcessOwner); err != nil {
			t.Fatal(err)
		}
		// acme's process owner is beta's too: the beta audit is theirs.
		other.users[isms.RoleProcessOwner] = po
		long := "Access, badges; and doors \\ keys: " + strings.Repeat("a long title that must fold ", 4)
		late := mustAuditFor(t, a, o, isms.RoleProcessOwner, "Late audit", -2)
		soon := mustAuditFor(t, a, o, isms.RoleProcessOwner, long, 20)
		mustAuditFor(t, a, other, isms.RoleProcessOwner, "Beta audit", 5)
		mustAuditFor(t, a, o, isms.RoleViewer, "Viewer audit", 1)

		c := e.signIn(t, po.Email)
		r := e.do(t, c, http.MethodGet, "/o/acme/my-work", nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("my work: %d", r.status)
		}
		li, si := strings.Index(r.body, "Hold the internal audit Late audit"), strings.Index(r.body, "Access, badges; and doors")
		if li < 0 || si < 0 || li > si {
			t.Errorf("page order: late at %d, soon at %d", li, si)
		}
		for _, no := range []string{"Beta audit", "Viewer audit"} {
			if strings.Contains(r.body, no) {
				t.Errorf("page shows %q", no)
			}
		}
		if !strings.Contains(r.body, "1 overdue") || !strings.Contains(r.body, "Dates are days in Europe/Helsinki") {
			t.Errorf("page summary missing")
		}

		// Create the feed: its URL is shown this once.
		r = e.do(t, c, http.MethodPost, "/o/acme/my-work/calendar", url.Values{}, nil)
		first := feedURLRE.FindString(r.body)
		if r.status != http.StatusOK || first == "" {
			t.Fatalf("create feed: %d %s", r.status, r.body)
		}
		if again := e.do(t, c, http.MethodGet, "/o/acme/my-work", nil, nil); feedURLRE.MatchString(again.body) || !strings.Contains(again.body, "Rotate the URL") {
			t.Errorf("the URL is shown again, or no rotate link")
		}
		evs := feedEvents(t, e, first)
		if len(evs) != 2 {
			t.Fatalf("feed events %v, want the two acme audits", evs)
		}
		for uid, ev := range evs {
			if s := prop(ev, ics.ComponentPropertySummary); strings.Contains(s, "Viewer audit") || strings.Contains(s, "Beta audit") || !strings.HasSuffix(uid, "/org-"+id(o.ID)+"@pdca") {
				t.Errorf("acme feed holds %s %q", uid, s)
			}
		}
		for _, au := range []*isms.InternalAudit{late, soon} {
			uid := "internal-audit:" + id(au.ID) + ":" + au.PlannedOn.In(mustZone(t, "Europe/Helsinki")).Format("2006-01-02") + "/org-" + id(o.ID) + "@pdca"
			ev, ok := evs[uid]
			if !ok {
				t.Fatalf("no event %s in %v", uid, evs)
			}
			start, err := ev.GetAllDayStartAt()
			if err != nil || start.Format("2006-01-02") != au.PlannedOn.In(mustZone(t, "Europe/Helsinki")).Format("2006-01-02") {
				t.Errorf("%s starts %v, %v", uid, start, err)
			}
			if _, err := ev.GetDtStampTime(); err != nil {
				t.Errorf("%s DTSTAMP: %v", uid, err)
			}
			want := "Hold the internal audit " + au.Title
			if au.ID == late.ID {
				want = "Overdue: " + want
			}
			if got := prop(ev, ics.ComponentPropertySummary); got != want {
				t.Errorf("SUMMARY %q, want %q", got, want)
			}
			if got := prop(ev, ics.ComponentPropertyUrl); got != e.ts.URL+"/o/acme/audits/"+id(au.ID) {
				t.Errorf("URL %q", got)
			}
			if d := prop(ev, ics.ComponentPropertyDescription); !strings.Contains(d, "Internal audit in Acme Oy") || !strings.Contains(d, "You own it.") {
				t.Errorf("DESCRIPTION %q", d)
			}
		}
		// The same person's feed in beta holds beta's item only.
		cb := e.do(t, c, http.MethodPost, "/o/beta/my-work/calendar", url.Values{}, nil)
		betaURL := feedURLRE.FindString(cb.body)
		bevs := feedEvents(t, e, betaURL)
		if len(bevs) != 1 {
			t.Fatalf("beta feed %v", bevs)
		}
		for uid, ev := range bevs {
			if !strings.HasSuffix(uid, "/org-"+id(other.ID)+"@pdca") || !strings.Contains(prop(ev, ics.ComponentPropertySummary), "Beta audit") {
				t.Errorf("beta event %s %q", uid, prop(ev, ics.ComponentPropertySummary))
			}
		}

		// Rotating asks first, then voids the old URL.
		r = e.do(t, c, http.MethodPost, "/o/acme/my-work/calendar", url.Values{}, nil)
		if !strings.Contains(r.body, "Rotate the feed URL?") || feedURLRE.MatchString(r.body) {
			t.Fatalf("rotate without confirming: %s", r.body)
		}
		r = e.do(t, c, http.MethodPost, "/o/acme/my-work/calendar", url.Values{"confirm": {"rotate"}}, nil)
		second := feedURLRE.FindString(r.body)
		if second == "" || second == first {
			t.Fatalf("rotate: %s", r.body)
		}
		anon := e.client(t, false)
		gone := e.do(t, anon, http.MethodGet, first, nil, nil)
		never := e.do(t, anon, http.MethodGet, "/calendar/"+strings.Repeat("A", 52)+".ics", nil, nil)
		bad := e.do(t, anon, http.MethodGet, "/calendar/nothing", nil, nil)
		if gone.status != http.StatusNotFound || never.status != http.StatusNotFound || bad.status != http.StatusNotFound || gone.body != never.body {
			t.Errorf("rotated %d %q, never existed %d %q, malformed %d", gone.status, gone.body, never.status, never.body, bad.status)
		}
		if len(feedEvents(t, e, second)) != 2 {
			t.Errorf("rotated feed lost its events")
		}

		// Revoking asks first, then removes it.
		if r := e.do(t, c, http.MethodGet, "/o/acme/my-work?feed=revoke", nil, nil); !strings.Contains(r.body, "Revoke the feed?") {
			t.Errorf("no revoke confirmation")
		}
		if r := e.do(t, c, http.MethodPost, "/o/acme/my-work/calendar/revoke", url.Values{"confirm": {"revoke"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if r := e.do(t, anon, http.MethodGet, second, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("revoked feed: %d", r.status)
		}
		if r := e.do(t, anon, http.MethodGet, betaURL, nil, nil); r.status != http.StatusOK {
			t.Errorf("beta feed after revoking acme's: %d", r.status)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestMyWorkLanding: after sign-in, a person of one organisation who owes
// something lands on My work; one who owes nothing on the dashboard.
func TestMyWorkLanding(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	mustAuditFor(t, a, o, isms.RoleViewer, "Viewer audit", 1)
	for role, want := range map[isms.Role]string{isms.RoleViewer: "/o/acme/my-work", isms.RoleManagement: "/o/acme/"} {
		c := e.signIn(t, o.users[role].Email)
		if r := e.do(t, c, http.MethodGet, "/", nil, nil); r.status != http.StatusSeeOther || r.location() != want {
			t.Errorf("%s lands on %d %q, want %q", role, r.status, r.location(), want)
		}
	}
}

// TestMyWorkAPI: list-my-work is the page's list as JSON with RFC 3339
// times; rotate-calendar-feed answers with a working URL, which
// revoke-calendar-feed voids; a read-only token may list but not rotate.
func TestMyWorkAPI(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	late := mustAuditFor(t, a, o, isms.RoleProcessOwner, "Late audit", -2)
	mustAuditFor(t, a, o, isms.RoleProcessOwner, "Later audit", 30)
	mustAuditFor(t, a, o, isms.RoleViewer, "Viewer audit", 1)
	_, rw := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
	_, ro := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeRead)
	c := e.client(t, false)
	r := e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/my-work", nil, bearer(ro))
	var list struct {
		Items []struct {
			Key     string `json:"key"`
			Title   string `json:"title"`
			Due     string `json:"due"`
			Stage   string `json:"stage"`
			Overdue bool   `json:"overdue"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != http.StatusOK {
		t.Fatalf("list-my-work: %d %v %s", r.status, err, r.body)
	}
	if list.Total != 2 || len(list.Items) != 2 || !list.Items[0].Overdue || list.Items[0].Title != "Hold the internal audit Late audit" ||
		list.Items[0].Due != late.PlannedOn.UTC().Format(time.RFC3339) || list.Items[1].Stage != "none" {
		t.Fatalf("list-my-work %+v", list)
	}
	if r := e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/my-work/calendar", nil, bearer(ro)); r.status != http.StatusForbidden {
		t.Errorf("read-only token rotates: %d %s", r.status, r.body)
	}
	r = e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/my-work/calendar", nil, bearer(rw))
	var feed struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(r.body), &feed); err != nil || r.status != http.StatusOK || !feedURLRE.MatchString(feed.URL) {
		t.Fatalf("rotate-calendar-feed: %d %v %s", r.status, err, r.body)
	}
	if len(feedEvents(t, e, feed.URL)) != 2 {
		t.Errorf("API feed events")
	}
	if r := e.do(t, c, http.MethodDelete, "/api/v1/orgs/acme/my-work/calendar", nil, bearer(rw)); r.status != http.StatusNoContent {
		t.Errorf("revoke-calendar-feed: %d %s", r.status, r.body)
	}
	if r := e.do(t, c, http.MethodGet, feed.URL, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("revoked feed: %d", r.status)
	}
}

package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// vocabulary returns the identifiers of pdca's vocabulary that people must
// never read on a page: the snake_case ids of record kinds and their
// fields, roles, permissions, statuses, sources, measures, rule kinds and
// decision kinds. Plain words ("severity", "open") are English already.
func vocabulary() map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		if strings.Contains(s, "_") {
			out[s] = true
		}
	}
	for _, k := range isms.Kinds() {
		add(string(k.Kind))
		for _, f := range k.Fields {
			add(f.Name)
			for _, v := range f.Enum {
				add(v)
			}
		}
	}
	for _, r := range isms.Roles() {
		add(string(r))
	}
	for _, a := range isms.Actions() {
		add(string(a))
	}
	for _, s := range isms.DeviationStatuses() {
		add(string(s))
	}
	for _, s := range isms.ImplementationStatuses() {
		add(string(s))
	}
	for _, l := range [][]string{isms.DeviationKinds, isms.DeviationSources, isms.CauseCategories, isms.DeviationLevels} {
		for _, s := range l {
			add(s)
		}
	}
	for _, s := range []string{isms.VerdictNotEffective, string(isms.DecisionChange),
		string(measure.MeasureShareWithin), string(measure.MeasurePercentileDuration), string(measure.MeasureStockCount),
		string(measure.MeasureStockAgedCount), string(measure.RuleAtLeast), string(measure.RuleAtMost), string(measure.RuleNotRising)} {
		add(s)
	}
	return out
}

var (
	// Content people do not read as text: scripts, styles, comments, and
	// the raw JSON of an audit event, which sits folded in a <details>
	// (class "raw") one click away, as the audit trail promises.
	hiddenText = regexp.MustCompile(`(?is)<script.*?</script>|<style.*?</style>|<!--.*?-->|<pre class="raw">.*?</pre>`)
	anyTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	identWord  = regexp.MustCompile(`[A-Za-z0-9]+(?:[_.][A-Za-z0-9]+)+`)
	hashRef    = regexp.MustCompile(`#\d+`)
	// An email address is a person's, not our vocabulary (the fixture's
	// are <role>@acme.example); where emails may show is checked apart.
	email = regexp.MustCompile(`[^\s<>()"',;:]+@[A-Za-z0-9.-]+`)
)

// visibleText returns the text of a page as a person reads it: no tags,
// no attributes (a title shows on hover only), entities decoded.
func visibleText(page string) string {
	page = hiddenText.ReplaceAllString(page, " ")
	return html.UnescapeString(anyTag.ReplaceAllString(page, " "))
}

// rawIdentifiers lists the identifiers of vocab and the "#<digits>" record
// references in the visible text of page.
func rawIdentifiers(page string, vocab map[string]bool) []string {
	text := email.ReplaceAllString(visibleText(page), " ")
	var out []string
	for _, w := range identWord.FindAllString(text, -1) {
		if vocab[w] {
			out = append(out, w)
		}
	}
	out = append(out, hashRef.FindAllString(text, -1)...)
	slices.Sort(out)
	return slices.Compact(out)
}

// emailPages show email addresses as text, by their first path segment
// (after /o/acme/): the members and their invitations, their removal, the
// deliveries of reminders (an address is where a message went), the
// signed-in person's account and invitations, and the audit trail, where
// people who are no longer members (and invitees) show by the address the
// trail recorded, as no name of theirs is known to the organisation.
var emailPages = map[string]bool{"people": true, "notifications": true, "": true, "audit": true}

// TestNoRawIdentifiers fetches every organisation page (every GET route of
// OrgRoutes, every record kind's list, the audit trail filtered) as an
// admin of an organisation with data of every aggregate, and fails on an
// identifier of pdca's vocabulary or a "#<digits>" reference in the text
// a person reads: pages speak in labels, names and references.
func TestNoRawIdentifiers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		vals := map[string]string{"org": o.Slug, "user": id(o.users[isms.RoleViewer].ID), "records.id": id(rec),
			"kind": recordKind, "key": metricKey, "period": metricPeriod, "tokens.id": "0", "imports.token": "none"}
		merge(vals, mustAggregates(t, a, o))
		// The critical incident opens a deviation linked to its record.
		if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		// A role change and an import leave events with snake_case values.
		if err := a.SetRole(ctx, app.System, o.Slug, o.users[isms.RoleViewer].ID, isms.RoleISMSManager); err != nil {
			t.Fatal(err)
		}
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		vocab := vocabulary()

		var paths []string
		for _, rt := range e.srv.OrgRoutes() {
			if method, path := fill(t, rt.Pattern, vals); method == http.MethodGet {
				paths = append(paths, path)
			}
		}
		for _, k := range isms.Kinds() {
			paths = append(paths, "/o/acme/records/"+string(k.Kind))
		}
		devs, err := a.Deviations(ctx, app.System, o.Slug, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			paths = append(paths, "/o/acme/deviations/"+id(d.ID))
		}
		day := time.Now().UTC().Format("2006-01-02")
		paths = append(paths, "/o/acme/audit?since="+day+"&until="+day, "/orgs", "/account")
		for _, path := range paths {
			t.Run(path, func(t *testing.T) {
				r := e.do(t, c, http.MethodGet, path, nil, nil)
				if r.status != http.StatusOK {
					return // a route that answers otherwise (a file, a redirect) shows no page
				}
				if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
					return
				}
				if got := rawIdentifiers(r.body, vocab); len(got) > 0 {
					t.Errorf("GET %s shows raw identifiers %q; text:\n%s", path, got, visibleText(r.body))
				}
				// People show by name, the email on hover; only the pages
				// about people and accounts show addresses as text.
				// The layout names the signed-in account by its address.
				text := strings.ReplaceAll(visibleText(r.body), o.users[isms.RoleAdmin].Email, "")
				page, _, _ := strings.Cut(strings.TrimPrefix(path, "/o/acme/"), "?")
				page = strings.Split(page, "/")[0]
				if emails := email.FindAllString(text, -1); len(emails) > 0 && !emailPages[page] {
					t.Errorf("GET %s shows email addresses %q instead of names; text:\n%s", path, emails, text)
				}
			})
		}
	})
}

// TestRawIdentifiersFound checks the check: it finds what it must and
// ignores what people do not read.
func TestRawIdentifiersFound(t *testing.T) {
	t.Parallel()
	vocab := vocabulary()
	tests := []struct {
		page string
		want []string
	}{
		{`<th>employment_ended_at</th><td>isms_manager</td>`, []string{"employment_ended_at", "isms_manager"}},
		{`<p>Record: incidents #57</p>`, []string{"#57"}},
		{`<a title="isms_manager" href="/x#12">ISMS manager</a>`, nil},
		{`<details><summary>JSON</summary><pre class="raw">{"role":"isms_manager"}</pre></details>`, nil},
		{`<p>my_own_word and a.b and actions planned</p>`, nil},
	}
	for _, tt := range tests {
		if got := rawIdentifiers(tt.page, vocab); !slices.Equal(got, tt.want) {
			t.Errorf("rawIdentifiers(%q) = %q, want %q", tt.page, got, tt.want)
		}
	}
}

// TestAuditTrailReadable: the audit trail page lists changes in words
// (who by name, what in words, on what by name, "field: before → after"),
// filters by person, entity type and dates, pages newest first, keeps the
// raw JSON one click away and never shows a token's secret.
func TestAuditTrailReadable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		viewer := o.users[isms.RoleViewer]
		if err := a.SetRole(ctx, app.System, o.Slug, viewer.ID, isms.RoleISMSManager); err != nil {
			t.Fatal(err)
		}
		admin := o.users[isms.RoleAdmin]
		var secrets []string
		for range 26 {
			_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
			secrets = append(secrets, secret)
		}
		c := e.signIn(t, admin.Email)
		get := func(path string) string {
			t.Helper()
			r := e.do(t, c, http.MethodGet, path, nil, nil)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
			for _, s := range secrets {
				if strings.Contains(r.body, s) {
					t.Fatalf("GET %s shows a token's secret", path)
				}
			}
			return r.body
		}
		rows := regexp.MustCompile(`<details><summary>Event (\d+) as JSON`)
		seqs := func(body string) []string {
			var out []string
			for _, m := range rows.FindAllStringSubmatch(body, -1) {
				out = append(out, m[1])
			}
			return out
		}

		first := get("/o/acme/audit")
		if got := seqs(first); len(got) != 25 || !slices.IsSortedFunc(got, func(x, y string) int { return atoi(y) - atoi(x) }) {
			t.Fatalf("first page: events %v, want 25, newest first", got)
		}
		older := regexp.MustCompile(`href="(\?[^"]*before=\d+[^"]*)"`).FindStringSubmatch(first)
		if older == nil {
			t.Fatalf("first page has no link to older events:\n%s", first)
		}
		second := get("/o/acme/audit" + html.UnescapeString(older[1]))
		for _, s := range seqs(second) {
			if slices.Contains(seqs(first), s) {
				t.Errorf("event %s is on both pages", s)
			}
		}
		if !strings.Contains(second, "Changed a member&#39;s role") || !strings.Contains(second, "<strong>Role</strong>: Viewer → ISMS manager") ||
			!strings.Contains(second, "Membership The viewer") || !strings.Contains(second, `<pre class="raw">`) {
			t.Errorf("the role change does not read as words:\n%s", second)
		}

		// Who: the admin created the tokens (as the system did here, so none).
		byAdmin := get("/o/acme/audit?actor=" + id(admin.ID))
		if n := len(seqs(byAdmin)); n != 0 {
			t.Errorf("actor filter: %d events of the admin, want 0 (the system acted)", n)
		}
		if r := e.do(t, c, http.MethodPost, "/o/acme/tokens", url.Values{"name": {"mine"}, "scope": {"read"}}, nil); r.status >= 400 {
			t.Fatalf("create a token: %d %s", r.status, r.body)
		}
		byAdmin = get("/o/acme/audit?actor=" + id(admin.ID))
		if n := len(seqs(byAdmin)); n != 1 || !strings.Contains(byAdmin, "Created an API token") || !strings.Contains(byAdmin, `title="`+admin.Email+`"`) {
			t.Errorf("actor filter: %d events, want the admin's one token, by name with the email on hover:\n%s", n, byAdmin)
		}
		// On what.
		members := get("/o/acme/audit?entity=membership")
		if !strings.Contains(members, "Added a member") || strings.Contains(members, "Created an API token") {
			t.Errorf("entity filter shows other entities:\n%s", members)
		}
		// When: days in the organisation's zone.
		if body := get("/o/acme/audit?since=2999-01-01"); len(seqs(body)) != 0 || !strings.Contains(body, "No events match.") {
			t.Errorf("a range in the future shows events")
		}
		today := time.Now().In(mustLoc(t, "Europe/Helsinki")).Format("2006-01-02")
		if body := get("/o/acme/audit?since=" + today + "&until=" + today); len(seqs(body)) != 25 {
			t.Errorf("today's events: %d, want a full page", len(seqs(body)))
		}
	})
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"slices"
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

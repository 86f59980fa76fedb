package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestRedFigureLeadsToDeviation checks that a red figure on the metrics
// page and on its drill-down links to the deviation it opened (or the
// metric's open deviation, which stands for it), and otherwise offers
// "Open a deviation" prefilled with the metric and period, to those who
// may create one only.
func TestRedFigureLeadsToDeviation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		importCSV := func(csv string) {
			t.Helper()
			if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: "csv", FileName: "r.csv", File: strings.NewReader(csv)}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Late removals in September and so far in November; none in
		// October, the last complete month, so nothing is opened.
		importCSV("person,system,employment_ended_at,access_removed_at\nalice,github,2026-09-05 09:00,2026-09-09 09:00\nbob,github,2026-11-01 09:00,2026-11-05 09:00\n")
		if ds, err := a.Deviations(ctx, app.System, "acme", ""); err != nil || len(ds) != 0 {
			t.Fatalf("deviations = %+v, %v", ds, err)
		}
		writer := e.signIn(t, o.users[isms.RoleProcessOwner].Email)
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
		openLink := regexp.MustCompile(`class="figure-dev-open" href="([^"]+)"`)

		r := e.do(t, writer, http.MethodGet, "/o/acme/metrics", nil, nil)
		m := openLink.FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil || !strings.Contains(m[1], "metric=access-removal") || !strings.Contains(m[1], "period=2026-11") {
			t.Fatalf("metrics page offers no deviation for November's red figure: %d %v\n%s", r.status, m, r.body)
		}
		if strings.Count(r.body, "deviations/new?kind=minor&amp;metric=access-removal") != 1 {
			t.Errorf("only November's red figure of access-removal offers a deviation (October has no data):\n%s", r.body)
		}
		drill := "/o/acme/metrics/access-removal/2026-09?as_of=2026-11-10T12:00:00Z"
		r = e.do(t, writer, http.MethodGet, drill, nil, nil)
		m = openLink.FindStringSubmatch(r.body)
		if m == nil || !strings.Contains(m[1], "period=2026-09") {
			t.Fatalf("drill-down of a red September offers no deviation:\n%s", r.body)
		}
		r = e.do(t, writer, http.MethodGet, html.UnescapeString(m[1]), nil, nil)
		for _, want := range []string{`name="metric" value="access-removal"`, `name="period" value="2026-09"`, `value="metric" selected`,
			`value="Access removed within 24 h of employment end red in 2026-09"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the new deviation form is not prefilled with %s:\n%s", want, r.body)
			}
		}
		for _, path := range []string{"/o/acme/metrics", drill} {
			if r = e.do(t, viewer, http.MethodGet, path, nil, nil); r.status != http.StatusOK || strings.Contains(r.body, "Open a deviation") {
				t.Errorf("a viewer, who may not create deviations, is offered one on %s", path)
			}
		}

		// October turns red: the recompute opens its deviation, which both
		// red figures now lead to (November's through the open deviation of
		// the metric).
		importCSV("person,system,employment_ended_at,access_removed_at\ncarol,github,2026-10-05 09:00,2026-10-09 09:00\n")
		ds, err := a.Deviations(ctx, app.System, "acme", "")
		if err != nil || len(ds) != 1 || ds[0].MetricPeriod != "2026-10" {
			t.Fatalf("deviations = %+v, %v", ds, err)
		}
		link := `href="/o/acme/deviations/` + id(ds[0].ID) + `">`
		for _, c := range []*http.Client{writer, viewer} {
			r = e.do(t, c, http.MethodGet, "/o/acme/metrics", nil, nil)
			if !strings.Contains(r.body, link+"DEV-2026-001 (open)</a>") || !strings.Contains(r.body, link+"open deviation DEV-2026-001 (open)</a>") ||
				strings.Contains(r.body, "metric=access-removal") {
				t.Errorf("metrics page does not lead the red figures to DEV-2026-001:\n%s", r.body)
			}
			r = e.do(t, c, http.MethodGet, "/o/acme/metrics/access-removal/2026-10?as_of=2026-11-10T12:00:00Z", nil, nil)
			if !strings.Contains(r.body, link+"DEV-2026-001 (open)</a>") {
				t.Errorf("drill-down of October does not lead to its deviation:\n%s", r.body)
			}
		}
	})
}

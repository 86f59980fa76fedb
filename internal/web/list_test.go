package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// listIncidents are three incidents of an organisation in Europe/Helsinki
// (times read in its zone): INC-A in the first minutes of October, INC-B
// in the last of September, INC-C in November.
const listIncidents = "ref,title,severity,detected_at,action_started_at,resolved_at,root_cause\n" +
	"INC-A,Early October,high,2026-10-01 00:30,,,\n" +
	"INC-B,Late September,high,2026-09-30 23:50,,2026-10-01 10:00,\n" +
	"INC-C,November,low,2026-11-02 09:00,,,\n"

// The records page's filter bar: newest first by default, the filters
// kept in the form, the period read in the organisation's zone, counts in
// words, and an invalid period answered with 422 and a message beside the
// filters; the API takes the same parameters.
func TestRecordListFilterBar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: o.Slug, Kind: "incidents", Format: "csv", FileName: "i.csv", File: strings.NewReader(listIncidents)}); err != nil {
			t.Fatalf("import: %v", err)
		}
		c := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		base := "/o/acme/records/incidents"

		r := e.do(t, c, http.MethodGet, base, nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("list: %d", r.status)
		}
		ic, ia, ib := strings.Index(r.body, "INC-C"), strings.Index(r.body, "INC-A"), strings.Index(r.body, "INC-B")
		if ic < 0 || ia < ic || ib < ia {
			t.Errorf("default order: want INC-C, INC-A, INC-B (newest first); positions %d %d %d", ic, ia, ib)
		}
		if !strings.Contains(r.body, "3 records") || strings.Contains(r.body, "Clear filters") {
			t.Errorf("unfiltered list: want \"3 records\" and no \"Clear filters\"")
		}

		r = e.do(t, c, http.MethodGet, base+"?period=2026-10&status=open&severity=high", nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("filtered: %d %s", r.status, r.body)
		}
		if !strings.Contains(r.body, "INC-A") || strings.Contains(r.body, "INC-B") || strings.Contains(r.body, "INC-C") {
			t.Errorf("period 2026-10 in Helsinki, open, high: want only INC-A")
		}
		for _, want := range []string{`name="period" value="2026-10"`, `<option value="open" selected>`, `<option value="high" selected>`, "Clear filters", "1 record matching the filters"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("filtered page lacks %q", want)
			}
		}

		r = e.do(t, c, http.MethodGet, base+"?period=2026-13", nil, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="f-problem"`) || !strings.Contains(r.body, "2026-13") ||
			!strings.Contains(r.body, `value="2026-13"`) {
			t.Errorf("invalid period: status %d, want 422 with the message beside the filter and the value kept", r.status)
		}
		r = e.do(t, c, http.MethodGet, base+"?status=pass", nil, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "give open or closed") {
			t.Errorf("status pass on incidents: status %d, want 422 naming open or closed", r.status)
		}

		_, secret := mustToken(t, a, o, isms.RoleAuditor, isms.ScopeRead)
		api := e.client(t, false)
		var list struct {
			Items []struct {
				Key string `json:"key"`
			} `json:"items"`
			Total int `json:"total"`
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/records/incidents?period=2026-10&limit=1&count=true", nil, bearer(secret))
		if r.status != http.StatusOK {
			t.Fatalf("api list: %d %s", r.status, r.body)
		}
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || list.Total != 1 || len(list.Items) != 1 || list.Items[0].Key != "INC-A" {
			t.Errorf("api period 2026-10: %s", r.body)
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/records/incidents?status=closed&count=true", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || list.Total != 1 || list.Items[0].Key != "INC-B" {
			t.Errorf("api status closed: %s", r.body)
		}
		// Pages by key: one at a time, newest first, as the page shows them.
		var keys []string
		for after, pages := "", 0; pages < 5; pages++ {
			var page struct {
				Items []struct {
					Key string `json:"key"`
				} `json:"items"`
				HasMore bool   `json:"has_more"`
				Next    string `json:"next"`
			}
			r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/records/incidents?limit=1&after="+after, nil, bearer(secret))
			if err := json.Unmarshal([]byte(r.body), &page); err != nil || r.status != http.StatusOK || len(page.Items) != 1 || page.HasMore != (page.Next != "") {
				t.Fatalf("keyset page after %q: %d %s", after, r.status, r.body)
			}
			keys = append(keys, page.Items[0].Key)
			if after = page.Next; after == "" {
				break
			}
		}
		if strings.Join(keys, " ") != "INC-C INC-A INC-B" {
			t.Errorf("keyset pages: %v, want INC-C INC-A INC-B", keys)
		}
		for _, q := range []string{"sort=severity&after=bi4x", "offset=1&after=bi4x", "after=not-a-cursor", "count=true&after=bi4x"} {
			if r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/records/incidents?"+q, nil, bearer(secret)); r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s, want 422", q, r.status, r.body)
			}
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/records/incidents?period=2026-Q5", nil, bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Q1 to Q4") {
			t.Errorf("api invalid period: %d %s", r.status, r.body)
		}
	})
}

// Deviations filter by owner and by the period of detection (in the
// organisation's zone) beside the status; the page keeps the values, an
// invalid period or status is a 422 beside the filters, and the API takes
// the same parameters.
func TestDeviationListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		owner := o.users[isms.RoleProcessOwner].Email
		for _, d := range []struct {
			title, owner string
			at           time.Time
		}{
			{"Badge left active", owner, time.Date(2026, 9, 30, 21, 30, 0, 0, time.UTC)}, // 00:30 on 1 October in Helsinki
			{"Backup not tested", owner, time.Date(2026, 9, 30, 20, 30, 0, 0, time.UTC)}, // 23:30 on 30 September
			{"Supplier unassessed", o.users[isms.RoleISMSManager].Email, time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)},
		} {
			if _, err := a.CreateDeviation(ctx, app.System, "acme", app.DeviationInput{Title: d.title, Kind: "minor", Source: "complaint", Severity: "low",
				DetectedAt: d.at, OwnerEmail: d.owner}); err != nil {
				t.Fatal(err)
			}
		}
		c := e.signIn(t, o.users[isms.RoleViewer].Email)
		r := e.do(t, c, http.MethodGet, "/o/acme/deviations?period=2026-10&owner="+strings.ToUpper(owner), nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "Badge left active") || strings.Contains(r.body, "Backup not tested") ||
			strings.Contains(r.body, "Supplier unassessed") || !strings.Contains(r.body, "1 deviation matching the filters") ||
			!strings.Contains(r.body, `value="2026-10"`) || !strings.Contains(r.body, `<option value="`+owner+`" selected>`) {
			t.Errorf("owner and October: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/deviations?period=2026-10", nil, nil)
		if !strings.Contains(r.body, "2 deviations matching the filters") || strings.Index(r.body, "Supplier unassessed") > strings.Index(r.body, "Badge left active") {
			t.Errorf("October, newest first: want Supplier unassessed then Badge left active")
		}
		for _, q := range []string{"period=October", "status=sideways"} {
			r = e.do(t, c, http.MethodGet, "/o/acme/deviations?"+q, nil, nil)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="f-problem"`) {
				t.Errorf("%s: status %d, want 422 with the message beside the filters", q, r.status)
			}
		}

		_, secret := mustToken(t, a, o, isms.RoleAuditor, isms.ScopeRead)
		api := e.client(t, false)
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/deviations?period=2026-10&count=true&owner="+owner, nil, bearer(secret))
		var list struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != http.StatusOK || list.Total != 1 || list.Items[0].Title != "Badge left active" {
			t.Errorf("api owner and period: %d %s", r.status, r.body)
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/deviations?period=2026-00", nil, bearer(secret))
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("api invalid period: %d %s", r.status, r.body)
		}
	})
}

// list-risks pages in the database and filters by owner; total counts
// the risks matching, not the page.
func TestRiskListAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		manager := app.Principal{UserID: o.users[isms.RoleISMSManager].ID, Label: o.users[isms.RoleISMSManager].Email}
		owner := o.users[isms.RoleProcessOwner].Email
		for i := range 3 {
			rf := app.RiskFields{Asset: "asset " + strconv.Itoa(i), Threat: "loss"}
			if i > 0 {
				rf.OwnerEmail = owner
			}
			if _, err := a.CreateRisk(ctx, manager, "acme", rf, 2, 2, ""); err != nil {
				t.Fatal(err)
			}
		}
		_, secret := mustToken(t, a, o, isms.RoleAuditor, isms.ScopeRead)
		api := e.client(t, false)
		var list struct {
			Items []struct {
				Asset string `json:"asset"`
			} `json:"items"`
			Total int `json:"total"`
		}
		r := e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?count=true&owner="+strings.ToUpper(owner)+"&limit=1", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != http.StatusOK || list.Total != 2 || len(list.Items) != 1 || list.Items[0].Asset != "asset 2" {
			t.Errorf("owner, limit 1: %d %s", r.status, r.body)
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?offset=2&count=true", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || list.Total != 3 || len(list.Items) != 1 || list.Items[0].Asset != "asset 0" {
			t.Errorf("offset 2: %s", r.body)
		}
		// Without count=true a page is not counted: no total, and
		// has_more says whether another page follows.
		for q, more := range map[string]bool{"limit=2": true, "limit=3": false, "limit=2&offset=1": false, "offset=5": false} {
			r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?"+q, nil, bearer(secret))
			var page map[string]any
			if err := json.Unmarshal([]byte(r.body), &page); err != nil || r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", q, r.status, r.body)
			}
			if _, counted := page["total"]; counted || page["has_more"] != more {
				t.Errorf("%s: total %v, has_more %v; want no total and has_more %v", q, page["total"], page["has_more"], more)
			}
		}
		// A keyset page: after the next of the first page of two comes
		// the third and last risk, as offset 2 gives it.
		var first struct {
			Items []struct {
				Asset string `json:"asset"`
			} `json:"items"`
			HasMore bool   `json:"has_more"`
			Next    string `json:"next"`
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?limit=2", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &first); err != nil || !first.HasMore || first.Next == "" || len(first.Items) != 2 {
			t.Fatalf("first page of 2: %s", r.body)
		}
		second := first
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?limit=2&after="+first.Next, nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &second); err != nil || r.status != http.StatusOK || second.HasMore || strings.Contains(r.body, `"next"`) ||
			len(second.Items) != 1 || second.Items[0].Asset != "asset 0" {
			t.Errorf("the page after %s: %d %s", first.Next, r.status, r.body)
		}
		for _, q := range []string{"after=nonsense", "after=" + first.Next + "&offset=1", "after=" + first.Next + "&count=true"} {
			if r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?"+q, nil, bearer(secret)); r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s, want 422", q, r.status, r.body)
			}
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/risks?treatment=ignore", nil, bearer(secret))
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("unknown treatment: %d %s", r.status, r.body)
		}
	})
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func init() {
	registerAggregate(aggregate{
		name: "record entry",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			recs, _, err := a.Records(context.Background(), app.System, o.Slug, recordKind, store.RecordFilter{Query: "INC-1", Limit: 1})
			if err != nil || len(recs) == 0 {
				return nil // the pages test imports the records first
			}
			return map[string]string{"entry.record": id(recs[0].ID)}
		},
		pages: map[string]pageRequest{
			"record_form": {path: "/o/acme/records/incidents/new", want: []string{"<h1>New incident</h1>", `type="datetime-local"`, `name="severity"`,
				`<option value="critical">Critical</option>`, "Reference", "(key, required)"}},
			"record_delete":     {path: "/o/acme/records/incidents/{entry.record}/delete", want: []string{"Delete Incident INC-1?", `name="key" value="INC-1"`}},
			"incident_report":   {path: "/o/acme/report", want: []string{"<h1>Report an incident</h1>", `name="what"`, "Send the report"}},
			"incident_reported": {path: "/o/acme/report/done", want: []string{"What happens next", "What you should do now"}},
			"report_link":       {path: "/o/acme/report-link", want: []string{"Public incident report link", "Turn the link on"}},
		},
		bodies: map[string]jsonBody{
			"create-record":   `{"values":{"ref":"INC-API","title":"Typed in through the API","severity":"low","detected_at":"2026-10-09 10:00"}}`,
			"update-record":   `{"values":{"ref":"INC-1","title":"Replaced through the API","severity":"high","detected_at":"2026-10-01T09:00:00Z"}}`,
			"report-incident": `{"what":"A test reports something odd","severity":"low"}`,
		},
	})
}

func incidentForm(ref, severity, detected string) url.Values {
	return url.Values{"ref": {ref}, "title": {"Typed in"}, "severity": {severity}, "detected_at": {detected},
		"action_started_at": {""}, "resolved_at": {""}, "root_cause": {""}}
}

func TestRecordFormCreateEditDelete(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustRecords(t, a, o)
		c := e.signIn(t, o.users[isms.RoleProcessOwner].Email)
		ctx := context.Background()

		// A datetime-local value is read in the person's zone (the
		// organisation's here: Helsinki, +03:00 in October).
		r := e.do(t, c, http.MethodPost, "/o/acme/records/incidents", incidentForm("INC-7", "high", "2026-10-01T09:00"), nil)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/o/acme/records/incidents/") {
			t.Fatalf("create: %d %s\n%s", r.status, r.location(), r.body)
		}
		recs, _, err := a.Records(ctx, app.System, "acme", recordKind, store.RecordFilter{Query: "INC-7"})
		if err != nil || len(recs) != 1 {
			t.Fatalf("records: %v %v", recs, err)
		}
		rec := recs[0]
		if !rec.Times["detected_at"].Equal(time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)) || rec.Texts["severity"] != "high" {
			t.Errorf("stored %+v", rec)
		}
		page := e.do(t, c, http.MethodGet, r.location(), nil, nil)
		if page.status != http.StatusOK || !strings.Contains(page.body, "/edit\">Edit</a>") {
			t.Errorf("record page lacks Edit for a process owner: %d", page.status)
		}
		// The viewer sees no edit link.
		if v := e.do(t, e.signIn(t, o.users[isms.RoleViewer].Email), http.MethodGet, r.location(), nil, nil); strings.Contains(v.body, "/edit\">Edit</a>") {
			t.Error("a viewer is offered Edit")
		}

		// Bad values: 422, each problem beside its field, the values kept,
		// nothing stored.
		r = e.do(t, c, http.MethodPost, "/o/acme/records/incidents", incidentForm("INC-8", "urgent", "yesterday"), nil)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad values: %d\n%s", r.status, r.body)
		}
		for _, want := range []string{`id="e-severity"`, "unknown severity; expected one of critical, high, medium, low", `id="e-detected_at"`,
			`value="yesterday"`, `value="INC-8"`, `aria-invalid="true"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("bad values page lacks %q", want)
			}
		}
		if _, n, _ := a.Records(ctx, app.System, "acme", recordKind, store.RecordFilter{Query: "INC-8"}); n != 0 {
			t.Errorf("a rejected form stored %d records", n)
		}
		// A taken key: 409 with a clear message at the key.
		r = e.do(t, c, http.MethodPost, "/o/acme/records/incidents", incidentForm("INC-1", "low", ""), nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "another incident already has the key INC-1") || !strings.Contains(r.body, `id="e-ref"`) {
			t.Errorf("duplicate: %d\n%s", r.status, r.body)
		}

		// Edit: the form shows the stored values in the zone; saving changes.
		edit := "/o/acme/records/incidents/" + id(rec.ID)
		r = e.do(t, c, http.MethodGet, edit+"/edit", nil, nil)
		if !strings.Contains(r.body, `value="2026-10-01T09:00"`) || !strings.Contains(r.body, `<option value="high" selected>`) {
			t.Errorf("edit form lacks the stored values:\n%s", r.body)
		}
		r = e.do(t, c, http.MethodPost, edit, incidentForm("INC-7b", "low", "2026-10-01T09:00"), nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.status, r.body)
		}
		// The record's page shows who changed what, for those who read the audit trail.
		admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
		r = e.do(t, admin, http.MethodGet, edit, nil, nil)
		for _, want := range []string{"INC-7b", "The process owner", "high → low"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("record page lacks %q:\n%s", want, r.body)
			}
		}

		// Delete: without the key nothing happens; with it the record goes.
		if r := e.do(t, c, http.MethodPost, edit+"/delete", url.Values{}, nil); r.status != http.StatusUnprocessableEntity {
			t.Errorf("delete without confirmation: %d", r.status)
		}
		r = e.do(t, c, http.MethodPost, edit+"/delete", url.Values{"key": {"INC-7b"}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/o/acme/records/incidents" {
			t.Fatalf("delete: %d %s\n%s", r.status, r.location(), r.body)
		}
		if r := e.do(t, c, http.MethodGet, edit, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("deleted record's page: %d", r.status)
		}
		evs, err := a.Events(ctx, app.System, "acme", store.EventFilter{Entity: recordKind, EntityID: id(rec.ID)})
		if err != nil || len(evs) != 3 || evs[0].Action != "record.delete" || !strings.Contains(evs[0].Before, "INC-7b") {
			t.Errorf("history after delete: %+v %v", evs, err)
		}
	})
}

var linkRE = regexp.MustCompile(`https?://[^<"\s]+/report/[A-Z2-7]+`)

func TestIncidentReportPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)

		// Every member finds the entry in the menu and on the home page.
		home := e.do(t, viewer, http.MethodGet, "/o/acme/", nil, nil)
		if strings.Count(home.body, `href="/o/acme/report"`) < 2 {
			t.Errorf("home lacks the report entries:\n%s", home.body)
		}
		r := e.do(t, viewer, http.MethodPost, "/o/acme/report", url.Values{"what": {"My laptop was stolen"}, "noticed": {"2026-10-01T09:00"}, "contact": {"+358 40 1"}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/o/acme/report/done" {
			t.Fatalf("report: %d %s\n%s", r.status, r.location(), r.body)
		}
		done := e.do(t, viewer, http.MethodGet, r.location(), nil, nil)
		for _, want := range []string{"Thank you: your report is INC-", "ISMS managers and admins were told", "The admin", "What you should do now"} {
			if !strings.Contains(done.body, want) {
				t.Errorf("receipt lacks %q:\n%s", want, done.body)
			}
		}
		if r := e.do(t, viewer, http.MethodPost, "/o/acme/report", url.Values{"what": {""}}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-what"`) {
			t.Errorf("empty report: %d", r.status)
		}

		// The public link: off → 404; the admin turns it on and sees it once.
		anon := e.client(t, false)
		if r := e.do(t, anon, http.MethodGet, "/report/NOSUCHLINK", nil, nil); r.status != http.StatusNotFound {
			t.Errorf("unknown link: %d", r.status)
		}
		admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
		r = e.do(t, admin, http.MethodPost, "/o/acme/report-link", url.Values{}, nil)
		link := linkRE.FindString(r.body)
		if r.status != http.StatusOK || link == "" {
			t.Fatalf("enable: %d\n%s", r.status, r.body)
		}
		path := link[strings.Index(link, "/report/"):]
		form := e.do(t, anon, http.MethodGet, path, nil, nil)
		if form.status != http.StatusOK || !strings.Contains(form.body, "Report an incident to Acme Oy") || strings.Contains(form.body, "/o/acme") ||
			strings.Contains(form.body, "example") {
			t.Errorf("public form: %d\n%s", form.status, form.body)
		}
		r = e.do(t, anon, http.MethodPost, path, url.Values{"what": {"The server room door is open"}, "name": {"A visitor"}}, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "your report is INC-") || strings.Contains(r.body, "The admin") {
			t.Errorf("public report: %d\n%s", r.status, r.body)
		}
		// Rotating asks first; the old link then stops working.
		r = e.do(t, admin, http.MethodPost, "/o/acme/report-link", url.Values{}, nil)
		if !strings.Contains(r.body, "Rotate the link?") || linkRE.MatchString(r.body) {
			t.Errorf("rotation without confirmation:\n%s", r.body)
		}
		if r := e.do(t, anon, http.MethodGet, path, nil, nil); r.status != http.StatusOK {
			t.Errorf("the link stopped before confirmation: %d", r.status)
		}
		r = e.do(t, admin, http.MethodPost, "/o/acme/report-link", url.Values{"confirm": {"rotate"}}, nil)
		link2 := linkRE.FindString(r.body)
		if link2 == "" || link2 == link {
			t.Fatalf("rotate: %q\n%s", link2, r.body)
		}
		if r := e.do(t, anon, http.MethodPost, path, url.Values{"what": {"x"}}, nil); r.status != http.StatusNotFound {
			t.Errorf("old link after rotation: %d", r.status)
		}
		// Throttled per address.
		path2 := link2[strings.Index(link2, "/report/"):]
		var last result
		for range app.ReportsPerAddress + 1 {
			last = e.do(t, anon, http.MethodPost, path2, url.Values{"what": {"again"}}, nil)
		}
		if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(last.body, "too many incident reports") {
			t.Errorf("beyond the limit: %d %q\n%s", last.status, last.header.Get("Retry-After"), last.body)
		}
		// Turned off: 404.
		if r := e.do(t, admin, http.MethodPost, "/o/acme/report-link/disable", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Errorf("disable: %d", r.status)
		}
		if r := e.do(t, anon, http.MethodGet, path2, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("disabled link: %d", r.status)
		}
	})
}

func TestRecordEntryAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		_, tok := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
		c := e.client(t, false)
		base := "/api/v1/orgs/acme/records/incidents"
		r := e.do(t, c, http.MethodPost, base, jsonBody(`{"values":{"ref":"INC-9","severity":"Critical","detected_at":"2026-10-01 09:00"},"attributes":{"ticket":"T-9"}}`), bearer(tok))
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"detected_at":"2026-10-01T06:00:00Z"`) || !strings.Contains(r.body, `"severity":"critical"`) {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base, jsonBody(`{"values":{"ref":"INC-9"}}`), bearer(tok))
		if r.status != http.StatusConflict || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("duplicate: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base, jsonBody(`{"values":{"ref":"INC-10","severity":"urgent"}}`), bearer(tok))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"location":"body.values.severity"`) {
			t.Errorf("bad value: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPut, base+"/"+id(rec), jsonBody(`{"values":{"ref":"INC-1","title":"Renamed","severity":"low"}}`), bearer(tok))
		if r.status != http.StatusOK || !strings.Contains(r.body, `"title":"Renamed"`) || strings.Contains(r.body, "action_started_at") {
			t.Errorf("update: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/"+id(rec)+"?key=INC-2", nil, bearer(tok)); r.status != http.StatusConflict {
			t.Errorf("delete with another key: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodDelete, base+"/"+id(rec)+"?key=INC-1", nil, bearer(tok)); r.status != http.StatusNoContent {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, base+"/"+id(rec), nil, bearer(tok)); r.status != http.StatusNotFound {
			t.Errorf("deleted record: %d", r.status)
		}
		_, vtok := mustToken(t, a, o, isms.RoleViewer, isms.ScopeWrite)
		r = e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/incident-reports", jsonBody(`{"what":"Odd login alerts"}`), bearer(vtok))
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"ref":"INC-`) {
			t.Errorf("report: %d %s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodPost, base, jsonBody(`{"values":{"ref":"INC-11"}}`), bearer(vtok)); r.status != http.StatusForbidden {
			t.Errorf("viewer create: %d", r.status)
		}
	})
}

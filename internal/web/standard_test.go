package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Issue 19: standards as tags. The fixture makes an ISO 9001 process in
// each organisation, whose tags the role matrix, the tenant isolation
// test and TestFormErrors change through /standards/process/{id}.
func init() {
	registerAggregate(aggregate{
		name: "standards",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			p, err := app.ProcessFromTemplate("complaints", o.users[isms.RoleProcessOwner].ID)
			if err != nil {
				t.Fatal(err)
			}
			p.Name += " at " + o.Name
			if err := a.CreateProcess(context.Background(), app.System, o.Slug, p); err != nil {
				t.Fatalf("create process: %v", err)
			}
			return map[string]string{"standards.entity": isms.TagProcess, "standards.id": id(p.ID)}
		},
		bodies: map[string]jsonBody{
			"set-standards": `{"standards":["iso27001","iso9001"]}`,
		},
	})
}

// TestStandardsForm ticks standards on a process's page, sees them as
// labels and in the list's filter, and gets the page again with the
// problem for an unknown standard. Storage is covered on both engines by
// the app and store tests; this tests the form (SQLite only).
func TestStandardsForm(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	ctx := context.Background()
	owner := o.users[isms.RoleProcessOwner]
	mk := func(tmpl string) *isms.Process {
		p, err := app.ProcessFromTemplate(tmpl, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CreateProcess(ctx, app.System, "acme", p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	access, complaints := mk("access"), mk("complaints")
	c := e.signIn(t, owner.Email)

	// A new process from an ISO 9001 template has its standard ticked.
	r := e.do(t, c, http.MethodGet, "/o/acme/processes/new?template=nonconforming", nil, nil)
	if !strings.Contains(r.body, `value="iso9001" checked`) || strings.Contains(r.body, `value="iso27001" checked`) {
		t.Fatalf("the template's standard is not ticked:\n%s", r.body)
	}
	// An untagged process serves ISO/IEC 27001 by default.
	path := "/o/acme/processes/" + id(access.ID)
	if r = e.do(t, c, http.MethodGet, path, nil, nil); !strings.Contains(r.body, `<span class="std">ISO/IEC 27001</span>`) || !strings.Contains(r.body, "by default") {
		t.Fatalf("untagged process page:\n%s", r.body)
	}
	r = e.do(t, c, http.MethodPost, "/o/acme/standards/process/"+id(access.ID), url.Values{"standards": {"iso27001", "iso9001"}}, nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != path {
		t.Fatalf("save: %d to %q: %s", r.status, r.header.Get("Location"), r.body)
	}
	r = e.do(t, c, http.MethodGet, path, nil, nil)
	if !strings.Contains(r.body, `<span class="std">ISO 9001</span>`) || !strings.Contains(r.body, `value="iso9001" checked`) || strings.Contains(r.body, "by default") {
		t.Fatalf("after ticking ISO 9001:\n%s", r.body)
	}
	// The list's filter, in SQL: ISO/IEC 27001 has the access process (tagged
	// with both) but not the complaints one (ISO 9001 only).
	r = e.do(t, c, http.MethodGet, "/o/acme/processes?standard=iso27001", nil, nil)
	if !strings.Contains(r.body, ">Access management</a>") || strings.Contains(r.body, ">Customer complaints handling</a>") {
		t.Fatalf("filter iso27001:\n%s", r.body)
	}
	r = e.do(t, c, http.MethodGet, "/o/acme/processes?standard=iso9001", nil, nil)
	if !strings.Contains(r.body, ">Access management</a>") || !strings.Contains(r.body, ">Customer complaints handling</a>") {
		t.Fatalf("filter iso9001:\n%s", r.body)
	}
	r = e.do(t, c, http.MethodGet, "/o/acme/processes?standard=iso1", nil, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is not a standard pdca knows") {
		t.Fatalf("filter by an unknown standard: %d %s", r.status, r.body)
	}
	// Unticking everything: ISO/IEC 27001 again, by default.
	if r = e.do(t, c, http.MethodPost, "/o/acme/standards/process/"+id(complaints.ID), url.Values{}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("untick: %d %s", r.status, r.body)
	}
	if r = e.do(t, c, http.MethodGet, "/o/acme/processes/"+id(complaints.ID), nil, nil); !strings.Contains(r.body, "by default") {
		t.Fatalf("after unticking:\n%s", r.body)
	}
	r = e.do(t, c, http.MethodPost, "/o/acme/standards/process/"+id(access.ID), url.Values{"standards": {"iso9999"}}, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is not a standard pdca knows") || !strings.Contains(r.body, "<h1>Access management</h1>") {
		t.Fatalf("unknown standard: %d %s", r.status, r.body)
	}
	// The audit programme covers ISO 9001's clauses once an audit names
	// them, and filters its list by the audits' tags.
	lead := o.users[isms.RoleAuditor].Email
	planned := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	if _, err := a.CreateAudit(ctx, app.System, "acme", app.AuditInput{Title: "ISMS audit", Clauses: []string{"9.2"}, PlannedOn: planned, LeadEmail: lead}); err != nil {
		t.Fatal(err)
	}
	r = e.do(t, c, http.MethodPost, "/o/acme/audits", url.Values{"title": {"QMS audit"}, "clauses": {"9001:8.4, 9001:8.7"}, "planned": {"2026-12-01"}, "lead": {lead}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("plan a 9001 audit: %d %s", r.status, r.body)
	}
	qms := strings.TrimPrefix(r.header.Get("Location"), "/o/acme/audits/")
	if r = e.do(t, c, http.MethodPost, "/o/acme/standards/audit/"+qms, url.Values{"standards": {"iso9001"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("tag the audit: %d %s", r.status, r.body)
	}
	r = e.do(t, c, http.MethodGet, "/o/acme/audits?year=2026", nil, nil)
	if !strings.Contains(r.body, "ISO 9001: coverage of clauses 4 to 10 in 2026") || !strings.Contains(r.body, "<td>8</td><td>QMS audit</td><td>Operation</td>") ||
		!strings.Contains(r.body, `<td>9</td><td><strong class="overdue">not covered</strong></td><td>Performance evaluation</td>`) ||
		!strings.Contains(r.body, "<td>9</td><td>ISMS audit</td>") || !strings.Contains(r.body, "9001:8.4, 9001:8.7") {
		t.Fatalf("audit programme:\n%s", r.body)
	}
	r = e.do(t, c, http.MethodGet, "/o/acme/audits?year=2026&standard=iso27001", nil, nil)
	if !strings.Contains(r.body, ">ISMS audit</a>") || strings.Contains(r.body, ">QMS audit</a>") || !strings.Contains(r.body, "<td>8</td><td>QMS audit</td>") {
		t.Fatalf("audits of ISO/IEC 27001 (coverage still counts every audit):\n%s", r.body)
	}
	// The process form keeps its checkboxes: saving it with none ticked
	// removes the tags.
	r = e.do(t, c, http.MethodGet, path+"?edit=1", nil, nil)
	if !strings.Contains(r.body, `name="standards_form"`) || !strings.Contains(r.body, `value="iso9001" checked`) {
		t.Fatalf("edit form:\n%s", r.body)
	}
	form := url.Values{"name": {"Access management"}, "owner": {id(owner.ID)}, "trigger": {access.Trigger}, "deadline": {access.Deadline},
		"impact": {"3"}, "recurrence": {"3"}, "risk": {"3"}, "metrics": {"access-removal"}, "standards_form": {"1"}, "standards": {"iso9001"}}
	if r = e.do(t, c, http.MethodPost, path, form, nil); r.status != http.StatusSeeOther {
		t.Fatalf("save the form: %d %s", r.status, r.body)
	}
	if st, err := a.Standards(ctx, app.System, "acme", isms.TagProcess, id(access.ID)); err != nil || len(st) != 1 || st[0] != isms.StdISO9001 {
		t.Fatalf("after the form with ISO 9001 only: %v %v", st, err)
	}
	form.Del("standards")
	if r = e.do(t, c, http.MethodPost, path, form, nil); r.status != http.StatusSeeOther {
		t.Fatalf("save the form: %d %s", r.status, r.body)
	}
	if st, err := a.Standards(ctx, app.System, "acme", isms.TagProcess, id(access.ID)); err != nil || len(st) != 0 {
		t.Fatalf("after the form with none ticked: %v %v", st, err)
	}
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
	// The process form keeps its checkboxes: saving it with none ticked
	// removes the tags.
	r = e.do(t, c, http.MethodGet, path+"?edit=1", nil, nil)
	if !strings.Contains(r.body, `name="standards_form"`) || !strings.Contains(r.body, `value="iso9001" checked`) {
		t.Fatalf("edit form:\n%s", r.body)
	}
}

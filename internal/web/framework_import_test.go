package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// apiCatalogue is a minimal valid OSCAL 1.1 catalog.
const apiCatalogue = `{"catalog": {"uuid": "8b2e1a4c-1d2f-4a6b-9c3d-2e1f0a9b8c7d",
 "metadata": {"title": "API test catalogue", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"},
 "groups": [{"id": "g", "title": "Group", "controls": [{"id": "g-1", "title": "First", "parts": [{"id": "g-1_smt", "name": "statement", "prose": "Do the first thing."}]}]}]}}`

// apiMappings maps two built-in requirements, which every organisation has.
const apiMappings = `{"mapping-collection": {"uuid": "0b5f9b1e-7d7e-4c0a-9d59-3f0e3c1f3a11", "metadata": {"title": "API test mappings"},
 "mappings": [{"uuid": "5a0f4c8e-2e7b-4b57-8f52-b1d7b0a4f1c2", "source-resource": {"type": "catalog", "href": "iso27001-2022-annex-a"},
  "target-resource": {"type": "catalog", "href": "nist-csf-2.0"},
  "maps": [{"uuid": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "relationship": "intersects-with", "sources": [{"type": "control", "id-ref": "A.5.1"}], "targets": [{"type": "control", "id-ref": "GV.PO-01"}]}]}]}}`

// The import pages and operations plug into the generated tests.
func init() {
	registerAggregate(aggregate{
		name: "framework-import",
		pages: map[string]pageRequest{
			"framework_import": {path: "/o/acme/frameworks/import", want: []string{"<h1>Import a framework</h1>", `action="/o/acme/frameworks/import"`, `enctype="multipart/form-data"`}},
		},
		bodies: map[string]jsonBody{"import-framework": apiCatalogue, "import-mappings": apiMappings},
	})
}

func TestFrameworkImportPages(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
	writer := e.signIn(t, o.users[isms.RoleProcessOwner].Email)

	if r := e.do(t, writer, http.MethodGet, "/o/acme/frameworks/import", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("a process owner gets the import form: %d", r.status)
	}
	if r := e.do(t, admin, http.MethodGet, "/o/acme/frameworks/mappings/import", nil, nil); r.status != http.StatusOK ||
		!strings.Contains(r.body, `action="/o/acme/frameworks/mappings/import"`) {
		t.Errorf("mapping form: %d\n%s", r.status, r.body)
	}

	// A broken OSCAL catalog: the form again, the pointer named, nothing stored.
	broken := strings.Replace(apiCatalogue, `"title": "First", `, "", 1)
	r := e.do(t, admin, http.MethodPost, "/o/acme/frameworks/import", upload{name: "broken.json", contents: broken, fields: url.Values{"version": {"9"}}}, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "/catalog/groups/0/controls/0: missing property &#39;title&#39;") ||
		!strings.Contains(r.body, `value="9"`) {
		t.Fatalf("broken catalog: %d\n%s", r.status, r.body)
	}
	// A CSV without a title: the message beside the title field.
	r = e.do(t, admin, http.MethodPost, "/o/acme/frameworks/import", upload{name: "rules.csv", contents: "id,parent,title,text\na,,A,x\n"}, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="fw-title" name="title" maxlength="200" aria-invalid="true"`) {
		t.Fatalf("csv without title: %d\n%s", r.status, r.body)
	}
	r = e.do(t, admin, http.MethodPost, "/o/acme/frameworks/import", upload{name: "rules.csv", contents: "id,parent,title,text\na,,A,x\n",
		fields: url.Values{"title": {"Our rules"}, "version": {"2"}}}, nil)
	if r.status != http.StatusSeeOther || r.location() != "/o/acme/frameworks/our-rules-2" {
		t.Fatalf("csv import: %d %q\n%s", r.status, r.location(), r.body)
	}
	r = e.do(t, admin, http.MethodPost, "/o/acme/frameworks/mappings/import", upload{name: "m.csv",
		contents: "source_framework,source_id,relation,target_framework,target_id\nour-rules-2,a,subset,nist-csf-2.0,GV.PO-01\n"}, nil)
	if r.status != http.StatusSeeOther || r.location() != "/o/acme/frameworks" {
		t.Fatalf("mapping import: %d %q\n%s", r.status, r.location(), r.body)
	}
	r = e.do(t, admin, http.MethodPost, "/o/acme/frameworks/mappings/import", upload{name: "m.csv",
		contents: "source_framework,source_id,relation,target_framework,target_id\nour-rules-2,zz,subset,nist-csf-2.0,GV.PO-01\n"}, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `line 2, source_id &#34;zz&#34;: not a requirement of our-rules-2`) {
		t.Fatalf("bad mapping: %d\n%s", r.status, r.body)
	}

	// The API: the file as the body.
	_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
	auth := http.Header{"Authorization": {"Bearer " + secret}}
	api := e.client(t, false)
	r = e.do(t, api, http.MethodPost, "/api/v1/orgs/acme/frameworks/imports?key=api-cat", jsonBody(apiCatalogue), auth)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"key":"api-cat"`) || !strings.Contains(r.body, `"requirements":1`) {
		t.Fatalf("import-framework: %d\n%s", r.status, r.body)
	}
	r = e.do(t, api, http.MethodPost, "/api/v1/orgs/acme/frameworks/imports?file_name=x.json", jsonBody(broken), auth)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "/catalog/groups/0/controls/0: missing property 'title'") {
		t.Fatalf("import-framework broken: %d\n%s", r.status, r.body)
	}
	r = e.do(t, api, http.MethodPost, "/api/v1/orgs/acme/frameworks/mappings/imports", jsonBody(apiMappings), auth)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"read":1`) {
		t.Fatalf("import-mappings: %d\n%s", r.status, r.body)
	}
}

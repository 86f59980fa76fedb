package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// docURL is where the contract test loads the served OpenAPI document
// into the JSON Schema compiler; response schemas are compiled from it
// by JSON pointer, so their $refs resolve inside it.
const docURL = "https://pdca.test/openapi.json"

// TestAPIContract sends every operation of the served OpenAPI document,
// as an admin (a write token; a session for session-only operations), in
// the fixture the role matrix uses, and checks each answer against the
// document: its status is declared, its body is valid against the
// status's schema (JSON Schema 2020-12, as OpenAPI 3.1 says), and a 201
// names what it created in Location.
func TestAPIContract(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		vals := map[string]string{"org": o.Slug, "records.id": id(rec), "kind": recordKind, "key": metricKey, "period": metricPeriod}
		merge(vals, mustAggregates(t, a, o))
		_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		anon := e.client(t, false)
		session := e.signIn(t, o.users[isms.RoleAdmin].Email)

		served := e.do(t, anon, http.MethodGet, "/api/v1/openapi.json", nil, nil)
		if served.status != http.StatusOK {
			t.Fatalf("GET /api/v1/openapi.json: %d", served.status)
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(served.body))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource(docURL, doc); err != nil {
			t.Fatal(err)
		}

		succeeded, read := 0, 0
		ops := apiOps(t, e.srv)
		for _, op := range ops {
			path, body := apiRequest(t, op, vals)
			var r result
			if web.APISessionOnly(op.OperationID) {
				r = e.do(t, session, op.Method, path, body, nil)
			} else {
				r = e.do(t, anon, op.Method, path, body, bearer(secret))
			}
			code := strconv.Itoa(r.status)
			resp := op.Responses[code]
			if resp == nil {
				t.Errorf("%s %s (%s) answered %d, a status the document does not declare: %s", op.Method, path, op.OperationID, r.status, r.body)
				continue
			}
			if r.status < 300 {
				succeeded++
			} else {
				t.Logf("%s %s (%s): %d: %.200s", op.Method, path, op.OperationID, r.status, r.body)
			}
			if r.status >= 300 && op.Method == http.MethodGet {
				t.Errorf("%s %s (%s): %d for an admin: %s", op.Method, path, op.OperationID, r.status, r.body)
			}
			if r.status == http.StatusCreated {
				if !strings.HasPrefix(r.location(), "/api/v1/orgs/"+o.Slug+"/") {
					t.Errorf("%s %s (%s): 201 with Location %q, want the API URL of what it created", op.Method, path, op.OperationID, r.location())
				} else if readable(ops, r.location()) {
					// What was created can be read where Location says.
					read++
					if got := e.do(t, anon, http.MethodGet, r.location(), nil, bearer(secret)); got.status != http.StatusOK {
						t.Errorf("%s (%s): GET of its Location %s: %d: %s", op.OperationID, path, r.location(), got.status, got.body)
					}
				}
			}
			checkBody(t, c, op, code, resp, r)
		}
		// The fixture must take most operations past validation, or this
		// test checks error documents only. Some cannot succeed in one
		// pass: transitions of one deviation out of their order answer
		// 409 or 422 (whose problem documents are checked too).
		if read < 5 {
			t.Errorf("only %d answers 201 named something a GET operation reads", read)
		}
		if succeeded < len(ops)*4/5 {
			t.Errorf("only %d of %d operations succeeded for an admin", succeeded, len(ops))
		}
	})
}

// checkBody validates the body of r against the schema the document gives
// the operation's status code for the answer's content type.
func checkBody(t *testing.T, c *jsonschema.Compiler, op *huma.Operation, code string, resp *huma.Response, r result) {
	t.Helper()
	if r.status == http.StatusNoContent {
		if r.body != "" {
			t.Errorf("%s: 204 with a body: %s", op.OperationID, r.body)
		}
		return
	}
	ct, _, _ := strings.Cut(r.header.Get("Content-Type"), ";")
	mt := resp.Content[ct]
	if mt == nil || mt.Schema == nil {
		t.Errorf("%s: %s answered as %q, which the document does not declare for it (%v)", op.OperationID, code, ct, keys(resp.Content))
		return
	}
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		// A download (CSV, XLSX, PDF, zip): the document declares a
		// string of bytes; check the bytes are of the declared type.
		magic := map[string]string{"application/pdf": "%PDF-", "application/zip": "PK\x03\x04",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "PK\x03\x04"}[ct]
		if mt.Schema.Type != "string" || r.body == "" || !strings.HasPrefix(r.body, magic) {
			t.Errorf("%s: %s answered %q with schema type %q and %d bytes starting %.8q", op.OperationID, code, ct, mt.Schema.Type, len(r.body), r.body)
		}
		return
	}
	ptr := "#/paths/" + escapePointer(op.Path) + "/" + strings.ToLower(op.Method) + "/responses/" + code + "/content/" + escapePointer(ct) + "/schema"
	sch, err := c.Compile(docURL + ptr)
	if err != nil {
		t.Fatalf("%s: compile %s: %v", op.OperationID, ptr, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Errorf("%s: %s body is not JSON: %v: %s", op.OperationID, code, err, r.body)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s: the %s body does not match the document's schema: %v\nbody: %s", op.OperationID, code, err, r.body)
	}
}

// readable reports whether a GET operation of the document takes path.
func readable(ops []*huma.Operation, path string) bool {
	for _, op := range ops {
		if op.Method != http.MethodGet {
			continue
		}
		re := "^" + strings.ReplaceAll(regexp.QuoteMeta(wildcard.ReplaceAllString(op.Path, "\x00")), "\x00", `[^/]+`) + "$"
		if regexp.MustCompile(re).MatchString(path) {
			return true
		}
	}
	return false
}

// escapePointer escapes s as one JSON pointer token.
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAPIUnmatched checks that a path or method under /api/v1 that no
// operation takes is answered as huma answers its own errors: an RFC 9457
// problem, 404 for an unknown path, 405 with Allow for a wrong method.
func TestAPIUnmatched(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
	c := e.client(t, false)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/api/v1/nothing-here", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v1/orgs/acme/no-such-register", http.StatusNotFound, ""},
		{http.MethodDelete, "/api/v1/orgs", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodPatch, "/api/v1/orgs/acme/processes", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
	} {
		r := e.do(t, c, tc.method, tc.path, nil, bearer(secret))
		if r.status != tc.status || r.header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q: %s", tc.method, tc.path, r.status, r.header.Get("Allow"), tc.status, tc.allow, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %s: Content-Type %q, want application/problem+json", tc.method, tc.path, ct)
		}
		var p huma.ErrorModel
		if err := json.Unmarshal([]byte(r.body), &p); err != nil || p.Status != tc.status || p.Title != http.StatusText(tc.status) || p.Detail == "" {
			t.Errorf("%s %s: %s is not a problem with status %d (%v)", tc.method, tc.path, r.body, tc.status, err)
		}
	}
	// The document itself is still served.
	if r := e.do(t, c, http.MethodGet, "/api/v1/openapi.yaml", nil, nil); r.status != http.StatusOK {
		t.Errorf("GET /api/v1/openapi.yaml: %d", r.status)
	}
}

// TestAPIListOrgsTimeZone checks that list-orgs gives each organisation's
// time zone, as get-org does.
func TestAPIListOrgsTimeZone(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	_, secret := mustToken(t, a, o, isms.RoleViewer, isms.ScopeRead)
	r := e.do(t, e.client(t, false), http.MethodGet, "/api/v1/orgs", nil, bearer(secret))
	var list struct {
		Items []struct {
			Slug     string `json:"slug"`
			TimeZone string `json:"time_zone"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/orgs: %d %v: %s", r.status, err, r.body)
	}
	if len(list.Items) != 1 || list.Items[0].TimeZone != o.TimeZone || o.TimeZone == "" {
		t.Errorf("list-orgs: %+v, want acme in %q", list.Items, o.TimeZone)
	}
}

// TestAPIImportMessagesNameAPIParameters checks that an import refused
// through the API says how to fix it in the API's words (its query
// parameters), not the command line's flags.
func TestAPIImportMessagesNameAPIParameters(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
	c := e.client(t, false)
	for _, tc := range []struct {
		name, path, body, want string
	}{
		{"slashed date", "/api/v1/orgs/acme/records/incidents/imports?format=csv&file_name=i.csv",
			"ref,title,severity,detected_at\nINC-1,Lost laptop,low,05/10/2026 10:00\n", "day_first=true"},
		{"scan without a time", "/api/v1/orgs/acme/records/vulnerabilities/imports?format=grype",
			`{"matches":[],"source":{"target":{"userInput":"app:1.0"}}}`, "scanned_at="},
		{"scan into another kind", "/api/v1/orgs/acme/records/incidents/imports?format=trivy",
			`{"SchemaVersion":2,"Results":[]}`, "records/vulnerabilities/imports"},
	} {
		r := e.do(t, c, http.MethodPost, tc.path, jsonBody(tc.body), bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) || strings.Contains(r.body, "--") {
			t.Errorf("%s: %d %s\nwant 422 naming %q and no command-line flag", tc.name, r.status, r.body, tc.want)
		}
	}
}

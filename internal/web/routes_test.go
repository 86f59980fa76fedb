package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/web"
)

// The route tables (OrgRoutes, the OpenAPI document) drive the tests of
// isolation and roles; these helpers turn their patterns into requests.

// wildcard matches a wildcard of a route pattern or an OpenAPI path.
var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(?:\.\.\.)?\}`)

// wildcards lists the wildcard names of a path, in order.
func wildcards(path string) []string {
	var out []string
	for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

// value returns the value of wildcard name in path: vals["<aggregate>.<name>"]
// when set, else vals[name]. The aggregate is the first literal segment
// after {org} ("tokens" in /o/{org}/tokens/{id}/revoke), so the same
// wildcard can mean a token in one route and a record in another.
func value(path, name string, vals map[string]string) (key, v string, ok bool) {
	segs := strings.Split(path, "/")
	if i := slices.Index(segs, "{org}"); i >= 0 && i+1 < len(segs) && !strings.HasPrefix(segs[i+1], "{") {
		key = segs[i+1] + "." + name
		if v, ok := vals[key]; ok {
			return key, v, true
		}
	}
	v, ok = vals[name]
	return name, v, ok
}

// fill turns a route pattern ("POST /o/{org}/tokens/{id}/revoke") into a
// method and a path with the values (see value). It fails the test for a
// wildcard with no value, so that a route with a new kind of wildcard gets
// a value in the tests rather than being skipped.
func fill(t *testing.T, pattern string, vals map[string]string) (method, path string) {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	for _, name := range wildcards(path) {
		if _, _, ok := value(path, name, vals); !ok {
			t.Fatalf("route %q has wildcard {%s} and the test has no value for it: add one", pattern, name)
		}
	}
	filled := wildcard.ReplaceAllStringFunc(path, func(w string) string {
		_, v, _ := value(path, wildcard.FindStringSubmatch(w)[1], vals)
		return url.PathEscape(v)
	})
	return method, filled
}

// apiOps lists every operation of the OpenAPI document, sorted by path and
// method.
func apiOps(t *testing.T, srv *web.Server) []*huma.Operation {
	t.Helper()
	var ops []*huma.Operation
	for _, item := range srv.API().OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Options, item.Head, item.Patch, item.Trace} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	if len(ops) == 0 {
		t.Fatal("the OpenAPI document lists no operations")
	}
	slices.SortFunc(ops, func(a, b *huma.Operation) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	return ops
}

// apiBodies are valid request bodies of the API operations that take one,
// by operation id, so that requests get past validation to authorization.
var apiBodies = map[string]jsonBody{
	"create-metric":    `{"key":"typed-in","name":"A typed-in figure","measure":"manual","frequency":"month","unit":"count","rule":{"kind":"at_least","green":1}}`,
	"update-metric":    `{"name":"Renamed by a test"}`,
	"set-manual-value": `{"value":1,"note":"typed in by a test"}`,
	"import-records":   `[{"ref":"INC-9","title":"From the API","severity":"low","detected_at":"2026-10-09T10:00:00Z"}]`,
}

// apiRequest returns the path (with the required query parameters) and the
// body of a request to the operation, with values from vals (see fill). It
// fails the test for an operation that takes a body not in apiBodies.
func apiRequest(t *testing.T, op *huma.Operation, vals map[string]string) (string, any) {
	t.Helper()
	// An operation may name its own target (vals["<operation id>.<wildcard>"]):
	// one that deletes, so that the operations after it still find theirs.
	own := map[string]string{}
	for k, v := range vals {
		own[k] = v
	}
	for _, name := range wildcards(op.Path) {
		if v, ok := vals[op.OperationID+"."+name]; ok {
			key, _, _ := value(op.Path, name, vals)
			own[key] = v
		}
	}
	vals = own
	_, path := fill(t, op.Path, vals)
	q := url.Values{}
	for _, p := range op.Parameters {
		if p.In == "query" && p.Required {
			_, v, ok := value(op.Path, p.Name, vals)
			if !ok {
				t.Fatalf("%s needs query parameter %s and the test has no value for it: add one", op.OperationID, p.Name)
			}
			q.Set(p.Name, v)
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	if op.RequestBody == nil {
		return path, nil
	}
	body, ok := apiBodies[op.OperationID]
	if !ok {
		t.Fatalf("operation %s takes a body: add a valid one to apiBodies", op.OperationID)
	}
	return path, body
}

// readOnly reports whether an HTTP method only reads.
func readOnly(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// uploadRoutes take a file; the tests send them incidentsCSV.
var uploadRoutes = map[string]bool{"POST /o/{org}/imports": true}

// formFor is the body the tests send to a page route: an upload of
// incidents for an upload route, else the form.
func formFor(pattern string, form url.Values) any {
	if uploadRoutes[pattern] {
		return upload{fields: url.Values{"kind": {recordKind}}, name: "incidents.csv", contents: incidentsCSV("an upload") + "INC-3,Upload,low,2026-10-07 10:00,,,\n"}
	}
	return form
}

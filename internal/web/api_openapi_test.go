package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// The OpenAPI document is for client generators and linters (.ci/run runs
// Redocly, Spectral and oapi-codegen on it). These tests read the
// document, so they cover every operation, including ones added later.

// docOps returns every operation of the document with its method.
func docOps(doc *huma.OpenAPI) map[string]*huma.Operation {
	out := map[string]*huma.Operation{}
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "PUT": item.Put, "POST": item.Post, "PATCH": item.Patch, "DELETE": item.Delete, "HEAD": item.Head} {
			if op != nil {
				out[method+" "+path] = op
			}
		}
	}
	return out
}

// TestOpenAPIOperationsComplete checks that every operation has a tag the
// document defines, a description, and its client errors (4xx) and
// server errors as problem documents, and that what a 201 creates is
// named in a Location header.
func TestOpenAPIOperationsComplete(t *testing.T) {
	t.Parallel()
	doc := web.OpenAPI("test", "")
	if len(doc.Servers) == 0 || doc.Servers[0].URL != "/" {
		t.Errorf("servers: %+v, want one, relative: /", doc.Servers)
	}
	if s := web.OpenAPI("test", "https://pdca.example.com").Servers; len(s) != 1 || s[0].URL != "https://pdca.example.com" {
		t.Errorf("servers with a public URL: %+v, want it", s)
	}
	var tags []string
	for _, tag := range doc.Tags {
		if tag.Description == "" {
			t.Errorf("tag %q has no description", tag.Name)
		}
		tags = append(tags, tag.Name)
	}
	ops := docOps(doc)
	if len(ops) < 60 {
		t.Fatalf("the document has %d operations; expected every operation of the API", len(ops))
	}
	errRef := "#/components/schemas/ErrorModel"
	for name, op := range ops {
		if len(op.Tags) == 0 {
			t.Errorf("%s (%s) has no tag", name, op.OperationID)
		}
		for _, tag := range op.Tags {
			if !slices.Contains(tags, tag) {
				t.Errorf("%s: tag %q is not among the document's tags", name, tag)
			}
		}
		if strings.TrimSpace(op.Description) == "" || op.Summary == "" {
			t.Errorf("%s (%s) has no summary or no description", name, op.OperationID)
		}
		if op.Responses["default"] != nil {
			t.Errorf("%s: a default response; name the error statuses instead", name)
		}
		n4xx := 0
		for code, resp := range op.Responses {
			if code >= "400" {
				if code < "500" {
					n4xx++
				}
				mt := resp.Content["application/problem+json"]
				if mt == nil || mt.Schema == nil || mt.Schema.Ref != errRef {
					t.Errorf("%s: response %s is not an RFC 9457 problem (%s)", name, code, errRef)
				}
			}
			if code == "201" && resp.Headers["Location"] == nil {
				t.Errorf("%s: response 201 declares no Location header", name)
			}
		}
		for _, code := range []string{"401", "403"} {
			if op.Responses[code] == nil {
				t.Errorf("%s: no %s response", name, code)
			}
		}
		if n4xx == 0 {
			t.Errorf("%s declares no 4xx response", name)
		}
		if strings.Contains(op.Path, "{") && op.Responses["404"] == nil {
			t.Errorf("%s names something in its path and declares no 404", name)
		}
		if op.RequestBody != nil && (op.Responses["422"] == nil || op.Responses["413"] == nil) {
			t.Errorf("%s takes a body and declares no 422 or no 413", name)
		}
	}
}

// serverOwned are the properties the server sets; a request schema that
// has one tells generated clients to send (or even require) it.
var serverOwned = []string{"id", "created_at", "updated_at", "created_by", "updated_by", "score", "warnings", "seq", "hash", "prev_hash"}

// TestOpenAPIRequestBodiesOmitServerFields checks every request body
// schema, through its references, for server-owned or read-only fields.
func TestOpenAPIRequestBodiesOmitServerFields(t *testing.T) {
	t.Parallel()
	doc := web.OpenAPI("test", "")
	reg := doc.Components.Schemas
	for name, op := range docOps(doc) {
		if op.RequestBody == nil {
			continue
		}
		for ct, mt := range op.RequestBody.Content {
			seen := map[*huma.Schema]bool{}
			var walk func(where string, s *huma.Schema)
			walk = func(where string, s *huma.Schema) {
				if s == nil || seen[s] {
					return
				}
				seen[s] = true
				if s.Ref != "" {
					walk(where+"("+s.Ref+")", reg.SchemaFromRef(s.Ref))
					return
				}
				for prop, ps := range s.Properties {
					if prop == "$schema" {
						continue // huma's link to the schema, optional
					}
					if slices.Contains(serverOwned, prop) {
						t.Errorf("%s (%s) request body %s: %s.%s is set by the server; use a request schema without it", name, op.OperationID, ct, where, prop)
					}
					if ps.ReadOnly {
						t.Errorf("%s (%s) request body %s: %s.%s is read-only; use a request schema without it", name, op.OperationID, ct, where, prop)
					}
					walk(where+"."+prop, ps)
				}
				walk(where+"[]", s.Items)
				for _, sub := range append(append(slices.Clone(s.AllOf), s.AnyOf...), s.OneOf...) {
					walk(where, sub)
				}
				if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
					walk(where+"{}", ap)
				}
			}
			walk("body", mt.Schema)
		}
	}
}

// TestOpenAPISchemaNames checks that schema names are PascalCase and
// collide with none of the types and functions oapi-codegen generates
// per operation (its default configuration: types, client, server).
func TestOpenAPISchemaNames(t *testing.T) {
	t.Parallel()
	doc := web.OpenAPI("test", "")
	pascalName := regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	generated := map[string]bool{}
	for _, g := range []string{"Client", "ClientInterface", "ClientOption", "ClientWithResponses", "ClientWithResponsesInterface",
		"HttpRequestDoer", "RequestEditorFn", "ServerInterface", "ServerInterfaceWrapper", "EchoRouter", "Unimplemented"} {
		generated[g] = true
	}
	for _, op := range docOps(doc) {
		base := ""
		for _, w := range strings.Split(op.OperationID, "-") {
			base += strings.ToUpper(w[:1]) + w[1:]
		}
		for _, suffix := range []string{"Response", "Params", "JSONBody", "JSONRequestBody", "RequestWithBody", "Request"} {
			generated[base+suffix] = true
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Components.Schemas) == 0 {
		t.Fatal("the document has no schemas")
	}
	for name := range raw.Components.Schemas {
		if !pascalName.MatchString(name) {
			t.Errorf("schema %q is not PascalCase", name)
		}
		if generated[name] {
			t.Errorf("schema %q has the name of a type or function oapi-codegen generates for an operation", name)
		}
		for _, suffix := range []string{"Response", "Params", "JSONBody", "RequestBody"} {
			if strings.HasSuffix(name, suffix) {
				t.Errorf("schema %q ends in %s, a suffix generators use for operations' types", name, suffix)
			}
		}
	}
}

// TestOpenAPIServedIsGenerated checks that the document the server serves
// is the one OpenAPI returns (pdca openapi, the tests above), byte for
// byte apart from the server's own address in $schema links.
func TestOpenAPIServedIsGenerated(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := startServer(t, newApp(t, db), nil)
	r := e.do(t, e.client(t, false), http.MethodGet, "/api/v1/openapi.json", nil, nil)
	want, err := json.Marshal(web.OpenAPI("test", ""))
	if err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusOK || r.body != string(want) {
		t.Errorf("GET /api/v1/openapi.json: %d, %d bytes; OpenAPI gives %d bytes", r.status, len(r.body), len(want))
	}
}

package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// The OpenAPI document is read by client generators (oapi-codegen,
// openapi-typescript) and linters (Redocly, Spectral; .ci/run), so what
// they need is filled in here, once, for every operation registered with
// huma, whichever api_*.go file registers it: a tag, a description, the
// error responses it can give, the Location of what a 201 creates, and
// schema names that collide with nothing a generator makes. The tests
// in api_openapi_test.go check the document, not this code.

// OpenAPI returns the API's OpenAPI document as a server with this version
// and public address serves it at /api/v1/openapi.json. It needs no
// database: the routes are registered, never called. Limits named in
// descriptions are the defaults.
func OpenAPI(version, publicURL string) *huma.OpenAPI {
	s := &Server{app: &app.App{PublicURL: publicURL}, cfg: Config{Version: version}, log: slog.New(slog.DiscardHandler), limits: Limits{}.orDefault()}
	s.routes()
	return s.api.OpenAPI()
}

// schemaName names a schema of the document: PascalCase, without the
// JSON suffix of the Go types of the API ("ProcessJSON" is "Process"), a
// list body named after its items ("ProcessList"), and an anonymous
// request or response body after its operation with the suffix Input or
// Output. Generators add Response, Params, JSONBody and JSONRequestBody
// to operation ids for their own types, so no schema name may end so.
func schemaName(t reflect.Type, hint string) string {
	name := pascal(huma.DefaultSchemaNamer(t, hint))
	name = strings.ReplaceAll(name, "JSON", "")
	if rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "Cursor"), "ListOutput"); ok {
		name = strings.TrimSuffix(rest, "Body") + "List"
	}
	if base, ok := strings.CutSuffix(name, "Request"); ok {
		name = base + "Input"
	}
	if base, ok := strings.CutSuffix(name, "Response"); ok {
		name = base + "Output"
	}
	return name
}

// pascal joins the words of s ("Get-cycle", "due_item") in PascalCase.
func pascal(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '.' }) {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// tagDescriptions describe the document's tags; an operation without a
// tag gets the first path segment after its organisation as its tag.
var tagDescriptions = map[string]string{
	"organisations":              "Organisations the caller belongs to and their members.",
	"audit":                      "The organisation's audit trail (hash-chained, append only).",
	"tokens":                     "API tokens of the caller.",
	"metrics":                    "Metric definitions, manual values and ratings.",
	"records":                    "Operational records: lists, entry by hand, imports, incident reports.",
	"import profiles":            "Saved import profiles: how a source's files map to record fields.",
	"processes":                  "Key processes and improvement cycles.",
	"deviations":                 "Deviations, corrective actions and effectiveness checks (the Act loop).",
	"internal audits":            "Internal audits and their findings.",
	"risks":                      "The risk register and its assessments.",
	"statement of applicability": "The Statement of Applicability (Annex A controls and decisions).",
	"reminders":                  "Due items, reminders, notification preferences and deliveries.",
}

// defaultTag is the tag of an operation that names none: the first
// segment after /api/v1/orgs/{org}/, else "organisations".
func defaultTag(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/v1/orgs/{org}/")
	if !ok || rest == "" {
		return "organisations"
	}
	seg, _, _ := strings.Cut(rest, "/")
	return seg
}

// completeOperation is the document's OnAddOperation hook: it runs for
// every operation as huma registers it and fills what the operation's
// code left out.
func completeOperation(oapi *huma.OpenAPI, op *huma.Operation) {
	if len(op.Tags) == 0 {
		op.Tags = []string{defaultTag(op.Path)}
	}
	for _, tag := range op.Tags {
		if !slices.ContainsFunc(oapi.Tags, func(t *huma.Tag) bool { return t.Name == tag }) {
			desc := tagDescriptions[tag]
			if desc == "" {
				desc = "Operations on " + strings.ReplaceAll(tag, "-", " ") + "."
			}
			oapi.Tags = append(oapi.Tags, &huma.Tag{Name: tag, Description: desc})
			slices.SortFunc(oapi.Tags, func(a, b *huma.Tag) int { return strings.Compare(a.Name, b.Name) })
		}
	}
	if op.Description == "" {
		op.Description = strings.TrimSuffix(op.Summary, ".") + "."
	}
	if act, ok := apiActions[op.OperationID]; ok && !strings.Contains(op.Description, "Needs the role") {
		op.Description += "\n\n" + actionNote(op.OperationID, act)
	}
	declareErrors(oapi, op)
	for code, resp := range op.Responses {
		if code == "201" {
			if resp.Headers == nil {
				resp.Headers = map[string]*huma.Header{}
			}
			resp.Headers["Location"] = &huma.Header{Description: "The API URL of what was created.",
				Schema: &huma.Schema{Type: "string", Format: "uri-reference"}}
		}
	}
}

// actionNote says who may call an operation.
func actionNote(opID string, act isms.Action) string {
	var roles []string
	for _, r := range isms.Roles() {
		if r.Can(act) {
			roles = append(roles, "`"+string(r)+"`")
		}
	}
	note := "Needs the role permission `" + string(act) + "` (" + strings.Join(roles, ", ") + "); others get 403."
	if apiSessionOnly[opID] {
		note += " Signed-in sessions only: API tokens get 403."
	}
	return note
}

// declareErrors gives op the error responses it can answer, each an RFC
// 9457 problem (huma's ErrorModel), instead of huma's "default":
// 401 and 403 (authentication, role) and 500 always; 404 when the path
// names something (an organisation at least); 422 when the request has
// parameters or a body (validation); 400 and 413 with a body; 409 for
// changes; 408 and 429 for uploads (slow body, busy import slots).
// Statuses an operation lists in its Errors are kept.
func declareErrors(oapi *huma.OpenAPI, op *huma.Operation) {
	codes := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError}
	if strings.Contains(op.Path, "{") {
		codes = append(codes, http.StatusNotFound)
	}
	if len(op.Parameters) > 0 || op.RequestBody != nil {
		codes = append(codes, http.StatusUnprocessableEntity)
	}
	if op.RequestBody != nil {
		codes = append(codes, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
		if _, upload := op.RequestBody.Content["application/octet-stream"]; upload {
			codes = append(codes, http.StatusRequestTimeout, http.StatusTooManyRequests)
		}
	}
	if op.Method != http.MethodGet && op.Method != http.MethodHead {
		codes = append(codes, http.StatusConflict)
	}
	errSchema := oapi.Components.Schemas.Schema(reflect.TypeFor[huma.ErrorModel](), true, "Error")
	delete(op.Responses, "default")
	for _, code := range codes {
		key := strconv.Itoa(code)
		if op.Responses[key] != nil {
			continue
		}
		op.Responses[key] = &huma.Response{Description: http.StatusText(code),
			Content: map[string]*huma.MediaType{"application/problem+json": {Schema: errSchema}}}
	}
}

// locationHeader is a response transformer: a 201 answer carries the API
// URL of what it created in Location, unless the operation set one: the
// request's path for a PUT (the path names the new thing), else the
// request's path and the id of the answer's body.
func locationHeader(ctx huma.Context, status string, v any) (any, error) {
	if status != "201" {
		return v, nil
	}
	r, w := humago.Unwrap(ctx)
	if w.Header().Get("Location") != "" {
		return v, nil
	}
	loc := r.URL.EscapedPath()
	if r.Method != http.MethodPut {
		id := newResourceID(v)
		if id == "" {
			return v, nil
		}
		loc = strings.TrimSuffix(loc, "/") + "/" + url.PathEscape(id)
	}
	w.Header().Set("Location", loc)
	return v, nil
}

// newResourceID returns the "id" of a body, else its "key", else "".
func newResourceID(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var body struct {
		ID  json.Number `json:"id"`
		Key string      `json:"key"`
	}
	if json.Unmarshal(b, &body) != nil {
		return ""
	}
	if body.ID != "" {
		return body.ID.String()
	}
	return body.Key
}

// apiUnmatched answers a request under /api/v1/ that no operation takes,
// as huma answers its own errors (an RFC 9457 problem): 405 with Allow
// when the path takes other methods, else 404.
func (s *Server) apiUnmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.apiMux.Handler(probe); pattern != "" && pattern != apiPrefix {
			allow = append(allow, m)
		}
	}
	st, msg := http.StatusNotFound, "no API operation at "+r.URL.Path+"; the operations are listed in /api/v1/openapi.json"
	if len(allow) > 0 {
		st, msg = http.StatusMethodNotAllowed, r.Method+" is not an operation of "+r.URL.Path+"; it takes "+strings.Join(allow, ", ")
		w.Header().Set("Allow", strings.Join(allow, ", "))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(st)
	_ = json.NewEncoder(w).Encode(huma.NewError(st, msg))
}

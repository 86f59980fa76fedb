package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// newAPI mounts huma on the mux under /api/v1, with the OpenAPI 3.1
// document at /api/v1/openapi.json and no docs page (it would load
// JavaScript from the internet).
func (s *Server) newAPI() huma.API {
	cfg := huma.DefaultConfig("pdca API", s.cfg.Version)
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.Info.Description = "JSON API of pdca. Authenticate with `Authorization: Bearer <token>` (API tokens are created on the tokens page or with `pdca user token create`) or a browser session. Errors are RFC 9457 problem details."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer"},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	// Paths are absolute (/api/v1/...): the server is the site itself.
	server := "/"
	if s.app.PublicURL != "" {
		server = s.app.PublicURL
	}
	cfg.Servers = []*huma.Server{{URL: server}}
	// Stable schema names, and every operation completed as it is
	// registered (api_openapi.go).
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg.OnAddOperation = append(cfg.OnAddOperation, completeOperation)
	cfg.Transformers = append(cfg.Transformers, locationHeader)
	api := humago.New(s.mux, cfg)
	s.mux.HandleFunc(apiPrefix, s.apiUnmatched)
	return api
}

// apiPrincipal returns the caller or an EUNAUTHORIZED problem.
func apiPrincipal(ctx context.Context) (app.Principal, error) {
	p, ok := ctx.Value(principalKey).(app.Principal)
	if !ok {
		return app.Principal{}, huma.Error401Unauthorized("sign in or send Authorization: Bearer <token>")
	}
	return p, nil
}

// asCaller is the preamble of an API operation in one place: it resolves
// the caller (401 without one) and runs fn as them; a domain error fn
// returns becomes a problem with the code table's status (apiError), a
// problem fn built itself passes unchanged.
func asCaller[T any](ctx context.Context, s *Server, fn func(p app.Principal) (T, error)) (T, error) {
	var zero T
	p, err := apiPrincipal(ctx)
	if err != nil {
		return zero, err
	}
	out, err := fn(p)
	if err != nil {
		var se huma.StatusError
		if errors.As(err, &se) {
			return zero, err
		}
		return zero, s.apiError(ctx, err)
	}
	return out, nil
}

// apiError converts a domain error to a huma problem with the status of
// the one code table; internal errors are logged and not echoed.
func (s *Server) apiError(ctx context.Context, err error) error {
	if p, ok := ctx.Value(principalKey).(app.Principal); ok && p.Token != nil {
		s.app.AuditTokenDenied(ctx, p, err) // a denial by scope is audited (issue 13)
	}
	if clientGone(ctx, err) {
		s.log.Debug("request cancelled", "request_id", requestID(ctx), "err", err.Error())
		return huma.NewError(StatusClientClosed, "client closed request")
	}
	st := ErrorStatus(err)
	msg := isms.ErrorMessage(err)
	if st == http.StatusInternalServerError {
		s.log.Error("internal error", "request_id", requestID(ctx), "err", err.Error())
		msg = "internal error (request id " + requestID(ctx) + ")"
	}
	return huma.NewError(st, msg)
}

// apiProblem writes a problem document outside huma (middleware).
func (s *Server) apiProblem(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(r.Context(), err) {
		s.log.Debug("request cancelled", "request_id", requestID(r.Context()), "err", err.Error())
		w.WriteHeader(StatusClientClosed)
		return
	}
	st := ErrorStatus(err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(st)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(st), "status": st, "detail": s.errorMessage(r, err)})
}

// PageParams is the pagination of list endpoints.
type PageParams struct {
	Limit  int  `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"How many items to return."`
	Offset int  `query:"offset" minimum:"0" default:"0" doc:"How many items to skip."`
	Count  bool `query:"count" doc:"Also count everything that matches, over all pages (total). A count reads every match, so ask for it only when you show it; has_more tells whether another page follows."`
}

// paginate is the page of items p asks for, whether more follow it, and
// how many there are: a list the use case gives whole.
func paginate[T any](items []T, p PageParams) (page []T, more bool, total int) {
	if p.Offset >= len(items) {
		return []T{}, false, len(items)
	}
	end := min(len(items), p.Offset+p.Limit)
	return items[p.Offset:end], end < len(items), len(items)
}

func itoa(n int) string { return strconv.Itoa(n) }

// cursor is the opaque cursor of an item's place in a list's order: its
// time in microseconds ("n" for none) and its id.
func cursor(at *time.Time, id int64) string {
	t := "n"
	if at != nil {
		t = strconv.FormatInt(at.UnixMicro(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(t + "." + strconv.FormatInt(id, 10)))
}

// parseCursor reads a cursor that cursor wrote; the error names the list.
func parseCursor(c, list string) (at *time.Time, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, 0, cursorError(c, list)
	}
	ts, ids, ok := strings.Cut(string(b), ".")
	n, err := strconv.ParseInt(ids, 10, 64)
	if !ok || err != nil || n <= 0 {
		return nil, 0, cursorError(c, list)
	}
	if ts != "n" {
		us, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, 0, cursorError(c, list)
		}
		t := time.UnixMicro(us).UTC()
		at = &t
	}
	return at, n, nil
}

func cursorError(c, list string) error {
	return isms.Errorf(isms.EINVALID, "after %q: not a cursor of the %s list; pass the next of the page before", c, list)
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// TokenJSON is an API token in the API (never its secret, except once in
// the answer to create-token).
type TokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	UserID     int64      `json:"user_id"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty" doc:"Absent: the token does not expire."`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Secret     string     `json:"secret,omitempty" doc:"Only in the answer to create-token: copy it, it is not stored."`
}

func tokenJSON(t *isms.Token) TokenJSON {
	return TokenJSON{ID: t.ID, Name: t.Name, Scope: string(t.Scope), UserID: t.UserID, CreatedAt: t.CreatedAt.UTC(),
		LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}

// tokenListOutput is a page of tokens: the body stays the array it
// always was; whether more follow and the count of all that match (when
// asked) are headers.
type tokenListOutput struct {
	Total   string `header:"X-Total-Count" doc:"How many tokens match, over all pages (a whole number): only with count=true."`
	HasMore bool   `header:"X-Has-More" doc:"Whether more tokens follow this page: ask for offset + limit next."`
	Body    []TokenJSON
}

// apiTokenRoutes registers listing and creating API tokens (issue 13).
// Tokens are created by a signed-in person (a browser session): a token
// cannot create tokens.
func (s *Server) apiTokenRoutes(api huma.API) {
	tags := []string{"tokens"}
	huma.Register(api, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/tokens",
		Summary: "The caller's API tokens (an admin's: everyone's), with last use and expiry, oldest first, paged; the body is the page, X-Has-More whether more follow, X-Total-Count (with count=true) how many match", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			State string `query:"state" doc:"active, revoked or expired (not revoked, past its expiry). Anything else: 422."`
		}) (*tokenListOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*tokenListOutput, error) {
				pg, err := s.app.TokenList(ctx, p, in.Org, app.TokenFilter{State: in.State, Page: app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count}})
				if err != nil {
					return nil, err
				}
				out := &tokenListOutput{Body: []TokenJSON{}, HasMore: pg.More}
				if in.Count {
					out.Total = strconv.Itoa(pg.Total)
				}
				for _, t := range pg.Items {
					out.Body = append(out.Body, tokenJSON(t))
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/tokens",
		Summary: "Create an API token for the signed-in caller (sessions only); the secret is in this answer only", Tags: tags,
		DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				Name    string `json:"name" minLength:"1" maxLength:"200" doc:"What the token is for."`
				Scope   string `json:"scope" enum:"read,write"`
				Expires string `json:"expires,omitempty" maxLength:"40" doc:"12h, 30d, 90d, a date (2026-12-31: valid through that day, UTC) or RFC 3339; absent: never."`
			}
		}) (*struct{ Body TokenJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body TokenJSON }, error) {
				t, secret, err := s.app.CreateTokenExpiring(ctx, p, in.Org, "", in.Body.Name, isms.TokenScope(in.Body.Scope), in.Body.Expires)
				if err != nil {
					return nil, err
				}
				out := &struct{ Body TokenJSON }{Body: tokenJSON(t)}
				out.Body.Secret = secret
				return out, nil
			})
		})
}

// apiSessionOnly lists the API operations a token may never perform,
// whatever its scope and role: they answer 403 to tokens.
var apiSessionOnly = map[string]bool{"create-token": true}

// APISessionOnly reports whether an API operation is for signed-in
// sessions only (tokens get 403).
func APISessionOnly(operationID string) bool { return apiSessionOnly[operationID] }

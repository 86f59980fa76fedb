package web

import (
	"context"
	"github.com/pdca/pdca/internal/app"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// MemberPath is a member of an organisation in an API path.
type MemberPath struct {
	OrgPath
	User int64 `path:"user" doc:"The member's user id (see list-members)."`
}

// apiMemberRoutes registers member management: removal (issue 13).
func (s *Server) apiMemberRoutes(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "remove-member", Method: http.MethodDelete, Path: "/api/v1/orgs/{org}/members/{user}",
		Summary: "Remove a member: their access ends at once and their API tokens for the organisation are revoked", Tags: []string{"organisations"},
		DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *MemberPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.RemoveMember(ctx, p, in.Org, in.User); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})
}

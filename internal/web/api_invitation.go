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

// Access in the API (issue 17): invitations, role changes and token
// revocation, through the use cases the people and tokens pages call.

// InvitationJSON is a pending invitation in the API.
type InvitationJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	InvitedBy string    `json:"invited_by" doc:"The inviter's email, or cli."`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at" doc:"Unanswered by then, the invitation lapses."`
}

func invitationJSON(inv *isms.Invitation) InvitationJSON {
	return InvitationJSON{ID: inv.ID, Email: inv.Email, Role: string(inv.Role), InvitedBy: inv.InvitedBy, CreatedAt: inv.CreatedAt.UTC(), ExpiresAt: inv.ExpiresAt.UTC()}
}

// InvitationPath is an invitation in an API path.
type InvitationPath struct {
	OrgPath
	ID int64 `path:"id" doc:"Invitation id (see list-invitations)."`
}

// InvitationList is a page of pending invitations.
type InvitationList struct {
	Items   []InvitationJSON `json:"items"`
	Total   *int             `json:"total,omitempty" doc:"How many invitations are pending, over all pages: only with count=true."`
	HasMore bool             `json:"has_more" doc:"Whether more invitations follow this page: ask for offset + limit next."`
}

// InvitationListInput selects a page of invitations.
type InvitationListInput struct {
	OrgPath
	PageParams
}

// InvitationListOutput is the answer to list-invitations.
type InvitationListOutput struct {
	Body InvitationList
}

// InvitationOutput is one invitation.
type InvitationOutput struct {
	Body InvitationJSON
}

// InvitationBody invites someone.
type InvitationBody struct {
	Email string `json:"email" minLength:"3" maxLength:"254" doc:"The person's email; they see the invitation after signing in with it."`
	Role  string `json:"role" enum:"admin,isms_manager,process_owner,management,auditor,viewer"`
}

// InvitationCreateInput is the request of create-invitation.
type InvitationCreateInput struct {
	OrgPath
	Body   InvitationBody
	origin string
}

// Resolve notes the request's scheme and host, for the link (as the page
// does when serve --public-url is not set).
func (i *InvitationCreateInput) Resolve(ctx huma.Context) []error {
	i.origin = requestOrigin(ctx)
	return nil
}

// requestOrigin is the scheme and host a request reached pdca at.
func requestOrigin(ctx huma.Context) string {
	scheme := "http"
	if ctx.TLS() != nil {
		scheme = "https"
	}
	return scheme + "://" + ctx.Host()
}

// InvitationSentJSON is an invitation just made or resent (issue 18).
type InvitationSentJSON struct {
	InvitationJSON
	Emailed bool   `json:"emailed" doc:"Whether the link was emailed to the person."`
	Link    string `json:"link,omitempty" doc:"The invitation link, only when it was not emailed (email not configured or failed): pass it on to the person; it is not shown again."`
	Problem string `json:"mail_problem,omitempty" doc:"Why the link was not emailed."`
}

func invitationSentJSON(sent *app.InvitationSent) InvitationSentJSON {
	out := InvitationSentJSON{InvitationJSON: invitationJSON(sent.Invitation), Emailed: sent.Emailed}
	if !sent.Emailed {
		out.Link, out.Problem = sent.Link, sent.MailError
	}
	return out
}

// InvitationCreatedOutput is the answer to create-invitation.
type InvitationCreatedOutput struct {
	Location string `header:"Location" doc:"The invitation's API URL."`
	Body     InvitationSentJSON
}

// InvitationResendInput is the request of resend-invitation.
type InvitationResendInput struct {
	InvitationPath
	origin string
}

// Resolve notes the request's scheme and host, for the link.
func (i *InvitationResendInput) Resolve(ctx huma.Context) []error {
	i.origin = requestOrigin(ctx)
	return nil
}

// OrgSettingsBody is an organisation's name and time zone.
type OrgSettingsBody struct {
	Name     string `json:"name" minLength:"1" maxLength:"200"`
	TimeZone string `json:"time_zone" minLength:"1" maxLength:"100" doc:"An IANA time zone name, e.g. Europe/Helsinki."`
}

// OrgSettingsInput is the request of update-org-settings.
type OrgSettingsInput struct {
	OrgPath
	Body OrgSettingsBody
}

// InvitationSentOutput is the answer to resend-invitation.
type InvitationSentOutput struct {
	Body InvitationSentJSON
}

// RoleBody is a member's new role.
type RoleBody struct {
	Role string `json:"role" enum:"admin,isms_manager,process_owner,management,auditor,viewer"`
}

// MemberRoleInput is the request of set-member-role.
type MemberRoleInput struct {
	MemberPath
	Body RoleBody
}

// TokenPath is an API token in an API path.
type TokenPath struct {
	OrgPath
	ID int64 `path:"id" doc:"Token id (see list-tokens)."`
}

func (s *Server) apiInvitationRoutes(api huma.API) {
	tags := []string{"organisations"}
	base := "/api/v1/orgs/{org}/invitations"
	huma.Register(api, huma.Operation{OperationID: "list-invitations", Method: http.MethodGet, Path: base, Tags: tags,
		Summary:     "Pending invitations, by email, paged",
		Description: "One page of the organisation's invitations that are neither answered nor expired, by email. Admins only.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *InvitationListInput) (*InvitationListOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*InvitationListOutput, error) {
				pg, err := s.app.InvitationList(ctx, p, in.Org, app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count})
				if err != nil {
					return nil, err
				}
				out := &InvitationListOutput{Body: InvitationList{Items: []InvitationJSON{}, Total: counted(in.PageParams, pg.Total), HasMore: pg.More}}
				for i := range pg.Items {
					out.Body.Items = append(out.Body.Items, invitationJSON(&pg.Items[i]))
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-invitation", Method: http.MethodGet, Path: base + "/{id}", Tags: tags,
		Summary:     "One pending invitation",
		Description: "An invitation that is neither answered nor expired. Admins only.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *InvitationPath) (*InvitationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*InvitationOutput, error) {
				inv, err := s.app.OrgInvitation(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &InvitationOutput{Body: invitationJSON(inv)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-invitation", Method: http.MethodPost, Path: base, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary:     "Invite someone with a role",
		Description: "Records an invitation, valid for 14 days, and emails its single-use link to the person, who creates their account there (or signs in) and joins; without email configured the answer carries the link to pass on. Inviting the same email again replaces the invitation and voids its link. The answer is the same whether or not the email has an account.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *InvitationCreateInput) (*InvitationCreatedOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*InvitationCreatedOutput, error) {
				sent, err := s.app.InviteByLink(ctx, p, in.Org, in.Body.Email, isms.Role(in.Body.Role), s.publicURL(in.origin, ""))
				if err != nil {
					return nil, err
				}
				return &InvitationCreatedOutput{Location: "/api/v1/orgs/" + in.Org + "/invitations/" + strconv.FormatInt(sent.Invitation.ID, 10), Body: invitationSentJSON(sent)}, nil
			})
		})

	// Issue 18: people in the UI.
	huma.Register(api, huma.Operation{OperationID: "resend-invitation", Method: http.MethodPost, Path: base + "/{id}/resend", Tags: tags,
		Summary:     "Send an invitation again",
		Description: "Gives a pending invitation a new single-use link and 14 more days, and emails it (without email configured, the answer carries the link). The old link stops working. Audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *InvitationResendInput) (*InvitationSentOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*InvitationSentOutput, error) {
				sent, err := s.app.ResendInvitation(ctx, p, in.Org, in.ID, s.publicURL(in.origin, ""))
				if err != nil {
					return nil, err
				}
				return &InvitationSentOutput{Body: invitationSentJSON(sent)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-org-settings", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/settings", Tags: tags,
		Summary:     "Rename the organisation or set its time zone",
		Description: "Sets the organisation's name and time zone (an IANA name such as Europe/Helsinki: periods, due dates and reminders are days in it). Admins only; audited as org.settings.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *OrgSettingsInput) (*struct{ Body OrgJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body OrgJSON }, error) {
				o, err := s.app.UpdateOrgSettings(ctx, p, in.Org, app.OrgSettings{Name: in.Body.Name, TimeZone: in.Body.TimeZone})
				if err != nil {
					return nil, err
				}
				return &struct{ Body OrgJSON }{OrgJSON{Slug: o.Slug, Name: o.Name, TimeZone: o.TimeZone, Role: string(isms.RoleAdmin)}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "revoke-invitation", Method: http.MethodDelete, Path: base + "/{id}", Tags: tags, DefaultStatus: http.StatusNoContent,
		Summary:     "Revoke an invitation",
		Description: "Withdraws an invitation before it is answered: the person can no longer accept it, and its link says so. Audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *InvitationPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.RevokeInvitation(ctx, p, in.Org, in.ID); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-member-role", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/members/{user}/role", Tags: tags, DefaultStatus: http.StatusNoContent,
		Summary:     "Change a member's role",
		Description: "Gives a member another role, at once; the last admin cannot be demoted (409). Audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *MemberRoleInput) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.SetRole(ctx, p, in.Org, in.User, isms.Role(in.Body.Role)); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/orgs/{org}/tokens/{id}", Tags: []string{"tokens"}, DefaultStatus: http.StatusNoContent,
		Summary:     "Revoke an API token",
		Description: "Revokes a token at once (it stays listed, as revoked). One's own token needs manage_tokens; another member's, manage_members (admins). Revoking a revoked token does nothing.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *TokenPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.RevokeToken(ctx, p, in.Org, in.ID); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})
}

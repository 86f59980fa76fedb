package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// OrgJSON is an organisation in the API.
type OrgJSON struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	Role     string `json:"role" doc:"The caller's role."`
}

// MemberJSON is a member in the API.
type MemberJSON struct {
	UserID int64     `json:"user_id"`
	Email  string    `json:"email"`
	Name   string    `json:"name"`
	Role   string    `json:"role"`
	Since  time.Time `json:"since"`
}

// EventJSON is an audit event in the API.
type EventJSON struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// EventPageJSON is a page of the audit trail, newest first.
type EventPageJSON struct {
	Items      []EventJSON `json:"items"`
	NextBefore int64       `json:"next_before,omitempty" doc:"Pass as before= for the next page; absent on the last page."`
}

// OrgPath is the organisation in an API path.
type OrgPath struct {
	Org string `path:"org" doc:"Organisation slug."`
}

type listOutput[T any] struct {
	Body struct {
		Items []T `json:"items"`
		Total int `json:"total"`
	}
}

func (s *Server) apiOrgRoutes(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "list-orgs", Method: http.MethodGet, Path: "/api/v1/orgs", Summary: "Organisations the caller belongs to", Tags: []string{"organisations"}},
		func(ctx context.Context, in *struct{ PageParams }) (*listOutput[OrgJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[OrgJSON], error) {
				ms, err := s.app.Orgs(ctx, p)
				if err != nil {
					return nil, err
				}
				out := &listOutput[OrgJSON]{}
				out.Body.Items = []OrgJSON{}
				for _, m := range paginate(ms, in.PageParams) {
					out.Body.Items = append(out.Body.Items, OrgJSON{Slug: m.OrgSlug, Name: m.OrgName, TimeZone: m.OrgTimeZone, Role: string(m.Role)})
				}
				out.Body.Total = len(ms)
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-org", Method: http.MethodGet, Path: "/api/v1/orgs/{org}", Summary: "One organisation", Tags: []string{"organisations"}},
		func(ctx context.Context, in *OrgPath) (*struct{ Body OrgJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body OrgJSON }, error) {
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &struct{ Body OrgJSON }{OrgJSON{Slug: m.Org.Slug, Name: m.Org.Name, TimeZone: m.Org.TimeZone, Role: string(m.Role)}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "list-members", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/members", Summary: "Members and their roles, by name, filtered, paged", Tags: []string{"organisations"}},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Role  string `query:"role" doc:"Only members with this role (admin, isms_manager, process_owner, management, auditor, viewer). Anything else: 422."`
			Query string `query:"q" maxLength:"100" doc:"Only members whose name or email contains this, case-insensitive."`
		}) (*listOutput[MemberJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[MemberJSON], error) {
				pg, err := s.app.MemberList(ctx, p, in.Org, app.MemberFilter{Role: isms.Role(in.Role), Query: in.Query,
					Page: app.Page{Limit: in.Limit, Offset: in.Offset, Count: true}})
				if err != nil {
					return nil, err
				}
				out := &listOutput[MemberJSON]{}
				out.Body.Items = []MemberJSON{}
				for _, m := range pg.Items {
					out.Body.Items = append(out.Body.Items, MemberJSON{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role), Since: m.CreatedAt.UTC()})
				}
				out.Body.Total = pg.Total
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/audit-events", Summary: "The audit trail, newest first", Tags: []string{"audit"}},
		func(ctx context.Context, in *struct {
			OrgPath
			Entity string `query:"entity" doc:"Only events of this entity kind."`
			Action string `query:"action" doc:"Only events with this action."`
			Before int64  `query:"before" doc:"Only events with a sequence number below this (paging)."`
			Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
		}) (*struct{ Body EventPageJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body EventPageJSON }, error) {
				events, err := s.app.Events(ctx, p, in.Org, store.EventFilter{Entity: in.Entity, Action: in.Action, BeforeSeq: in.Before, Limit: in.Limit})
				if err != nil {
					return nil, err
				}
				out := &struct{ Body EventPageJSON }{}
				out.Body.Items = []EventJSON{}
				for _, e := range events {
					out.Body.Items = append(out.Body.Items, eventJSON(e))
				}
				if len(events) == in.Limit {
					out.Body.NextBefore = events[len(events)-1].Seq
				}
				return out, nil
			})
		})
}

func eventJSON(e isms.Event) EventJSON {
	return EventJSON{Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		Before: e.Before, After: e.After, PrevHash: e.PrevHash, Hash: e.Hash}
}

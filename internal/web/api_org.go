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

// listOutput is a page of a list: its items, whether more follow, and
// how many match over all pages, when asked (count=true) or when the list
// is not paged at all. Counting only when asked keeps a page's cost
// independent of the register's size (issue 16).
type listOutput[T any] struct {
	Body struct {
		Items   []T  `json:"items"`
		Total   *int `json:"total,omitempty" doc:"How many match, over all pages: only with count=true (or when the list has no paging parameters)."`
		HasMore bool `json:"has_more" doc:"Whether more items follow this page: ask for offset + limit next."`
	}
}

// cursorListOutput is a page of a list that also pages by key: next,
// when more follow, is the cursor of its last item (after=next gives the
// page after it, at the first page's cost however deep it is).
type cursorListOutput[T any] struct {
	Body struct {
		Items   []T    `json:"items"`
		Total   *int   `json:"total,omitempty" doc:"How many match, over all pages: only with count=true."`
		HasMore bool   `json:"has_more" doc:"Whether more items follow this page: ask for after=next (or offset + limit) next."`
		Next    string `json:"next,omitempty" doc:"When more follow: pass as after= for the next page."`
	}
}

// page says what a keyset list's page tells: whether more follow, the
// total when the caller asked for a count, and when more follow, next:
// the cursor of the page's last item (last is called only then).
func (o *cursorListOutput[T]) page(pp PageParams, total int, more bool, last func() string) {
	o.Body.HasMore, o.Body.Total = more, counted(pp, total)
	if more && len(o.Body.Items) > 0 {
		o.Body.Next = last()
	}
}

// page says what the page tells of its list: whether more follow, and
// the total when the caller asked for a count (total is then counted).
func (o *listOutput[T]) page(pp PageParams, total int, more bool) {
	o.Body.HasMore, o.Body.Total = more, counted(pp, total)
}

// counted is a list's total as the API gives it: only when asked.
func counted(pp PageParams, total int) *int {
	if !pp.Count {
		return nil
	}
	return &total
}

// uncounted is page for a use case that returns its total as an int,
// uncounted unless pp.Count (store.uncounted: -1 while more follow).
func (o *listOutput[T]) uncounted(pp PageParams, total int) {
	o.page(pp, total, moreAfter(pp, len(o.Body.Items), total))
}

// moreAfter tells from a total a use case returned as an int (counted,
// or store.uncounted's) whether more follow a page of n items.
func moreAfter(pp PageParams, n, total int) bool {
	return total < 0 || pp.Offset+n < total
}

// whole says the list is all there is (a list without paging): its
// total is its length.
func (o *listOutput[T]) whole() {
	n := len(o.Body.Items)
	o.Body.Total, o.Body.HasMore = &n, false
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
				page, more, total := paginate(ms, in.PageParams)
				for _, m := range page {
					out.Body.Items = append(out.Body.Items, OrgJSON{Slug: m.OrgSlug, Name: m.OrgName, TimeZone: m.OrgTimeZone, Role: string(m.Role)})
				}
				out.page(in.PageParams, total, more)
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
					Page: app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count}})
				if err != nil {
					return nil, err
				}
				out := &listOutput[MemberJSON]{}
				out.Body.Items = []MemberJSON{}
				for _, m := range pg.Items {
					out.Body.Items = append(out.Body.Items, MemberJSON{UserID: m.UserID, Email: m.Email, Name: m.Name, Role: string(m.Role), Since: m.CreatedAt.UTC()})
				}
				out.page(in.PageParams, pg.Total, pg.More)
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

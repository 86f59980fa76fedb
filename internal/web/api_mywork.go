package web

import (
	"context"
	"github.com/pdca/pdca/internal/app"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// Issue 18: My work through the API.

// WorkItemJSON is one item the caller owes.
type WorkItemJSON struct {
	Key       string    `json:"key" doc:"Unique per occasion, e.g. action:12:2026-12-01; the same key as reminders."`
	Kind      string    `json:"kind" doc:"e.g. deviation, corrective-action, effectiveness-check, cycle-process, internal-audit, review-action; other kinds may appear."`
	Title     string    `json:"title"`
	Due       time.Time `json:"due" doc:"RFC 3339, UTC."`
	OwnerID   int64     `json:"owner_id" doc:"0: the ISMS managers and admins."`
	Link      string    `json:"link" doc:"Path of the item's page."`
	Stage     string    `json:"stage" enum:"none,ahead,due,overdue,escalated" doc:"With the organisation's reminder settings; none: further ahead than the lead time."`
	Overdue   bool      `json:"overdue"`
	Shared    bool      `json:"shared" doc:"Owed by the ISMS managers and admins together (no owner who is a member)."`
	Escalated bool      `json:"escalated" doc:"Someone else's item, escalated to the caller as an ISMS manager or admin."`
}

// NewCalendarFeed is the answer of rotate-calendar-feed.
type NewCalendarFeed struct {
	URL string `json:"url" doc:"The private iCalendar feed URL; copy it, it is not shown again."`
}

// NewCalendarFeedOutput is the answer of rotate-calendar-feed.
type NewCalendarFeedOutput struct {
	Body NewCalendarFeed
}

func (s *Server) apiMyWorkRoutes(api huma.API) {
	tags := []string{"reminders"}
	base := "/api/v1/orgs/{org}"
	huma.Register(api, huma.Operation{OperationID: "list-my-work", Method: http.MethodGet, Path: base + "/my-work", Tags: tags,
		Summary:     "What the caller owes",
		Description: "The caller's My work list: items they own, and for ISMS managers and admins items without an owner and escalated items; overdue first, then by due date (docs/my-work.md)."},
		func(ctx context.Context, in *OrgPath) (*listOutput[WorkItemJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[WorkItemJSON], error) {
				items, err := s.app.MyWork(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[WorkItemJSON]{}
				out.Body.Items = []WorkItemJSON{}
				for _, it := range items {
					st := string(it.Stage)
					if st == "" {
						st = "none"
					}
					out.Body.Items = append(out.Body.Items, WorkItemJSON{Key: it.Key, Kind: it.Kind, Title: it.Title, Due: it.Due.UTC(), OwnerID: it.OwnerID,
						Link: it.Link, Stage: st, Overdue: it.Overdue, Shared: it.Shared, Escalated: it.Escalated})
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "rotate-calendar-feed", Method: http.MethodPost, Path: base + "/my-work/calendar", Tags: tags,
		Summary:     "Create or replace the caller's calendar feed",
		Description: "Makes a new private iCalendar feed URL of the caller's My work in the organisation and returns it (this once); a previous URL stops working at once. Needs a read-write token; audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *ReportLinkRotateInput) (*NewCalendarFeedOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*NewCalendarFeedOutput, error) {
				token, err := s.app.RotateCalendarFeed(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &NewCalendarFeedOutput{Body: NewCalendarFeed{URL: s.publicURL(in.origin, "/calendar/"+token+".ics")}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "revoke-calendar-feed", Method: http.MethodDelete, Path: base + "/my-work/calendar", Tags: tags, DefaultStatus: http.StatusNoContent,
		Summary:     "Revoke the caller's calendar feed",
		Description: "The caller's feed URL in the organisation stops working at once; revoking when there is none changes nothing. Needs a read-write token; audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.RevokeCalendarFeed(ctx, p, in.Org); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})
}

package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// DueItemJSON is something due, which reminders are sent for.
type DueItemJSON struct {
	Key     string    `json:"key" doc:"Unique per occasion, e.g. restore-test:2026-Q4."`
	Kind    string    `json:"kind"`
	Title   string    `json:"title"`
	Due     time.Time `json:"due"`
	OwnerID int64     `json:"owner_id" doc:"0: the ISMS managers."`
	Link    string    `json:"link"`
}

// NotificationPrefsJSON are the caller's own notification preferences.
type NotificationPrefsJSON struct {
	Email       bool   `json:"email"`
	WebhookURL  string `json:"webhook_url,omitempty" doc:"http(s) URL at a public address (internal and private addresses are refused unless the operator allowed them with serve --webhook-allow; redirects are not followed); empty for none. Receives only your own reminders. Requests carry X-Pdca-Signature: sha256=<hex HMAC-SHA256 of the body>."`
	WebhookKind string `json:"webhook_kind,omitempty" enum:"json,slack"`
	Digest      bool   `json:"digest" doc:"A weekly digest instead of single reminders."`
	PausedUntil string `json:"paused_until,omitempty" doc:"A date (2026-12-31) in the organisation's time zone: no reminders through that day; empty: not paused."`
}

func prefsJSON(p isms.NotificationPrefs, loc *time.Location) NotificationPrefsJSON {
	out := NotificationPrefsJSON{Email: p.Email, WebhookURL: p.WebhookURL, WebhookKind: p.WebhookKind, Digest: p.Digest}
	if p.PausedUntil != nil {
		out.PausedUntil = p.PausedUntil.In(loc).Format(time.DateOnly)
	}
	return out
}

// ReminderSettingsJSON are an organisation's reminder delays.
type ReminderSettingsJSON struct {
	LeadDays     int `json:"lead_days" minimum:"0" maximum:"90" doc:"Days ahead of the due date the owner is first reminded."`
	EscalateDays int `json:"escalate_days" minimum:"1" maximum:"90" doc:"Days overdue after which ISMS managers and admins are told."`
}

// DeliveryJSON is one message sent (or being retried) to a person.
type DeliveryJSON struct {
	ID        int64      `json:"id"`
	User      string     `json:"user"`
	Channel   string     `json:"channel" enum:"email,webhook"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status" enum:"pending,sent,failed"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

func (s *Server) apiNotificationRoutes(api huma.API) {
	tags := []string{"reminders"}
	huma.Register(api, huma.Operation{OperationID: "list-due-items", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/due-items", Summary: "What is due, earliest first", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*listOutput[DueItemJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[DueItemJSON], error) {
				items, err := s.app.DueItems(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[DueItemJSON]{}
				out.Body.Items = []DueItemJSON{}
				for _, it := range items {
					out.Body.Items = append(out.Body.Items, DueItemJSON{Key: it.Key, Kind: it.Kind, Title: it.Title, Due: it.Due.UTC(), OwnerID: it.OwnerID, Link: it.Link})
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-notification-prefs", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/notification-prefs", Summary: "Your own notification preferences", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*struct{ Body NotificationPrefsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body NotificationPrefsJSON }, error) {
				pr, err := s.app.NotificationPrefs(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &struct{ Body NotificationPrefsJSON }{prefsJSON(pr, m.Org.Location())}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-notification-prefs", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/notification-prefs", Summary: "Set your own channels, digest and pause", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			Body NotificationPrefsJSON
		}) (*struct{ Body NotificationPrefsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body NotificationPrefsJSON }, error) {
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				b := in.Body
				pr := isms.NotificationPrefs{Email: b.Email, WebhookURL: b.WebhookURL, WebhookKind: b.WebhookKind, Digest: b.Digest}
				if b.PausedUntil != "" {
					t, err := time.ParseInLocation(time.DateOnly, b.PausedUntil, m.Org.Location())
					if err != nil {
						return nil, s.apiError(ctx, isms.Errorf(isms.EINVALID, "paused_until %q: give a date, e.g. 2026-12-31", b.PausedUntil))
					}
					pr.PausedUntil = &t
				}
				saved, err := s.app.SetNotificationPrefs(ctx, p, in.Org, pr)
				if err != nil {
					return nil, err
				}
				return &struct{ Body NotificationPrefsJSON }{prefsJSON(saved, m.Org.Location())}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-reminder-settings", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/reminder-settings", Summary: "The organisation's lead time and escalation", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*struct{ Body ReminderSettingsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ReminderSettingsJSON }, error) {
				rs, err := s.app.ReminderSettings(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &struct{ Body ReminderSettingsJSON }{ReminderSettingsJSON{LeadDays: rs.LeadDays, EscalateDays: rs.EscalateDays}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-reminder-settings", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/reminder-settings", Summary: "Set the lead time and escalation", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			Body ReminderSettingsJSON
		}) (*struct{ Body ReminderSettingsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ReminderSettingsJSON }, error) {
				if _, err := s.app.SetReminderSettings(ctx, p, in.Org, isms.ReminderSettings{LeadDays: in.Body.LeadDays, EscalateDays: in.Body.EscalateDays}); err != nil {
					return nil, err
				}
				return &struct{ Body ReminderSettingsJSON }{in.Body}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "list-deliveries", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/deliveries", Summary: "Reminder deliveries with status, attempts and last error, newest first, filtered, paged (admins)",
		Description: "Paged by offset, or by key: a page that has more after it carries next, and after=next gives the following page at the cost of the first, however long the log (an offset walks the rows it skips).", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Status  string `query:"status" doc:"pending, sent or failed. Anything else: 422."`
			Channel string `query:"channel" doc:"email or webhook. Anything else: 422."`
			After   string `query:"after" maxLength:"64" doc:"The next of the previous page: the deliveries older than its last. Not with offset or count."`
		}) (*cursorListOutput[DeliveryJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*cursorListOutput[DeliveryJSON], error) {
				page := app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count}
				if in.After != "" {
					at, id, err := parseCursor(in.After, "delivery")
					if err != nil || at != nil {
						return nil, cursorError(in.After, "delivery")
					}
					page.AfterID = id
				}
				pg, err := s.app.DeliveryList(ctx, p, in.Org, app.DeliveryFilter{Status: in.Status, Channel: in.Channel, Page: page})
				if err != nil {
					return nil, err
				}
				out := &cursorListOutput[DeliveryJSON]{}
				out.Body.Items = []DeliveryJSON{}
				for _, d := range pg.Items {
					out.Body.Items = append(out.Body.Items, DeliveryJSON{ID: d.ID, User: d.UserEmail, Channel: d.Channel, Subject: d.Subject, Status: d.Status,
						Attempts: d.Attempts, LastError: d.LastError, CreatedAt: d.CreatedAt, SentAt: d.SentAt})
				}
				out.page(in.PageParams, pg.Total, pg.More, func() string { return cursor(nil, pg.Items[len(pg.Items)-1].ID) })
				return out, nil
			})
		})
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// WebhookJSON is a webhook subscription in the API: never its secret,
// except once in the answer to create-webhook.
type WebhookJSON struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description,omitempty"`
	Events      []string  `json:"events"`
	Format      string    `json:"format" enum:"standard,slack,teams"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	Secret      string    `json:"secret,omitempty" doc:"Only in the answer to create-webhook: whsec_ and the base64 signing key. Copy it: it is not shown again."`
}

func webhookJSON(w *isms.Webhook) WebhookJSON {
	evs := make([]string, len(w.Events))
	for i, e := range w.Events {
		evs[i] = string(e)
	}
	return WebhookJSON{ID: w.ID, URL: w.URL, Description: w.Description, Events: evs, Format: w.Format, Active: w.Active, CreatedAt: w.CreatedAt.UTC(), Secret: w.Secret}
}

// WebhookBody is what create-webhook takes.
type WebhookBody struct {
	URL         string   `json:"url" minLength:"1" maxLength:"2048" doc:"Where events are posted: a public http(s) address (or one the operator allowed)."`
	Description string   `json:"description,omitempty" maxLength:"200" doc:"What the receiver is."`
	Events      []string `json:"events" minItems:"1" doc:"The events to send: deviation.opened, deviation.closed, metric.status_changed, corrective_action.overdue, review.signed, import.completed."`
	Format      string   `json:"format,omitempty" enum:"standard,slack,teams" doc:"The body: standard (the event as JSON, the default), slack ({\"text\": ...}) or teams (a MessageCard). Every format carries the Standard Webhooks signature headers."`
}

// WebhookDeliveryJSON is one delivery of an event to a subscription.
type WebhookDeliveryJSON struct {
	ID            int64      `json:"id"`
	WebhookID     int64      `json:"webhook_id"`
	MessageID     string     `json:"message_id" doc:"The webhook-id header: the same on every attempt and redelivery of the message."`
	Event         string     `json:"event"`
	Status        string     `json:"status" enum:"pending,sent,failed"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	ResponseCode  int        `json:"response_code,omitempty" doc:"The receiver's HTTP status at the last attempt; absent when none came."`
	RedeliveryOf  int64      `json:"redelivery_of,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	Payload       string     `json:"payload" doc:"The body as sent."`
}

func webhookDeliveryJSON(d *store.WebhookDelivery) WebhookDeliveryJSON {
	return WebhookDeliveryJSON{ID: d.ID, WebhookID: d.WebhookID, MessageID: d.MsgID, Event: string(d.EventType), Status: d.Status, Attempts: d.Attempts,
		LastError: d.LastError, ResponseCode: d.ResponseCode, RedeliveryOf: d.RedeliveryOf, CreatedAt: d.CreatedAt.UTC(), LastAttemptAt: d.LastAttempt, SentAt: d.SentAt, Payload: d.Payload}
}

// WebhookPath names one subscription.
type WebhookPath struct {
	OrgPath
	ID int64 `path:"id" doc:"The subscription's id."`
}

// WebhookActiveInput enables or disables a subscription.
type WebhookActiveInput struct {
	WebhookPath
	Body WebhookActive
}

// WebhookActive is the body of set-webhook-active.
type WebhookActive struct {
	Active bool `json:"active" doc:"true: deliver events; false: stop."`
}

// WebhookDeliveryPath names one delivery of a subscription.
type WebhookDeliveryPath struct {
	WebhookPath
	DeliveryID int64 `path:"did" doc:"The delivery's id."`
}

// WebhookCreated is the answer to create-webhook.
type WebhookCreated struct {
	Location string `header:"Location" doc:"The new subscription in the API."`
	Body     WebhookJSON
}

// WebhookDeliveryCreated is the answer to redeliver-webhook.
type WebhookDeliveryCreated struct {
	Location string `header:"Location" doc:"The subscription's deliveries in the API."`
	Body     WebhookDeliveryJSON
}

// webhookErrors are the error answers of the webhook operations.
var webhookErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}

// apiWebhookRoutes registers the webhook subscriptions and their delivery
// logs (issue 17): admins only.
func (s *Server) apiWebhookRoutes(api huma.API) {
	tags := []string{"webhooks"}
	base := "/api/v1/orgs/{org}/webhooks"
	huma.Register(api, huma.Operation{OperationID: "list-webhooks", Method: http.MethodGet, Path: base, Tags: tags,
		Summary:     "Webhook subscriptions (admins)",
		Description: "Every subscription of the organisation, oldest first, without secrets.", Errors: webhookErrors},
		func(ctx context.Context, in *OrgPath) (*listOutput[WebhookJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[WebhookJSON], error) {
				ws, err := s.app.WebhookSubscriptions(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[WebhookJSON]{}
				out.Body.Items = []WebhookJSON{}
				for i := range ws {
					out.Body.Items = append(out.Body.Items, webhookJSON(&ws[i]))
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-webhook", Method: http.MethodPost, Path: base, Tags: tags,
		Summary:       "Subscribe a webhook to events (admins); the secret is in this answer only",
		Description:   "Deliveries are signed as the Standard Webhooks specification says (webhook-id, webhook-timestamp, webhook-signature) with the secret returned here. The URL must be a public address unless the operator allowed its host.",
		DefaultStatus: http.StatusCreated, Errors: webhookErrors},
		func(ctx context.Context, in *struct {
			OrgPath
			Body WebhookBody
		}) (*WebhookCreated, error) {
			return asCaller(ctx, s, func(p app.Principal) (*WebhookCreated, error) {
				evs := make([]isms.EventType, len(in.Body.Events))
				for i, e := range in.Body.Events {
					evs[i] = isms.EventType(e)
				}
				w, err := s.app.CreateWebhook(ctx, p, in.Org, app.WebhookInput{URL: in.Body.URL, Description: in.Body.Description, Events: evs, Format: in.Body.Format})
				if err != nil {
					return nil, err
				}
				return &WebhookCreated{Location: "/api/v1/orgs/" + in.Org + "/webhooks/" + strconv.FormatInt(w.ID, 10), Body: webhookJSON(w)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-webhook", Method: http.MethodGet, Path: base + "/{id}", Tags: tags,
		Summary: "One webhook subscription (admins)", Description: "Without its secret.", Errors: webhookErrors},
		func(ctx context.Context, in *WebhookPath) (*struct{ Body WebhookJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body WebhookJSON }, error) {
				w, _, err := s.app.WebhookSubscription(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &struct{ Body WebhookJSON }{webhookJSON(w)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "delete-webhook", Method: http.MethodDelete, Path: base + "/{id}", Tags: tags,
		Summary: "Delete a webhook subscription and its delivery log (admins)", Description: "Deliveries still waiting are not sent.",
		DefaultStatus: http.StatusNoContent, Errors: webhookErrors},
		func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.DeleteWebhook(ctx, p, in.Org, in.ID); err != nil {
					return nil, err
				}
				return &struct{}{}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-webhook-active", Method: http.MethodPut, Path: base + "/{id}/active", Tags: tags,
		Summary:     "Enable or disable a webhook subscription (admins)",
		Description: "A disabled subscription gets no new deliveries, and its waiting deliveries fail without being sent; enabling it again sends what happens from then on.",
		Errors:      webhookErrors},
		func(ctx context.Context, in *WebhookActiveInput) (*struct{ Body WebhookJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body WebhookJSON }, error) {
				if err := s.app.SetWebhookActive(ctx, p, in.Org, in.ID, in.Body.Active); err != nil {
					return nil, err
				}
				w, _, err := s.app.WebhookSubscription(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &struct{ Body WebhookJSON }{webhookJSON(w)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: base + "/{id}/deliveries", Tags: tags,
		Summary:     "A webhook subscription's delivery log (admins)",
		Description: "The latest 100 deliveries, newest first, with status, attempts, last error and the receiver's last HTTP status.", Errors: webhookErrors},
		func(ctx context.Context, in *WebhookPath) (*listOutput[WebhookDeliveryJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[WebhookDeliveryJSON], error) {
				_, log, err := s.app.WebhookSubscription(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				out := &listOutput[WebhookDeliveryJSON]{}
				out.Body.Items = []WebhookDeliveryJSON{}
				for _, d := range log {
					out.Body.Items = append(out.Body.Items, webhookDeliveryJSON(d))
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "redeliver-webhook", Method: http.MethodPost, Path: base + "/{id}/deliveries/{did}/redeliver", Tags: tags,
		Summary:       "Send a delivery again (admins)",
		Description:   "A new delivery of the same message: the same webhook-id and body, a fresh signature and attempts. 409 when the subscription is disabled.",
		DefaultStatus: http.StatusCreated, Errors: webhookErrors},
		func(ctx context.Context, in *WebhookDeliveryPath) (*WebhookDeliveryCreated, error) {
			return asCaller(ctx, s, func(p app.Principal) (*WebhookDeliveryCreated, error) {
				d, err := s.app.RedeliverWebhook(ctx, p, in.Org, in.ID, in.DeliveryID)
				if err != nil {
					return nil, err
				}
				return &WebhookDeliveryCreated{Location: "/api/v1/orgs/" + in.Org + "/webhooks/" + strconv.FormatInt(in.ID, 10) + "/deliveries", Body: webhookDeliveryJSON(d)}, nil
			})
		})
}

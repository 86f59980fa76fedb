package isms

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EventType names something that happened in an organisation that a
// webhook subscription can ask to hear about (issue 17, "events out").
type EventType string

// The event vocabulary. EventDocumentApproved is reserved: it names a
// future event (document approval), so subscribers can rely on the name,
// but nothing emits it yet and a subscription cannot choose it.
const (
	EventDeviationOpened     EventType = "deviation.opened"
	EventDeviationClosed     EventType = "deviation.closed"
	EventMetricStatusChanged EventType = "metric.status_changed"
	EventActionOverdue       EventType = "corrective_action.overdue"
	EventReviewSigned        EventType = "review.signed"
	EventImportCompleted     EventType = "import.completed"
	EventDocumentApproved    EventType = "document.approved" // reserved
)

// EventTypes lists the events a subscription may choose, in display order.
func EventTypes() []EventType {
	return []EventType{EventDeviationOpened, EventDeviationClosed, EventMetricStatusChanged, EventActionOverdue, EventReviewSigned, EventImportCompleted}
}

// ReservedEventTypes lists names kept for later work.
func ReservedEventTypes() []EventType { return []EventType{EventDocumentApproved} }

// Describe says in words what an event type means.
func (t EventType) Describe() string {
	switch t {
	case EventDeviationOpened:
		return "A deviation was opened (by hand or for a red metric)"
	case EventDeviationClosed:
		return "A deviation was closed"
	case EventMetricStatusChanged:
		return "A metric's rating of its current period changed (e.g. green to red)"
	case EventActionOverdue:
		return "A corrective action became overdue"
	case EventReviewSigned:
		return "A management review was signed"
	case EventImportCompleted:
		return "An import of records was completed"
	case EventDocumentApproved:
		return "A document was approved (reserved, not sent yet)"
	}
	return string(t)
}

// WebhookRetrySchedule is the wait before each retry of a webhook
// delivery that failed: the schedule the Standard Webhooks specification
// suggests (5 seconds, 5 and 30 minutes, 2, 5, 10 and 10 hours), so a
// delivery is tried 8 times over about 27.6 hours before it fails.
var WebhookRetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// WebhookRetryDelay returns the wait after failed attempt n (1 for the
// first), the last step of the schedule beyond it.
func WebhookRetryDelay(n int) time.Duration {
	n = max(1, min(n, len(WebhookRetrySchedule)))
	return WebhookRetrySchedule[n-1]
}

// Webhook payload formats of a subscription. Every format is sent with
// the Standard Webhooks headers; only the body differs.
const (
	WebhookFormatStandard = "standard" // {"type", "timestamp", "data"}
	WebhookFormatSlack    = "slack"    // {"text": ...}, a Slack incoming webhook
	WebhookFormatTeams    = "teams"    // a MessageCard, a Teams incoming webhook
)

// WebhookFormats lists the payload formats in display order.
func WebhookFormats() []string {
	return []string{WebhookFormatStandard, WebhookFormatSlack, WebhookFormatTeams}
}

// Webhook is an organisation's subscription to events: where they go,
// which, in what format, and the secret that signs them.
type Webhook struct {
	ID          int64
	OrgID       int64
	URL         string
	Description string
	Events      []EventType
	Format      string
	// Secret is "whsec_" and the base64 of the signing key; it is shown
	// once, when the subscription is created, and never in lists.
	Secret    string
	Active    bool
	CreatedAt time.Time
	CreatedBy int64
}

// Wants reports whether the subscription is active and chose t.
func (w *Webhook) Wants(t EventType) bool { return w.Active && slices.Contains(w.Events, t) }

// Validate normalises the subscription and returns EINVALID for a URL
// that is not http(s), no event or an unknown one, or an unknown format.
func (w *Webhook) Validate() error {
	w.URL = strings.TrimSpace(w.URL)
	w.Description = strings.TrimSpace(w.Description)
	if w.Format == "" {
		w.Format = WebhookFormatStandard
	}
	if !slices.Contains(WebhookFormats(), w.Format) {
		return Errorf(EINVALID, "format %q: use standard, slack or teams", w.Format)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Errorf(EINVALID, "URL %q: give an http(s) address, e.g. https://hooks.example.com/pdca", w.URL)
	}
	if len(w.URL) > 2048 {
		return Errorf(EINVALID, "URL: at most 2048 characters")
	}
	if err := CheckLength("description", w.Description, MaxName); err != nil {
		return err
	}
	if len(w.Events) == 0 {
		return Errorf(EINVALID, "events: choose at least one, e.g. deviation.opened")
	}
	seen := map[EventType]bool{}
	var evs []EventType
	for _, t := range w.Events {
		if slices.Contains(ReservedEventTypes(), t) {
			return Errorf(EINVALID, "event %q is reserved for later work and not sent yet", t)
		}
		if !slices.Contains(EventTypes(), t) {
			return Errorf(EINVALID, "event %q: use one of %s", t, strings.Join(eventNames(), ", "))
		}
		if !seen[t] {
			seen[t] = true
			evs = append(evs, t)
		}
	}
	w.Events = evs
	return nil
}

func eventNames() []string {
	var out []string
	for _, t := range EventTypes() {
		out = append(out, string(t))
	}
	return out
}

// NewWebhookSecret returns a fresh signing secret: "whsec_" and the
// base64 of 32 random bytes, as the Standard Webhooks specification has it.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// NewWebhookMessageID returns a message id ("msg_" and 20 random bytes in
// base64url): the webhook-id header, the same on every attempt and
// redelivery of one event to one subscription, so receivers can drop
// duplicates.
func NewWebhookMessageID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return "msg_" + base64.RawURLEncoding.EncodeToString(b)
}

// WebhookEvent is the payload of the standard format: the type, when it
// happened (RFC 3339, UTC) and its data.
type WebhookEvent struct {
	Type      EventType `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is what an event says: the organisation, the object it is
// about (its kind, id and API URL, and its page), a one-line summary, and
// fields of the event type (e.g. the metric's old and new status).
type EventData struct {
	Organisation string         `json:"organisation"`
	Object       string         `json:"object"` // deviation, metric, corrective_action, review, import
	ID           string         `json:"id"`
	URL          string         `json:"url"`      // the object in the JSON API
	HTMLURL      string         `json:"html_url"` // the object's page
	Summary      string         `json:"summary"`
	Fields       map[string]any `json:"fields,omitempty"`
}

// Body renders the event in a subscription's format: the event itself
// (standard), Slack's {"text": ...} or a Teams MessageCard.
func (e WebhookEvent) Body(format string) ([]byte, error) {
	e.Timestamp = e.Timestamp.UTC().Truncate(time.Second)
	text := fmt.Sprintf("[%s] %s: %s", e.Data.Organisation, e.Type, e.Data.Summary)
	var v any = e
	switch format {
	case WebhookFormatSlack:
		if e.Data.HTMLURL != "" {
			text += "\n" + e.Data.HTMLURL
		}
		v = map[string]string{"text": text}
	case WebhookFormatTeams:
		card := map[string]any{"@type": "MessageCard", "@context": "https://schema.org/extensions",
			"summary": text, "themeColor": "0B5FFF", "title": fmt.Sprintf("%s (%s)", e.Type.Describe(), e.Data.Organisation), "text": e.Data.Summary}
		if e.Data.HTMLURL != "" {
			card["potentialAction"] = []any{map[string]any{"@type": "OpenUri", "name": "Open in pdca",
				"targets": []any{map[string]string{"os": "default", "uri": e.Data.HTMLURL}}}}
		}
		v = card
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("webhook body: %w", err)
	}
	return b, nil
}

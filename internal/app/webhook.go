package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
)

// JobWebhook is the job kind that sends one webhook delivery
// (Job.DeliveryID is a webhook_deliveries id) (issue 17).
const JobWebhook = "deliver_webhook"

// WebhookLogSize is how many deliveries of a subscription its log shows.
const WebhookLogSize = 100

// WebhookInput is what an admin gives to subscribe to events.
type WebhookInput struct {
	URL         string
	Description string
	Events      []isms.EventType
	Format      string
}

// webhookAudit is what the audit trail keeps of a subscription: the URL
// redacted (it can carry a token), never the secret.
func webhookAudit(w *isms.Webhook) map[string]any {
	return map[string]any{"url": outbound.RedactURL(w.URL), "description": w.Description, "events": w.Events, "format": w.Format, "active": w.Active}
}

// CreateWebhook subscribes the organisation's webhook at in.URL to the
// events chosen and returns it with its secret, which is shown this once.
// Requires manage_org (admins); a token must be read-write. EINVALID,
// also for a URL that is not public unless the operator allowed it
// (serve --webhook-allow). The secret is kept so that deliveries can be
// signed: sealed with MFAKey when the server has one (AES-256-GCM),
// otherwise as it is (docs/webhooks.md).
func (a *App) CreateWebhook(ctx context.Context, p Principal, slug string, in WebhookInput) (*isms.Webhook, error) {
	// A non-member learns nothing, not even whether the URL would pass.
	if _, err := a.Authorize(ctx, p, slug, isms.ActManageOrg); err != nil {
		return nil, err
	}
	w := &isms.Webhook{URL: in.URL, Description: in.Description, Events: in.Events, Format: in.Format, Active: true, CreatedBy: p.UserID}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	// Resolved before the transaction: a name lookup must not hold the
	// writer. The dialer checks every address again at each delivery.
	if err := a.Webhooks.CheckURL(ctx, "webhook URL", w.URL); err != nil {
		return nil, err
	}
	secret := isms.NewWebhookSecret()
	err := a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		w.OrgID = m.Org.ID
		stored, err := a.sealWebhookSecret(m.Org.ID, secret)
		if err != nil {
			return err
		}
		if err := tx.AddWebhook(ctx, w, stored); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "webhook.create", "webhook", w.ID, nil, webhookAudit(w))
	})
	if err != nil {
		return nil, err
	}
	w.Secret = secret
	return w, nil
}

// WebhookSubscriptions lists the organisation's subscriptions, without their secrets.
// Requires the role of manage_org (admins); listing is reading, so an
// admin's read-only token may.
func (a *App) WebhookSubscriptions(ctx context.Context, p Principal, slug string) ([]isms.Webhook, error) {
	var out []isms.Webhook
	err := a.readAs(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		ws, err := tx.Webhooks(ctx, m.Org.ID)
		for _, w := range ws {
			out = append(out, w.Webhook)
		}
		return err
	})
	return out, err
}

// WebhookSubscription returns one subscription (without its secret) and its latest
// deliveries, newest first. Requires the role of manage_org. ENOTFOUND.
func (a *App) WebhookSubscription(ctx context.Context, p Principal, slug string, id int64) (*isms.Webhook, []*store.WebhookDelivery, error) {
	var out *isms.Webhook
	var log []*store.WebhookDelivery
	err := a.readAs(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		w, err := tx.Webhook(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		out = &w.Webhook
		log, err = tx.WebhookDeliveries(ctx, m.Org.ID, id, WebhookLogSize)
		return err
	})
	return out, log, err
}

// readAs is read checking only the role's right to act (not a token's
// scope): reading what an admin manages.
func (a *App) readAs(ctx context.Context, p Principal, slug string, act isms.Action, fn func(tx *store.Tx, m *Member) error) error {
	return a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		if err := isms.Authorize(m.Role, act); err != nil {
			return err
		}
		return fn(tx, m)
	})
}

// SetWebhookActive enables or disables a subscription: a disabled one is
// sent nothing. Requires manage_org. ENOTFOUND.
func (a *App) SetWebhookActive(ctx context.Context, p Principal, slug string, id int64, active bool) error {
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		w, err := tx.Webhook(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		before := webhookAudit(&w.Webhook)
		if err := tx.SetWebhookActive(ctx, m.Org.ID, id, active); err != nil {
			return err
		}
		w.Active = active
		action := "webhook.disable"
		if active {
			action = "webhook.enable"
		}
		return audit(ctx, tx, m.Org.ID, p, action, "webhook", id, before, webhookAudit(&w.Webhook))
	})
}

// DeleteWebhook removes a subscription and its delivery log; deliveries
// still waiting are not sent. Requires manage_org. ENOTFOUND.
func (a *App) DeleteWebhook(ctx context.Context, p Principal, slug string, id int64) error {
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		w, err := tx.Webhook(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteWebhook(ctx, m.Org.ID, id); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "webhook.delete", "webhook", id, webhookAudit(&w.Webhook), nil)
	})
}

// RedeliverWebhook sends a delivery again as a new delivery of the same
// message (same webhook-id and body, a fresh signature and attempts).
// Requires manage_org. ENOTFOUND (also for a delivery of another
// subscription than webhookID), ECONFLICT when the subscription is
// disabled.
func (a *App) RedeliverWebhook(ctx context.Context, p Principal, slug string, webhookID, deliveryID int64) (*store.WebhookDelivery, error) {
	var out *store.WebhookDelivery
	err := a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		d, err := tx.WebhookDelivery(ctx, m.Org.ID, deliveryID)
		if err != nil {
			return err
		}
		if d.WebhookID != webhookID {
			return isms.Errorf(isms.ENOTFOUND, "webhook delivery not found")
		}
		w, err := tx.Webhook(ctx, m.Org.ID, d.WebhookID)
		if err != nil {
			return err
		}
		if !w.Active {
			return isms.Errorf(isms.ECONFLICT, "the webhook is disabled: enable it before redelivering")
		}
		nd := &store.WebhookDelivery{OrgID: m.Org.ID, WebhookID: d.WebhookID, MsgID: d.MsgID, EventType: d.EventType, Payload: d.Payload, RedeliveryOf: d.ID}
		if err := a.addWebhookDelivery(ctx, tx, nd); err != nil {
			return err
		}
		out = nd
		return audit(ctx, tx, m.Org.ID, p, "webhook.redeliver", "webhook_delivery", nd.ID, nil, map[string]any{"webhook_id": d.WebhookID, "redelivery_of": d.ID, "event": d.EventType})
	})
	return out, err
}

// addWebhookDelivery stores a delivery and enqueues its job in the same
// transaction. A delivery whose dedupe key the subscription had already
// is dropped (ID stays 0).
func (a *App) addWebhookDelivery(ctx context.Context, tx *store.Tx, d *store.WebhookDelivery) error {
	added, err := tx.AddWebhookDelivery(ctx, d)
	if err != nil || !added {
		return err
	}
	if a.Enqueue != nil {
		if err := a.Enqueue(ctx, tx, Job{Kind: JobWebhook, OrgID: d.OrgID, DeliveryID: d.ID}); err != nil {
			return fmt.Errorf("enqueue webhook delivery %d: %w", d.ID, err)
		}
	}
	return nil
}

// emit reports an event to every active subscription of the organisation
// that chose its type: one delivery each, written in the caller's
// transaction (the outbox), so a change rolled back sends nothing.
// build makes the event's data only when some subscription wants it; its
// paths (URL, HTMLURL) are made absolute with PublicURL. dedupe, when
// set, makes the event once per subscription.
func (a *App) emit(ctx context.Context, tx *store.Tx, orgID int64, t isms.EventType, dedupe string, build func(o *isms.Organization) isms.EventData) error {
	subs, err := tx.Webhooks(ctx, orgID)
	if err != nil {
		return err
	}
	var want []*store.StoredWebhook
	for _, w := range subs {
		if w.Wants(t) {
			want = append(want, w)
		}
	}
	if len(want) == 0 {
		return nil
	}
	o, err := tx.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	data := build(o)
	data.Organisation = o.Slug
	if data.URL != "" {
		data.URL = a.PublicURL + data.URL
	}
	if data.HTMLURL != "" {
		data.HTMLURL = a.PublicURL + data.HTMLURL
	}
	ev := isms.WebhookEvent{Type: t, Timestamp: tx.Now, Data: data}
	msgID := isms.NewWebhookMessageID()
	for _, w := range want {
		body, err := ev.Body(w.Format)
		if err != nil {
			return err
		}
		d := &store.WebhookDelivery{OrgID: orgID, WebhookID: w.ID, MsgID: msgID, EventType: t, Payload: string(body), DedupeKey: dedupe}
		if err := a.addWebhookDelivery(ctx, tx, d); err != nil {
			return err
		}
	}
	return nil
}

// WebhookSend is what the worker needs to send one delivery.
type WebhookSend struct {
	Delivery *store.WebhookDelivery
	URL      string
	Secret   string
	// SecretErr says why the secret cannot be read (sealed with a key
	// this server does not have): the delivery cannot be signed.
	SecretErr error
	Active    bool
}

// WebhookDeliveryToSend returns a delivery with its subscription's URL and
// secret, for the worker. ENOTFOUND when either is gone.
func (a *App) WebhookDeliveryToSend(ctx context.Context, id int64) (*WebhookSend, error) {
	var out *WebhookSend
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		d, err := tx.WebhookDeliveryByID(ctx, id)
		if err != nil {
			return err
		}
		w, err := tx.Webhook(ctx, d.OrgID, d.WebhookID)
		if err != nil {
			return err
		}
		secret, err := a.unsealWebhookSecret(w.OrgID, w.StoredSecret)
		out = &WebhookSend{Delivery: d, URL: w.URL, Secret: secret, SecretErr: err, Active: w.Active}
		return nil
	})
	return out, err
}

// RecordWebhookAttempt stores the outcome of one attempt: sent when
// sendErr is nil, else pending for a retry or failed when it was the last
// attempt; code is the receiver's HTTP status (0 if none came). The final
// outcome (sent or failed) is audited; retries are in the delivery log.
func (a *App) RecordWebhookAttempt(ctx context.Context, d *store.WebhookDelivery, code int, sendErr error, last bool) error {
	status, msg := isms.DeliverySent, ""
	if sendErr != nil {
		status, msg = isms.DeliveryPending, sendErr.Error()
		if last {
			status = isms.DeliveryFailed
		}
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RecordWebhookAttempt(ctx, d.OrgID, d.ID, status, msg, code); err != nil {
			return err
		}
		if status == isms.DeliveryPending {
			return nil
		}
		after := map[string]any{"status": status, "attempt": d.Attempts + 1, "error": msg, "response_code": code, "webhook_id": d.WebhookID, "event": d.EventType}
		return audit(ctx, tx, d.OrgID, webhookPrincipal, "webhook_delivery."+status, "webhook_delivery", d.ID, nil, after)
	})
}

// webhookPrincipal is who records the deliveries' outcomes.
var webhookPrincipal = Principal{System: true, Label: "webhooks"}

// sealWebhookSecret keeps a secret as it is ("plain:") or, when the server
// has MFAKey, sealed with it (AES-256-GCM bound to the organisation,
// "v1:"). It cannot be only hashed: every delivery is signed with it.
func (a *App) sealWebhookSecret(orgID int64, secret string) (string, error) {
	return a.sealSecret("webhook:"+strconv.FormatInt(orgID, 10), secret)
}

func (a *App) unsealWebhookSecret(orgID int64, stored string) (string, error) {
	return a.unsealSecret("webhook:"+strconv.FormatInt(orgID, 10), fmt.Sprintf("webhook secret of org %d", orgID), stored)
}

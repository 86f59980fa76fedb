package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// StoredWebhook is a subscription as stored: the secret as kept (sealed
// or marked plain, app decides), not as shown.
type StoredWebhook struct {
	isms.Webhook
	StoredSecret string
}

const webhookColumns = `id, org_id, url, description, events, format, secret, active, created_at, created_by`

func scanWebhook(row interface{ Scan(...any) error }) (*StoredWebhook, error) {
	var w StoredWebhook
	var events string
	if err := row.Scan(&w.ID, &w.OrgID, &w.URL, &w.Description, &events, &w.Format, &w.StoredSecret, &w.Active, tm(&w.CreatedAt), &w.CreatedBy); err != nil {
		return nil, err
	}
	for _, e := range strings.Split(events, ",") {
		if e != "" {
			w.Events = append(w.Events, isms.EventType(e))
		}
	}
	return &w, nil
}

func joinEvents(evs []isms.EventType) string {
	s := make([]string, len(evs))
	for i, e := range evs {
		s[i] = string(e)
	}
	return strings.Join(s, ",")
}

// AddWebhook stores a subscription with its secret as kept and sets ID
// and CreatedAt.
func (tx *Tx) AddWebhook(ctx context.Context, w *isms.Webhook, storedSecret string) error {
	w.CreatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO webhooks (org_id, url, description, events, format, secret, active, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		w.OrgID, w.URL, w.Description, joinEvents(w.Events), w.Format, storedSecret, w.Active, tx.ts(w.CreatedAt), w.CreatedBy).Scan(&w.ID)
	if err != nil {
		return fmt.Errorf("add webhook: %w", err)
	}
	return nil
}

// Webhooks lists an organisation's subscriptions, oldest first.
func (tx *Tx) Webhooks(ctx context.Context, orgID int64) ([]*StoredWebhook, error) {
	rows, err := tx.query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []*StoredWebhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("scan webhook: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhook returns one subscription of an organisation. ENOTFOUND.
func (tx *Tx) Webhook(ctx context.Context, orgID, id int64) (*StoredWebhook, error) {
	w, err := scanWebhook(tx.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "webhook")
	}
	return w, nil
}

// SetWebhookActive enables or disables a subscription. ENOTFOUND.
func (tx *Tx) SetWebhookActive(ctx context.Context, orgID, id int64, active bool) error {
	res, err := tx.exec(ctx, `UPDATE webhooks SET active = $3 WHERE org_id = $1 AND id = $2`, orgID, id, active)
	if err != nil {
		return fmt.Errorf("set webhook active: %w", err)
	}
	return affectedOne(res, "webhook")
}

// DeleteWebhook removes a subscription and its delivery log. ENOTFOUND.
func (tx *Tx) DeleteWebhook(ctx context.Context, orgID, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE org_id = $1 AND webhook_id = $2`, orgID, id); err != nil {
		return fmt.Errorf("delete webhook deliveries: %w", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM webhooks WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	return affectedOne(res, "webhook")
}

func affectedOne(res interface{ RowsAffected() (int64, error) }, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return isms.Errorf(isms.ENOTFOUND, "%s not found", what)
	}
	return nil
}

// WebhookDelivery is one event sent (or to be sent) to one subscription.
type WebhookDelivery struct {
	ID           int64
	OrgID        int64
	WebhookID    int64
	MsgID        string // the webhook-id header
	EventType    isms.EventType
	Payload      string // the body, in the subscription's format
	Status       string // isms.DeliveryPending, DeliverySent or DeliveryFailed
	Attempts     int
	LastError    string
	ResponseCode int // the receiver's last HTTP status; 0 if none came
	DedupeKey    string
	RedeliveryOf int64
	CreatedAt    time.Time
	LastAttempt  *time.Time
	SentAt       *time.Time
}

// AddWebhookDelivery stores a pending delivery and sets ID, CreatedAt and
// Status. It returns false, storing nothing, when the subscription had a
// delivery with the same DedupeKey already.
func (tx *Tx) AddWebhookDelivery(ctx context.Context, d *WebhookDelivery) (bool, error) {
	d.CreatedAt, d.Status = tx.Now, isms.DeliveryPending
	var dedupe, redelivery any
	if d.DedupeKey != "" {
		dedupe = d.DedupeKey
	}
	if d.RedeliveryOf != 0 {
		redelivery = d.RedeliveryOf
	}
	rows, err := tx.query(ctx, `INSERT INTO webhook_deliveries (org_id, webhook_id, msg_id, event_type, payload, status, attempts, last_error,
		response_code, dedupe_key, redelivery_of, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, '', 0, $7, $8, $9)
		ON CONFLICT (org_id, webhook_id, dedupe_key) DO NOTHING RETURNING id`,
		d.OrgID, d.WebhookID, d.MsgID, string(d.EventType), d.Payload, d.Status, dedupe, redelivery, tx.ts(d.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("add webhook delivery: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(&d.ID); err != nil {
		return false, fmt.Errorf("add webhook delivery: %w", err)
	}
	return true, rows.Close()
}

const webhookDeliveryColumns = `id, org_id, webhook_id, msg_id, event_type, payload, status, attempts, last_error, response_code,
	dedupe_key, redelivery_of, created_at, last_attempt_at, sent_at`

func scanWebhookDelivery(row interface{ Scan(...any) error }) (*WebhookDelivery, error) {
	var d WebhookDelivery
	var dedupe *string
	var redelivery *int64
	var last, sent nullTime
	if err := row.Scan(&d.ID, &d.OrgID, &d.WebhookID, &d.MsgID, &d.EventType, &d.Payload, &d.Status, &d.Attempts, &d.LastError, &d.ResponseCode,
		&dedupe, &redelivery, tm(&d.CreatedAt), &last, &sent); err != nil {
		return nil, err
	}
	if dedupe != nil {
		d.DedupeKey = *dedupe
	}
	if redelivery != nil {
		d.RedeliveryOf = *redelivery
	}
	d.LastAttempt, d.SentAt = ptime(last), ptime(sent)
	return &d, nil
}

// WebhookDeliveryByID returns one delivery of any organisation, for the
// worker that knows only its id. ENOTFOUND.
func (tx *Tx) WebhookDeliveryByID(ctx context.Context, id int64) (*WebhookDelivery, error) {
	d, err := scanWebhookDelivery(tx.queryRow(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "webhook delivery")
	}
	return d, nil
}

// WebhookDelivery returns one delivery of an organisation. ENOTFOUND.
func (tx *Tx) WebhookDelivery(ctx context.Context, orgID, id int64) (*WebhookDelivery, error) {
	d, err := scanWebhookDelivery(tx.queryRow(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "webhook delivery")
	}
	return d, nil
}

// WebhookDeliveries lists a subscription's deliveries, newest first, at
// most limit.
func (tx *Tx) WebhookDeliveries(ctx context.Context, orgID, webhookID int64, limit int) ([]*WebhookDelivery, error) {
	rows, err := tx.query(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries WHERE org_id = $1 AND webhook_id = $2
		ORDER BY id DESC LIMIT $3`, orgID, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []*WebhookDelivery
	for rows.Next() {
		d, err := scanWebhookDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("scan webhook delivery: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordWebhookAttempt stores the outcome of one attempt: the status
// (sent, pending for a retry, or failed for good), the error and the
// receiver's HTTP status (0 if none came).
func (tx *Tx) RecordWebhookAttempt(ctx context.Context, orgID, id int64, status, lastError string, code int) error {
	var sent any
	if status == isms.DeliverySent {
		sent = tx.ts(tx.Now)
	}
	_, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_error = $4, response_code = $5,
		last_attempt_at = $6, sent_at = $7 WHERE org_id = $1 AND id = $2`, orgID, id, status, lastError, code, tx.ts(tx.Now), sent)
	if err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

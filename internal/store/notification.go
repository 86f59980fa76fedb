package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// ReminderSettings returns an organisation's lead time and escalation, the
// defaults when it has not set them.
func (tx *Tx) ReminderSettings(ctx context.Context, orgID int64) (isms.ReminderSettings, error) {
	s := isms.ReminderSettings{OrgID: orgID, LeadDays: isms.DefaultLeadDays, EscalateDays: isms.DefaultEscalateDays}
	err := tx.queryRow(ctx, `SELECT lead_days, escalate_days FROM reminder_settings WHERE org_id = $1`, orgID).Scan(&s.LeadDays, &s.EscalateDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("reminder settings: %w", err)
	}
	return s, nil
}

// SetReminderSettings stores an organisation's lead time and escalation.
func (tx *Tx) SetReminderSettings(ctx context.Context, s isms.ReminderSettings) error {
	_, err := tx.exec(ctx, `INSERT INTO reminder_settings (org_id, lead_days, escalate_days) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET lead_days = excluded.lead_days, escalate_days = excluded.escalate_days`,
		s.OrgID, s.LeadDays, s.EscalateDays)
	if err != nil {
		return fmt.Errorf("set reminder settings: %w", err)
	}
	return nil
}

const prefsColumns = `org_id, user_id, email, webhook_url, webhook_kind, digest, paused_until`

func scanPrefs(row interface{ Scan(...any) error }) (isms.NotificationPrefs, error) {
	var p isms.NotificationPrefs
	var paused nullTime
	err := row.Scan(&p.OrgID, &p.UserID, &p.Email, &p.WebhookURL, &p.WebhookKind, &p.Digest, &paused)
	p.PausedUntil = ptime(paused)
	return p, err
}

// NotificationPrefs returns a member's preferences, the defaults when the
// member has not chosen.
func (tx *Tx) NotificationPrefs(ctx context.Context, orgID, userID int64) (isms.NotificationPrefs, error) {
	p, err := scanPrefs(tx.queryRow(ctx, `SELECT `+prefsColumns+` FROM notification_prefs WHERE org_id = $1 AND user_id = $2`, orgID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return isms.DefaultPrefs(orgID, userID), nil
	}
	if err != nil {
		return p, fmt.Errorf("notification prefs: %w", err)
	}
	return p, nil
}

// SetNotificationPrefs stores a member's preferences.
func (tx *Tx) SetNotificationPrefs(ctx context.Context, p isms.NotificationPrefs) error {
	var paused any
	if p.PausedUntil != nil {
		paused = tx.ts(*p.PausedUntil)
	}
	_, err := tx.exec(ctx, `INSERT INTO notification_prefs (`+prefsColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (org_id, user_id) DO UPDATE SET email = excluded.email, webhook_url = excluded.webhook_url,
		webhook_kind = excluded.webhook_kind, digest = excluded.digest, paused_until = excluded.paused_until`,
		p.OrgID, p.UserID, p.Email, p.WebhookURL, p.WebhookKind, p.Digest, paused)
	if err != nil {
		return fmt.Errorf("set notification prefs: %w", err)
	}
	return nil
}

// MarkReminderSent records that the reminder of an occasion and stage went
// to a user. It returns false when it had been recorded already (by this
// or another process): then the reminder must not be sent again.
func (tx *Tx) MarkReminderSent(ctx context.Context, orgID int64, occasion string, stage isms.Stage, userID int64) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO reminders_sent (org_id, occasion, stage, user_id, sent_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (org_id, occasion, stage, user_id) DO NOTHING`, orgID, occasion, string(stage), userID, tx.ts(tx.Now))
	if err != nil {
		return false, fmt.Errorf("mark reminder sent: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark reminder sent: %w", err)
	}
	return n == 1, nil
}

// Delivery is one message to one person over one channel.
type Delivery struct {
	ID        int64
	OrgID     int64
	UserID    int64
	Channel   string // email or webhook
	Target    string // address or URL
	Kind      string // webhook payload kind: json or slack; "" for email
	Subject   string
	Body      string // plain text
	Payload   string // the webhook's JSON body
	Status    string
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
	// Joined for display.
	UserEmail string
}

// AddDelivery stores a pending delivery and sets ID and CreatedAt.
func (tx *Tx) AddDelivery(ctx context.Context, d *Delivery) error {
	d.CreatedAt, d.Status = tx.Now, isms.DeliveryPending
	err := tx.queryRow(ctx, `INSERT INTO deliveries (org_id, user_id, channel, target, kind, subject, body, payload, status, attempts, last_error, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, '', $10) RETURNING id`,
		d.OrgID, d.UserID, d.Channel, d.Target, d.Kind, d.Subject, d.Body, d.Payload, d.Status, tx.ts(d.CreatedAt)).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("add delivery: %w", err)
	}
	return nil
}

const deliveryColumns = `d.id, d.org_id, d.user_id, d.channel, d.target, d.kind, d.subject, d.body, d.payload, d.status, d.attempts, d.last_error, d.created_at, d.sent_at, u.email`

func scanDelivery(row interface{ Scan(...any) error }) (*Delivery, error) {
	var d Delivery
	var sent nullTime
	if err := row.Scan(&d.ID, &d.OrgID, &d.UserID, &d.Channel, &d.Target, &d.Kind, &d.Subject, &d.Body, &d.Payload, &d.Status,
		&d.Attempts, &d.LastError, tm(&d.CreatedAt), &sent, &d.UserEmail); err != nil {
		return nil, err
	}
	d.CreatedAt, d.SentAt = d.CreatedAt.UTC(), ptime(sent)
	return &d, nil
}

// DeliveryByID returns one delivery of any organisation (for the worker,
// which knows only the id). ENOTFOUND.
func (tx *Tx) DeliveryByID(ctx context.Context, id int64) (*Delivery, error) {
	d, err := scanDelivery(tx.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries d JOIN users u ON u.id = d.user_id WHERE d.id = $1`, id))
	if err != nil {
		return nil, notFound(err, "delivery")
	}
	return d, nil
}

// Deliveries lists an organisation's deliveries, newest first, at most limit.
func (tx *Tx) Deliveries(ctx context.Context, orgID int64, limit int) ([]*Delivery, error) {
	rows, err := tx.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries d JOIN users u ON u.id = d.user_id
		WHERE d.org_id = $1 ORDER BY d.id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordDeliveryAttempt stores the outcome of one attempt: sent, failed
// for good, or pending with the error for a retry.
func (tx *Tx) RecordDeliveryAttempt(ctx context.Context, orgID, id int64, status, lastError string) error {
	var sent any
	if status == isms.DeliverySent {
		sent = tx.ts(tx.Now)
	}
	_, err := tx.exec(ctx, `UPDATE deliveries SET status = $3, attempts = attempts + 1, last_error = $4, sent_at = $5 WHERE org_id = $1 AND id = $2`,
		orgID, id, status, lastError, sent)
	if err != nil {
		return fmt.Errorf("record delivery attempt: %w", err)
	}
	return nil
}

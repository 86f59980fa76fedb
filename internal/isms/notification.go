package isms

import (
	"net/url"
	"strings"
	"time"
)

// Stage is how far a due item has come: reminders are sent once per
// occasion and stage.
type Stage string

// The stages of a due item, in order. StageNone: not yet within the lead
// time, nothing to send.
const (
	StageNone      Stage = ""
	StageAhead     Stage = "ahead"     // due within the lead time
	StageDue       Stage = "due"       // due today in the organisation's zone
	StageOverdue   Stage = "overdue"   // past due: the owner is reminded
	StageEscalated Stage = "escalated" // overdue longer than the escalation: ISMS managers and admins
)

// Default reminder settings of an organisation.
const (
	DefaultLeadDays     = 7
	DefaultEscalateDays = 3
)

// ReminderSettings are an organisation's lead time and escalation delay,
// in days.
type ReminderSettings struct {
	OrgID        int64
	LeadDays     int
	EscalateDays int
}

// Validate returns EINVALID unless both delays are between 0 and 90 days
// (lead) and 1 and 90 days (escalation).
func (s ReminderSettings) Validate() error {
	if s.LeadDays < 0 || s.LeadDays > 90 {
		return Errorf(EINVALID, "lead time: give 0 to 90 days, e.g. 7")
	}
	if s.EscalateDays < 1 || s.EscalateDays > 90 {
		return Errorf(EINVALID, "escalation: give 1 to 90 days overdue, e.g. 3")
	}
	return nil
}

// StageOf returns the stage of an item due at due (a day: its date in loc
// counts) at now. The escalation comes when the item has been overdue for
// more than EscalateDays whole days.
func (s ReminderSettings) StageOf(due, now time.Time, loc *time.Location) Stage {
	d := day(due, loc)
	today := day(now, loc)
	switch {
	case today.Equal(d):
		return StageDue
	case today.Before(d):
		if !today.AddDate(0, 0, s.LeadDays).Before(d) {
			return StageAhead
		}
		return StageNone
	case today.After(d.AddDate(0, 0, s.EscalateDays)):
		return StageEscalated
	default:
		return StageOverdue
	}
}

func day(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Webhook payload kinds.
const (
	WebhookJSON  = "json"
	WebhookSlack = "slack"
)

// Channels of a delivery.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// NotificationPrefs are one person's choices in one organisation.
type NotificationPrefs struct {
	OrgID       int64
	UserID      int64
	Email       bool
	WebhookURL  string
	WebhookKind string // json or slack
	Digest      bool   // a weekly digest instead of individual reminders
	PausedUntil *time.Time
}

// DefaultPrefs are the preferences of a person who has not chosen: email
// on, no webhook, no digest, not paused.
func DefaultPrefs(orgID, userID int64) NotificationPrefs {
	return NotificationPrefs{OrgID: orgID, UserID: userID, Email: true, WebhookKind: WebhookJSON}
}

// Validate returns EINVALID for a webhook URL that is not http(s) or an
// unknown webhook kind.
func (p *NotificationPrefs) Validate() error {
	p.WebhookURL = strings.TrimSpace(p.WebhookURL)
	if p.WebhookKind == "" {
		p.WebhookKind = WebhookJSON
	}
	if p.WebhookKind != WebhookJSON && p.WebhookKind != WebhookSlack {
		return Errorf(EINVALID, "webhook kind %q: use json or slack", p.WebhookKind)
	}
	if p.WebhookURL != "" {
		u, err := url.Parse(p.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Errorf(EINVALID, "webhook URL %q: give an http(s) address, e.g. https://hooks.example.com/pdca", p.WebhookURL)
		}
	}
	return nil
}

// Paused reports whether reminders are paused at now: the pause lasts
// through the day PausedUntil names.
func (p NotificationPrefs) Paused(now time.Time) bool {
	return p.PausedUntil != nil && now.Before(p.PausedUntil.AddDate(0, 0, 1))
}

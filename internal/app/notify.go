package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
)

// message is what one reminder says, before it is shaped per channel.
type message struct {
	Subject string
	Text    string
	// The webhook's JSON fields.
	Kind, Title, Stage, Link string
	Due                      *time.Time
}

var stageWords = map[isms.Stage]string{
	isms.StageAhead:     "Coming up",
	isms.StageDue:       "Due today",
	isms.StageOverdue:   "Overdue",
	isms.StageEscalated: "Escalated, overdue",
}

// memberZone is the zone a member reads times in: their own if they chose
// one, else the organisation's.
func memberZone(o *isms.Organization, m isms.Membership) *time.Location {
	return isms.Zone(&isms.User{TimeZone: m.UserTimeZone}, o)
}

// reminderMessage is what a reminder says to a person who reads times in
// loc (memberZone); the due date is that day in loc, the zone named.
func reminderMessage(base string, o *isms.Organization, loc *time.Location, it DueItem, st isms.Stage) message {
	it.Link = base + it.Link
	due := it.Due.In(loc).Format("2006-01-02")
	subj := fmt.Sprintf("[%s] %s: %s", o.Name, stageWords[st], it.Title)
	text := fmt.Sprintf("%s\n\nDue: %s (%s)\nStage: %s\nOpen: %s\n", it.Title, due, loc, st, it.Link)
	if st == isms.StageEscalated {
		text += "\nYou receive this as an ISMS manager or admin: the owner's reminders went unanswered.\n"
	}
	d := it.Due.UTC()
	return message{Subject: subj, Text: text, Kind: it.Kind, Title: it.Title, Stage: string(st), Link: it.Link, Due: &d}
}

// deliveriesFor shapes a message for each channel a person chose.
func deliveriesFor(o *isms.Organization, m isms.Membership, pr isms.NotificationPrefs, msg message) []*store.Delivery {
	var out []*store.Delivery
	if pr.Email && m.Email != "" {
		out = append(out, &store.Delivery{OrgID: o.ID, UserID: m.UserID, Channel: isms.ChannelEmail, Target: m.Email, Subject: msg.Subject, Body: msg.Text})
	}
	if pr.WebhookURL != "" {
		var payload any = map[string]any{"organisation": o.Slug, "kind": msg.Kind, "title": msg.Title, "due": msg.Due, "stage": msg.Stage, "link": msg.Link}
		if pr.WebhookKind == isms.WebhookSlack {
			payload = map[string]string{"text": msg.Subject + "\n" + msg.Text}
		}
		b, _ := json.Marshal(payload) // maps of strings and times always marshal
		out = append(out, &store.Delivery{OrgID: o.ID, UserID: m.UserID, Channel: isms.ChannelWebhook, Target: pr.WebhookURL, Kind: pr.WebhookKind,
			Subject: msg.Subject, Body: msg.Text, Payload: string(b)})
	}
	return out
}

// SendDigests sends the weekly digest of one organisation: each member who
// chose it and is not paused gets one message listing the part of their
// My work list (workList) within the lead time or past due, once per ISO
// week; it links to their My work page.
func (a *App) SendDigests(ctx context.Context, orgID int64, now time.Time) ([]Reminder, error) {
	var out []Reminder
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		out = nil
		o, settings, au, items, err := a.reminderInputs(ctx, tx, orgID, now)
		if err != nil {
			return err
		}
		// Each person's digest is the part of their My work list that is
		// within the lead time or late (workList), so the page and the
		// digest agree.
		pp := &owers{members: au.members, managers: au.managers}
		uids := make([]int64, 0, len(au.members))
		for uid := range au.members {
			uids = append(uids, uid)
		}
		slices.Sort(uids)
		y, w := now.In(o.Location()).ISOWeek()
		occasion := fmt.Sprintf("digest:%04d-W%02d", y, w)
		for _, uid := range uids {
			pr := au.prefs[uid]
			if !pr.Digest || pr.Paused(now) {
				continue
			}
			entries := digestItems(workList(items, uid, pp, settings, o.Location(), now))
			if len(entries) == 0 {
				continue
			}
			// Each person reads the due dates in their own zone.
			loc := memberZone(o, au.members[uid])
			lines := make([]string, len(entries))
			for i, e := range entries {
				lines[i] = fmt.Sprintf("- %s: %s (due %s) %s%s", stageWords[e.Stage], e.Title, e.Due.In(loc).Format("2006-01-02"), a.PublicURL, e.Link)
			}
			msg := message{Subject: fmt.Sprintf("[%s] Weekly digest: %d due", o.Name, len(lines)), Kind: "digest", Title: "Weekly digest", Stage: "digest",
				Text: "What is due to you:\n\n" + strings.Join(lines, "\n") + "\n\nDates are days in " + loc.String() + ".\n", Link: a.PublicURL + "/o/" + o.Slug + "/my-work"}
			r, err := a.remind(ctx, tx, o, au.members[uid], pr, occasion, "digest", msg)
			if err != nil {
				return err
			}
			if r != nil {
				out = append(out, *r)
			}
		}
		return nil
	})
	return out, err
}

// NotificationPrefs returns the caller's own preferences in the
// organisation. Requires read (every member).
func (a *App) NotificationPrefs(ctx context.Context, p Principal, slug string) (isms.NotificationPrefs, error) {
	var out isms.NotificationPrefs
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.NotificationPrefs(ctx, m.Org.ID, p.UserID)
		return err
	})
	return out, err
}

// SetNotificationPrefs stores the caller's own preferences (the org and
// user fields of pr are ignored: nobody sets another person's channels,
// and the organisation has no webhook of its own, so a webhook only ever
// receives its owner's reminders). Requires read; a token must be
// read-write. EINVALID, also for a webhook URL that is not public unless
// the operator allowed it (a.Webhooks); the audit trail records the URL
// redacted (outbound.RedactURL), as it can be a secret.
func (a *App) SetNotificationPrefs(ctx context.Context, p Principal, slug string, pr isms.NotificationPrefs) (isms.NotificationPrefs, error) {
	// A non-member learns nothing, not even whether the URL would pass.
	if _, err := a.Authorize(ctx, p, slug, isms.ActRead); err != nil {
		return pr, err
	}
	if err := pr.Validate(); err != nil {
		return pr, err
	}
	// Resolved before the transaction: a name lookup must not hold the
	// writer. The dialer checks every address again at each delivery.
	if pr.WebhookURL != "" {
		if err := a.Webhooks.CheckURL(ctx, "webhook URL", pr.WebhookURL); err != nil {
			return pr, err
		}
	}
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActRead); err != nil {
			return err
		}
		if m.Token != nil && m.Token.Scope == isms.ScopeRead {
			return scopeDenied("set_notification_prefs")
		}
		if p.UserID == 0 {
			return isms.Errorf(isms.EINVALID, "notification preferences belong to a person; sign in as one")
		}
		before, err := tx.NotificationPrefs(ctx, m.Org.ID, p.UserID)
		if err != nil {
			return err
		}
		pr.OrgID, pr.UserID = m.Org.ID, p.UserID
		if err := tx.SetNotificationPrefs(ctx, pr); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "notification_prefs.update", "notification_prefs", p.UserID, redactPrefs(before), redactPrefs(pr))
	})
	return pr, err
}

// redactPrefs is what the audit trail keeps of preferences: the webhook
// URL as host and fingerprint.
func redactPrefs(pr isms.NotificationPrefs) isms.NotificationPrefs {
	pr.WebhookURL = outbound.RedactURL(pr.WebhookURL)
	return pr
}

// ReminderSettings returns the organisation's lead time and escalation.
// Requires read.
func (a *App) ReminderSettings(ctx context.Context, p Principal, slug string) (isms.ReminderSettings, error) {
	var out isms.ReminderSettings
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.ReminderSettings(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// SetReminderSettings changes the organisation's lead time and escalation.
// Requires manage_metrics (admins and ISMS managers). EINVALID.
func (a *App) SetReminderSettings(ctx context.Context, p Principal, slug string, s isms.ReminderSettings) (isms.ReminderSettings, error) {
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		if err := s.Validate(); err != nil {
			return err
		}
		before, err := tx.ReminderSettings(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		s.OrgID = m.Org.ID
		if err := tx.SetReminderSettings(ctx, s); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "reminder_settings.update", "reminder_settings", m.Org.ID, before, s)
	})
	return s, err
}

// Deliveries lists the organisation's latest deliveries with status,
// attempts and last error. Requires the role of manage_members (admins);
// listing is reading, so an admin's read-only token may.
func (a *App) Deliveries(ctx context.Context, p Principal, slug string) ([]*store.Delivery, error) {
	var out []*store.Delivery
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := isms.Authorize(m.Role, isms.ActManageMembers); err != nil {
			return err
		}
		out, err = tx.Deliveries(ctx, m.Org.ID, 200)
		return err
	})
	return out, err
}

// Delivery returns one delivery for the worker that sends it. ENOTFOUND.
func (a *App) Delivery(ctx context.Context, id int64) (*store.Delivery, error) {
	var out *store.Delivery
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.DeliveryByID(ctx, id)
		return err
	})
	return out, err
}

// RecordDeliveryAttempt stores the outcome of one attempt to send a
// delivery: sent when sendErr is nil, else the error, and failed when it
// was the last attempt (pending otherwise, for the retry).
func (a *App) RecordDeliveryAttempt(ctx context.Context, d *store.Delivery, sendErr error, last bool) error {
	status, msg := isms.DeliverySent, ""
	if sendErr != nil {
		status, msg = isms.DeliveryPending, sendErr.Error()
		if last {
			status = isms.DeliveryFailed
		}
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RecordDeliveryAttempt(ctx, d.OrgID, d.ID, status, msg); err != nil {
			return err
		}
		after := map[string]any{"status": status, "attempt": d.Attempts + 1, "error": msg}
		return audit(ctx, tx, d.OrgID, reminderPrincipal, "delivery."+status, "delivery", d.ID, nil, after)
	})
}

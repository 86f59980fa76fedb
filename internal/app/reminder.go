package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// DueItem is something an owner must do by a date: one occasion of a
// recurring duty or one deadline of a record.
type DueItem struct {
	Key     string // unique per occasion, e.g. "restore-test:2026-Q4"
	Kind    string // e.g. "restore-test", "supplier-assessment"
	Title   string
	Due     time.Time
	OwnerID int64  // 0: the ISMS managers
	Link    string // path in the web UI
}

// DueSource lists an organisation's due items at now, inside a transaction.
type DueSource func(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error)

// OnDueItems registers a source of due items for reminders and the digest.
func (a *App) OnDueItems(src DueSource) { a.dueSources = append(a.dueSources, src) }

// JobDeliver is the job kind that sends one delivery (Job.DeliveryID).
const JobDeliver = "deliver_notification"

// reminderPrincipal is who the audit trail names for reminders.
var reminderPrincipal = Principal{System: true, Label: "reminders"}

// DueItems lists the organisation's due items, earliest first. Requires read.
func (a *App) DueItems(ctx context.Context, p Principal, slug string) ([]DueItem, error) {
	var out []DueItem
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = a.dueItems(ctx, tx, m.Org, tx.Now)
		return err
	})
	return out, err
}

func (a *App) dueItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	var out []DueItem
	for _, src := range a.dueSources {
		items, err := src(ctx, tx, o, now)
		if err != nil {
			return nil, fmt.Errorf("due items of %s: %w", o.Slug, err)
		}
		out = append(out, items...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, nil
}

// Reminder is one reminder sent: an occasion at a stage to one person.
type Reminder struct {
	OrgID      int64
	UserID     int64
	Occasion   string
	Stage      isms.Stage
	Deliveries []int64
}

// recipients of an item at a stage: the owner (if a member), the ISMS
// managers for an item without one, and on escalation every ISMS manager
// and admin.
func recipients(it DueItem, st isms.Stage, members map[int64]isms.Membership, managers []int64) []int64 {
	if st == isms.StageEscalated {
		return managers
	}
	if _, ok := members[it.OwnerID]; ok {
		return []int64{it.OwnerID}
	}
	return managers
}

// audience is an organisation's members, their preferences, and its
// ISMS managers and admins, read once per scan.
type audience struct {
	members  map[int64]isms.Membership
	prefs    map[int64]isms.NotificationPrefs
	managers []int64
}

func loadAudience(ctx context.Context, tx *store.Tx, orgID int64) (*audience, error) {
	ms, err := tx.Members(ctx, orgID)
	if err != nil {
		return nil, err
	}
	au := &audience{members: map[int64]isms.Membership{}, prefs: map[int64]isms.NotificationPrefs{}}
	for _, m := range ms {
		au.members[m.UserID] = m
		if m.Role == isms.RoleAdmin || m.Role == isms.RoleISMSManager {
			au.managers = append(au.managers, m.UserID)
		}
		if au.prefs[m.UserID], err = tx.NotificationPrefs(ctx, orgID, m.UserID); err != nil {
			return nil, err
		}
	}
	return au, nil
}

// reminderInputs reads what a reminder scan and a digest both start from:
// the organisation, its reminder settings, its members and their
// preferences, and the items due at now.
func (a *App) reminderInputs(ctx context.Context, tx *store.Tx, orgID int64, now time.Time) (
	*isms.Organization, isms.ReminderSettings, *audience, []DueItem, error) {
	o, err := tx.OrgByID(ctx, orgID)
	if err != nil {
		return nil, isms.ReminderSettings{}, nil, nil, err
	}
	settings, err := tx.ReminderSettings(ctx, orgID)
	if err != nil {
		return nil, isms.ReminderSettings{}, nil, nil, err
	}
	au, err := loadAudience(ctx, tx, orgID)
	if err != nil {
		return nil, isms.ReminderSettings{}, nil, nil, err
	}
	items, err := a.dueItems(ctx, tx, o, now)
	return o, settings, au, items, err
}

// SendReminders sends the reminders of one organisation that are due at
// now: each occasion and stage once per person, even when several pdca
// processes scan at the same moment (the reminders_sent unique index
// decides). People who paused get nothing until the pause ends; people
// who chose the weekly digest get it instead, except escalations. It
// returns what it sent.
func (a *App) SendReminders(ctx context.Context, orgID int64, now time.Time) ([]Reminder, error) {
	var out []Reminder
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		out = nil
		o, settings, au, items, err := a.reminderInputs(ctx, tx, orgID, now)
		if err != nil {
			return err
		}
		for _, it := range items {
			st := settings.StageOf(it.Due, now, o.Location())
			if st == isms.StageNone {
				continue
			}
			if it.Kind == "corrective-action" && (st == isms.StageOverdue || st == isms.StageEscalated) {
				if err := a.actionOverdueEvent(ctx, tx, o, it); err != nil {
					return err
				}
			}
			for _, uid := range recipients(it, st, au.members, au.managers) {
				pr := au.prefs[uid]
				// The digest replaces single reminders, except escalations:
				// they are the control that must not wait a week.
				if pr.Paused(now) || (pr.Digest && st != isms.StageEscalated) {
					continue
				}
				r, err := a.remind(ctx, tx, o, au.members[uid], pr, it.Key, st, reminderMessage(a.PublicURL, o, memberZone(o, au.members[uid]), it, st))
				if err != nil {
					return err
				}
				if r != nil {
					out = append(out, *r)
				}
			}
		}
		return nil
	})
	return out, err
}

// remind records the occasion and stage for one person and, when no
// process recorded it before, creates and enqueues the deliveries.
func (a *App) remind(ctx context.Context, tx *store.Tx, o *isms.Organization, m isms.Membership, pr isms.NotificationPrefs, occasion string, st isms.Stage, msg message) (*Reminder, error) {
	fresh, err := tx.MarkReminderSent(ctx, o.ID, occasion, st, m.UserID)
	if err != nil || !fresh {
		return nil, err
	}
	r := &Reminder{OrgID: o.ID, UserID: m.UserID, Occasion: occasion, Stage: st}
	for _, d := range deliveriesFor(o, m, pr, msg) {
		if err := tx.AddDelivery(ctx, d); err != nil {
			return nil, err
		}
		r.Deliveries = append(r.Deliveries, d.ID)
		if a.Enqueue != nil {
			if err := a.Enqueue(ctx, tx, Job{Kind: JobDeliver, OrgID: o.ID, DeliveryID: d.ID}); err != nil {
				return nil, fmt.Errorf("enqueue delivery %d: %w", d.ID, err)
			}
		}
	}
	after := map[string]any{"stage": st, "user_id": m.UserID, "deliveries": r.Deliveries}
	if err := audit(ctx, tx, o.ID, reminderPrincipal, "reminder.send", "reminder", occasion, nil, after); err != nil {
		return nil, err
	}
	return r, nil
}

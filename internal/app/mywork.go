package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// My work (issue 18): one list per person of what they owe in an
// organisation, built from the same due items as reminders
// (App.OnDueItems), so the page, the weekly digest and the calendar feed
// agree with what reminders say. docs/my-work.md.

// WorkItem is one due item on a person's list.
type WorkItem struct {
	DueItem
	// Stage at the moment of the list with the organisation's reminder
	// settings: StageNone when further ahead than the lead time.
	Stage isms.Stage
	// Overdue: the due day (in the organisation's zone) has passed.
	Overdue bool
	// Shared: the item has no owner who is a member, so it is owed by
	// the ISMS managers and admins together.
	Shared bool
	// Escalated: someone else's item, overdue beyond the escalation
	// delay, shown to the person as an ISMS manager or admin.
	Escalated bool
}

// owers is who can owe an item: the members, and the ISMS managers and
// admins (who owe items without an owner who is a member).
type owers struct {
	members  map[int64]isms.Membership
	managers []int64
}

func loadPeople(ctx context.Context, tx *store.Tx, orgID int64) (*owers, error) {
	ms, err := tx.Members(ctx, orgID)
	if err != nil {
		return nil, err
	}
	pp := &owers{members: map[int64]isms.Membership{}}
	for _, m := range ms {
		pp.members[m.UserID] = m
		if m.Role == isms.RoleAdmin || m.Role == isms.RoleISMSManager {
			pp.managers = append(pp.managers, m.UserID)
		}
	}
	return pp, nil
}

// workList is uid's list from the organisation's due items at now: the
// items they own; items whose owner is 0 or no longer a member when uid
// is an ISMS manager or admin (Shared); and, for those, every other
// item that is escalated (Escalated). Overdue first, then by due date
// (then title and key, so the order is stable).
func workList(items []DueItem, uid int64, pp *owers, settings isms.ReminderSettings, loc *time.Location, now time.Time) []WorkItem {
	manager := slices.Contains(pp.managers, uid)
	var out []WorkItem
	for _, it := range items {
		_, ownerIsMember := pp.members[it.OwnerID]
		st := settings.StageOf(it.Due, now, loc)
		w := WorkItem{DueItem: it, Stage: st, Overdue: st == isms.StageOverdue || st == isms.StageEscalated}
		switch {
		case ownerIsMember && it.OwnerID == uid:
		case !ownerIsMember && manager:
			w.Shared = true
		case ownerIsMember && manager && st == isms.StageEscalated:
			w.Escalated = true
		default:
			continue
		}
		out = append(out, w)
	}
	sortWork(out)
	return out
}

func sortWork(ws []WorkItem) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.Key < b.Key
	})
}

// myWork reads uid's list in the organisation inside tx.
func (a *App) myWork(ctx context.Context, tx *store.Tx, o *isms.Organization, uid int64, now time.Time) ([]WorkItem, error) {
	settings, err := tx.ReminderSettings(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	pp, err := loadPeople(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	if _, ok := pp.members[uid]; !ok {
		return nil, nil
	}
	items, err := a.dueItems(ctx, tx, o, now)
	if err != nil {
		return nil, err
	}
	return workList(items, uid, pp, settings, o.Location(), now), nil
}

// MyWork lists what the caller owes in the organisation (WorkItem),
// overdue first, then by due date. Requires read; a principal that is not
// a person (a system caller) owes nothing.
func (a *App) MyWork(ctx context.Context, p Principal, slug string) ([]WorkItem, error) {
	var out []WorkItem
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		if p.UserID == 0 {
			return nil
		}
		var err error
		out, err = a.myWork(ctx, tx, m.Org, p.UserID, tx.Now)
		return err
	})
	return out, err
}

// OwesSomething reports whether the caller owes anything due within the
// organisation's lead time or late (what the weekly digest would list),
// which makes My work their landing page. Requires read.
func (a *App) OwesSomething(ctx context.Context, p Principal, slug string) (bool, error) {
	items, err := a.MyWork(ctx, p, slug)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(items, func(w WorkItem) bool { return w.Stage != isms.StageNone }), nil
}

// digestItems is the part of a person's list the weekly digest sends:
// what is within the lead time or late.
func digestItems(ws []WorkItem) []WorkItem {
	var out []WorkItem
	for _, w := range ws {
		if w.Stage != isms.StageNone {
			out = append(out, w)
		}
	}
	return out
}

// Due sources added for My work (issue 18).

// cycleItems: each process chosen for an improvement cycle that has not
// ended is due for improvement by the cycle's last day, owed by its
// owner. A cycle has no completion step (its outcome is read from the
// metrics), so the item leaves the list when the cycle ends.
func cycleItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	loc := o.Location()
	t := now.In(loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	ds, err := tx.CycleDeadlines(ctx, o.ID, today)
	if err != nil {
		return nil, err
	}
	out := make([]DueItem, 0, len(ds))
	for _, d := range ds {
		out = append(out, DueItem{Key: fmt.Sprintf("cycle:%d:%d:%s", d.CycleID, d.ProcessID, dayKey(d.End, loc)), Kind: "cycle-process",
			Title: "Improve " + d.ProcessName + " by the end of " + d.CycleName, Due: d.End, OwnerID: d.OwnerID,
			Link: fmt.Sprintf("/o/%s/cycles/%d", o.Slug, d.CycleID)})
	}
	return out, nil
}

// internalAuditItems: each internal audit not yet held is due on its
// planned date, owed by its lead auditor.
func internalAuditItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	as, err := tx.AuditsToHold(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	out := make([]DueItem, 0, len(as))
	for _, au := range as {
		out = append(out, DueItem{Key: fmt.Sprintf("internal-audit:%d:%s", au.ID, dayKey(au.PlannedOn, o.Location())), Kind: "internal-audit",
			Title: "Hold the internal audit " + au.Title, Due: au.PlannedOn, OwnerID: au.LeadID,
			Link: fmt.Sprintf("/o/%s/audits/%d", o.Slug, au.ID)})
	}
	return out, nil
}

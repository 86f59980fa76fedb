package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// withWork registers a due source for the organisation slug only, with
// items relative to reminderNow (lead 7, escalation 3 days): the process
// owner's, one without an owner, one of a person who is no member, and
// the viewer's, escalated.
func withWork(a *app.App, slug string, po, viewer int64) {
	a.OnDueItems(func(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]app.DueItem, error) {
		if o.Slug != slug {
			return nil, nil
		}
		mk := func(key string, days int, owner int64) app.DueItem {
			return app.DueItem{Key: key, Kind: "test-kind", Title: "Item " + key, Due: reminderNow.AddDate(0, 0, days), OwnerID: owner, Link: "/o/" + o.Slug + "/x/" + key}
		}
		return []app.DueItem{mk("later", 40, po), mk("soon", 2, po), mk("late", -2, po), mk("older", -6, po), mk("today", 0, po),
			mk("nobody", 1, 0), mk("gone", 3, 987654321), mk("viewer-late", -10, viewer), mk("viewer-soon", 1, viewer)}, nil
	})
}

func workKeys(ws []app.WorkItem, kind string) []string {
	var out []string
	for _, w := range ws {
		if kind == "" || w.Kind == kind {
			out = append(out, w.Key)
		}
	}
	return out
}

// TestMyWorkPerPerson: each person sees the items they own, overdue first
// and then by due date; ISMS managers and admins also those without an
// owner who is a member and others' escalated items; never another
// organisation's.
func TestMyWorkPerPerson(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		db.Now = func() time.Time { return reminderNow }
		po, viewer, mgr := f.members[isms.RoleProcessOwner], f.members[isms.RoleViewer], f.members[isms.RoleISMSManager]
		withWork(f.app, "acme", po.UserID, viewer.UserID)

		mine, err := f.app.MyWork(ctx, po, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(workKeys(mine, "test-kind"), ","), "older,late,today,soon,later"; got != want {
			t.Fatalf("process owner's list %s, want %s (%+v)", got, want, mine)
		}
		if len(mine) != 5 {
			t.Fatalf("process owner owes %d items, want only their 5: %+v", len(mine), mine)
		}
		for i, w := range mine {
			if w.OwnerID != po.UserID || w.Shared || w.Escalated {
				t.Errorf("item %d %+v is not plainly the owner's", i, w)
			}
			if wantOver := i < 2; w.Overdue != wantOver {
				t.Errorf("%s overdue = %v, want %v", w.Key, w.Overdue, wantOver)
			}
		}
		if mine[0].Stage != isms.StageEscalated || mine[1].Stage != isms.StageOverdue || mine[2].Stage != isms.StageDue ||
			mine[3].Stage != isms.StageAhead || mine[4].Stage != isms.StageNone {
			t.Errorf("stages %v %v %v %v %v", mine[0].Stage, mine[1].Stage, mine[2].Stage, mine[3].Stage, mine[4].Stage)
		}

		// The viewer: their own two, the escalated one first.
		vw, err := f.app.MyWork(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(workKeys(vw, ""), ","); got != "viewer-late,viewer-soon" || vw[0].Escalated {
			t.Fatalf("viewer's list %s %+v", got, vw)
		}

		// An ISMS manager: the escalated items of the viewer and the
		// process owner, then the shared
		// ones (no owner; an owner who is no member), and the built-in
		// restore test without a backup process owner.
		mw, err := f.app.MyWork(ctx, mgr, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(workKeys(mw, ""), ","), "viewer-late,older,nobody,gone,restore-test:2026-Q4"; got != want {
			t.Fatalf("manager's list %s, want %s", got, want)
		}
		if !mw[0].Escalated || mw[0].Shared || !mw[1].Escalated || !mw[2].Shared || !mw[3].Shared || !mw[4].Shared {
			t.Errorf("manager's flags %+v", mw)
		}
		// Management owes nothing here.
		if bw, err := f.app.MyWork(ctx, f.members[isms.RoleManagement], "acme"); err != nil || len(bw) != 0 {
			t.Errorf("management's list %+v, %v", bw, err)
		}

		// The same person in another organisation sees only its items.
		if _, err := f.app.AddMember(ctx, app.System, "beta", po.Label, isms.RoleProcessOwner); err != nil {
			t.Fatal(err)
		}
		due := reminderNow.AddDate(0, 0, 4)
		d, err := f.app.CreateDeviation(ctx, other.members[isms.RoleISMSManager], "beta", app.DeviationInput{Title: "beta badge lost", Kind: "minor", Source: "incident", Severity: "low", DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.AssignDeviation(ctx, other.members[isms.RoleISMSManager], "beta", d.ID, po.Label, &due); err != nil {
			t.Fatal(err)
		}
		bw, err := f.app.MyWork(ctx, po, "beta")
		if err != nil {
			t.Fatal(err)
		}
		if len(bw) != 1 || bw[0].Kind != "deviation" || !strings.HasPrefix(bw[0].Link, "/o/beta/") {
			t.Fatalf("beta list of the process owner %+v", bw)
		}
		again, err := f.app.MyWork(ctx, po, "acme")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range again {
			if !strings.HasPrefix(w.Link, "/o/acme/") {
				t.Errorf("acme list holds %+v", w)
			}
		}
		// A non-member learns nothing.
		if _, err := f.app.MyWork(ctx, other.members[isms.RoleAdmin], "acme"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("non-member: %v", err)
		}

		// The landing decision: the process owner owes something within
		// the lead time; management does not.
		if owes, err := f.app.OwesSomething(ctx, po, "acme"); err != nil || !owes {
			t.Errorf("process owner owes: %v, %v", owes, err)
		}
		if owes, err := f.app.OwesSomething(ctx, f.members[isms.RoleManagement], "acme"); err != nil || owes {
			t.Errorf("management owes: %v, %v", owes, err)
		}
	})
}

// TestMyWorkDigestIsTheList: the weekly digest lists the part of the
// person's My work within the lead time or late, and links to the page.
func TestMyWorkDigestIsTheList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		po, viewer := f.members[isms.RoleProcessOwner], f.members[isms.RoleViewer]
		withWork(f.app, "acme", po.UserID, viewer.UserID)
		if _, err := f.app.SetNotificationPrefs(ctx, po, "acme", isms.NotificationPrefs{Email: true, Digest: true}); err != nil {
			t.Fatal(err)
		}
		dg, err := f.app.SendDigests(ctx, f.org.ID, reminderNow)
		if err != nil || len(dg) != 1 || dg[0].UserID != po.UserID {
			t.Fatalf("digests %+v, %v", dg, err)
		}
		ds, err := f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme")
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %+v, %v", ds, err)
		}
		body := ds[0].Body
		// older, late, today, soon: in the list's order; later is beyond
		// the lead time; nothing of anyone else.
		idx := func(s string) int { return strings.Index(body, s) }
		if !(idx("Item older") >= 0 && idx("Item older") < idx("Item late") && idx("Item late") < idx("Item today") && idx("Item today") < idx("Item soon")) {
			t.Errorf("digest order:\n%s", body)
		}
		for _, no := range []string{"Item later", "Item nobody", "Item viewer"} {
			if strings.Contains(body, no) {
				t.Errorf("digest holds %q:\n%s", no, body)
			}
		}
		if !strings.Contains(ds[0].Subject, "4 due") {
			t.Errorf("subject %q", ds[0].Subject)
		}
	})
}

// TestMyWorkSources: processes of a running improvement cycle and
// internal audits not yet held are due items of their owner and lead.
func TestMyWorkSources(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		db.Now = func() time.Time { return reminderNow }
		admin, po, mgr := f.members[isms.RoleAdmin], f.members[isms.RoleProcessOwner], f.members[isms.RoleISMSManager]
		var ids []int64
		for _, key := range []string{"access", "incident"} {
			p, _ := app.ProcessFromTemplate(key, po.UserID)
			if err := f.app.CreateProcess(ctx, admin, "acme", p); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		loc := f.org.Location()
		start := time.Date(2026, 10, 1, 0, 0, 0, 0, loc)
		c := &isms.Cycle{Name: "Q4", Start: start, End: start.AddDate(0, 0, 89), Goals: "remove access on time", ProcessIDs: ids, FocusReason: "", LengthReason: ""}
		if err := f.app.CreateCycle(ctx, admin, "acme", c); err != nil {
			t.Fatal(err)
		}
		ended := &isms.Cycle{Name: "Q3", Start: start.AddDate(0, -3, 0), End: start.AddDate(0, 0, -1), Goals: "g", ProcessIDs: ids[:1], LengthReason: "short"}
		if err := f.app.CreateCycle(ctx, admin, "acme", ended); err != nil {
			t.Fatal(err)
		}
		planned := time.Date(2026, 11, 20, 0, 0, 0, 0, loc)
		au, err := f.app.CreateAudit(ctx, mgr, "acme", app.AuditInput{Title: "Access audit", Clauses: []string{"9.2"}, PlannedOn: planned, LeadEmail: mgr.Label})
		if err != nil {
			t.Fatal(err)
		}
		held, err := f.app.CreateAudit(ctx, mgr, "acme", app.AuditInput{Title: "Held audit", Clauses: []string{"9.2"}, PlannedOn: planned.AddDate(0, 0, -10), LeadEmail: mgr.Label})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.SetAuditHeld(ctx, mgr, "acme", held.ID, planned.AddDate(0, 0, -10)); err != nil {
			t.Fatal(err)
		}

		mine, err := f.app.MyWork(ctx, po, "acme")
		if err != nil {
			t.Fatal(err)
		}
		cyc := workKeys(mine, "cycle-process")
		if len(cyc) != 2 {
			t.Fatalf("cycle items %v in %+v", cyc, mine)
		}
		for _, w := range mine {
			if w.Kind == "cycle-process" && (!w.Due.Equal(c.End) || w.Link != "/o/acme/cycles/"+strconv.FormatInt(c.ID, 10) || !strings.Contains(w.Title, "Q4")) {
				t.Errorf("cycle item %+v", w)
			}
		}
		mw, err := f.app.MyWork(ctx, mgr, "acme")
		if err != nil {
			t.Fatal(err)
		}
		aud := workKeys(mw, "internal-audit")
		if len(aud) != 1 || aud[0] != "internal-audit:"+strconv.FormatInt(au.ID, 10)+":2026-11-20" || !mw[0].Overdue || mw[0].Kind != "internal-audit" {
			t.Fatalf("audit items %v, first %+v", aud, mw[0])
		}
		// The lead auditor's audit is not the process owner's.
		if len(workKeys(mine, "internal-audit")) != 0 {
			t.Errorf("process owner holds an audit: %+v", mine)
		}
	})
}

// TestCalendarFeedTokens: a person creates, rotates and revokes their own
// feed per organisation; only the current token opens it, for as long as
// they are a member; a read-only token may not change it; every change is
// audited without the token.
func TestCalendarFeedTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// The clock is set first: a feed counts only if made after the
		// membership it belongs to.
		db.Now = func() time.Time { return reminderNow }
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		po, viewer := f.members[isms.RoleProcessOwner], f.members[isms.RoleViewer]
		withWork(f.app, "acme", po.UserID, viewer.UserID)
		if st, err := f.app.CalendarFeedState(ctx, po, "acme"); err != nil || st != nil {
			t.Fatalf("no feed yet: %+v, %v", st, err)
		}
		first, err := f.app.RotateCalendarFeed(ctx, po, "acme")
		if err != nil || len(first) != 52 {
			t.Fatalf("create: %q, %v", first, err)
		}
		feed, err := f.app.CalendarFeed(ctx, first)
		if err != nil || feed.Org.Slug != "acme" || feed.UserID != po.UserID || len(feed.Items) != 5 || feed.Zone.String() != "Europe/Helsinki" {
			t.Fatalf("feed %+v, %v", feed, err)
		}
		second, err := f.app.RotateCalendarFeed(ctx, po, "acme")
		if err != nil || second == first {
			t.Fatalf("rotate: %v", err)
		}
		for _, tok := range []string{first, strings.Repeat("A", 52), "short", ""} {
			if _, err := f.app.CalendarFeed(ctx, tok); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("token %q: %v, want ENOTFOUND", tok, err)
			}
		}
		if _, err := f.app.CalendarFeed(ctx, second); err != nil {
			t.Fatalf("rotated feed: %v", err)
		}
		// Another organisation: a feed of its own, with its items only.
		if _, err := f.app.AddMember(ctx, app.System, "beta", po.Label, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
		beta, err := f.app.RotateCalendarFeed(ctx, po, "beta")
		if err != nil {
			t.Fatal(err)
		}
		bf, err := f.app.CalendarFeed(ctx, beta)
		if err != nil || bf.Org.Slug != "beta" || len(bf.Items) != 0 {
			t.Fatalf("beta feed %+v, %v", bf, err)
		}
		// A read-only token may read the list but not change the feed.
		_, secret, err := f.app.CreateToken(ctx, app.System, "acme", po.Label, "read", isms.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := f.app.AuthenticateToken(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MyWork(ctx, tp, "acme"); err != nil {
			t.Errorf("read-only token lists my work: %v", err)
		}
		if _, err := f.app.RotateCalendarFeed(ctx, tp, "acme"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("read-only token rotates: %v", err)
		}
		if err := f.app.RevokeCalendarFeed(ctx, tp, "acme"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("read-only token revokes: %v", err)
		}
		if _, err := f.app.RotateCalendarFeed(ctx, other.members[isms.RoleAdmin], "acme"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("non-member rotates: %v", err)
		}
		if err := f.app.RevokeCalendarFeed(ctx, po, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CalendarFeed(ctx, second); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("revoked feed: %v", err)
		}
		if err := f.app.RevokeCalendarFeed(ctx, po, "acme"); err != nil {
			t.Errorf("revoking nothing: %v", err)
		}
		// A person who leaves loses the feed at once.
		if err := f.app.RemoveMember(ctx, app.System, "beta", po.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CalendarFeed(ctx, beta); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("feed of a former member: %v", err)
		}
		// Added again later, they do not get the old URL back.
		db.Now = func() time.Time { return reminderNow.Add(time.Hour) }
		if _, err := f.app.AddMember(ctx, app.System, "beta", po.Label, isms.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CalendarFeed(ctx, beta); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("feed of a member added again: %v", err)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "calendar_feed"})
		if err != nil || len(evs) != 3 || evs[0].Action != "calendar_feed.revoke" || evs[1].Action != "calendar_feed.rotate" || evs[2].Action != "calendar_feed.create" {
			t.Fatalf("audit %+v, %v", evs, err)
		}
		for _, e := range evs {
			if strings.Contains(string(e.Before)+string(e.After), first) || strings.Contains(string(e.Before)+string(e.After), second) {
				t.Errorf("event %s holds a token", e.Action)
			}
		}
	})
}

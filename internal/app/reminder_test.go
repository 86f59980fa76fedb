package app_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

var reminderNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// withItems registers a due source with items owned by owner, relative to
// reminderNow: ahead (3 days), due today, overdue (1 day) and escalated
// (5 days overdue).
func withItems(a *app.App, owner int64) {
	a.OnDueItems(func(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]app.DueItem, error) {
		mk := func(key string, days int) app.DueItem {
			return app.DueItem{Key: key, Kind: "test", Title: "Item " + key, Due: reminderNow.AddDate(0, 0, days), OwnerID: owner, Link: "/o/" + o.Slug + "/x"}
		}
		return []app.DueItem{mk("ahead", 3), mk("today", 0), mk("late", -1), mk("very-late", -5), mk("later", 30)}, nil
	})
}

// sent summarises reminders as "occasion/stage/user-role".
func sent(f *fixture, rs []app.Reminder) []string {
	role := map[int64]string{}
	for r, p := range f.members {
		role[p.UserID] = string(r)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Occasion+"/"+string(r.Stage)+"/"+role[r.UserID])
	}
	sort.Strings(out)
	return out
}

func TestSendRemindersStagesOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		owner := f.members[isms.RoleProcessOwner]
		withItems(f.app, owner.UserID)
		got, err := f.app.SendReminders(ctx, f.org.ID, reminderNow)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"ahead/ahead/process_owner", "late/overdue/process_owner", "today/due/process_owner",
			"very-late/escalated/admin", "very-late/escalated/isms_manager"}
		if g := sent(f, got); strings.Join(g, ",") != strings.Join(want, ",") {
			t.Fatalf("sent %v, want %v", g, want)
		}
		for _, r := range got {
			if len(r.Deliveries) != 1 {
				t.Fatalf("%s: %d deliveries, want 1 (email by default)", r.Occasion, len(r.Deliveries))
			}
		}
		again, err := f.app.SendReminders(ctx, f.org.ID, reminderNow.Add(time.Hour))
		if err != nil || len(again) != 0 {
			t.Fatalf("second scan sent %v (%v), want nothing", sent(f, again), err)
		}
		// A day later the item due today is overdue: its next stage goes out.
		next, err := f.app.SendReminders(ctx, f.org.ID, reminderNow.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if g := sent(f, next); strings.Join(g, ",") != "today/overdue/process_owner" {
			t.Fatalf("next day sent %v", g)
		}
		ds, err := f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme")
		if err != nil || len(ds) != 6 {
			t.Fatalf("deliveries %d, %v; want 6", len(ds), err)
		}
		d := ds[len(ds)-1]
		if d.Channel != isms.ChannelEmail || d.Status != isms.DeliveryPending || !strings.Contains(d.Subject, "Org acme") || !strings.Contains(d.Body, "/o/acme/x") {
			t.Fatalf("delivery %+v", d)
		}
		if _, err := f.app.Deliveries(ctx, f.members[isms.RoleISMSManager], "acme"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("isms manager lists deliveries: %v, want EFORBIDDEN", err)
		}
	})
}

// TestSendRemindersConcurrently runs two App instances (two pdca
// processes) over one database at once: every reminder goes out once.
func TestSendRemindersConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		owner := f.members[isms.RoleProcessOwner].UserID
		apps := []*app.App{newApp(t, db), newApp(t, db), newApp(t, db)}
		var mu sync.Mutex
		var all []app.Reminder
		var wg sync.WaitGroup
		for _, a := range apps {
			withItems(a, owner)
			wg.Add(1)
			go func() {
				defer wg.Done()
				rs, err := a.SendReminders(ctx, f.org.ID, reminderNow)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				all = append(all, rs...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(all) != 5 {
			t.Fatalf("three processes sent %v, want each of the 5 reminders once", sent(f, all))
		}
	})
}

func TestRemindersPauseAndDigest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		owner := f.members[isms.RoleProcessOwner]
		withItems(f.app, owner.UserID)
		until := reminderNow.AddDate(0, 0, 1)
		if _, err := f.app.SetNotificationPrefs(ctx, owner, "acme", isms.NotificationPrefs{Email: true, PausedUntil: &until}); err != nil {
			t.Fatal(err)
		}
		got, err := f.app.SendReminders(ctx, f.org.ID, reminderNow)
		if err != nil {
			t.Fatal(err)
		}
		if g := sent(f, got); strings.Join(g, ",") != "very-late/escalated/admin,very-late/escalated/isms_manager" {
			t.Fatalf("while paused sent %v, want only the escalations", g)
		}
		// After the pause, what is still due gets its current stage.
		got, err = f.app.SendReminders(ctx, f.org.ID, reminderNow.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		want := "ahead/ahead/process_owner,late/overdue/process_owner,today/overdue/process_owner"
		if g := sent(f, got); strings.Join(g, ",") != want {
			t.Fatalf("after the pause sent %v, want %s", g, want)
		}

		// The weekly digest instead of single reminders, with a webhook.
		mgr := f.members[isms.RoleISMSManager]
		if _, err := f.app.SetNotificationPrefs(ctx, mgr, "acme", isms.NotificationPrefs{Digest: true, WebhookURL: "https://hooks.example.com/x", WebhookKind: "slack"}); err != nil {
			t.Fatal(err)
		}
		dg, err := f.app.SendDigests(ctx, f.org.ID, reminderNow.AddDate(0, 0, 6))
		if err != nil {
			t.Fatal(err)
		}
		if g := sent(f, dg); strings.Join(g, ",") != "digest:2026-W49/digest/isms_manager" {
			t.Fatalf("digest sent %v", g)
		}
		if len(dg[0].Deliveries) != 1 {
			t.Fatalf("digest deliveries %v, want the webhook only", dg[0].Deliveries)
		}
		ds, err := f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme")
		if err != nil {
			t.Fatal(err)
		}
		if d := ds[0]; d.Channel != isms.ChannelWebhook || !strings.Contains(d.Payload, `"text"`) || !strings.Contains(d.Payload, "Item very-late") {
			t.Fatalf("digest delivery %+v", d)
		}
		if dg, err := f.app.SendDigests(ctx, f.org.ID, reminderNow.AddDate(0, 0, 6).Add(time.Hour)); err != nil || len(dg) != 0 {
			t.Fatalf("second digest in the week: %v, %v", dg, err)
		}
		got, err = f.app.SendReminders(ctx, f.org.ID, reminderNow.AddDate(0, 0, 6))
		if err != nil {
			t.Fatal(err)
		}
		escalations := 0
		for _, r := range got {
			if r.UserID == mgr.UserID && r.Stage != isms.StageEscalated {
				t.Fatalf("digest subscriber got a single reminder %v", r)
			}
			if r.UserID == mgr.UserID {
				escalations++
			}
		}
		if escalations == 0 {
			t.Fatalf("digest subscriber got no escalation: %v", sent(f, got))
		}
	})
}

func TestReminderSettingsAndPrefs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		viewer := f.members[isms.RoleViewer]
		if _, err := f.app.SetReminderSettings(ctx, viewer, "acme", isms.ReminderSettings{LeadDays: 3, EscalateDays: 2}); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("viewer changes settings: %v", err)
		}
		mgr := f.members[isms.RoleISMSManager]
		if _, err := f.app.SetReminderSettings(ctx, mgr, "acme", isms.ReminderSettings{LeadDays: -1, EscalateDays: 2}); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("negative lead: %v", err)
		}
		if _, err := f.app.SetReminderSettings(ctx, mgr, "acme", isms.ReminderSettings{LeadDays: 1, EscalateDays: 10}); err != nil {
			t.Fatal(err)
		}
		s, err := f.app.ReminderSettings(ctx, viewer, "acme")
		if err != nil || s.LeadDays != 1 || s.EscalateDays != 10 {
			t.Fatalf("settings %+v, %v", s, err)
		}
		withItems(f.app, 0) // no owner: the ISMS managers
		got, err := f.app.SendReminders(ctx, f.org.ID, reminderNow)
		if err != nil {
			t.Fatal(err)
		}
		want := "late/overdue/admin,late/overdue/isms_manager,today/due/admin,today/due/isms_manager,very-late/overdue/admin,very-late/overdue/isms_manager"
		if g := sent(f, got); strings.Join(g, ",") != want {
			t.Fatalf("sent %v, want %s", g, want)
		}
		if _, err := f.app.SetNotificationPrefs(ctx, viewer, "acme", isms.NotificationPrefs{WebhookURL: "ftp://x"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("bad webhook URL: %v", err)
		}
		if _, err := f.app.SetNotificationPrefs(ctx, viewer, "acme", isms.NotificationPrefs{Email: false, WebhookURL: "https://h.example.com/"}); err != nil {
			t.Fatal(err)
		}
		pr, err := f.app.NotificationPrefs(ctx, viewer, "acme")
		if err != nil || pr.Email || pr.WebhookURL != "https://h.example.com/" || pr.WebhookKind != "json" {
			t.Fatalf("prefs %+v, %v", pr, err)
		}
		other := mustFixture(t, db, "other")
		if _, err := other.app.NotificationPrefs(ctx, other.members[isms.RoleAdmin], "acme"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("non-member reads prefs: %v", err)
		}
	})
}

func TestBuiltinDueItems(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		db.Now = func() time.Time { return reminderNow }
		items, err := f.app.DueItems(context.Background(), f.members[isms.RoleViewer], "acme")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, it := range items {
			keys = append(keys, it.Key)
		}
		if strings.Join(keys, ",") != "restore-test:2026-Q4" || items[0].OwnerID != 0 || !items[0].Due.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, f.org.Location())) {
			t.Fatalf("due items %+v", items)
		}
	})
}

// TestDueItemsFromRegisters: deviations, their corrective actions and
// risk reassessments are due items of their owners.
func TestDueItemsFromRegisters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		db.Now = func() time.Time { return reminderNow }
		po := f.members[isms.RoleProcessOwner]
		due := reminderNow.AddDate(0, 0, 5)
		d, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "backup failed", Kind: "minor", Source: "incident", Severity: "low", DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		d, err = f.app.AddCorrectiveAction(ctx, po, "acme", d.ID, app.ActionInput{Title: "fix the job", DueAt: reminderNow.AddDate(0, 0, 2)})
		if err != nil || len(d.Actions) != 1 {
			t.Fatalf("add action: %v", err)
		}
		if _, err := f.app.CreateRisk(ctx, po, "acme", app.RiskFields{Asset: "ERP", Threat: "outage", Treatment: isms.TreatModify, Plan: "failover"}, 2, 2, ""); err != nil {
			t.Fatal(err)
		}
		boss := f.members[isms.RoleManagement]
		rv := &isms.Review{Period: "2026-Q4", HeldOn: reminderNow.AddDate(0, 0, 1), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, f.members[isms.RoleISMSManager], "acme", rv); err != nil {
			t.Fatal(err)
		}
		deadline := reminderNow.AddDate(0, 2, 0)
		if err := f.app.AddDecision(ctx, boss, "acme", rv.ID, &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Leaver feed", OwnerID: po.UserID, Deadline: &deadline}); err != nil {
			t.Fatal(err)
		}
		items, err := f.app.DueItems(ctx, po, "acme")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]app.DueItem{}
		for _, it := range items {
			kinds[it.Kind] = it
		}
		if it := kinds["review-preparation"]; it.OwnerID != boss.UserID {
			t.Errorf("review preparation %+v", it)
		}
		for _, k := range []string{"deviation", "corrective-action", "risk-reassessment", "restore-test", "review-action"} {
			if it, ok := kinds[k]; !ok || (k != "restore-test" && it.OwnerID != po.UserID) {
				t.Errorf("%s: %+v in %+v", k, it, items)
			}
		}
		got, err := f.app.SendReminders(ctx, f.org.ID, reminderNow)
		if err != nil {
			t.Fatal(err)
		}
		var occ []string
		for _, r := range got {
			occ = append(occ, r.Occasion+"/"+string(r.Stage))
		}
		sort.Strings(occ)
		want := []string{"action:" + strconv.FormatInt(d.Actions[0].ID, 10) + ":2026-11-26/ahead", "deviation:" + strconv.FormatInt(d.ID, 10) + ":2026-11-29/ahead", "review:" + strconv.FormatInt(rv.ID, 10) + ":2026-11-25/ahead"}
		if strings.Join(occ, ",") != strings.Join(want, ",") {
			t.Fatalf("sent %v, want %v", occ, want)
		}
	})
}

// TestRemindersInPersonsZone: a reminder or digest shows the due date as
// the day in the reader's own zone when they chose one, else the
// organisation's (Europe/Helsinki), and names the zone.
func TestRemindersInPersonsZone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		owner := f.members[isms.RoleProcessOwner]
		if err := f.app.SetTimeZone(ctx, owner, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		// Due 2026-11-25 03:00 UTC: the 24th in New York, the 25th in Helsinki.
		due := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
		f.app.OnDueItems(func(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]app.DueItem, error) {
			return []app.DueItem{
				{Key: "mine", Kind: "test", Title: "Item mine", Due: due, OwnerID: owner.UserID, Link: "/o/acme/x"},
				{Key: "old", Kind: "test", Title: "Item old", Due: due.AddDate(0, 0, -10), OwnerID: owner.UserID, Link: "/o/acme/y"},
			}, nil
		})
		if _, err := f.app.SendReminders(ctx, f.org.ID, reminderNow); err != nil {
			t.Fatal(err)
		}
		ds, err := f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme")
		if err != nil {
			t.Fatal(err)
		}
		bodies := map[string]string{} // subject/target → body
		for _, d := range ds {
			bodies[d.Target+" "+d.Subject] = d.Body
		}
		want := map[string]string{
			owner.Label + " [Org acme] Coming up: Item mine":                             "Due: 2026-11-24 (America/New_York)",
			f.members[isms.RoleAdmin].Label + " [Org acme] Escalated, overdue: Item old": "Due: 2026-11-15 (Europe/Helsinki)",
		}
		for k, w := range want {
			if b, ok := bodies[k]; !ok || !strings.Contains(b, w) {
				t.Errorf("%s: body %q, want %q (all: %v)", k, b, w, bodies)
			}
		}
		if _, err := f.app.SetNotificationPrefs(ctx, owner, "acme", isms.NotificationPrefs{Email: true, Digest: true}); err != nil {
			t.Fatal(err)
		}
		dg, err := f.app.SendDigests(ctx, f.org.ID, reminderNow)
		if err != nil {
			t.Fatal(err)
		}
		ds, err = f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range ds {
			if d.Target == owner.Label && strings.Contains(d.Subject, "Weekly digest") {
				found = true
				if !strings.Contains(d.Body, "Item mine (due 2026-11-24)") || !strings.Contains(d.Body, "Dates are days in America/New_York.") {
					t.Errorf("digest body %q", d.Body)
				}
			}
		}
		if !found {
			t.Fatalf("no digest for the owner (%d sent)", len(dg))
		}
	})
}

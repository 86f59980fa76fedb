package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// hookURL is a receiver the tests' policy allows (nothing listens: the
// app tests only look at what is queued).
const hookURL = "http://127.0.0.1:9/hook?token=abc123"

func allowLocal(t *testing.T, a *app.App) {
	t.Helper()
	p, err := outbound.ParseAllow([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	a.Webhooks = p
}

// mustWebhook subscribes acme's admin to every event.
func mustWebhook(t *testing.T, f *fixture, format string) *isms.Webhook {
	t.Helper()
	allowLocal(t, f.app)
	w, err := f.app.CreateWebhook(context.Background(), f.members[isms.RoleAdmin], f.org.Slug,
		app.WebhookInput{URL: hookURL, Description: "SIEM", Events: isms.EventTypes(), Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// deliveries returns a subscription's deliveries, oldest first.
func deliveries(t *testing.T, f *fixture, id int64) []*store.WebhookDelivery {
	t.Helper()
	_, log, err := f.app.WebhookSubscription(context.Background(), f.members[isms.RoleAdmin], f.org.Slug, id)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(log)-1; i < j; i, j = i+1, j-1 {
		log[i], log[j] = log[j], log[i]
	}
	return log
}

func eventOf(t *testing.T, d *store.WebhookDelivery) isms.WebhookEvent {
	t.Helper()
	var e isms.WebhookEvent
	if err := json.Unmarshal([]byte(d.Payload), &e); err != nil {
		t.Fatalf("payload %s: %v", d.Payload, err)
	}
	return e
}

func TestWebhookManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		allowLocal(t, f.app)
		f.app.MFAKey = []byte("0123456789abcdef0123456789abcdef")
		in := app.WebhookInput{URL: hookURL, Events: []isms.EventType{isms.EventDeviationOpened}}
		for _, tt := range []struct {
			p    app.Principal
			code string
		}{{f.members[isms.RoleISMSManager], isms.EFORBIDDEN}, {f.members[isms.RoleViewer], isms.EFORBIDDEN}, {other.members[isms.RoleAdmin], isms.ENOTFOUND}} {
			if _, err := f.app.CreateWebhook(ctx, tt.p, "acme", in); isms.ErrorCode(err) != tt.code {
				t.Errorf("create by %s: %v, want %s", tt.p.Label, err, tt.code)
			}
			if _, err := f.app.WebhookSubscriptions(ctx, tt.p, "acme"); isms.ErrorCode(err) != tt.code {
				t.Errorf("list by %s: %v, want %s", tt.p.Label, err, tt.code)
			}
		}
		// Not public and not allowed: refused when saved.
		if _, err := other.app.CreateWebhook(ctx, other.members[isms.RoleAdmin], "beta", in); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("loopback without the operator's leave: %v", err)
		}
		admin := f.members[isms.RoleAdmin]
		w, err := f.app.CreateWebhook(ctx, admin, "acme", in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(w.Secret, "whsec_") || !w.Active || w.Format != isms.WebhookFormatStandard {
			t.Fatalf("created %+v", w)
		}
		// Shown once: lists carry no secret; stored sealed with the key.
		ws, err := f.app.WebhookSubscriptions(ctx, admin, "acme")
		if err != nil || len(ws) != 1 || ws[0].Secret != "" || ws[0].URL != hookURL {
			t.Fatalf("list %+v, %v", ws, err)
		}
		if err := db.Read(ctx, func(tx *store.Tx) error {
			sw, err := tx.Webhook(ctx, f.org.ID, w.ID)
			if err == nil && (!strings.HasPrefix(sw.StoredSecret, "v1:") || strings.Contains(sw.StoredSecret, strings.TrimPrefix(w.Secret, "whsec_"))) {
				t.Errorf("stored secret %q is not sealed", sw.StoredSecret)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s, err := f.app.WebhookDeliveryToSend(ctx, 0)
		if isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("delivery 0: %+v, %v", s, err)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "webhook"})
		if err != nil || len(evs) != 1 || evs[0].Action != "webhook.create" {
			t.Fatalf("events %+v, %v", evs, err)
		}
		if strings.Contains(evs[0].After, "abc123") || strings.Contains(evs[0].After, "whsec_") || strings.Contains(evs[0].After, strings.TrimPrefix(w.Secret, "whsec_")) {
			t.Errorf("the audit trail keeps a secret: %s", evs[0].After)
		}
		// Other tenants see nothing of it.
		if _, _, err := f.app.WebhookSubscription(ctx, other.members[isms.RoleAdmin], "beta", w.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("beta reads acme's webhook: %v", err)
		}
		if err := other.app.DeleteWebhook(ctx, other.members[isms.RoleAdmin], "beta", w.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("beta deletes acme's webhook: %v", err)
		}
		// Disabled: sent nothing.
		if err := f.app.SetWebhookActive(ctx, admin, "acme", w.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CreateDeviation(ctx, admin, "acme", app.DeviationInput{Title: "Door open", Kind: "observation", Source: "observation", Severity: "low"}); err != nil {
			t.Fatal(err)
		}
		if log := deliveries(t, f, w.ID); len(log) != 0 {
			t.Errorf("a disabled webhook got %d deliveries", len(log))
		}
		if err := f.app.SetWebhookActive(ctx, admin, "acme", w.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.app.DeleteWebhook(ctx, admin, "acme", w.ID); err != nil {
			t.Fatal(err)
		}
		if ws, err := f.app.WebhookSubscriptions(ctx, admin, "acme"); err != nil || len(ws) != 0 {
			t.Fatalf("after delete %+v, %v", ws, err)
		}
	})
}

// TestWebhookEvents: each event type is written to the outbox in the
// transaction of the change, and a change that fails writes nothing.
func TestWebhookEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		f.app.PublicURL = "https://pdca.example.com"
		w := mustWebhook(t, f, isms.WebhookFormatStandard)
		mgr := f.members[isms.RoleISMSManager]
		count := 0
		next := func(want isms.EventType) isms.WebhookEvent {
			t.Helper()
			log := deliveries(t, f, w.ID)
			if len(log) != count+1 {
				var types []string
				for _, d := range log[min(count, len(log)):] {
					types = append(types, string(d.EventType))
				}
				t.Fatalf("%d new deliveries %v, want one %s", len(log)-count, types, want)
			}
			d := log[count]
			count++
			e := eventOf(t, d)
			if d.EventType != want || e.Type != want || d.Status != isms.DeliveryPending || !strings.HasPrefix(d.MsgID, "msg_") ||
				e.Data.Organisation != "acme" || e.Data.ID == "" || !e.Timestamp.Equal(now) || e.Timestamp.Location() != time.UTC {
				t.Fatalf("delivery %+v, event %+v", d, e)
			}
			return e
		}

		// A failing change emits nothing.
		if _, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "x", Kind: "minor", Source: "complaint", Severity: "medium", ControlRef: "A.9.9"}); err == nil {
			t.Fatal("unknown control accepted")
		}
		if n := len(deliveries(t, f, w.ID)); n != 0 {
			t.Fatalf("%d deliveries after a failed change", n)
		}

		obs, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Desks untidy", Kind: "observation", Source: "observation", Severity: "low"})
		if err != nil {
			t.Fatal(err)
		}
		e := next(isms.EventDeviationOpened)
		id := strconv.FormatInt(obs.ID, 10)
		if e.Data.ID != id || e.Data.URL != "https://pdca.example.com/api/v1/orgs/acme/deviations/"+id || e.Data.HTMLURL != "https://pdca.example.com/o/acme/deviations/"+id ||
			!strings.Contains(e.Data.Summary, "Desks untidy") {
			t.Errorf("opened %+v", e.Data)
		}
		if _, err := f.app.Transition(ctx, mgr, "acme", obs.ID, "close-observation", ""); err == nil {
			t.Fatal("closed without a reason")
		}
		if _, err := f.app.Transition(ctx, mgr, "acme", obs.ID, "close-observation", "tidy now"); err != nil {
			t.Fatal(err)
		}
		if e := next(isms.EventDeviationClosed); e.Data.ID != id || e.Data.Fields["close_reason"] != "tidy now" {
			t.Errorf("closed %+v", e.Data)
		}

		// A corrective action overdue: reported once per due date.
		dev, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Backup failed", Kind: "minor", Source: "incident", Severity: "high"})
		if err != nil {
			t.Fatal(err)
		}
		next(isms.EventDeviationOpened)
		if _, err := f.app.RecordRootCause(ctx, mgr, "acme", dev.ID, []string{"disk full"}, "no monitoring", "technology"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.AddCorrectiveAction(ctx, mgr, "acme", dev.ID, app.ActionInput{Title: "Monitor disks", DueAt: now.AddDate(0, 0, 3)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.SendReminders(ctx, f.org.ID, now); err != nil {
			t.Fatal(err)
		}
		if n := len(deliveries(t, f, w.ID)); n != count {
			t.Fatalf("an action not yet due reported: %d deliveries", n-count)
		}
		for _, days := range []int{5, 6} {
			if _, err := f.app.SendReminders(ctx, f.org.ID, now.AddDate(0, 0, days)); err != nil {
				t.Fatal(err)
			}
		}
		log := deliveries(t, f, w.ID)
		if len(log) != count+1 || log[count].EventType != isms.EventActionOverdue {
			t.Fatalf("overdue deliveries %d", len(log)-count)
		}
		if e := eventOf(t, log[count]); e.Data.Object != "corrective_action" || e.Data.Fields["deviation_id"] != strconv.FormatInt(dev.ID, 10) {
			t.Errorf("overdue %+v", e.Data)
		}
		count++

		// An import, then a recompute that turns a metric red (and opens
		// its deviation), in the recompute's transaction.
		mustRecompute(t, f)
		if n := len(deliveries(t, f, w.ID)); n != count {
			t.Fatalf("the first recompute reported %d events", n-count)
		}
		devImport(t, f, isms.KindAccessRemovals, lateRemovals)
		if e := next(isms.EventImportCompleted); e.Data.Fields["created"] != float64(1) || e.Data.Fields["kind"] != "access_removals" {
			t.Errorf("import %+v", e.Data)
		}
		// A recompute whose transaction fails reports nothing.
		failing := newApp(t, db)
		failing.OnMeasured(func(context.Context, *store.Tx, *isms.Organization, []app.Rated) error { return errors.New("boom") })
		if _, err := failing.RecomputeMetrics(ctx, f.org.ID); err == nil {
			t.Fatal("the failing hook did not fail the recompute")
		}
		if n := len(deliveries(t, f, w.ID)); n != count {
			t.Fatalf("a rolled-back recompute left %d deliveries", n-count)
		}
		mustRecompute(t, f)
		log = deliveries(t, f, w.ID)
		got := map[isms.EventType]isms.WebhookEvent{}
		for _, d := range log[count:] {
			got[d.EventType] = eventOf(t, d)
		}
		if e, ok := got[isms.EventMetricStatusChanged]; !ok || e.Data.ID != "access-removal" || e.Data.Fields["to"] != "red" || e.Data.Fields["period"] != "2026-10" {
			t.Errorf("metric status %+v in %d deliveries", e, len(log)-count)
		}
		if _, ok := got[isms.EventDeviationOpened]; !ok {
			t.Errorf("no deviation.opened for the red metric in %d deliveries", len(log)-count)
		}
		count = len(log)

		// A management review signed.
		now = time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC)
		boss := f.members[isms.RoleManagement]
		r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), ChairID: boss.UserID, Attendees: "CEO, ISMS"}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		count = len(deliveries(t, f, w.ID)) // holding a review reports nothing
		signed, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned)
		if err != nil {
			t.Fatal(err)
		}
		if e := next(isms.EventReviewSigned); e.Data.ID != strconv.FormatInt(r.ID, 10) || e.Data.Fields["snapshot_sha256"] != signed.SnapshotSHA256 {
			t.Errorf("review %+v", e.Data)
		}
	})
}

func TestWebhookFormatsAndRedelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		slack := mustWebhook(t, f, isms.WebhookFormatSlack)
		teams := mustWebhook(t, f, isms.WebhookFormatTeams)
		admin := f.members[isms.RoleAdmin]
		if _, err := f.app.CreateDeviation(ctx, admin, "acme", app.DeviationInput{Title: "Door open", Kind: "observation", Source: "observation", Severity: "low"}); err != nil {
			t.Fatal(err)
		}
		sl, tl := deliveries(t, f, slack.ID), deliveries(t, f, teams.ID)
		if len(sl) != 1 || len(tl) != 1 {
			t.Fatalf("deliveries %d and %d", len(sl), len(tl))
		}
		var text map[string]string
		if err := json.Unmarshal([]byte(sl[0].Payload), &text); err != nil || !strings.Contains(text["text"], "Door open") {
			t.Errorf("slack payload %s", sl[0].Payload)
		}
		if !strings.Contains(tl[0].Payload, `"@type":"MessageCard"`) {
			t.Errorf("teams payload %s", tl[0].Payload)
		}
		if sl[0].MsgID != tl[0].MsgID {
			t.Errorf("one event, two message ids: %s, %s", sl[0].MsgID, tl[0].MsgID)
		}
		// Redelivery: a new delivery of the same message.
		if _, err := f.app.RedeliverWebhook(ctx, f.members[isms.RoleISMSManager], "acme", slack.ID, sl[0].ID); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("an ISMS manager redelivers: %v", err)
		}
		if _, err := f.app.RedeliverWebhook(ctx, admin, "acme", teams.ID, sl[0].ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("redelivery under another webhook: %v", err)
		}
		nd, err := f.app.RedeliverWebhook(ctx, admin, "acme", slack.ID, sl[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if nd.ID == sl[0].ID || nd.MsgID != sl[0].MsgID || nd.Payload != sl[0].Payload || nd.RedeliveryOf != sl[0].ID || nd.Status != isms.DeliveryPending {
			t.Errorf("redelivery %+v of %+v", nd, sl[0])
		}
		if err := f.app.SetWebhookActive(ctx, admin, "acme", slack.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.RedeliverWebhook(ctx, admin, "acme", slack.ID, sl[0].ID); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("redelivery to a disabled webhook: %v", err)
		}
	})
}

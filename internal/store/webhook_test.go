package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestWebhookStorage: subscriptions and their deliveries round-trip on
// both engines, every read is scoped by organisation, a dedupe key holds
// once per subscription, and attempts are recorded.
func TestWebhookStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 16, 30, 0, 123000, time.UTC)
		db.Now = func() time.Time { return now }
		var acme, other isms.Organization
		var w isms.Webhook
		var first *store.WebhookDelivery
		err := db.Write(ctx, func(tx *store.Tx) error {
			acme, other = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}, isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			for _, o := range []*isms.Organization{&acme, &other} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			w = isms.Webhook{OrgID: acme.ID, URL: "https://hooks.example.com/x", Events: []isms.EventType{isms.EventDeviationOpened, isms.EventReviewSigned},
				Format: isms.WebhookFormatTeams, Active: true, CreatedBy: 7}
			if err := tx.AddWebhook(ctx, &w, "plain:whsec_abc"); err != nil {
				return err
			}
			first = &store.WebhookDelivery{OrgID: acme.ID, WebhookID: w.ID, MsgID: "msg_1", EventType: isms.EventActionOverdue, Payload: "{}", DedupeKey: "action:1:2026-12-01"}
			for i, want := range []bool{true, false} {
				d := *first
				added, err := tx.AddWebhookDelivery(ctx, &d)
				if err != nil || added != want {
					t.Errorf("add %d: %v, %v, want %v", i, added, err, want)
				}
				if i == 0 {
					first = &d
				}
			}
			// Without a dedupe key, every event is stored.
			for range 2 {
				if added, err := tx.AddWebhookDelivery(ctx, &store.WebhookDelivery{OrgID: acme.ID, WebhookID: w.ID, MsgID: "msg_2", EventType: isms.EventDeviationOpened, Payload: "{}"}); err != nil || !added {
					t.Errorf("add without a key: %v, %v", added, err)
				}
			}
			return tx.RecordWebhookAttempt(ctx, acme.ID, first.ID, isms.DeliveryPending, "webhook: HTTP 500", 500)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.Webhook(ctx, acme.ID, w.ID)
			if err != nil {
				return err
			}
			if got.StoredSecret != "plain:whsec_abc" || got.Format != isms.WebhookFormatTeams || len(got.Events) != 2 || !got.Active || !got.CreatedAt.Equal(now.Truncate(time.Microsecond)) || got.CreatedBy != 7 {
				t.Errorf("webhook %+v", got)
			}
			if _, err := tx.Webhook(ctx, other.ID, w.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("another organisation reads it: %v", err)
			}
			if ws, err := tx.Webhooks(ctx, other.ID); err != nil || len(ws) != 0 {
				t.Errorf("other's webhooks %v, %v", ws, err)
			}
			log, err := tx.WebhookDeliveries(ctx, acme.ID, w.ID, 10)
			if err != nil || len(log) != 3 || log[2].ID != first.ID {
				t.Fatalf("log %v, %v", log, err)
			}
			d := log[2]
			if d.Attempts != 1 || d.ResponseCode != 500 || d.Status != isms.DeliveryPending || d.LastError != "webhook: HTTP 500" || d.LastAttempt == nil || d.SentAt != nil || d.DedupeKey != "action:1:2026-12-01" {
				t.Errorf("delivery %+v", d)
			}
			if _, err := tx.WebhookDelivery(ctx, other.ID, d.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("another organisation reads the delivery: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SetWebhookActive(ctx, other.ID, w.ID, false); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("another organisation disables it: %v", err)
			}
			if err := tx.DeleteWebhook(ctx, other.ID, w.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("another organisation deletes it: %v", err)
			}
			if err := tx.DeleteWebhook(ctx, acme.ID, w.ID); err != nil {
				return err
			}
			if _, err := tx.WebhookDeliveryByID(ctx, first.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("a delivery outlives its webhook: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

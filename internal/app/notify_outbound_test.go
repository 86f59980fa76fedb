package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestWebhookURLRefusedWhenSaved: a viewer (any member) can no longer aim
// the server's deliveries inside the network: the addresses are
// refused with EINVALID and nothing is stored, unless the operator allowed
// the host. Before issue 13 every one of them was stored.
func TestWebhookURLRefusedWhenSaved(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		viewer := f.members[isms.RoleViewer]
		for _, u := range []string{"http://127.0.0.1:6379/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0x7f000001/",
			"http://localhost:6379", "http://10.0.0.8/hook", "http://[::ffff:192.168.1.1]/"} {
			_, err := f.app.SetNotificationPrefs(ctx, viewer, "acme", isms.NotificationPrefs{WebhookURL: u})
			if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(isms.ErrorMessage(err), "webhook URL") {
				t.Errorf("%s: %v, want EINVALID", u, err)
			}
		}
		pr, err := f.app.NotificationPrefs(ctx, viewer, "acme")
		if err != nil || pr.WebhookURL != "" {
			t.Fatalf("stored after refusals: %+v, %v", pr, err)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "notification_prefs"})
		if err != nil || len(evs) != 0 {
			t.Fatalf("events after refusals: %d, %v", len(evs), err)
		}
		// A non-member learns nothing, not even whether the URL passes.
		other := mustFixture(t, db, "other")
		if _, err := f.app.SetNotificationPrefs(ctx, other.members[isms.RoleAdmin], "acme", isms.NotificationPrefs{WebhookURL: "http://127.0.0.1/"}); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("non-member: %v, want ENOTFOUND", err)
		}
		allow, err := outbound.ParseAllow([]string{"10.0.0.0/8"})
		if err != nil {
			t.Fatal(err)
		}
		f.app.Webhooks = allow
		if _, err := f.app.SetNotificationPrefs(ctx, viewer, "acme", isms.NotificationPrefs{WebhookURL: "http://10.0.0.8/hook"}); err != nil {
			t.Errorf("an allowed range: %v", err)
		}
	})
}

// TestWebhookURLRedactedInAuditTrail: the audit trail and its export keep
// the host and a fingerprint of a webhook URL, never the URL (a Slack
// webhook's path is its credential). Before issue 13 both held it in clear.
func TestWebhookURLRedactedInAuditTrail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		owner := f.members[isms.RoleProcessOwner]
		const one, two = "https://hooks.slack.com/services/T0AAA/B0BBB/firstSECRETtoken", "https://hooks.slack.com/services/T0AAA/B0BBB/secondSECRETtoken"
		for _, u := range []string{one, two} {
			if _, err := f.app.SetNotificationPrefs(ctx, owner, "acme", isms.NotificationPrefs{WebhookURL: u, WebhookKind: isms.WebhookSlack}); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "notification_prefs"})
		if err != nil || len(evs) != 2 {
			t.Fatalf("events %d, %v", len(evs), err)
		}
		last := evs[0]
		if evs[1].Seq > last.Seq {
			last = evs[1]
		}
		if !strings.Contains(last.Before, outbound.RedactURL(one)) || !strings.Contains(last.After, outbound.RedactURL(two)) || last.Before == last.After {
			t.Errorf("the change is not visible: before %s, after %s", last.Before, last.After)
		}
		tbl, err := f.app.ExportRegister(ctx, f.members[isms.RoleAdmin], "acme", "audit-trail")
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, e := range evs {
			all.WriteString(e.Before + e.After)
		}
		for _, r := range tbl.Rows {
			all.WriteString(strings.Join(r, ","))
		}
		if strings.Contains(all.String(), "SECRET") || strings.Contains(all.String(), "T0AAA") {
			t.Errorf("a webhook URL in clear in the audit trail or its export")
		}
		// The person still sees their own URL.
		pr, err := f.app.NotificationPrefs(ctx, owner, "acme")
		if err != nil || pr.WebhookURL != two {
			t.Errorf("prefs %+v, %v", pr, err)
		}
	})
}

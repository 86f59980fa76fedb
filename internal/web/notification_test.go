package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// mustReminders sends the organisation's reminders on the day its restore
// test is due, so that the ISMS managers and admins have deliveries.
func mustReminders(t *testing.T, a *app.App, o *org) {
	t.Helper()
	ctx := context.Background()
	items, err := a.DueItems(ctx, app.System, o.Slug)
	if err != nil {
		t.Fatalf("due items: %v", err)
	}
	for _, it := range items {
		if it.Kind == "restore-test" {
			if _, err := a.SendReminders(ctx, o.ID, it.Due); err != nil {
				t.Fatalf("send reminders: %v", err)
			}
			return
		}
	}
	t.Fatalf("no restore test due in %v", items)
}

// Reminders and notifications plug into the generated tests (see
// aggregates_test.go).
func init() {
	registerAggregate(aggregate{
		name: "notifications",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			mustReminders(t, a, o)
			return nil
		},
		pages: map[string]pageRequest{
			"notifications": {path: "/o/acme/notifications", want: []string{"<h1>Reminders and notifications</h1>", "Your preferences",
				"Reminder settings", "Restore test for", "Deliveries", "admin@acme.example", "[Acme Oy] Due today: Restore test for", "pending"}},
		},
		bodies: map[string]jsonBody{
			"set-notification-prefs": `{"email":true,"webhook_url":"https://hooks.example.com/pdca","webhook_kind":"slack","digest":false,"paused_until":"2026-12-31"}`,
			"set-reminder-settings":  `{"lead_days":7,"escalate_days":3}`,
		},
	})
}

// TestNotificationForms saves a member's preferences and the
// organisation's settings through the page.
func TestNotificationForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
		r := e.do(t, viewer, http.MethodGet, "/o/acme/notifications", nil, nil)
		if r.status != http.StatusOK || strings.Contains(r.body, "Reminder settings") || strings.Contains(r.body, "<h2>Deliveries</h2>") {
			t.Fatalf("viewer's page: %d\n%s", r.status, r.body)
		}
		r = e.do(t, viewer, http.MethodPost, "/o/acme/notifications", url.Values{"webhook_url": {"ftp://x"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "give an http(s) address") {
			t.Fatalf("bad webhook: %d\n%s", r.status, r.body)
		}
		r = e.do(t, viewer, http.MethodPost, "/o/acme/notifications", url.Values{"digest": {"on"}, "webhook_url": {"https://hooks.example.com/v"},
			"webhook_kind": {"slack"}, "paused_until": {"2026-12-31"}}, nil)
		if r.status == http.StatusSeeOther {
			r = e.do(t, viewer, http.MethodGet, r.header.Get("Location"), nil, nil)
		}
		if r.status != http.StatusOK || !strings.Contains(r.body, "preferences are saved") || !strings.Contains(r.body, `value="2026-12-31"`) ||
			!strings.Contains(r.body, `value="https://hooks.example.com/v"`) {
			t.Fatalf("save prefs: %d\n%s", r.status, r.body)
		}
		pr, err := a.NotificationPrefs(context.Background(), app.Principal{UserID: o.users[isms.RoleViewer].ID}, "acme")
		if err != nil || pr.Email || !pr.Digest || pr.WebhookKind != "slack" {
			t.Fatalf("stored prefs %+v, %v", pr, err)
		}
		if r := e.do(t, viewer, http.MethodPost, "/o/acme/notifications/settings", url.Values{"lead_days": {"5"}, "escalate_days": {"2"}}, nil); r.status != http.StatusForbidden {
			t.Fatalf("viewer changes settings: %d", r.status)
		}
		mgr := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		r = e.do(t, mgr, http.MethodPost, "/o/acme/notifications/settings", url.Values{"lead_days": {"5"}, "escalate_days": {"0"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "escalation: give 1 to 90 days") {
			t.Fatalf("bad settings: %d\n%s", r.status, r.body)
		}
		r = e.do(t, mgr, http.MethodPost, "/o/acme/notifications/settings", url.Values{"lead_days": {"5"}, "escalate_days": {"2"}}, nil)
		if r.status == http.StatusSeeOther {
			r = e.do(t, mgr, http.MethodGet, r.header.Get("Location"), nil, nil)
		}
		if r.status != http.StatusOK || !strings.Contains(r.body, "reminded 5 days ahead") || !strings.Contains(r.body, "after 2 days overdue") {
			t.Fatalf("settings: %d\n%s", r.status, r.body)
		}
	})
}

// TestWebhookURLMustBePublic: through the page and the API, a viewer's
// webhook at an internal address is refused with 422 and a message naming
// the rule, and nobody sets another person's webhook (user fields in the
// body are not the API's; preferences are always the caller's own).
// Before issue 13 the internal addresses were stored.
func TestWebhookURLMustBePublic(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
		r := e.do(t, viewer, http.MethodPost, "/o/acme/notifications", url.Values{"webhook_url": {"http://169.254.169.254/latest/meta-data/"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is not a public address") {
			t.Fatalf("page: %d\n%s", r.status, r.body)
		}
		_, secret := mustToken(t, a, o, isms.RoleViewer, isms.ScopeWrite)
		r = e.do(t, e.client(t, false), http.MethodPut, "/api/v1/orgs/acme/notification-prefs", jsonBody(`{"email":true,"digest":false,"webhook_url":"http://[::1]:6379/"}`), bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is not a public address") {
			t.Fatalf("API: %d %v\n%s", r.status, r.header, r.body)
		}
		adminID := o.users[isms.RoleAdmin].ID
		body := fmt.Sprintf(`{"email":true,"digest":false,"webhook_url":"https://hooks.example.com/mine","user_id":%d,"UserID":%d}`, adminID, adminID)
		r = e.do(t, e.client(t, false), http.MethodPut, "/api/v1/orgs/acme/notification-prefs", jsonBody(body), bearer(secret))
		admin, err := a.NotificationPrefs(ctx, app.Principal{UserID: adminID}, "acme")
		if err != nil || admin.WebhookURL != "" {
			t.Fatalf("the viewer set the admin's webhook (%d): %+v, %v", r.status, admin, err)
		}
		mine, err := a.NotificationPrefs(ctx, app.Principal{UserID: o.users[isms.RoleViewer].ID}, "acme")
		if err != nil || (r.status == http.StatusOK) != (mine.WebhookURL == "https://hooks.example.com/mine") || (r.status != http.StatusOK && r.status != http.StatusUnprocessableEntity) {
			t.Fatalf("viewer's prefs after %d: %+v, %v", r.status, mine, err)
		}
	})
}

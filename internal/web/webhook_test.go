package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Webhook subscriptions (issue 17) plug into the generated tests (see
// aggregates_test.go): a subscription with one delivery, and another
// that the API role matrix deletes.
func init() {
	registerAggregate(aggregate{
		name: "webhooks",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			ctx := context.Background()
			w, err := a.CreateWebhook(ctx, app.System, o.Slug, app.WebhookInput{URL: "https://hooks.example.com/" + o.Slug, Description: "SIEM of " + o.Name,
				Events: []isms.EventType{isms.EventDeviationOpened, isms.EventReviewSigned}, Format: isms.WebhookFormatSlack})
			if err != nil {
				t.Fatal(err)
			}
			doomed, err := a.CreateWebhook(ctx, app.System, o.Slug, app.WebhookInput{URL: "https://hooks.example.com/doomed", Events: []isms.EventType{isms.EventImportCompleted}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.CreateDeviation(ctx, o.admin(), o.Slug, app.DeviationInput{Title: "Webhook fixture at " + o.Name, Kind: "observation", Source: "observation", Severity: "low"}); err != nil {
				t.Fatal(err)
			}
			_, log, err := a.WebhookSubscription(ctx, app.System, o.Slug, w.ID)
			if err != nil || len(log) != 1 {
				t.Fatalf("webhook log %v, %v", log, err)
			}
			return map[string]string{"webhooks.id": id(w.ID), "webhooks.did": id(log[0].ID), "delete-webhook.id": id(doomed.ID)}
		},
		pages: map[string]pageRequest{
			"webhooks": {path: "/o/acme/webhooks", want: []string{"<h1>Webhooks</h1>", "https://hooks.example.com/acme", "SIEM of Acme Oy",
				`value="deviation.opened"`, `value="teams"`, "Add the webhook"}},
			"webhook": {path: "/o/acme/webhooks/{webhooks.id}", want: []string{"<h1>Webhook to hooks.example.com</h1>", "https://hooks.example.com/acme", "<code>deviation.opened</code>",
				"pending", "Redeliver", "/disable", "/delete"}},
			"webhook_delete": {path: "/o/acme/webhooks/{webhooks.id}/delete", want: []string{"Delete the webhook to hooks.example.com?", `name="confirm" value="yes"`}},
		},
		bodies: map[string]jsonBody{
			"create-webhook":     `{"url":"https://hooks.example.com/new","events":["deviation.closed"],"format":"teams"}`,
			"set-webhook-active": `{"active":true}`,
		},
	})
}

// admin is the organisation's admin as a principal.
func (o *org) admin() app.Principal {
	u := o.users[isms.RoleAdmin]
	return app.Principal{UserID: u.ID, Label: u.Email}
}

// TestWebhookPages: an admin adds a webhook through the form and sees its
// secret once, disables, redelivers and deletes it with a confirmation.
func TestWebhookPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		base := "/o/acme/webhooks"
		r := e.do(t, c, http.MethodPost, base, url.Values{"url": {"ftp://x"}, "events": {"deviation.opened"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "give an http(s) address") {
			t.Fatalf("bad URL: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base, url.Values{"url": {"https://hooks.example.com/x"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "choose at least one") {
			t.Fatalf("no events: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base, url.Values{"url": {"https://hooks.example.com/x?key=s3cret"}, "description": {"Chat"},
			"events": {"deviation.opened", "review.signed"}, "format": {"slack"}}, nil)
		secret := regexp.MustCompile(`<code id="webhook-secret">(whsec_[^<]+)</code>`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || secret == nil {
			t.Fatalf("create: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, base, nil, nil)
		if r.status != http.StatusOK || strings.Contains(r.body, secret[1]) || !strings.Contains(r.body, "<code>review.signed</code>") {
			t.Fatalf("the list shows the secret or lacks the webhook: %d\n%s", r.status, r.body)
		}
		ws, err := a.WebhookSubscriptions(context.Background(), app.System, "acme")
		if err != nil || len(ws) != 1 {
			t.Fatalf("webhooks %v, %v", ws, err)
		}
		page := base + "/" + id(ws[0].ID)
		if _, err := a.CreateDeviation(context.Background(), o.admin(), "acme", app.DeviationInput{Title: "Door open", Kind: "observation", Source: "observation", Severity: "low"}); err != nil {
			t.Fatal(err)
		}
		_, log, _ := a.WebhookSubscription(context.Background(), app.System, "acme", ws[0].ID)
		if len(log) != 1 {
			t.Fatalf("log %v", log)
		}
		r = e.do(t, c, http.MethodPost, page+"/deliveries/"+id(log[0].ID)+"/redeliver", nil, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("redeliver: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, page, nil, nil)
		if !strings.Contains(r.body, "Redelivery queued") || strings.Count(r.body, "<td><code>deviation.opened</code>") != 2 || !strings.Contains(r.body, "redelivery of "+id(log[0].ID)) {
			t.Fatalf("after redelivery:\n%s", r.body)
		}
		if r = e.do(t, c, http.MethodPost, page+"/disable", nil, nil); r.status != http.StatusSeeOther {
			t.Fatalf("disable: %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, page, nil, nil)
		if !strings.Contains(r.body, "disabled: nothing is sent") || strings.Contains(r.body, ">Redeliver<") {
			t.Fatalf("disabled page:\n%s", r.body)
		}
		r = e.do(t, c, http.MethodPost, page+"/deliveries/"+id(log[0].ID)+"/redeliver", nil, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("redeliver while disabled: %d\n%s", r.status, r.body)
		}
		if r = e.do(t, c, http.MethodGet, page, nil, nil); !strings.Contains(r.body, "enable it before redelivering") {
			t.Fatalf("no refusal after redelivering while disabled:\n%s", r.body)
		}
		r = e.do(t, c, http.MethodPost, page+"/delete", nil, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "confirm the deletion") {
			t.Fatalf("delete without confirmation: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, page+"/delete", url.Values{"confirm": {"yes"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d\n%s", r.status, r.body)
		}
		if r = e.do(t, c, http.MethodGet, page, nil, nil); r.status != http.StatusNotFound {
			t.Fatalf("deleted webhook's page: %d", r.status)
		}
		// Only admins see the menu entry.
		mgr := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		if r = e.do(t, mgr, http.MethodGet, "/o/acme/", nil, nil); strings.Contains(r.body, `/o/acme/webhooks"`) {
			t.Errorf("an ISMS manager sees the webhooks menu entry")
		}
		if r = e.do(t, c, http.MethodGet, "/o/acme/", nil, nil); !strings.Contains(r.body, `/o/acme/webhooks"`) {
			t.Errorf("an admin does not see the webhooks menu entry")
		}
	})
}

// TestWebhookAPI creates a subscription through the API: 201 with a
// Location and the secret once; the list and the log show no secret.
func TestWebhookAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		anon := e.client(t, false)
		base := "/api/v1/orgs/acme/webhooks"
		r := e.do(t, anon, http.MethodPost, base, jsonBody(`{"url":"https://hooks.example.com/a","events":["deviation.opened","document.approved"]}`), bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "reserved") {
			t.Fatalf("reserved event: %d %s", r.status, r.body)
		}
		r = e.do(t, anon, http.MethodPost, base, jsonBody(`{"url":"https://hooks.example.com/a","events":["deviation.opened"]}`), bearer(secret))
		var created struct {
			ID     int64  `json:"id"`
			Secret string `json:"secret"`
			Format string `json:"format"`
		}
		if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &created) != nil || !strings.HasPrefix(created.Secret, "whsec_") ||
			created.Format != "standard" || r.header.Get("Location") != base+"/"+id(created.ID) {
			t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
		}
		for _, path := range []string{base, base + "/" + id(created.ID), base + "/" + id(created.ID) + "/deliveries"} {
			r = e.do(t, anon, http.MethodGet, path, nil, bearer(secret))
			if r.status != http.StatusOK || strings.Contains(r.body, "whsec_") {
				t.Errorf("GET %s: %d %s", path, r.status, r.body)
			}
		}
		if _, err := a.CreateDeviation(context.Background(), o.admin(), "acme", app.DeviationInput{Title: "Door open", Kind: "observation", Source: "observation", Severity: "low"}); err != nil {
			t.Fatal(err)
		}
		r = e.do(t, anon, http.MethodGet, base+"/"+id(created.ID)+"/deliveries", nil, bearer(secret))
		if r.status != http.StatusOK || !strings.Contains(r.body, `"event":"deviation.opened"`) || !strings.Contains(r.body, `"status":"pending"`) {
			t.Fatalf("deliveries: %d %s", r.status, r.body)
		}
		r = e.do(t, anon, http.MethodDelete, base+"/"+id(created.ID), nil, bearer(secret))
		if r.status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
	})
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// webhooksPage lists the organisation's webhook subscriptions with the
// form that adds one (issue 17).
type webhooksPage struct {
	Page
	Webhooks []isms.Webhook
	Events   []isms.EventType
	Formats  []string
	// Created is the subscription just created, with its secret: shown
	// in this answer only.
	Created *isms.Webhook
}

// webhookPage is one subscription and its delivery log.
type webhookPage struct {
	Page
	Webhook    *isms.Webhook
	Deliveries []*store.WebhookDelivery
	LogSize    int
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, m *app.Member, created *isms.Webhook) {
	ws, err := s.app.WebhookSubscriptions(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &webhooksPage{Page: s.page(r, m, "Webhooks"), Webhooks: ws, Events: isms.EventTypes(), Formats: isms.WebhookFormats(), Created: created}
	pg.Nav = "webhooks"
	s.render(w, r, "webhooks", pg)
}

func (s *Server) handleWebhooks(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.webhooksPage(w, r, m, nil)
}

func (s *Server) handleWebhookCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	var evs []isms.EventType
	for _, e := range r.PostForm["events"] {
		evs = append(evs, isms.EventType(e))
	}
	wh, err := s.app.CreateWebhook(r.Context(), m.Principal, m.Org.Slug, app.WebhookInput{URL: r.PostFormValue("url"),
		Description: r.PostFormValue("description"), Events: evs, Format: r.PostFormValue("format")})
	if err != nil {
		s.formError(w, r, m, err, s.handleWebhooks)
		return
	}
	// The secret is rendered once in this response and never again.
	s.webhooksPage(w, r, m, wh)
}

func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request, m *app.Member) {
	wh, log, err := s.app.WebhookSubscription(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &webhookPage{Page: s.page(r, m, "Webhook to "+webhookHost(wh)), Webhook: wh, Deliveries: log, LogSize: app.WebhookLogSize}
	pg.Nav = "webhooks"
	s.render(w, r, "webhook", pg)
}

// webhookHost is the host a subscription posts to, for headings: the
// whole URL (which may carry a token) is shown only in the facts.
func webhookHost(w *isms.Webhook) string {
	if u, err := url.Parse(w.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return "an address"
}

func (s *Server) webhookURL(m *app.Member, id int64) string {
	return "/o/" + m.Org.Slug + "/webhooks/" + strconv.FormatInt(id, 10)
}

// handleWebhookActive enables or disables a subscription.
func (s *Server) handleWebhookActive(active bool) func(http.ResponseWriter, *http.Request, *app.Member) {
	return func(w http.ResponseWriter, r *http.Request, m *app.Member) {
		id := pathID(r, "id")
		if err := s.app.SetWebhookActive(r.Context(), m.Principal, m.Org.Slug, id, active); err != nil {
			s.pageError(w, r, err)
			return
		}
		if active {
			s.flash(r, "Webhook enabled: events are sent to it again.")
		} else {
			s.flash(r, "Webhook disabled: nothing is sent to it until it is enabled.")
		}
		http.Redirect(w, r, s.webhookURL(m, id), http.StatusSeeOther)
	}
}

// handleWebhookDeleteConfirm shows what deleting the subscription does,
// with the button that does it.
func (s *Server) handleWebhookDeleteConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	wh, _, err := s.app.WebhookSubscription(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &webhookPage{Page: s.page(r, m, "Delete the webhook to "+webhookHost(wh)), Webhook: wh}
	pg.Nav = "webhooks"
	s.render(w, r, "webhook_delete", pg)
}

// handleWebhookDelete deletes the subscription when the form confirms it
// (confirm=yes, the confirmation page's button); without it the
// confirmation page is shown again.
func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *http.Request, m *app.Member) {
	if r.PostFormValue("confirm") != "yes" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "confirm: confirm the deletion with the button below"), s.handleWebhookDeleteConfirm)
		return
	}
	if err := s.app.DeleteWebhook(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Webhook deleted.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/webhooks", http.StatusSeeOther)
}

// handleWebhookRedeliver sends a delivery again.
func (s *Server) handleWebhookRedeliver(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id := pathID(r, "id")
	if _, err := s.app.RedeliverWebhook(r.Context(), m.Principal, m.Org.Slug, id, pathID(r, "did")); err != nil {
		if isms.ErrorCode(err) == isms.ECONFLICT {
			s.flash(r, s.errorMessage(r, err))
			http.Redirect(w, r, s.webhookURL(m, id), http.StatusSeeOther)
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Redelivery queued: it is sent in the background; this log shows its outcome.")
	http.Redirect(w, r, s.webhookURL(m, id), http.StatusSeeOther)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type notificationsPage struct {
	Page
	Prefs      isms.NotificationPrefs
	PausedDate string
	Settings   isms.ReminderSettings
	Items      []app.DueItem
	Deliveries []*store.Delivery // admins only: one page, newest first
	// The deliveries' filters, position and pages, and an invalid
	// filter's message.
	DeliveryFilter  app.DeliveryFilter
	DeliveryPager   pager
	DeliveryProblem string
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ctx, p, slug := r.Context(), m.Principal, m.Org.Slug
	pg := &notificationsPage{Page: s.page(r, m, "Reminders and notifications")}
	var err error
	if pg.Prefs, err = s.app.NotificationPrefs(ctx, p, slug); err != nil {
		s.pageError(w, r, err)
		return
	}
	if pg.Prefs.PausedUntil != nil {
		pg.PausedDate = showDate(pg.Zone, pg.Prefs.PausedUntil)
	}
	if pg.Settings, err = s.app.ReminderSettings(ctx, p, slug); err != nil {
		s.pageError(w, r, err)
		return
	}
	if pg.Items, err = s.app.DueItems(ctx, p, slug); err != nil {
		s.pageError(w, r, err)
		return
	}
	status := http.StatusOK
	if m.Role.Can(isms.ActManageMembers) {
		q := r.URL.Query()
		pg.DeliveryFilter = app.DeliveryFilter{Status: q.Get("status"), Channel: q.Get("channel"), Page: app.Page{Limit: listPage, Offset: pageOffset(q), Count: true}}
		list, err := s.app.DeliveryList(ctx, p, slug, pg.DeliveryFilter)
		switch {
		case isms.ErrorCode(err) == isms.EINVALID:
			status, pg.DeliveryProblem = http.StatusUnprocessableEntity, s.errorMessage(r, err)
		case err != nil:
			s.pageError(w, r, err)
			return
		default:
			pg.Deliveries, pg.DeliveryPager = list.Items, pagerOf(q, list, "delivery", "deliveries")
		}
	}
	pg.Nav = "notifications"
	s.renderStatus(w, r, status, "notifications", pg)
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.notificationsPage(w, r, m)
}

// handleNotificationPrefs saves the member's own channels and pause.
func (s *Server) handleNotificationPrefs(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pr := isms.NotificationPrefs{Email: r.PostFormValue("email") == "on", WebhookURL: r.PostFormValue("webhook_url"),
		WebhookKind: r.PostFormValue("webhook_kind"), Digest: r.PostFormValue("digest") == "on"}
	if d := strings.TrimSpace(r.PostFormValue("paused_until")); d != "" {
		t := readDate(d, s.zone(r, m))
		if t.IsZero() {
			s.formError(w, r, m, isms.Errorf(isms.EINVALID, "paused until: give a date, e.g. 2026-12-31, or leave it empty"), s.handleNotifications)
			return
		}
		pr.PausedUntil = &t
	}
	if _, err := s.app.SetNotificationPrefs(r.Context(), m.Principal, m.Org.Slug, pr); err != nil {
		s.formError(w, r, m, err, s.handleNotifications)
		return
	}
	s.flash(r, "Your notification preferences are saved.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/notifications", http.StatusSeeOther)
}

// handleReminderSettings changes the organisation's lead time and escalation.
func (s *Server) handleReminderSettings(w http.ResponseWriter, r *http.Request, m *app.Member) {
	lead, err1 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("lead_days")))
	esc, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("escalate_days")))
	if err1 != nil {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "lead time: give a whole number of days, e.g. 7"), s.handleNotifications)
		return
	}
	if err2 != nil {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "escalation: give a whole number of days, e.g. 3"), s.handleNotifications)
		return
	}
	if _, err := s.app.SetReminderSettings(r.Context(), m.Principal, m.Org.Slug, isms.ReminderSettings{LeadDays: lead, EscalateDays: esc}); err != nil {
		s.formError(w, r, m, err, s.handleNotifications)
		return
	}
	s.flash(r, "Reminder settings saved.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/notifications", http.StatusSeeOther)
}

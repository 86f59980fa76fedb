package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// My work (issue 18): what the viewer owes in the organisation, and
// their private calendar feed of it. docs/my-work.md.

type myWorkPage struct {
	Page
	Items   []app.WorkItem
	Overdue int
	Feed    *store.CalendarFeed
	// FeedURL is the feed's URL, shown once after it was created or
	// rotated (only its fingerprint is stored).
	FeedURL string
	// Confirm is "rotate" or "revoke" while asking to confirm it.
	Confirm string
}

func init() { funcs["dueKind"] = kindWords }

// kindWords names a due item's kind in words: "corrective-action" →
// "Corrective action", also for kinds other code adds.
func kindWords(kind string) string {
	if isms.HasLabel(kind) {
		return isms.Label(kind)
	}
	return isms.Humanize(strings.ReplaceAll(kind, "-", " "))
}

func (s *Server) handleMyWork(w http.ResponseWriter, r *http.Request, m *app.Member) {
	confirm := r.URL.Query().Get("feed")
	if confirm != "rotate" && confirm != "revoke" {
		confirm = ""
	}
	s.renderMyWork(w, r, m, "", confirm)
}

func (s *Server) renderMyWork(w http.ResponseWriter, r *http.Request, m *app.Member, feedURL, confirm string) {
	ctx := r.Context()
	items, err := s.app.MyWork(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	feed, err := s.app.CalendarFeedState(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if feed == nil && confirm != "" {
		confirm = ""
	}
	pg := &myWorkPage{Page: s.page(r, m, "My work"), Items: items, Feed: feed, FeedURL: feedURL, Confirm: confirm}
	pg.Nav = "my-work"
	for _, it := range items {
		if it.Overdue {
			pg.Overdue++
		}
	}
	s.render(w, r, "mywork", pg)
}

// handleCalendarRotate creates the viewer's feed, or replaces it once the
// viewer confirmed (the old URL stops working), and shows the new URL.
func (s *Server) handleCalendarRotate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	feed, err := s.app.CalendarFeedState(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if feed != nil && r.PostFormValue("confirm") != "rotate" {
		s.renderMyWork(w, r, m, "", "rotate")
		return
	}
	token, err := s.app.RotateCalendarFeed(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderMyWork(w, r, m, s.absoluteURL(r, "/calendar/"+token+".ics"), "")
}

// handleCalendarRevoke removes the viewer's feed once they confirmed.
func (s *Server) handleCalendarRevoke(w http.ResponseWriter, r *http.Request, m *app.Member) {
	if r.PostFormValue("confirm") != "revoke" {
		s.renderMyWork(w, r, m, "", "revoke")
		return
	}
	if err := s.app.RevokeCalendarFeed(r.Context(), m.Principal, m.Org.Slug); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Your calendar feed is revoked: its URL no longer works.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/my-work", http.StatusSeeOther)
}

// handleCalendarFeed serves a private feed without a session. Every token
// that opens no feed gets the same 404, whether or not it ever existed.
func (s *Server) handleCalendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	var f *app.Feed
	var err error
	if ok {
		f, err = s.app.CalendarFeed(r.Context(), token)
	}
	if !ok || isms.ErrorCode(err) == isms.ENOTFOUND {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	body := feedCalendar(f, s.absoluteURL(r, ""))
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write([]byte(body))
}

// feedCalendar renders a feed as RFC 5545: one all-day VEVENT per item on
// its due day in the person's zone, whose UID is stable for the item's
// occasion in the organisation. base is prepended to the items' links.
func feedCalendar(f *app.Feed, base string) string {
	cal := ics.NewCalendarFor("pdca")
	cal.SetMethod(ics.MethodPublish)
	name := "pdca: my work in " + f.Org.Name
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	base = strings.TrimRight(base, "/")
	for _, it := range f.Items {
		ev := cal.AddEvent(feedUID(f.Org, it.Key))
		ev.SetDtStampTime(f.At)
		day := it.Due.In(f.Zone)
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		ev.SetAllDayStartAt(start)
		ev.SetAllDayEndAt(start.AddDate(0, 0, 1))
		summary := it.Title
		if it.Overdue {
			summary = "Overdue: " + summary
		}
		ev.SetSummary(summary)
		link := base + it.Link
		ev.SetURL(link)
		var why string
		switch {
		case it.Escalated:
			why = "Escalated to you as an ISMS manager or admin: its owner's reminders went unanswered."
		case it.Shared:
			why = "Owed by the ISMS managers and admins (no owner is set)."
		default:
			why = "You own it."
		}
		ev.SetDescription(strings.Join([]string{
			kindWords(it.Kind) + " in " + f.Org.Name + ", due " + day.Format("2006-01-02") + " (" + f.Zone.String() + ").",
			why, "Open: " + link}, "\n"))
		ev.SetTimeTransparency(ics.TransparencyTransparent)
	}
	// RFC 5545 lines end in CRLF (the library's default is the OS's).
	return cal.Serialize(ics.WithNewLine("\r\n"))
}

// feedUID is an event's UID: the item's occasion key within the
// organisation, the same in every fetch.
func feedUID(o *isms.Organization, key string) string {
	return key + "/org-" + strconv.FormatInt(o.ID, 10) + "@pdca"
}

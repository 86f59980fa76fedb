package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Times shown to people are in one zone per page: the person's own if they
// chose one, else the organisation's (UTC outside an organisation). The
// layout names it once, in the footer; every page formats its times with
// the functions below, which take that zone (Page.Zone) first. Machine
// values (the datetime attribute of <time>, JSON, exports of the audit
// trail) stay RFC 3339.

// zone returns the zone the request's person reads and enters times in,
// inside the organisation of m (nil outside one).
func (s *Server) zone(r *http.Request, m *app.Member) *time.Location {
	var u *isms.User
	if v := viewerFrom(r); v != nil {
		u = v.User
	}
	var o *isms.Organization
	if m != nil {
		o = m.Org
	}
	return isms.Zone(u, o)
}

// moment accepts a time.Time or a *time.Time; ok is false for nil or zero.
func moment(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v != nil {
			return *v, !v.IsZero()
		}
	}
	return time.Time{}, false
}

// in returns t in loc (UTC when loc is nil).
func in(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc)
}

// showDate is the day of t in loc, "—" when there is none.
func showDate(loc *time.Location, t any) string {
	v, ok := moment(t)
	if !ok {
		return "—"
	}
	return in(v, loc).Format(time.DateOnly)
}

// showDateTime is t in loc to the minute, "never" when there is none.
func showDateTime(loc *time.Location, t any) string {
	v, ok := moment(t)
	if !ok {
		return "never"
	}
	return in(v, loc).Format("2006-01-02 15:04")
}

// readDate reads a yyyy-mm-dd date typed into a form as the start of that
// day in loc; zero when empty or malformed, so that package app says what
// is missing after it has found (or not) the thing being changed.
func readDate(s string, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

func init() {
	funcs["date"] = showDate
	funcs["datetime"] = showDateTime
	// zoneName names the zone of a page for the footer.
	funcs["zoneName"] = func(loc *time.Location) string {
		if loc == nil {
			return "UTC"
		}
		return loc.String()
	}
}

// handleAccountTimeZone sets the zone the person reads and enters times
// in; an unknown zone is shown beside the field with what was typed.
func (s *Server) handleAccountTimeZone(w http.ResponseWriter, r *http.Request, p app.Principal) {
	zone := r.PostFormValue("time_zone")
	if err := s.app.SetTimeZone(r.Context(), p, zone); err != nil {
		s.accountError(w, r, p, err)
		return
	}
	if strings.TrimSpace(zone) == "" {
		s.flash(r, "Times are now shown in each organisation's own time zone.")
	} else {
		s.flash(r, "Times are now shown in "+strings.TrimSpace(zone)+".")
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

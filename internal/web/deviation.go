package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

func init() {
	funcs["devDays"] = func(d time.Duration) int { return int(math.Floor(d.Hours() / 24)) }
	funcs["devSince"] = func(t, now time.Time) int { return int(math.Floor(now.Sub(t).Hours() / 24)) }
	funcs["devJoin"] = func(s []string) string { return strings.Join(s, ", ") }
	funcs["devWhy"] = func(whys []string, i int) string {
		if i < len(whys) {
			return whys[i]
		}
		return ""
	}
}

// pathID reads a numeric path value; -1 (found nowhere) when malformed.
func pathID(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return -1
	}
	return id
}

type deviationsPage struct {
	Page
	Deviations []isms.Deviation
	Status     string
	Statuses   []isms.DeviationStatus
	Now        time.Time
	CheckDays  int
	Total      int
	Offset     int
	Prev, Next string
	// The filter bar: what was typed, the members to choose an owner
	// from, the list's position in words, an invalid filter's message.
	Filters listFilters
	// Issue 19: the standard filter, and the page's deviations' tags by id.
	Standard string
	Tags     map[string][]string
	Members  []isms.Membership
	Showing  string
	Problem  string
	// OwnerEmail is the owner filter as stored (lower case), to select it.
	OwnerEmail string
}

// deviationsPerPage is how many deviations the register shows at once.
const deviationsPerPage = 50

func (s *Server) handleDeviations(w http.ResponseWriter, r *http.Request, m *app.Member) {
	q := r.URL.Query()
	lf := readListFilters(q)
	status := lf.Status
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(0, offset)
	code := http.StatusOK
	ds, total, err := s.app.DeviationPage(r.Context(), m.Principal, m.Org.Slug, app.DeviationQuery{Status: status, Owner: lf.Owner, Period: lf.Period,
		Standard: q.Get("standard"), Limit: deviationsPerPage, Offset: offset})
	problem := ""
	if isms.ErrorCode(err) == isms.EINVALID {
		code, problem, err = http.StatusUnprocessableEntity, s.errorMessage(r, err), nil
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	days, err := s.app.CheckAfterDays(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &deviationsPage{Page: s.page(r, m, "Deviations"), Deviations: ds, Status: status,
		Statuses: isms.DeviationStatuses(), Now: s.app.DB.Now().UTC(), CheckDays: days, Total: total, Offset: offset,
		Filters: lf, Members: members, Showing: showing(offset, len(ds), total, "deviation"), Problem: problem,
		OwnerEmail: strings.ToLower(strings.TrimSpace(lf.Owner))}
	if offset > 0 {
		pg.Prev = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(max(0, offset-deviationsPerPage))) })
	}
	if offset+deviationsPerPage < total {
		pg.Next = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(offset+deviationsPerPage)) })
	}
	pg.Standard = q.Get("standard")
	ids := make([]string, len(ds))
	for i := range ds {
		ids[i] = strconv.FormatInt(ds[i].ID, 10)
	}
	if pg.Tags, err = s.app.StandardTagsOf(r.Context(), m.Principal, m.Org.Slug, isms.TagDeviation, ids); err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Nav = "deviations"
	s.renderStatus(w, r, code, "deviations", pg)
}

// handleDeviationSettings sets the days before the effectiveness check.
func (s *Server) handleDeviationSettings(w http.ResponseWriter, r *http.Request, m *app.Member) {
	days, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err := s.app.SetCheckAfterDays(r.Context(), m.Principal, m.Org.Slug, days); err != nil {
		s.formError(w, r, m, err, s.handleDeviations)
		return
	}
	s.flash(r, "Effectiveness checks are now due "+strconv.Itoa(days)+" days after the last corrective action.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/deviations", http.StatusSeeOther)
}

type deviationNewPage struct {
	Page
	Members                []isms.Membership
	Kinds, Sources, Levels []string
	Form                   map[string]string
}

func (s *Server) deviationNewPage(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ms, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"title", "description", "kind", "source", "severity", "detected", "owner", "due", "metric", "period", "risk", "control"} {
		form[k] = r.FormValue(k)
	}
	pg := &deviationNewPage{Page: s.page(r, m, "New deviation"), Members: ms, Kinds: isms.DeviationKinds, Sources: isms.DeviationSources,
		Levels: isms.DeviationLevels, Form: form}
	pg.Nav = "deviations"
	s.render(w, r, "deviation_new", pg)
}

func (s *Server) handleDeviationNew(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.deviationNewPage(w, r, m)
}

func (s *Server) handleDeviationCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	in := app.DeviationInput{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Kind: r.PostFormValue("kind"),
		Source: r.PostFormValue("source"), Severity: r.PostFormValue("severity"), DetectedAt: readDate(r.PostFormValue("detected"), s.zone(r, m)),
		OwnerEmail: r.PostFormValue("owner"), MetricKey: r.PostFormValue("metric"), MetricPeriod: r.PostFormValue("period"),
		RiskRef: r.PostFormValue("risk"), ControlRef: r.PostFormValue("control")}
	if due := readDate(r.PostFormValue("due"), s.zone(r, m)); !due.IsZero() {
		in.DueAt = &due
	}
	d, err := s.app.CreateDeviation(r.Context(), m.Principal, m.Org.Slug, in)
	if err != nil {
		s.formError(w, r, m, err, s.handleDeviationNew)
		return
	}
	s.flash(r, d.Ref+" opened.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/deviations/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

// handleActionEvidence sends an action's evidence file as a download,
// never rendered by the browser.
func (s *Server) handleActionEvidence(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f, err := s.app.ActionEvidenceFile(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), pathID(r, "aid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(f.Content)
}

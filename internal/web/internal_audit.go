package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// StandardCoverage is the coverage of another standard's clauses 4 to 10
// by the year's audits (issue 19: ISO 9001 audits name "9001:8.4").
type StandardCoverage struct {
	Label    string
	Coverage []isms.ClauseCoverage
}

type iauditsPage struct {
	Page
	// Coverage tells which audits of the year cover each clause 4 to 10
	// of ISO/IEC 27001, which auditors expect every year; Others the same
	// for every other standard in use that has a clause skeleton.
	Coverage []isms.ClauseCoverage
	Others   []StandardCoverage
	// Issue 19: the standard filter, and the audits' tags by id.
	Standard   string
	Tags       map[string][]string
	Year       int
	Prev, Next int
	Audits     []isms.InternalAudit
	Members    []isms.Membership
	Form       map[string]string
}

func (s *Server) iauditsPage(w http.ResponseWriter, r *http.Request, m *app.Member, status int, problem string) {
	year, err := strconv.Atoi(r.FormValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		year = s.app.DB.Now().UTC().Year()
	}
	as, err := s.app.Audits(r.Context(), m.Principal, m.Org.Slug, year)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// Issue 19: the list filtered by standard (in SQL); coverage counts
	// every audit of the year.
	std := r.FormValue("standard")
	listed := as
	if std != "" {
		if listed, err = s.app.AuditsFor(r.Context(), m.Principal, m.Org.Slug, year, std); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	inUse, err := s.app.StandardsInUse(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, a := range as {
		inUse = append(inUse, isms.AuditStandards(a)...)
	}
	inUse, _ = isms.NormalizeStandards(inUse)
	var others []StandardCoverage
	for _, k := range inUse {
		if k != isms.StdISO27001 && isms.HasClauseSkeleton(k) {
			others = append(others, StandardCoverage{Label: isms.StandardLabel(k), Coverage: isms.CoverageOf(k, as)})
		}
	}
	ids := make([]string, len(listed))
	for i := range listed {
		ids[i] = strconv.FormatInt(listed[i].ID, 10)
	}
	tags, err := s.app.StandardTagsOf(r.Context(), m.Principal, m.Org.Slug, isms.TagAudit, ids)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ms, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"title", "clauses", "controls", "processes", "planned", "lead", "override"} {
		form[k] = r.FormValue(k)
	}
	pg := &iauditsPage{Page: s.page(r, m, "Internal audits "+strconv.Itoa(year)), Year: year, Prev: year - 1, Next: year + 1, Audits: listed, Members: ms, Form: form,
		Coverage: isms.CoverageOf(isms.StdISO27001, as), Others: others, Standard: std, Tags: tags}
	pg.Nav, pg.Error = "audits", problem
	s.renderStatus(w, r, status, "iaudits", pg)
}

func (s *Server) handleIAudits(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.iauditsPage(w, r, m, http.StatusOK, "")
}

func (s *Server) handleIAuditCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	in := app.AuditInput{Title: r.PostFormValue("title"), Clauses: isms.SplitList(r.PostFormValue("clauses")), Controls: isms.SplitList(r.PostFormValue("controls")),
		PlannedOn: readDate(r.PostFormValue("planned"), s.zone(r, m)), LeadEmail: r.PostFormValue("lead"), Override: strings.TrimSpace(r.PostFormValue("override"))}
	for _, p := range isms.SplitList(r.PostFormValue("processes")) {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			s.formError(w, r, m, isms.Errorf(isms.EINVALID, "processes: give process ids as numbers"), s.handleIAudits)
			return
		}
		in.Processes = append(in.Processes, id)
	}
	au, err := s.app.CreateAudit(r.Context(), m.Principal, m.Org.Slug, in)
	if err != nil {
		s.formError(w, r, m, err, s.handleIAudits)
		return
	}
	s.flash(r, "Audit planned.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/audits/"+strconv.FormatInt(au.ID, 10), http.StatusSeeOther)
}

type iauditPage struct {
	Page
	A     *isms.InternalAudit
	Now   time.Time
	Kinds []string
}

func (s *Server) iauditPage(w http.ResponseWriter, r *http.Request, m *app.Member, name string) {
	au, err := s.app.Audit(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &iauditPage{Page: s.page(r, m, au.Title), A: au, Now: s.app.DB.Now().UTC(), Kinds: isms.FindingKinds}
	pg.Standards = s.standardsBox(r, m, isms.TagAudit, strconv.FormatInt(au.ID, 10))
	pg.Nav = "audits"
	s.render(w, r, name, pg)
}

func (s *Server) handleIAudit(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.iauditPage(w, r, m, "iaudit")
}

func (s *Server) handleIAuditReport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.iauditPage(w, r, m, "iaudit_report")
}

// iauditDone redirects to the audit after a change, or shows it again
// with the problem beside its field (formError).
func (s *Server) iauditDone(w http.ResponseWriter, r *http.Request, m *app.Member, err error, msg string) {
	if err != nil {
		s.formError(w, r, m, err, s.handleIAudit)
		return
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/audits/"+r.PathValue("id"), http.StatusSeeOther)
}

func (s *Server) handleIAuditHeld(w http.ResponseWriter, r *http.Request, m *app.Member) {
	err := s.app.SetAuditHeld(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), readDate(r.PostFormValue("held"), s.zone(r, m)))
	s.iauditDone(w, r, m, err, "Date held recorded.")
}

func (s *Server) handleFindingCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f, err := s.app.RaiseFinding(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("kind"), r.PostFormValue("title"))
	msg := ""
	if err == nil {
		msg = f.Ref + " raised."
		if f.DeviationID != 0 {
			msg += " A deviation was opened for it."
		}
	}
	s.iauditDone(w, r, m, err, msg)
}

func (s *Server) handleFindingClose(w http.ResponseWriter, r *http.Request, m *app.Member) {
	err := s.app.CloseFinding(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), pathID(r, "fid"))
	s.iauditDone(w, r, m, err, "Finding closed.")
}

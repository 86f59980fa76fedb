package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// ClauseCoverage tells which audits of the year cover a clause of
// ISO/IEC 27001 (4 to 10), which auditors expect every year.
type ClauseCoverage struct {
	Clause string
	Audits []string
}

func coverage(as []isms.InternalAudit) []ClauseCoverage {
	var out []ClauseCoverage
	for n := 4; n <= 10; n++ {
		c := ClauseCoverage{Clause: strconv.Itoa(n)}
		for _, a := range as {
			for _, cl := range a.Clauses {
				if cl == c.Clause || strings.HasPrefix(cl, c.Clause+".") {
					c.Audits = append(c.Audits, a.Title)
					break
				}
			}
		}
		out = append(out, c)
	}
	return out
}

type iauditsPage struct {
	Page
	Coverage   []ClauseCoverage
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
	ms, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"title", "clauses", "controls", "processes", "planned", "lead", "override"} {
		form[k] = r.FormValue(k)
	}
	pg := &iauditsPage{Page: s.page(r, m, "Internal audits "+strconv.Itoa(year)), Year: year, Prev: year - 1, Next: year + 1, Audits: as, Members: ms, Form: form, Coverage: coverage(as)}
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

package web

import (
	"net/http"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type soaPage struct {
	Page
	app.SoA
	Filter   app.SoAFilter
	Statuses []isms.ImplementationStatus
	Query    string // the filter as a query string, for the export links
	Bulk     *soaBulkForm
}

type soaControlPage struct {
	Page
	Control   app.SoAControl
	Processes []store.ProcessChoice
	Linked    map[int64]bool
	Statuses  []isms.ImplementationStatus
}

func soaFilter(r *http.Request) app.SoAFilter {
	q := r.URL.Query()
	return app.SoAFilter{Theme: q.Get("theme"), Applicability: q.Get("applicable"), Status: isms.ImplementationStatus(q.Get("status"))}
}

// handleSoA shows the Statement of Applicability, filtered.
func (s *Server) handleSoA(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.soaPage(w, r, m, soaFilter(r), http.StatusOK, "", nil)
}

// soaPage renders the Statement filtered by f; the bulk edit shows it again
// with its problem and the form as posted.
func (s *Server) soaPage(w http.ResponseWriter, r *http.Request, m *app.Member, f app.SoAFilter, status int, problem string, bulk *soaBulkForm) {
	soa, err := s.app.SoA(r.Context(), m.Principal, m.Org.Slug, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if bulk == nil {
		bulk = &soaBulkForm{Scope: "selected", Selected: map[string]bool{}}
	}
	pg := &soaPage{Page: s.page(r, m, "Statement of Applicability"), SoA: *soa, Filter: f, Statuses: isms.ImplementationStatuses(), Query: soaFilterQuery(f), Bulk: bulk}
	pg.Nav, pg.Error = "soa", problem
	s.renderStatus(w, r, status, "soa", pg)
}

func (s *Server) soaControlPage(w http.ResponseWriter, r *http.Request, m *app.Member, status int, problem string) {
	c, procs, err := s.app.SoAControl(r.Context(), m.Principal, m.Org.Slug, r.PathValue("control"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &soaControlPage{Page: s.page(r, m, c.ID+" "+c.Title), Control: *c, Processes: procs, Linked: map[int64]bool{}, Statuses: isms.ImplementationStatuses()}
	for _, p := range c.Processes {
		pg.Linked[p.ID] = true
	}
	pg.Nav, pg.Error = "soa", problem
	s.renderStatus(w, r, status, "soa_control", pg)
}

func (s *Server) handleSoAControl(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.soaControlPage(w, r, m, http.StatusOK, "")
}

// handleSoAUpdate records the decision about one control.
func (s *Server) handleSoAUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	e := isms.SoAEntry{ControlID: r.PathValue("control"), Applicable: r.PostFormValue("applicable") == "yes",
		Justification: r.PostFormValue("justification"), Status: isms.ImplementationStatus(r.PostFormValue("status"))}
	if a := r.PostFormValue("applicable"); a != "yes" && a != "no" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "applicable: choose yes or no"), s.handleSoAControl)
		return
	}
	for _, v := range r.PostForm["process"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			e.ProcessIDs = append(e.ProcessIDs, id)
		}
	}
	if _, err := s.app.UpdateSoA(r.Context(), m.Principal, m.Org.Slug, e); err != nil {
		s.formError(w, r, m, err, s.handleSoAControl)
		return
	}
	s.flash(r, e.ControlID+" saved.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/soa#"+e.ControlID, http.StatusSeeOther)
}

// handleSoAExport serves the whole Statement (every control) as CSV or
// XLSX; the same table is in the exports page and the evidence bundle.
func (s *Server) handleSoAExport(format string) func(http.ResponseWriter, *http.Request, *app.Member) {
	return func(w http.ResponseWriter, r *http.Request, m *app.Member) {
		b, _, err := s.app.RegisterFile(r.Context(), m.Principal, m.Org.Slug, app.SoARegister, format)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+m.Org.Slug+"-"+app.SoARegister+"."+format+`"`)
		_, _ = w.Write(b)
	}
}

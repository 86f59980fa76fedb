package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The frameworks an organisation works with and the register of each
// (issue 19, docs/frameworks.md). Annex A keeps its ISO-style Statement of
// Applicability at /o/{org}/soa; both read and write the same decisions.

func init() {
	funcs["coverText"] = app.CoverText
	funcs["pct"] = func(n, of int) int {
		if of <= 0 {
			return 0
		}
		return n * 100 / of
	}
}

type frameworksPage struct {
	Page
	Frameworks []app.FrameworkSummary
}

// handleFrameworks lists the frameworks the organisation may use.
func (s *Server) handleFrameworks(w http.ResponseWriter, r *http.Request, m *app.Member) {
	list, err := s.app.Frameworks(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &frameworksPage{Page: s.page(r, m, "Frameworks"), Frameworks: list}
	pg.Nav = "frameworks"
	s.render(w, r, "frameworks", pg)
}

// handleFrameworkEnable enables a framework (a button without input).
func (s *Server) handleFrameworkEnable(w http.ResponseWriter, r *http.Request, m *app.Member) {
	key := r.PathValue("key")
	if err := s.app.EnableFramework(r.Context(), m.Principal, m.Org.Slug, key); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Framework enabled.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/frameworks", http.StatusSeeOther)
}

type frameworkDisablePage struct {
	Page
	Framework app.FrameworkSummary
}

// handleFrameworkDisableConfirm asks before disabling a framework.
func (s *Server) handleFrameworkDisableConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	list, err := s.app.Frameworks(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, f := range list {
		if f.Key == r.PathValue("key") {
			pg := &frameworkDisablePage{Page: s.page(r, m, "Disable "+f.Title), Framework: f}
			pg.Nav = "frameworks"
			s.render(w, r, "framework_disable", pg)
			return
		}
	}
	s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "framework %q not found", r.PathValue("key")))
}

// handleFrameworkDisable disables a framework when the confirmation page's
// button says so (confirm=yes); without it the question is asked again.
func (s *Server) handleFrameworkDisable(w http.ResponseWriter, r *http.Request, m *app.Member) {
	if r.PostFormValue("confirm") != "yes" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "confirm: confirm with the button below"), s.handleFrameworkDisableConfirm)
		return
	}
	if err := s.app.DisableFramework(r.Context(), m.Principal, m.Org.Slug, r.PathValue("key")); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Framework disabled; its decisions are kept.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/frameworks", http.StatusSeeOther)
}

type registerPage struct {
	Page
	app.Register
	Filter   store.RegisterFilter
	Statuses []isms.ImplementationStatus
	Pager    pager
	Query    string
	Rows     []registerLine
}

// registerLine is a row of the register page, with a heading before it
// when its group differs from the row above.
type registerLine struct {
	*app.RegisterItem
	Heading string
}

func registerFilter(q url.Values) store.RegisterFilter {
	return store.RegisterFilter{Group: q.Get("group"), Applicability: q.Get("applicable"), Status: isms.ImplementationStatus(q.Get("status")),
		Text: q.Get("q"), Offset: pageOffset(q), Limit: app.RegisterPageSize}
}

// handleFrameworkRegister shows a framework's register, filtered and
// paged; {key}.csv and {key}.xlsx are its exports.
func (s *Server) handleFrameworkRegister(w http.ResponseWriter, r *http.Request, m *app.Member) {
	key := r.PathValue("key")
	for _, format := range []string{"csv", "xlsx"} {
		if k, ok := strings.CutSuffix(key, "."+format); ok {
			s.frameworkExport(w, r, m, k, format)
			return
		}
	}
	q := r.URL.Query()
	f := registerFilter(q)
	reg, err := s.app.Register(r.Context(), m.Principal, m.Org.Slug, key, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &registerPage{Page: s.page(r, m, reg.Framework.Title), Register: *reg, Filter: f, Statuses: isms.ImplementationStatuses(),
		Pager: pagerOf(q, reg.Page, "requirement")}
	fq := url.Values{}
	for k, v := range map[string]string{"group": f.Group, "applicable": f.Applicability, "status": string(f.Status), "q": f.Text} {
		if v != "" {
			fq.Set(k, v)
		}
	}
	pg.Query = fq.Encode()
	last := "\x00"
	for _, it := range reg.Page.Items {
		l := registerLine{RegisterItem: it}
		if it.GroupID != last {
			l.Heading, last = it.GroupTitle, it.GroupID
			if l.Heading == "" {
				l.Heading = "Requirements"
			}
		}
		pg.Rows = append(pg.Rows, l)
	}
	pg.Nav = "frameworks"
	s.render(w, r, "framework_register", pg)
}

func (s *Server) frameworkExport(w http.ResponseWriter, r *http.Request, m *app.Member, key, format string) {
	b, err := s.app.FrameworkRegisterFile(r.Context(), m.Principal, m.Org.Slug, key, format)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.Org.Slug+"-framework-"+key+"."+format+`"`)
	_, _ = w.Write(b)
}

type requirementPage struct {
	Page
	app.RequirementView
	Statuses []isms.ImplementationStatus
	Linked   map[int64]bool // processes
	LinkedD  map[int64]bool // documents
}

func (s *Server) handleFrameworkRequirement(w http.ResponseWriter, r *http.Request, m *app.Member) {
	v, err := s.app.Requirement(r.Context(), m.Principal, m.Org.Slug, r.PathValue("key"), r.PathValue("req"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &requirementPage{Page: s.page(r, m, v.Row.Label+" "+v.Row.Title), RequirementView: *v, Statuses: isms.ImplementationStatuses(),
		Linked: map[int64]bool{}, LinkedD: map[int64]bool{}}
	for _, id := range v.Row.ProcessIDs {
		pg.Linked[id] = true
	}
	for _, id := range v.Row.DocumentIDs {
		pg.LinkedD[id] = true
	}
	pg.Nav = "frameworks"
	s.render(w, r, "framework_requirement", pg)
}

// handleFrameworkRequirementUpdate records the decision about a
// requirement.
func (s *Server) handleFrameworkRequirementUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	a := r.PostFormValue("applicable")
	if a != "yes" && a != "no" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "applicable: choose yes or no"), s.handleFrameworkRequirement)
		return
	}
	u := app.RequirementUpdate{Applicable: a == "yes", Justification: r.PostFormValue("justification"),
		Status: isms.ImplementationStatus(r.PostFormValue("status")), Evidence: r.PostFormValue("evidence")}
	if v := r.PostFormValue("owner"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.formError(w, r, m, isms.Errorf(isms.EINVALID, "owner: choose a member"), s.handleFrameworkRequirement)
			return
		}
		u.OwnerID = id
	}
	for _, v := range r.PostForm["process"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			u.ProcessIDs = append(u.ProcessIDs, id)
		}
	}
	for _, v := range r.PostForm["document"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			u.DocumentIDs = append(u.DocumentIDs, id)
		}
	}
	key, req := r.PathValue("key"), r.PathValue("req")
	if _, err := s.app.UpdateRequirement(r.Context(), m.Principal, m.Org.Slug, key, req, u); err != nil {
		s.formError(w, r, m, err, s.handleFrameworkRequirement)
		return
	}
	s.flash(r, req+" saved.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/frameworks/"+url.PathEscape(key)+"/r/"+url.PathEscape(req), http.StatusSeeOther)
}

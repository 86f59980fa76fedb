package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

type risksPage struct {
	Page
	app.RiskRegister
	Filter     app.RiskFilter
	Filtered   bool
	Members    []isms.Membership
	Levels     []isms.RiskLevel
	Treatments []isms.Treatment
	Scale      []int
	// The list's position in words, its pages, the owner filter as
	// stored (lower case) and an invalid filter's message.
	Showing    string
	Prev, Next string
	OwnerEmail string
	Problem    string
}

type riskPage struct {
	Page
	app.RiskDetail
	Members    []isms.Membership
	Treatments []isms.Treatment
	Scale      []int
	Linked     map[int64]bool
	Controls   string
}

// risksPerPage is how many risks the register shows at once.
const risksPerPage = 50

// riskFilter reads the register's filters and page from the query string.
func riskFilter(q url.Values) app.RiskFilter {
	l, _ := strconv.Atoi(q.Get("l"))
	i, _ := strconv.Atoi(q.Get("i"))
	off, _ := strconv.Atoi(q.Get("offset"))
	return app.RiskFilter{Level: isms.RiskLevel(q.Get("level")), Likelihood: l, Impact: i, Treatment: isms.Treatment(q.Get("treatment")),
		Owner: strings.TrimSpace(q.Get("owner")), Due: q.Get("due") == "1", Untreated: q.Get("untreated") == "1", Limit: risksPerPage, Offset: max(0, off)}
}

func (s *Server) risksPage(w http.ResponseWriter, r *http.Request, m *app.Member, status int, problem string) {
	q := r.URL.Query()
	f := riskFilter(q)
	reg, err := s.app.Risks(r.Context(), m.Principal, m.Org.Slug, f)
	filterProblem := ""
	if isms.ErrorCode(err) == isms.EINVALID {
		status, filterProblem = http.StatusUnprocessableEntity, s.errorMessage(r, err)
		// The heat map and the settings still show; the list is empty.
		if reg, err = s.app.Risks(r.Context(), m.Principal, m.Org.Slug, app.RiskFilter{Limit: 1}); err == nil {
			reg.Risks, reg.Matching = nil, 0
		}
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &risksPage{Page: s.page(r, m, "Risk register"), RiskRegister: *reg, Filter: f, Filtered: f.Active(), Members: members,
		Levels: isms.RiskLevels(), Treatments: isms.Treatments(), Scale: []int{1, 2, 3, 4, 5},
		Showing: showing(reg.Offset, len(reg.Risks), reg.Matching, "risk"), OwnerEmail: strings.ToLower(f.Owner), Problem: filterProblem}
	if reg.Offset > 0 {
		pg.Prev = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(max(0, reg.Offset-risksPerPage))) })
	}
	if reg.Offset+len(reg.Risks) < reg.Matching {
		pg.Next = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(reg.Offset+risksPerPage)) })
	}
	pg.Nav, pg.Error = "risks", problem
	s.renderStatus(w, r, status, "risks", pg)
}

func (s *Server) handleRisks(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.risksPage(w, r, m, http.StatusOK, "")
}

// riskFields reads the descriptive fields of a risk form.
func riskFields(r *http.Request) app.RiskFields {
	_ = r.ParseForm()
	f := app.RiskFields{Asset: r.PostFormValue("asset"), Threat: r.PostFormValue("threat"), Vulnerability: r.PostFormValue("vulnerability"),
		Treatment: isms.Treatment(r.PostFormValue("treatment")), Plan: r.PostFormValue("plan"), Justification: r.PostFormValue("justification"),
		OwnerEmail: r.PostFormValue("owner"), Controls: splitControls(r.PostFormValue("controls"))}
	for _, v := range r.PostForm["process"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.ProcessIDs = append(f.ProcessIDs, id)
		}
	}
	return f
}

// splitControls splits "A.5.1, A.8.8 A.8.13" into identifiers.
func splitControls(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// handleRiskCreate adds a risk with its first assessment.
func (s *Server) handleRiskCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f := riskFields(r)
	l, _ := strconv.Atoi(r.PostFormValue("likelihood"))
	i, _ := strconv.Atoi(r.PostFormValue("impact"))
	risk, err := s.app.CreateRisk(r.Context(), m.Principal, m.Org.Slug, f, l, i, r.PostFormValue("note"))
	if err != nil {
		s.formError(w, r, m, err, s.handleRisks)
		return
	}
	s.flash(r, risk.Ref()+" added to the register.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/risks/"+strconv.FormatInt(risk.ID, 10), http.StatusSeeOther)
}

func (s *Server) riskPage(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "risk %q not found", r.PathValue("id")))
		return
	}
	d, err := s.app.Risk(r.Context(), m.Principal, m.Org.Slug, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &riskPage{Page: s.page(r, m, d.Risk.Ref()+" · "+d.Risk.Asset), RiskDetail: *d, Members: members, Treatments: isms.Treatments(),
		Scale: []int{1, 2, 3, 4, 5}, Linked: map[int64]bool{}, Controls: strings.Join(d.Risk.Controls, ", ")}
	for _, p := range d.Risk.ProcessIDs {
		pg.Linked[p] = true
	}
	pg.Nav = "risks"
	s.render(w, r, "risk", pg)
}

func (s *Server) handleRisk(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.riskPage(w, r, m)
}

// riskResult redirects to the risk after a change, or shows the problem.
func (s *Server) riskResult(w http.ResponseWriter, r *http.Request, m *app.Member, err error, done string) {
	if err != nil {
		s.formError(w, r, m, err, s.handleRisk)
		return
	}
	s.flash(r, done)
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/risks/"+r.PathValue("id"), http.StatusSeeOther)
}

// handleRiskUpdate changes the risk's description, treatment and links.
func (s *Server) handleRiskUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "risk %q not found", r.PathValue("id")))
		return
	}
	_, err = s.app.UpdateRisk(r.Context(), m.Principal, m.Org.Slug, id, riskFields(r))
	s.riskResult(w, r, m, err, "Risk saved.")
}

// handleRiskReassess records a new likelihood and impact.
func (s *Server) handleRiskReassess(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "risk %q not found", r.PathValue("id")))
		return
	}
	l, _ := strconv.Atoi(r.PostFormValue("likelihood"))
	i, _ := strconv.Atoi(r.PostFormValue("impact"))
	_, err = s.app.ReassessRisk(r.Context(), m.Principal, m.Org.Slug, id, l, i, r.PostFormValue("note"))
	s.riskResult(w, r, m, err, "Reassessment recorded.")
}

// handleRiskIntervals changes the months between reassessments.
func (s *Server) handleRiskIntervals(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ri := isms.ReviewIntervals{}
	for _, l := range isms.RiskLevels() {
		ri[l], _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue(string(l))))
	}
	if err := s.app.SetReviewIntervals(r.Context(), m.Principal, m.Org.Slug, ri); err != nil {
		s.formError(w, r, m, err, s.handleRisks)
		return
	}
	s.flash(r, "Reassessment intervals saved; due dates moved accordingly.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/risks", http.StatusSeeOther)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

type processesPage struct {
	Page
	Processes []*isms.Process
	Templates []isms.ProcessTemplate
	// The filters as typed, the list's position and pages, and an invalid
	// filter's message.
	Filter  app.ProcessFilter
	Pager   pager
	Problem string
}

// handleProcesses shows one page of processes (50, highest priority
// first), filtered by part of the name and the owner's email.
func (s *Server) handleProcesses(w http.ResponseWriter, r *http.Request, m *app.Member) {
	q := r.URL.Query()
	f := app.ProcessFilter{Owner: strings.TrimSpace(q.Get("owner")), Query: q.Get("q"), Standard: q.Get("standard"), Page: app.Page{Limit: listPage, Offset: pageOffset(q), Count: true}}
	pg := &processesPage{Page: s.page(r, m, "Processes"), Templates: isms.ProcessTemplates(), Filter: f}
	status := http.StatusOK
	list, err := s.app.ProcessList(r.Context(), m.Principal, m.Org.Slug, f)
	switch {
	case isms.ErrorCode(err) == isms.EINVALID:
		status, pg.Problem = http.StatusUnprocessableEntity, s.errorMessage(r, err)
	case err != nil:
		s.pageError(w, r, err)
		return
	default:
		pg.Processes, pg.Pager = list.Items, pagerOf(q, list, "process", "processes")
	}
	pg.Nav = "processes"
	s.renderStatus(w, r, status, "processes", pg)
}

type processFormPage struct {
	Page
	Process  *isms.Process
	Members  []isms.Membership
	Metrics  []app.Metric
	Action   string
	Warnings []string
	// Issue 19: the standards checkboxes.
	StdOptions []StandardOption
}

func (s *Server) processForm(w http.ResponseWriter, r *http.Request, m *app.Member, proc *isms.Process) {
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	metrics, err := s.app.Metrics(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title, action := "New process", "/o/"+m.Org.Slug+"/processes"
	if proc.ID != 0 {
		title, action = "Edit "+proc.Name, "/o/"+m.Org.Slug+"/processes/"+strconv.FormatInt(proc.ID, 10)
	}
	pg := &processFormPage{Page: s.page(r, m, title), Process: proc, Members: members, Metrics: metrics, Action: action, Warnings: proc.Warnings(), StdOptions: standardOptions(proc.Standards)}
	pg.Nav = "processes"
	s.render(w, r, "process_form", pg)
}

// handleProcessNew shows the form, filled from ?template= when given.
func (s *Server) handleProcessNew(w http.ResponseWriter, r *http.Request, m *app.Member) {
	proc := &isms.Process{Impact: 3, Recurrence: 3, Risk: 3, OwnerID: m.UserID}
	if key := r.URL.Query().Get("template"); key != "" {
		t, err := app.ProcessFromTemplate(key, m.UserID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		proc = t
	}
	s.processForm(w, r, m, proc)
}

// processFromForm reads the process form.
func processFromForm(r *http.Request) *isms.Process {
	num := func(name string) int {
		n, _ := strconv.Atoi(r.PostFormValue(name))
		return n
	}
	owner, _ := strconv.ParseInt(r.PostFormValue("owner"), 10, 64)
	p := &isms.Process{Name: r.PostFormValue("name"), Purpose: r.PostFormValue("purpose"), OwnerID: owner,
		Trigger: r.PostFormValue("trigger"), Deadline: r.PostFormValue("deadline"), Steps: r.PostFormValue("steps"),
		Recorded: r.PostFormValue("recorded"), Template: r.PostFormValue("template"),
		Impact: num("impact"), Recurrence: num("recurrence"), Risk: num("risk")}
	if h, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("deadline_hours")), 64); err == nil {
		p.DeadlineHours = &h
	}
	_ = r.ParseForm()
	for _, k := range r.PostForm["metrics"] {
		if k = strings.TrimSpace(k); k != "" {
			p.Metrics = append(p.Metrics, k)
		}
	}
	// Issue 19: the standards checkboxes (none ticked: ISO/IEC 27001).
	if r.PostFormValue("standards_form") != "" {
		p.Standards = append([]string{}, r.PostForm["standards"]...)
	}
	return p
}

func (s *Server) handleProcessCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	proc := processFromForm(r)
	if err := s.app.CreateProcess(r.Context(), m.Principal, m.Org.Slug, proc); err != nil {
		s.formError(w, r, m, err, func(w http.ResponseWriter, r *http.Request, m *app.Member) {
			s.processForm(w, r, m, proc)
		})
		return
	}
	s.flash(r, "Process created.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/processes/"+strconv.FormatInt(proc.ID, 10), http.StatusSeeOther)
}

type processPage struct {
	Page
	Process *isms.Process
	Metrics []app.Metric
	Figures map[string]app.Figure
	Edit    bool
}

func (s *Server) handleProcess(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "process not found"))
		return
	}
	proc, err := s.app.Process(r.Context(), m.Principal, m.Org.Slug, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if r.URL.Query().Get("edit") != "" && m.Role.Can(isms.ActWriteRecords) {
		s.processForm(w, r, m, proc)
		return
	}
	figs, err := s.app.LatestFigures(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &processPage{Page: s.page(r, m, proc.Name), Process: proc, Figures: figs}
	pg.Standards = s.standardsBox(r, m, isms.TagProcess, strconv.FormatInt(proc.ID, 10))
	pg.Nav = "processes"
	s.render(w, r, "process", pg)
}

func (s *Server) handleProcessUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "process not found"))
		return
	}
	proc := processFromForm(r)
	proc.ID = id
	if err := s.app.UpdateProcess(r.Context(), m.Principal, m.Org.Slug, proc); err != nil {
		s.formError(w, r, m, err, func(w http.ResponseWriter, r *http.Request, m *app.Member) {
			s.processForm(w, r, m, proc)
		})
		return
	}
	s.flash(r, "Process saved.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/processes/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

type cyclesPage struct {
	Page
	Cycles    []*isms.Cycle
	Processes []*isms.Process
	Form      *isms.Cycle
	Chosen    map[int64]bool
	Focus     string
	Start     string
	End       string
}

func (s *Server) cyclesPage(w http.ResponseWriter, r *http.Request, m *app.Member, form *isms.Cycle) {
	ctx := r.Context()
	cycles, err := s.app.Cycles(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	procs, err := s.app.Processes(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	loc := s.zone(r, m)
	if form == nil {
		start := time.Now().In(loc)
		start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
		form = &isms.Cycle{Start: start, End: start.AddDate(0, 0, 89)}
	}
	pg := &cyclesPage{Page: s.page(r, m, "Improvement cycles"), Cycles: cycles, Processes: procs, Form: form, Chosen: map[int64]bool{},
		Focus: isms.FocusExplanation, Start: form.Start.In(loc).Format(time.DateOnly), End: form.End.In(loc).Format(time.DateOnly)}
	for _, id := range form.ProcessIDs {
		pg.Chosen[id] = true
	}
	pg.Nav = "cycles"
	s.render(w, r, "cycles", pg)
}

func (s *Server) handleCycles(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.cyclesPage(w, r, m, nil)
}

func (s *Server) handleCycleCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	loc := s.zone(r, m)
	c := &isms.Cycle{Name: r.PostFormValue("name"), Goals: r.PostFormValue("goals"), LengthReason: r.PostFormValue("length_reason"), FocusReason: r.PostFormValue("focus_reason")}
	c.Start, _ = time.ParseInLocation(time.DateOnly, r.PostFormValue("start"), loc)
	c.End, _ = time.ParseInLocation(time.DateOnly, r.PostFormValue("end"), loc)
	_ = r.ParseForm()
	for _, v := range r.PostForm["process"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			c.ProcessIDs = append(c.ProcessIDs, id)
		}
	}
	if err := s.app.CreateCycle(r.Context(), m.Principal, m.Org.Slug, c); err != nil {
		s.formError(w, r, m, err, func(w http.ResponseWriter, r *http.Request, m *app.Member) {
			s.cyclesPage(w, r, m, c)
		})
		return
	}
	s.flash(r, "Cycle started.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/cycles/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

type cyclePage struct {
	Page
	View     *app.CycleView
	Targets  map[string]string
	Names    map[string]string
	Warnings []string
	Days     int
}

func (s *Server) handleCycle(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "cycle not found"))
		return
	}
	v, err := s.app.Cycle(r.Context(), m.Principal, m.Org.Slug, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	metrics, err := s.app.Metrics(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &cyclePage{Page: s.page(r, m, v.Cycle.Name), View: v, Targets: map[string]string{}, Names: map[string]string{}, Warnings: v.Cycle.Warnings(), Days: v.Cycle.Days()}
	for _, md := range metrics {
		pg.Targets[md.Key], pg.Names[md.Key] = targetText(md.Rule, md.Unit), md.Name
	}
	pg.Nav = "cycles"
	s.render(w, r, "cycle", pg)
}

func init() {
	funcs["hasKey"] = func(m map[int64]bool, k int64) bool { return m[k] }
}

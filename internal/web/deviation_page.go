package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// deviationPage is the deviation as a stepper: where it stands (W, from
// the domain's workflow, which the app enforces too), the current step's
// form, the finished steps' content.
type deviationPage struct {
	Page
	D          *app.DeviationView
	W          isms.Workflow
	Members    []isms.Membership
	Now        time.Time
	Categories []string
	Whys       []whySlot
	// ShowReason is false when "why opened" only repeats the description.
	ShowReason bool
	// ActionDue prefills the deadline of a new action; CheckNote the
	// evidence of the check, from the figures.
	ActionDue, CheckNote string
}

// whySlot is one of the five whys of the root cause form, numbered from 1.
type whySlot struct {
	N     int
	Value string
}

func (s *Server) deviationPage(w http.ResponseWriter, r *http.Request, m *app.Member) {
	d, err := s.app.Deviation(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// The member list fills the owner pickers, shown only to who may write.
	var ms []isms.Membership
	if m.Role.Can(isms.ActWriteRecords) {
		if ms, err = s.app.Members(r.Context(), m.Principal, m.Org.Slug); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	now := s.app.DB.Now().UTC()
	pg := &deviationPage{Page: s.page(r, m, d.Ref+" "+d.Title), D: d, W: d.Workflow(now), Members: ms, Now: now,
		Categories: isms.CauseCategories, ShowReason: saysMore(d.OpenedReason, d.Description)}
	for i := range 5 {
		v := ""
		if i < len(d.Whys) {
			v = d.Whys[i]
		}
		pg.Whys = append(pg.Whys, whySlot{N: i + 1, Value: v})
	}
	due := now.AddDate(0, 0, 30)
	if d.DueAt != nil && d.DueAt.After(now) {
		due = *d.DueAt
	}
	pg.ActionDue = due.In(pg.Zone).Format(time.DateOnly)
	pg.CheckNote = checkNote(d)
	pg.Nav = "deviations"
	pg.Standards = s.standardsBox(r, m, isms.TagDeviation, strconv.FormatInt(d.ID, 10))
	s.render(w, r, "deviation", pg)
}

// saysMore reports whether reason says something the description does
// not: automatic deviations are described by the reason they were opened.
func saysMore(reason, description string) bool {
	reason = strings.TrimSpace(reason)
	return reason != "" && !strings.Contains(strings.TrimSpace(description), reason)
}

// checkNote proposes the evidence of an effectiveness check from the
// figures it compares, once they propose a verdict.
func checkNote(d *app.DeviationView) string {
	ev := d.Evidence
	if ev.Proposed == "" || ev.Before == nil || ev.After == nil {
		return ""
	}
	fig := func(m *store.Measurement) string {
		v := "no data"
		if m.Value != nil {
			v = strconv.FormatFloat(measure.Round2(*m.Value), 'f', -1, 64) + " " + m.Unit
		}
		return fmt.Sprintf("%s in %s (%s)", m.Status, m.Period, strings.TrimSpace(v))
	}
	name := d.MetricName
	if name == "" {
		name = d.MetricKey
	}
	return fmt.Sprintf("%s was %s when the deviation was detected and is %s after the corrective actions.", name, fig(ev.Before), fig(ev.After))
}

func (s *Server) handleDeviation(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.deviationPage(w, r, m)
}

// deviationDone redirects to the step the deviation is at after a
// change; after the facts of a step (advance), it first moves the
// deviation on as far as they allow, so the page comes back at the next
// step. An invalid or conflicting change shows the page again with the
// problem.
func (s *Server) deviationDone(w http.ResponseWriter, r *http.Request, m *app.Member, d *isms.Deviation, err error, advance bool, msg string) {
	if err == nil && advance {
		d, err = s.app.AdvanceDeviation(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	}
	if err != nil {
		s.formError(w, r, m, err, s.handleDeviation)
		return
	}
	s.flash(r, msg)
	step := d.Workflow(s.app.DB.Now()).Step
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/deviations/"+r.PathValue("id")+"#step-"+string(step), http.StatusSeeOther)
}

// handleDeviationTransition returns the handler of one workflow step.
func (s *Server) handleDeviationTransition(name string) func(http.ResponseWriter, *http.Request, *app.Member) {
	return func(w http.ResponseWriter, r *http.Request, m *app.Member) {
		t, _ := isms.LookupTransition(name)
		d, err := s.app.Transition(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), name, r.PostFormValue("reason"))
		msg := ""
		if err == nil {
			msg = d.Ref + " is now " + isms.DeviationStatusName(d.Status) + "."
		}
		s.deviationDone(w, r, m, d, err, t.Forward, msg)
	}
}

func (s *Server) handleDeviationAssign(w http.ResponseWriter, r *http.Request, m *app.Member) {
	var due *time.Time
	if d := readDate(r.PostFormValue("due"), s.zone(r, m)); !d.IsZero() {
		due = &d
	}
	d, err := s.app.AssignDeviation(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("owner"), due)
	s.deviationDone(w, r, m, d, err, false, "Owner and due date saved.")
}

func (s *Server) handleDeviationCorrection(w http.ResponseWriter, r *http.Request, m *app.Member) {
	d, err := s.app.RecordCorrection(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("correction"))
	s.deviationDone(w, r, m, d, err, true, "Correction recorded.")
}

func (s *Server) handleDeviationRootCause(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	d, err := s.app.RecordRootCause(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostForm["why"], r.PostFormValue("cause"), r.PostFormValue("category"))
	s.deviationDone(w, r, m, d, err, true, "Root cause recorded.")
}

func (s *Server) handleDeviationAction(w http.ResponseWriter, r *http.Request, m *app.Member) {
	in := app.ActionInput{Title: r.PostFormValue("title"), OwnerEmail: r.PostFormValue("owner"), DueAt: readDate(r.PostFormValue("due"), s.zone(r, m))}
	d, err := s.app.AddCorrectiveAction(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), in)
	s.deviationDone(w, r, m, d, err, true, "Corrective action added.")
}

func (s *Server) handleDeviationActionDone(w http.ResponseWriter, r *http.Request, m *app.Member) {
	r.Body = http.MaxBytesReader(w, r.Body, app.MaxEvidenceFile+1<<20)
	var file *store.EvidenceFile
	f, hdr, err := r.FormFile("file")
	switch {
	case err == http.ErrMissingFile || err == http.ErrNotMultipart:
	case err != nil:
		s.deviationDone(w, r, m, nil, isms.Errorf(isms.EINVALID, "evidence file: the upload failed or is larger than 5 MB"), false, "")
		return
	default:
		b, err := io.ReadAll(io.LimitReader(f, app.MaxEvidenceFile+1))
		_ = f.Close()
		if err != nil {
			s.deviationDone(w, r, m, nil, isms.Errorf(isms.EINVALID, "evidence file: the upload failed or is larger than 5 MB"), false, "")
			return
		}
		file = &store.EvidenceFile{Name: hdr.Filename, Content: b}
	}
	d, err := s.app.CompleteAction(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), pathID(r, "aid"), r.PostFormValue("evidence"), file, time.Time{})
	s.deviationDone(w, r, m, d, err, true, "Corrective action done.")
}

func (s *Server) handleDeviationCheck(w http.ResponseWriter, r *http.Request, m *app.Member) {
	d, err := s.app.RecordCheck(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("verdict"), r.PostFormValue("note"))
	msg := ""
	if err == nil {
		msg = "Effectiveness check recorded: " + d.Ref + " is now " + isms.DeviationStatusName(d.Status) + "."
	}
	s.deviationDone(w, r, m, d, err, false, msg)
}

package web

import (
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
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
}

// deviationsPerPage is how many deviations the register shows at once.
const deviationsPerPage = 50

func (s *Server) handleDeviations(w http.ResponseWriter, r *http.Request, m *app.Member) {
	status := r.URL.Query().Get("status")
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(0, offset)
	ds, total, err := s.app.DeviationList(r.Context(), m.Principal, m.Org.Slug, status, deviationsPerPage, offset)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	days, err := s.app.CheckAfterDays(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &deviationsPage{Page: s.page(r, m, "Deviations"), Deviations: ds, Status: status,
		Statuses: isms.DeviationStatuses(), Now: s.app.DB.Now().UTC(), CheckDays: days, Total: total, Offset: offset}
	page := func(o int) string {
		q := url.Values{"offset": {strconv.Itoa(o)}}
		if status != "" {
			q.Set("status", status)
		}
		return "?" + q.Encode()
	}
	if offset > 0 {
		pg.Prev = page(max(0, offset-deviationsPerPage))
	}
	if offset+deviationsPerPage < total {
		pg.Next = page(offset + deviationsPerPage)
	}
	pg.Nav = "deviations"
	s.render(w, r, "deviations", pg)
}

// handleDeviationSettings sets the days before the effectiveness check.
func (s *Server) handleDeviationSettings(w http.ResponseWriter, r *http.Request, m *app.Member) {
	days, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err := s.app.SetCheckAfterDays(r.Context(), m.Principal, m.Org.Slug, days); err != nil {
		s.pageError(w, r, err)
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

func (s *Server) deviationNewPage(w http.ResponseWriter, r *http.Request, m *app.Member, status int, problem string) {
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
	pg.Nav, pg.Error = "deviations", problem
	s.renderStatus(w, r, status, "deviation_new", pg)
}

func (s *Server) handleDeviationNew(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.deviationNewPage(w, r, m, http.StatusOK, "")
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
		if isms.ErrorCode(err) == isms.EINVALID {
			s.deviationNewPage(w, r, m, http.StatusUnprocessableEntity, s.errorMessage(r, err))
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(r, d.Ref+" opened.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/deviations/"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

type deviationPage struct {
	Page
	D          *app.DeviationView
	Members    []isms.Membership
	Now        time.Time
	Categories []string
	Whys       []int
	CheckDue   bool
}

func (s *Server) deviationPage(w http.ResponseWriter, r *http.Request, m *app.Member, status int, problem string) {
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
	pg := &deviationPage{Page: s.page(r, m, d.Ref+" "+d.Title), D: d, Members: ms, Now: now, Categories: isms.CauseCategories,
		Whys: []int{0, 1, 2, 3, 4}, CheckDue: d.Status == isms.DevVerifying && (d.CheckDueAt == nil || !d.CheckDueAt.After(now))}
	pg.Nav, pg.Error = "deviations", problem
	s.renderStatus(w, r, status, "deviation", pg)
}

func (s *Server) handleDeviation(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.deviationPage(w, r, m, http.StatusOK, "")
}

// deviationDone redirects to the deviation after a change, or shows the
// page again with the problem for an invalid or conflicting one.
func (s *Server) deviationDone(w http.ResponseWriter, r *http.Request, m *app.Member, err error, msg string) {
	if err != nil {
		switch isms.ErrorCode(err) {
		case isms.EINVALID, isms.ECONFLICT:
			s.deviationPage(w, r, m, ErrorStatus(err), s.errorMessage(r, err))
		default:
			s.pageError(w, r, err)
		}
		return
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/deviations/"+r.PathValue("id"), http.StatusSeeOther)
}

// handleDeviationTransition returns the handler of one workflow step.
func (s *Server) handleDeviationTransition(name string) func(http.ResponseWriter, *http.Request, *app.Member) {
	return func(w http.ResponseWriter, r *http.Request, m *app.Member) {
		d, err := s.app.Transition(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), name, r.PostFormValue("reason"))
		msg := ""
		if err == nil {
			msg = d.Ref + " is now " + isms.Lower(string(d.Status)) + "."
		}
		s.deviationDone(w, r, m, err, msg)
	}
}

func (s *Server) handleDeviationAssign(w http.ResponseWriter, r *http.Request, m *app.Member) {
	var due *time.Time
	if d := readDate(r.PostFormValue("due"), s.zone(r, m)); !d.IsZero() {
		due = &d
	}
	_, err := s.app.AssignDeviation(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("owner"), due)
	s.deviationDone(w, r, m, err, "Owner and due date saved.")
}

func (s *Server) handleDeviationCorrection(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_, err := s.app.RecordCorrection(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("correction"))
	s.deviationDone(w, r, m, err, "Correction recorded.")
}

func (s *Server) handleDeviationRootCause(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	_, err := s.app.RecordRootCause(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostForm["why"], r.PostFormValue("cause"), r.PostFormValue("category"))
	s.deviationDone(w, r, m, err, "Root cause recorded.")
}

func (s *Server) handleDeviationAction(w http.ResponseWriter, r *http.Request, m *app.Member) {
	in := app.ActionInput{Title: r.PostFormValue("title"), OwnerEmail: r.PostFormValue("owner"), DueAt: readDate(r.PostFormValue("due"), s.zone(r, m))}
	_, err := s.app.AddCorrectiveAction(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), in)
	s.deviationDone(w, r, m, err, "Corrective action added.")
}

func (s *Server) handleDeviationActionDone(w http.ResponseWriter, r *http.Request, m *app.Member) {
	r.Body = http.MaxBytesReader(w, r.Body, app.MaxEvidenceFile+1<<20)
	var file *store.EvidenceFile
	f, hdr, err := r.FormFile("file")
	switch {
	case err == http.ErrMissingFile || err == http.ErrNotMultipart:
	case err != nil:
		s.deviationDone(w, r, m, isms.Errorf(isms.EINVALID, "evidence file: the upload failed or is larger than 5 MB"), "")
		return
	default:
		b, err := io.ReadAll(io.LimitReader(f, app.MaxEvidenceFile+1))
		_ = f.Close()
		if err != nil {
			s.deviationDone(w, r, m, isms.Errorf(isms.EINVALID, "evidence file: the upload failed or is larger than 5 MB"), "")
			return
		}
		file = &store.EvidenceFile{Name: hdr.Filename, Content: b}
	}
	_, err = s.app.CompleteAction(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), pathID(r, "aid"), r.PostFormValue("evidence"), file, time.Time{})
	s.deviationDone(w, r, m, err, "Corrective action done.")
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

func (s *Server) handleDeviationCheck(w http.ResponseWriter, r *http.Request, m *app.Member) {
	d, err := s.app.RecordCheck(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), r.PostFormValue("verdict"), r.PostFormValue("note"))
	msg := ""
	if err == nil {
		msg = "Effectiveness check recorded: " + d.Ref + " is now " + isms.Lower(string(d.Status)) + "."
	}
	s.deviationDone(w, r, m, err, msg)
}

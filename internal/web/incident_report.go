package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Reporting a suspected incident (issue 15): a short form for every
// member, and, when an admin enabled it, for anyone with the
// organisation's public link (/report/{token}), which shows nothing of
// the organisation but its name.

type reportForm struct {
	What, Noticed, Severity, Contact, Name string
}

type incidentReportPage struct {
	Page
	OrgName string
	Action  string
	Public  bool
	Form    reportForm
	Errors  map[string]string
	Levels  []string
	MaxWhat int
	Receipt *app.ReportReceipt
}

func (s *Server) reportPage(r *http.Request, m *app.Member, title, orgName, action string, public bool) *incidentReportPage {
	pg := &incidentReportPage{Page: s.page(r, m, title), OrgName: orgName, Action: action, Public: public,
		Errors: map[string]string{}, Levels: []string{"critical", "high", "medium", "low"}, MaxWhat: app.MaxReportWhat}
	pg.Nav = "report"
	return pg
}

// readReport reads the form; times without an offset in loc.
func readReport(r *http.Request, loc *time.Location, pg *incidentReportPage) app.IncidentReport {
	pg.Form = reportForm{What: r.PostFormValue("what"), Noticed: r.PostFormValue("noticed"), Severity: r.PostFormValue("severity"),
		Contact: r.PostFormValue("contact"), Name: r.PostFormValue("name")}
	in := app.IncidentReport{What: pg.Form.What, Severity: pg.Form.Severity, Contact: pg.Form.Contact, Name: pg.Form.Name}
	if v := strings.TrimSpace(pg.Form.Noticed); v != "" {
		if len(v) == len(datetimeLocal) && v[10] == 'T' {
			v = v[:10] + " " + v[11:]
		}
		t, err := importer.ParseTime(v, loc)
		if err != nil {
			pg.Errors["noticed_at"] = err.Error()
		} else {
			in.NoticedAt = &t
		}
	}
	return in
}

// reportProblem fills the page from a failed report and returns the
// status to answer with.
func (s *Server) reportProblem(r *http.Request, pg *incidentReportPage, err error) int {
	var fe *app.FieldErrors
	if errors.As(err, &fe) {
		for f, why := range fe.Fields {
			pg.Errors[f] = why
		}
		pg.Error = "The report was not sent: fix what is marked below."
		return http.StatusUnprocessableEntity
	}
	pg.Error = s.errorMessage(r, err)
	return ErrorStatus(err)
}

func (s *Server) handleReportForm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := s.reportPage(r, m, "Report an incident", m.Org.Name, "/o/"+m.Org.Slug+"/report", false)
	pg.Form.Noticed = time.Now().In(pg.Zone).Format(datetimeLocal)
	if pg.User != nil {
		pg.Form.Contact = pg.User.Email
	}
	s.render(w, r, "incident_report", pg)
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := s.reportPage(r, m, "Report an incident", m.Org.Name, "/o/"+m.Org.Slug+"/report", false)
	in := readReport(r, pg.Zone, pg)
	if len(pg.Errors) > 0 {
		pg.Error = "The report was not sent: fix what is marked below."
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "incident_report", pg)
		return
	}
	rc, err := s.app.ReportIncident(r.Context(), m.Principal, m.Org.Slug, in)
	if err != nil {
		s.renderStatus(w, r, s.reportProblem(r, pg, err), "incident_report", pg)
		return
	}
	b, _ := json.Marshal(rc) // strings, numbers and a time always marshal
	s.sessions.Put(r.Context(), reportReceiptKey, m.Org.Slug+"\x00"+string(b))
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/report/done", http.StatusSeeOther)
}

// reportReceiptKey holds, in the reporter's session, the receipt of
// their last report: the page after the post shows it, and reloading it
// sends nothing twice.
const reportReceiptKey = "report:receipt"

// handleReported shows the reporter what happens next.
func (s *Server) handleReported(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := s.reportPage(r, m, "What happens next", m.Org.Name, "", false)
	if slug, b, ok := strings.Cut(s.sessions.GetString(r.Context(), reportReceiptKey), "\x00"); ok && slug == m.Org.Slug {
		var rc app.ReportReceipt
		if json.Unmarshal([]byte(b), &rc) == nil {
			pg.Title, pg.Receipt = "Incident reported: "+rc.Ref, &rc
		}
	}
	s.render(w, r, "incident_reported", pg)
}

// publicReportOrg resolves the link's organisation, or answers 404.
func (s *Server) publicReportOrg(w http.ResponseWriter, r *http.Request) (*isms.Organization, bool) {
	o, err := s.app.ReportLinkOrg(r.Context(), r.PathValue("token"))
	if err != nil {
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			err = isms.Errorf(isms.ENOTFOUND, "this report link does not work (any more); ask the organisation for its current link, or tell your contact there directly")
		}
		s.pageError(w, r, err)
		return nil, false
	}
	return o, true
}

func (s *Server) handlePublicReportForm(w http.ResponseWriter, r *http.Request) {
	o, ok := s.publicReportOrg(w, r)
	if !ok {
		return
	}
	pg := s.reportPage(r, nil, "Report an incident to "+o.Name, o.Name, r.URL.Path, true)
	pg.Zone = o.Location()
	pg.Form.Noticed = time.Now().In(pg.Zone).Format(datetimeLocal)
	s.render(w, r, "incident_report", pg)
}

func (s *Server) handlePublicReport(w http.ResponseWriter, r *http.Request) {
	o, ok := s.publicReportOrg(w, r)
	if !ok {
		return
	}
	pg := s.reportPage(r, nil, "Report an incident to "+o.Name, o.Name, r.URL.Path, true)
	pg.Zone = o.Location()
	in := readReport(r, pg.Zone, pg)
	if len(pg.Errors) > 0 {
		pg.Error = "The report was not sent: fix what is marked below."
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "incident_report", pg)
		return
	}
	rc, err := s.app.ReportIncidentByLink(r.Context(), r.PathValue("token"), clientAddress(r), in)
	if err != nil {
		setRetryAfter(w, err)
		s.renderStatus(w, r, s.reportProblem(r, pg, err), "incident_report", pg)
		return
	}
	// Who was told is the organisation's business: the public page says
	// only that its incident owner was.
	rc.Told, rc.Process = nil, ""
	pg.Title, pg.Receipt = "Incident reported: "+rc.Ref, rc
	s.render(w, r, "incident_reported", pg)
}

type reportLinkPage struct {
	Page
	Link *store.ReportLink
	// NewLink is the link just made, shown once (only its hash is kept).
	NewLink string
	// Confirm asks before rotating an enabled link.
	Confirm bool
}

func (s *Server) renderReportLink(w http.ResponseWriter, r *http.Request, m *app.Member, newLink string, confirm bool) {
	l, err := s.app.ReportLinkState(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &reportLinkPage{Page: s.page(r, m, "Public incident report link"), Link: l, NewLink: newLink, Confirm: confirm && l != nil}
	pg.Nav = "security"
	s.render(w, r, "report_link", pg)
}

func (s *Server) handleReportLink(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.renderReportLink(w, r, m, "", r.URL.Query().Get("rotate") != "")
}

// handleReportLinkRotate enables the link, or rotates it after the admin
// confirmed that the old one stops working.
func (s *Server) handleReportLinkRotate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	l, err := s.app.ReportLinkState(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if l != nil && r.PostFormValue("confirm") != "rotate" {
		s.renderReportLink(w, r, m, "", true)
		return
	}
	token, err := s.app.RotateReportLink(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderReportLink(w, r, m, s.absoluteURL(r, "/report/"+token), false)
}

func (s *Server) handleReportLinkDisable(w http.ResponseWriter, r *http.Request, m *app.Member) {
	if err := s.app.DisableReportLink(r.Context(), m.Principal, m.Org.Slug); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "The public report link is off: it no longer works.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/report-link", http.StatusSeeOther)
}

// absoluteURL is path at the address people reach pdca at: serve
// --public-url when set, else the request's own host.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	if pub := strings.TrimRight(s.app.PublicURL, "/"); pub != "" {
		return pub + path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

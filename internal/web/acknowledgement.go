package web

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Acknowledgement of policies (issue 18, item 3; docs/acknowledgements.md).

func init() {
	funcs["ackStates"] = func() []string { return []string{isms.AckOpen, isms.AckOverdue, isms.AckDone, "withdrawn"} }
}

// acksPage is a list of acknowledgement requests: the caller's own, or
// (Register) everyone's.
type acksPage struct {
	Page
	Register bool
	Rows     []ackRowView
	State    string
	Query    string
	Active   bool
	Pager    pager
	Problem  string
}

func (s *Server) acksPage(w http.ResponseWriter, r *http.Request, m *app.Member, register bool) {
	q := r.URL.Query()
	f := store.AckFilter{State: q.Get("status"), PageSpec: store.PageSpec{Limit: listPage, Offset: pageOffset(q), Count: true}}
	title := "Policies to read and acknowledge"
	if register {
		f.Query, title = q.Get("q"), "Acknowledgement register"
	} else {
		f.UserID = m.UserID
	}
	pg := &acksPage{Page: s.page(r, m, title), Register: register, State: f.State, Query: f.Query, Active: f.State != "" || f.Query != ""}
	pg.Nav = "acknowledgements"
	status := http.StatusOK
	list, err := s.app.Acknowledgements(r.Context(), m.Principal, m.Org.Slug, f)
	switch {
	case isms.ErrorCode(err) == isms.EINVALID:
		status, pg.Problem = http.StatusUnprocessableEntity, s.errorMessage(r, err)
	case err != nil:
		s.pageError(w, r, err)
		return
	default:
		pg.Pager = pagerOf(q, list, "request")
		now := time.Now()
		for _, row := range list.Items {
			pg.Rows = append(pg.Rows, ackRowView{AckRow: row, State: row.State(now)})
		}
	}
	s.renderStatus(w, r, status, "acknowledgements", pg)
}

// handleAcknowledgements lists what the caller must read and acknowledge
// (every member).
func (s *Server) handleAcknowledgements(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.acksPage(w, r, m, false)
}

// handleAckRegister is the register of every request (those who read the
// audit trail), filtered and paged in SQL.
func (s *Server) handleAckRegister(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.acksPage(w, r, m, true)
}

// ackRowView is a request with its state as the page is shown.
type ackRowView struct {
	store.AckRow
	State string
}

type ackVersionPage struct {
	Page
	View *app.AckView
	// Replaced: a later major version was approved since.
	Replaced bool
}

// handleAckVersion shows a published version (its Markdown, safely
// rendered, or its file to download) with the button that acknowledges
// it when the caller was asked to.
func (s *Server) handleAckVersion(w http.ResponseWriter, r *http.Request, m *app.Member) {
	v, err := s.app.AcknowledgementVersion(r.Context(), m.Principal, m.Org.Slug, pathID(r, "vid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &ackVersionPage{Page: s.page(r, m, fmt.Sprintf("%s %s, version %d.%d", v.Version.Ref, v.Version.Title, v.Version.Major, v.Version.Minor)), View: v,
		Replaced: v.Current != nil && v.Current.Major > v.Version.Major}
	pg.Nav = "acknowledgements"
	s.render(w, r, "acknowledgement", pg)
}

// handleAckVersionFile sends a published version's attached file.
func (s *Server) handleAckVersionFile(w http.ResponseWriter, r *http.Request, m *app.Member) {
	name, typ, data, err := s.app.AcknowledgementFile(r.Context(), m.Principal, m.Org.Slug, pathID(r, "vid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if typ == "" || strings.ContainsAny(typ, "\r\n") {
		typ = "application/octet-stream"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// handleAcknowledge records that the caller read and acknowledges the
// version.
func (s *Server) handleAcknowledge(w http.ResponseWriter, r *http.Request, m *app.Member) {
	row, err := s.app.AcknowledgeDocumentVersion(r.Context(), m.Principal, m.Org.Slug, pathID(r, "vid"))
	if err != nil {
		s.formError(w, r, m, err, s.handleAckVersion)
		return
	}
	s.flash(r, fmt.Sprintf("Recorded: you acknowledged %s version %d.%d (SHA-256 %s…).", row.Ref, row.Major, row.Minor, row.SHA256[:min(12, len(row.SHA256))]))
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/acknowledgements", http.StatusSeeOther)
}

type publishPage struct {
	Page
	DocumentID int64
	Info       *app.PublishInfo
	Roles      []isms.Role
}

// handlePublishForm shows the form that publishes a document's approved
// version to an audience.
func (s *Server) handlePublishForm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id := pathID(r, "id")
	info, err := s.app.DocumentPublishInfo(r.Context(), m.Principal, m.Org.Slug, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title := "Publish a document"
	if len(info.Versions) > 0 {
		title = "Publish " + info.Versions[0].Ref + " " + info.Versions[0].Title
	}
	pg := &publishPage{Page: s.page(r, m, title), DocumentID: id, Info: info, Roles: isms.Roles()}
	pg.Nav = "acknowledgements"
	s.render(w, r, "document_publish", pg)
}

// handlePublish publishes the document's approved version to the audience
// chosen on the form.
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	in := app.PublishInput{Audience: isms.Audience{Kind: r.PostFormValue("audience")}}
	if v := r.PostFormValue("version_id"); v != "" {
		in.VersionID, _ = strconv.ParseInt(v, 10, 64)
	}
	for _, role := range r.PostForm["roles"] {
		in.Audience.Roles = append(in.Audience.Roles, isms.Role(role))
	}
	for _, p := range r.PostForm["people"] {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			in.Audience.People = append(in.Audience.People, id)
		}
	}
	res, err := s.app.PublishDocumentVersion(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), in)
	if err != nil {
		s.formError(w, r, m, err, s.handlePublishForm)
		return
	}
	s.flash(r, fmt.Sprintf("Version %d.%d published: %d asked to acknowledge it, %d open requests moved to it, %d withdrawn.",
		res.Version.Major, res.Version.Minor, res.Asked, res.Moved, res.Withdrawn))
	dest := "/o/" + m.Org.Slug + "/acknowledgements"
	if m.Role.Can(isms.ActReadAudit) {
		dest += "/register"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

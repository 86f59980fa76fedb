package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The register of documented information (issue 18): docs/documents.md.

func init() {
	funcs["documentKinds"] = isms.DocumentKinds
	funcs["classifications"] = isms.Classifications
	funcs["documentLinkKinds"] = isms.DocumentLinkKinds
}

type documentsPage struct {
	Page
	Documents []*isms.Document
	Members   []isms.Membership
	Kind      string
	Status    string
	Owner     int64
	Overdue   bool
	Filtered  bool
	Pager     pager
	Problem   string
	Now       time.Time
}

// handleDocuments shows one page of the register (50, by reference),
// filtered by kind, status, owner and overdue review.
func (s *Server) handleDocuments(w http.ResponseWriter, r *http.Request, m *app.Member) {
	q := r.URL.Query()
	owner, _ := strconv.ParseInt(q.Get("owner"), 10, 64)
	f := store.DocumentFilter{Kind: isms.DocumentKind(q.Get("kind")), Status: q.Get("status"), OwnerID: owner, Overdue: q.Get("overdue") != "",
		Limit: listPage, Offset: pageOffset(q)}
	pg := &documentsPage{Page: s.page(r, m, "Documents"), Kind: q.Get("kind"), Status: f.Status, Owner: owner, Overdue: f.Overdue,
		Filtered: f.Kind != "" || f.Status != "" || owner != 0 || f.Overdue, Now: s.app.DB.Now().UTC()}
	pg.Nav = "documents"
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Members = members
	status := http.StatusOK
	docs, total, err := s.app.Documents(r.Context(), m.Principal, m.Org.Slug, f)
	switch {
	case isms.ErrorCode(err) == isms.EINVALID:
		status, pg.Problem = http.StatusUnprocessableEntity, s.errorMessage(r, err)
	case err != nil:
		s.pageError(w, r, err)
		return
	default:
		pg.Documents = docs
		pg.Pager = pagerOf(q, &store.Page[*isms.Document]{Items: docs, Total: total, Offset: f.Offset, Limit: listPage,
			More: f.Offset+len(docs) < total}, "document", "documents")
	}
	s.renderStatus(w, r, status, "documents", pg)
}

type documentFormPage struct {
	Page
	Doc     *isms.Document
	Members []isms.Membership
	Action  string
}

func (s *Server) documentForm(w http.ResponseWriter, r *http.Request, m *app.Member, d *isms.Document) {
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title, action := "New document", "/o/"+m.Org.Slug+"/documents"
	if d.ID != 0 {
		title, action = "Edit "+d.Ref, "/o/"+m.Org.Slug+"/documents/"+strconv.FormatInt(d.ID, 10)
	}
	pg := &documentFormPage{Page: s.page(r, m, title), Doc: d, Members: members, Action: action}
	pg.Nav = "documents"
	s.render(w, r, "document_form", pg)
}

func (s *Server) handleDocumentNew(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.documentForm(w, r, m, &isms.Document{Kind: isms.DocPolicy, Classification: isms.ClassInternal, OwnerID: m.UserID,
		ApproverRole: isms.RoleManagement, ReviewMonths: isms.DefaultReviewMths})
}

// documentFromForm reads the document form.
func documentFromForm(r *http.Request) *isms.Document {
	owner, _ := strconv.ParseInt(r.PostFormValue("owner"), 10, 64)
	months, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("review_months")))
	d := &isms.Document{Ref: r.PostFormValue("ref"), Title: r.PostFormValue("title"), Kind: isms.DocumentKind(r.PostFormValue("kind")),
		Classification: isms.Classification(r.PostFormValue("classification")), OwnerID: owner,
		ApproverRole: isms.Role(r.PostFormValue("approver_role")), ReviewMonths: months}
	for _, v := range r.PostForm["approvers"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			d.Approvers = append(d.Approvers, id)
		}
	}
	return d
}

func (s *Server) handleDocumentCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	d := documentFromForm(r)
	if err := s.app.CreateDocument(r.Context(), m.Principal, m.Org.Slug, d); err != nil {
		s.formError(w, r, m, err, func(w http.ResponseWriter, r *http.Request, m *app.Member) { s.documentForm(w, r, m, d) })
		return
	}
	s.flash(r, d.Ref+" added to the register. Write its first draft.")
	http.Redirect(w, r, documentPath(m, d.ID)+"/draft", http.StatusSeeOther)
}

func documentPath(m *app.Member, id int64) string {
	return "/o/" + m.Org.Slug + "/documents/" + strconv.FormatInt(id, 10)
}

type documentPage struct {
	Page
	*app.DocumentView
}

func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request, m *app.Member) {
	v, err := s.app.Document(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if r.URL.Query().Get("edit") != "" && m.Role.Can(isms.ActWriteRecords) && v.Doc.RetiredAt == nil {
		s.documentForm(w, r, m, v.Doc)
		return
	}
	pg := &documentPage{Page: s.page(r, m, v.Doc.Ref+" "+v.Doc.Title), DocumentView: v}
	pg.Standards = s.standardsBox(r, m, isms.TagDocument, strconv.FormatInt(v.Doc.ID, 10))
	pg.Nav = "documents"
	s.render(w, r, "document", pg)
}

func (s *Server) handleDocumentUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	d := documentFromForm(r)
	d.ID = pathID(r, "id")
	if err := s.app.UpdateDocument(r.Context(), m.Principal, m.Org.Slug, d); err != nil {
		s.formError(w, r, m, err, func(w http.ResponseWriter, r *http.Request, m *app.Member) { s.documentForm(w, r, m, d) })
		return
	}
	s.flash(r, d.Ref+" saved.")
	http.Redirect(w, r, documentPath(m, d.ID), http.StatusSeeOther)
}

type documentDraftPage struct {
	Page
	*app.DocumentView
	Body   string
	MaxMiB int
}

// handleDocumentDraftForm shows the forms to write the draft in Markdown
// or attach a file; the open draft's text fills the editor, else the
// approved version's.
func (s *Server) handleDocumentDraftForm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	v, err := s.app.Document(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &documentDraftPage{Page: s.page(r, m, "Draft of "+v.Doc.Ref), DocumentView: v, MaxMiB: isms.MaxDocumentFile >> 20}
	switch {
	case v.Open != nil:
		pg.Body = v.Open.Body
	case v.Current != nil:
		pg.Body = v.Current.Body
	}
	pg.Nav = "documents"
	s.render(w, r, "document_draft", pg)
}

func draftInput(r *http.Request) app.DraftInput {
	action, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("action_id")), 10, 64)
	return app.DraftInput{Body: r.PostFormValue("body"), Major: r.PostFormValue("major") == "1", ChangeNote: r.PostFormValue("change_note"), ActionID: action}
}

func (s *Server) handleDocumentDraft(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.saveDraft(w, r, m, draftInput(r))
}

// handleDocumentFileUpload attaches a PDF, DOCX or XLSX file as the draft.
func (s *Server) handleDocumentFileUpload(w http.ResponseWriter, r *http.Request, m *app.Member) {
	in := draftInput(r)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "file: choose a PDF, DOCX or XLSX file to attach"), s.handleDocumentDraftForm)
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, isms.MaxDocumentFile+1))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	in.File, in.FileName = b, hdr.Filename
	s.saveDraft(w, r, m, in)
}

func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request, m *app.Member, in app.DraftInput) {
	v, err := s.app.PutDocumentDraft(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), in)
	if err != nil {
		s.formError(w, r, m, err, s.handleDocumentDraftForm)
		return
	}
	s.flash(r, "Draft "+v.Number()+" saved. Submit it for approval when it is ready.")
	http.Redirect(w, r, documentPath(m, v.DocumentID), http.StatusSeeOther)
}

// handleDocumentSubmit sends the draft for approval.
func (s *Server) handleDocumentSubmit(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id := pathID(r, "id")
	if err := s.app.SubmitDocumentVersion(r.Context(), m.Principal, m.Org.Slug, id, pathID(r, "vid")); err != nil {
		s.formError(w, r, m, err, s.handleDocument)
		return
	}
	s.flash(r, "Submitted for approval.")
	http.Redirect(w, r, documentPath(m, id), http.StatusSeeOther)
}

// handleDocumentDecide approves or rejects the version in review.
func (s *Server) handleDocumentDecide(approve bool) func(http.ResponseWriter, *http.Request, *app.Member) {
	return func(w http.ResponseWriter, r *http.Request, m *app.Member) {
		id, vid, comment := pathID(r, "id"), pathID(r, "vid"), r.PostFormValue("comment")
		var err error
		msg := "Approved: this version is now the one in force."
		if approve {
			err = s.app.ApproveDocumentVersion(r.Context(), m.Principal, m.Org.Slug, id, vid, comment)
		} else {
			err = s.app.RejectDocumentVersion(r.Context(), m.Principal, m.Org.Slug, id, vid, comment)
			msg = "Rejected: the version is a draft again, with your comment."
		}
		if err != nil {
			s.formError(w, r, m, err, s.handleDocument)
			return
		}
		s.flash(r, msg)
		http.Redirect(w, r, documentPath(m, id), http.StatusSeeOther)
	}
}

type documentRetirePage struct {
	Page
	Doc *isms.Document
}

// handleDocumentRetireConfirm asks before retiring a document.
func (s *Server) handleDocumentRetireConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	v, err := s.app.Document(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &documentRetirePage{Page: s.page(r, m, "Retire "+v.Doc.Ref), Doc: v.Doc}
	pg.Nav = "documents"
	s.render(w, r, "document_retire", pg)
}

func (s *Server) handleDocumentRetire(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id := pathID(r, "id")
	if err := s.app.RetireDocument(r.Context(), m.Principal, m.Org.Slug, id); err != nil {
		s.formError(w, r, m, err, s.handleDocument)
		return
	}
	s.flash(r, "The document is retired; its versions stay as records.")
	http.Redirect(w, r, documentPath(m, id), http.StatusSeeOther)
}

// handleDocumentLink ties the document to a control, process, risk or
// corrective action, or records that an action requires a revision.
func (s *Server) handleDocumentLink(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id := pathID(r, "id")
	if err := s.app.AddDocumentLink(r.Context(), m.Principal, m.Org.Slug, id, r.PostFormValue("kind"), r.PostFormValue("target")); err != nil {
		s.formError(w, r, m, err, s.handleDocument)
		return
	}
	s.flash(r, "Link added.")
	http.Redirect(w, r, documentPath(m, id), http.StatusSeeOther)
}

type documentVersionPage struct {
	Page
	Doc      *isms.Document
	Ver      *isms.DocumentVersion
	Versions []*isms.DocumentVersion
	// Diff against another version (?diff=<id>), nil when none.
	DiffFrom *isms.DocumentVersion
	Diff     []app.DiffLine
}

// handleDocumentVersion shows one version (its Markdown rendered safely,
// or its file to download) and, with ?diff=<version id>, the line diff
// from that version to this one.
func (s *Server) handleDocumentVersion(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, vid := pathID(r, "id"), pathID(r, "vid")
	d, v, err := s.app.DocumentVersion(r.Context(), m.Principal, m.Org.Slug, id, vid)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	view, err := s.app.Document(r.Context(), m.Principal, m.Org.Slug, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &documentVersionPage{Page: s.page(r, m, d.Ref+" version "+v.Number()), Doc: d, Ver: v, Versions: view.Versions}
	if other, err := strconv.ParseInt(r.URL.Query().Get("diff"), 10, 64); err == nil && other != vid {
		from, _, lines, err := s.app.DocumentDiff(r.Context(), m.Principal, m.Org.Slug, id, other, vid)
		switch {
		case isms.ErrorCode(err) == isms.EINVALID:
			s.flash(r, s.errorMessage(r, err))
		case err != nil:
			s.pageError(w, r, err)
			return
		default:
			pg.DiffFrom, pg.Diff = from, lines
		}
	}
	pg.Nav = "documents"
	s.render(w, r, "document_version", pg)
}

// handleDocumentFile sends a version's attached file as a download with
// its content type, never rendered inline.
func (s *Server) handleDocumentFile(w http.ResponseWriter, r *http.Request, m *app.Member) {
	v, b, err := s.app.DocumentFile(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), pathID(r, "vid"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", v.FileType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(v.FileName))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.Copy(w, bytes.NewReader(b))
}

// handleDocumentPDF serves the published PDF of a version.
func (s *Server) handleDocumentPDF(w http.ResponseWriter, r *http.Request, m *app.Member) {
	var buf bytes.Buffer
	if err := s.app.DocumentVersionPDF(r.Context(), m.Principal, m.Org.Slug, pathID(r, "id"), pathID(r, "vid"), &buf); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+m.Org.Slug+`-document-`+r.PathValue("id")+`-`+r.PathValue("vid")+`.pdf"`)
	_, _ = buf.WriteTo(w)
}

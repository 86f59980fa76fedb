package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The register of documented information in the API (issue 18,
// docs/documents.md).

// DocumentInput is what a client sends to add or change a document.
type DocumentInput struct {
	Ref            string  `json:"ref" minLength:"1" maxLength:"100" doc:"Reference, unique in the organisation, e.g. POL-01."`
	Title          string  `json:"title" minLength:"1" maxLength:"200"`
	Kind           string  `json:"kind" enum:"policy,procedure,standard,plan,record_template"`
	Classification string  `json:"classification" enum:"public,internal,confidential,restricted"`
	OwnerID        int64   `json:"owner_id" doc:"User id of the owner, a member."`
	ApproverRole   string  `json:"approver_role" enum:"admin,isms_manager,process_owner,management,auditor,viewer" doc:"Members with this role may approve versions."`
	Approvers      []int64 `json:"approvers,omitempty" doc:"User ids of members who may approve besides the role."`
	ReviewMonths   int     `json:"review_months,omitempty" minimum:"0" maximum:"60" doc:"Review interval; 0 means 12."`
}

// DocumentJSON is a document of the register.
type DocumentJSON struct {
	ID int64 `json:"id"`
	DocumentInput
	Status        string     `json:"status" doc:"draft (nothing approved yet), approved or retired."`
	Current       string     `json:"current_version,omitempty" doc:"Number of the approved version."`
	Open          string     `json:"open_version_status,omitempty" doc:"draft or in_review when a version is open."`
	NextReviewAt  *time.Time `json:"next_review_at,omitempty"`
	ReviewOverdue bool       `json:"review_overdue"`
	RetiredAt     *time.Time `json:"retired_at,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func documentJSON(d *isms.Document, now time.Time) DocumentJSON {
	ap := d.Approvers
	if ap == nil {
		ap = []int64{}
	}
	return DocumentJSON{ID: d.ID, DocumentInput: DocumentInput{Ref: d.Ref, Title: d.Title, Kind: string(d.Kind), Classification: string(d.Classification),
		OwnerID: d.OwnerID, ApproverRole: string(d.ApproverRole), Approvers: ap, ReviewMonths: d.ReviewMonths},
		Status: d.Status(), Current: d.Current, Open: string(d.Open), NextReviewAt: d.NextReviewAt, ReviewOverdue: d.ReviewOverdue(now),
		RetiredAt: d.RetiredAt, UpdatedAt: d.UpdatedAt}
}

func newDocument(j DocumentInput) *isms.Document {
	return &isms.Document{Ref: j.Ref, Title: j.Title, Kind: isms.DocumentKind(j.Kind), Classification: isms.Classification(j.Classification),
		OwnerID: j.OwnerID, ApproverRole: isms.Role(j.ApproverRole), Approvers: j.Approvers, ReviewMonths: j.ReviewMonths}
}

// DocumentVersionJSON is one version; Body only where one version is read.
type DocumentVersionJSON struct {
	ID          int64      `json:"id"`
	Number      string     `json:"number" doc:"major.minor"`
	Status      string     `json:"status" enum:"draft,in_review,approved,superseded"`
	Body        string     `json:"body,omitempty" doc:"Markdown."`
	FileName    string     `json:"file_name,omitempty"`
	FileType    string     `json:"file_type,omitempty"`
	FileSize    int64      `json:"file_size,omitempty"`
	SHA256      string     `json:"sha256" doc:"SHA-256 of the Markdown (UTF-8) or of the file."`
	ChangeNote  string     `json:"change_note,omitempty"`
	ActionID    int64      `json:"action_id,omitempty" doc:"The corrective action the version answers."`
	DecisionID  int64      `json:"decision_id,omitempty" doc:"The review decision the version answers."`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   int64      `json:"created_by,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	ApprovedAt  *time.Time `json:"approved_at,omitempty"`
	ApprovedBy  int64      `json:"approved_by,omitempty"`
}

func versionJSON(v *isms.DocumentVersion) DocumentVersionJSON {
	return DocumentVersionJSON{ID: v.ID, Number: v.Number(), Status: string(v.Status), Body: v.Body, FileName: v.FileName, FileType: v.FileType,
		FileSize: v.FileSize, SHA256: v.SHA256, ChangeNote: v.ChangeNote, ActionID: v.ActionID, DecisionID: v.DecisionID, CreatedAt: v.CreatedAt,
		CreatedBy: v.CreatedBy, SubmittedAt: v.SubmittedAt, ApprovedAt: v.ApprovedAt, ApprovedBy: v.ApprovedBy}
}

// DocumentApprovalJSON is one decision on a version.
type DocumentApprovalJSON struct {
	Version   string    `json:"version"`
	VersionID int64     `json:"version_id"`
	UserID    int64     `json:"user_id,omitempty"`
	Actor     string    `json:"actor"`
	Decision  string    `json:"decision" enum:"approve,reject"`
	Comment   string    `json:"comment,omitempty"`
	At        time.Time `json:"at"`
}

// DocumentLinkJSON is a link of a document.
type DocumentLinkJSON struct {
	Kind   string `json:"kind" enum:"control,process,risk,action,requires-action,requires-decision"`
	Target string `json:"target" minLength:"1" maxLength:"100" doc:"A control (A.5.1), or the id of the process, risk, corrective action or review decision."`
}

// DocumentDetailJSON is a document with its versions, decisions and links.
type DocumentDetailJSON struct {
	Document  DocumentJSON           `json:"document"`
	Versions  []DocumentVersionJSON  `json:"versions" doc:"Newest first, without their Markdown."`
	Approvals []DocumentApprovalJSON `json:"approvals"`
	Links     []DocumentLinkJSON     `json:"links" doc:"requires-action links are the corrective actions that require a revision."`
}

// DraftBody is the content of a draft: Markdown, or a file in base64.
type DraftBody struct {
	Body       string `json:"body,omitempty" maxLength:"500000" doc:"Markdown."`
	File       []byte `json:"file,omitempty" doc:"A PDF, DOCX or XLSX file (base64), instead of body; the API's body limit applies (upload larger files through the page)."`
	FileName   string `json:"file_name,omitempty" maxLength:"200"`
	Major      bool   `json:"major,omitempty" doc:"A new draft is the next major version (else the next minor)."`
	ChangeNote string `json:"change_note,omitempty" maxLength:"20000"`
	ActionID   int64  `json:"action_id,omitempty" doc:"The corrective action the version answers."`
	DecisionID int64  `json:"decision_id,omitempty" doc:"The review decision the version answers."`
}

// CommentBody is an approver's comment.
type CommentBody struct {
	Comment string `json:"comment,omitempty" maxLength:"20000" doc:"Required to reject."`
}

// VersionPath names one version of a document.
type VersionPath struct {
	IDPath
	VID int64 `path:"vid"`
}

func (s *Server) apiDocumentRoutes(api huma.API) {
	tags := []string{"documents"}
	base := "/api/v1/orgs/{org}/documents"
	huma.Register(api, huma.Operation{OperationID: "list-documents", Method: http.MethodGet, Path: base, Summary: "The register of documents, by reference, filtered, paged", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Kind    string `query:"kind" enum:"policy,procedure,standard,plan,record_template," doc:"Only documents of this kind."`
			Status  string `query:"status" enum:"approved,draft,in_review,retired,all," doc:"approved, draft (nothing approved yet), in_review, retired, all; default: every document not retired."`
			OwnerID int64  `query:"owner_id" doc:"Only documents of this owner (user id)."`
			Overdue bool   `query:"overdue" doc:"Only documents whose review is overdue."`
		}) (*listOutput[DocumentJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[DocumentJSON], error) {
				docs, total, err := s.app.Documents(ctx, p, in.Org, store.DocumentFilter{Kind: isms.DocumentKind(in.Kind), Status: in.Status, OwnerID: in.OwnerID,
					Overdue: in.Overdue, Limit: in.Limit, Offset: in.Offset, NoCount: !in.Count})
				if err != nil {
					return nil, err
				}
				out := &listOutput[DocumentJSON]{}
				out.Body.Items = []DocumentJSON{}
				now := s.app.DB.Now()
				for _, d := range docs {
					out.Body.Items = append(out.Body.Items, documentJSON(d, now))
				}
				out.uncounted(in.PageParams, total)
				return out, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "get-document", Method: http.MethodGet, Path: base + "/{id}", Summary: "One document with its versions, decisions and links", Tags: tags},
		func(ctx context.Context, in *IDPath) (*struct{ Body DocumentDetailJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentDetailJSON }, error) {
				v, err := s.app.Document(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				out := DocumentDetailJSON{Document: documentJSON(v.Doc, s.app.DB.Now()), Versions: []DocumentVersionJSON{}, Approvals: []DocumentApprovalJSON{}, Links: []DocumentLinkJSON{}}
				for _, ver := range v.Versions {
					out.Versions = append(out.Versions, versionJSON(ver))
				}
				for _, a := range v.Approvals {
					out.Approvals = append(out.Approvals, DocumentApprovalJSON{Version: a.Version, VersionID: a.VersionID, UserID: a.UserID, Actor: a.Actor,
						Decision: a.Decision, Comment: a.Comment, At: a.CreatedAt})
				}
				for _, l := range append(append([]app.DocumentLinkView{}, v.Links...), v.Requirements...) {
					out.Links = append(out.Links, DocumentLinkJSON{Kind: l.Kind, Target: l.Target})
				}
				return &struct{ Body DocumentDetailJSON }{out}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "create-document", Method: http.MethodPost, Path: base, Summary: "Add a document to the register (without a version)", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body DocumentInput
		}) (*struct{ Body DocumentJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentJSON }, error) {
				d := newDocument(in.Body)
				if err := s.app.CreateDocument(ctx, p, in.Org, d); err != nil {
					return nil, err
				}
				return &struct{ Body DocumentJSON }{documentJSON(d, s.app.DB.Now())}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "update-document", Method: http.MethodPut, Path: base + "/{id}", Summary: "Replace a document's details (not its text: write a draft)", Tags: tags},
		func(ctx context.Context, in *struct {
			IDPath
			Body DocumentInput
		}) (*struct{ Body DocumentJSON }, error) {
			return s.documentAfter(ctx, in.Org, in.ID, func(p app.Principal) error {
				d := newDocument(in.Body)
				d.ID = in.ID
				return s.app.UpdateDocument(ctx, p, in.Org, d)
			})
		})
	huma.Register(api, huma.Operation{OperationID: "put-document-draft", Method: http.MethodPut, Path: base + "/{id}/draft", Tags: tags,
		Summary:     "Write the document's draft",
		Description: "Replaces the open draft's content, or starts a new draft numbered after the latest version. An approved version never changes; a version in review must be rejected first (409)."},
		func(ctx context.Context, in *struct {
			IDPath
			Body DraftBody
		}) (*struct{ Body DocumentVersionJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentVersionJSON }, error) {
				v, err := s.app.PutDocumentDraft(ctx, p, in.Org, in.ID, app.DraftInput{Body: in.Body.Body, File: in.Body.File, FileName: in.Body.FileName,
					Major: in.Body.Major, ChangeNote: in.Body.ChangeNote, ActionID: in.Body.ActionID, DecisionID: in.Body.DecisionID})
				if err != nil {
					return nil, err
				}
				return &struct{ Body DocumentVersionJSON }{versionJSON(v)}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "get-document-version", Method: http.MethodGet, Path: base + "/{id}/versions/{vid}", Summary: "One version with its Markdown", Tags: tags},
		func(ctx context.Context, in *VersionPath) (*struct{ Body DocumentVersionJSON }, error) {
			return s.versionAfter(ctx, in, func(app.Principal) error { return nil })
		})
	huma.Register(api, huma.Operation{OperationID: "download-document-file", Method: http.MethodGet, Path: base + "/{id}/versions/{vid}/file", Tags: tags,
		Summary: "The attached file of a version", Errors: []int{http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "The file (PDF, DOCX or XLSX).", Content: map[string]*huma.MediaType{
			isms.TypePDF: {Schema: &huma.Schema{Type: "string", Format: "binary"}}, isms.TypeDOCX: {Schema: &huma.Schema{Type: "string", Format: "binary"}},
			isms.TypeXLSX: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}},
		func(ctx context.Context, in *VersionPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				v, b, err := s.app.DocumentFile(ctx, p, in.Org, in.ID, in.VID)
				if err != nil {
					return nil, err
				}
				return fileOutput(v.FileType, "attachment", v.FileName, b), nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "download-document-pdf", Method: http.MethodGet, Path: base + "/{id}/versions/{vid}/pdf", Tags: tags,
		Summary: "The published PDF of a version", Errors: []int{http.StatusNotFound}, Responses: fileResponses("application/pdf", "The version as PDF.")},
		func(ctx context.Context, in *VersionPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				var buf bytes.Buffer
				if err := s.app.DocumentVersionPDF(ctx, p, in.Org, in.ID, in.VID, &buf); err != nil {
					return nil, err
				}
				return fileOutput("application/pdf", "attachment", in.Org+"-document-"+strconv.FormatInt(in.ID, 10)+"-"+strconv.FormatInt(in.VID, 10)+".pdf", buf.Bytes()), nil
			})
		})
	moves := []struct {
		id, path, summary string
		fn                func(ctx context.Context, p app.Principal, slug string, id, vid int64, comment string) error
	}{
		{"submit-document-version", "submit", "Send a draft for approval", func(ctx context.Context, p app.Principal, slug string, id, vid int64, _ string) error {
			return s.app.SubmitDocumentVersion(ctx, p, slug, id, vid)
		}},
		{"approve-document-version", "approve", "Approve the version in review (its approvers only; not its author unless nobody else could)", s.app.ApproveDocumentVersion},
		{"reject-document-version", "reject", "Return the version in review to draft, with a comment", s.app.RejectDocumentVersion},
	}
	for _, mv := range moves {
		fn := mv.fn
		huma.Register(api, huma.Operation{OperationID: mv.id, Method: http.MethodPost, Path: base + "/{id}/versions/{vid}/" + mv.path, Summary: mv.summary, Tags: tags,
			Errors: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
			func(ctx context.Context, in *struct {
				VersionPath
				Body CommentBody
			}) (*struct{ Body DocumentVersionJSON }, error) {
				return s.versionAfter(ctx, &in.VersionPath, func(p app.Principal) error {
					return fn(ctx, p, in.Org, in.ID, in.VID, in.Body.Comment)
				})
			})
	}
	huma.Register(api, huma.Operation{OperationID: "retire-document", Method: http.MethodPost, Path: base + "/{id}/retire", Summary: "Retire a document (its versions stay as records)", Tags: tags,
		Errors: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict}},
		func(ctx context.Context, in *IDPath) (*struct{ Body DocumentJSON }, error) {
			return s.documentAfter(ctx, in.Org, in.ID, func(p app.Principal) error {
				return s.app.RetireDocument(ctx, p, in.Org, in.ID)
			})
		})
	huma.Register(api, huma.Operation{OperationID: "add-document-link", Method: http.MethodPost, Path: base + "/{id}/links", Tags: tags,
		Summary:     "Link a document to a control, process, risk or corrective action",
		Description: "kind requires-action records that the corrective action requires a revision: the action cannot be completed until a version of the document approved after the link exists."},
		func(ctx context.Context, in *struct {
			IDPath
			Body DocumentLinkJSON
		}) (*struct{ Body DocumentLinkJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentLinkJSON }, error) {
				return &struct{ Body DocumentLinkJSON }{in.Body}, s.app.AddDocumentLink(ctx, p, in.Org, in.ID, in.Body.Kind, in.Body.Target)
			})
		})
	huma.Register(api, huma.Operation{OperationID: "remove-document-link", Method: http.MethodPost, Path: base + "/{id}/links/remove", Summary: "Remove a link of a document", Tags: tags},
		func(ctx context.Context, in *struct {
			IDPath
			Body DocumentLinkJSON
		}) (*struct{ Body DocumentLinkJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentLinkJSON }, error) {
				return &struct{ Body DocumentLinkJSON }{in.Body}, s.app.RemoveDocumentLink(ctx, p, in.Org, in.ID, in.Body.Kind, in.Body.Target)
			})
		})
}

// documentAfter runs change as the caller and answers with the document as
// it is afterwards (the shape of every operation that changes one).
func (s *Server) documentAfter(ctx context.Context, slug string, id int64, change func(p app.Principal) error) (*struct{ Body DocumentJSON }, error) {
	return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentJSON }, error) {
		if err := change(p); err != nil {
			return nil, err
		}
		v, err := s.app.Document(ctx, p, slug, id)
		if err != nil {
			return nil, err
		}
		return &struct{ Body DocumentJSON }{documentJSON(v.Doc, s.app.DB.Now())}, nil
	})
}

// versionAfter runs change as the caller and answers with the version as
// it is afterwards.
func (s *Server) versionAfter(ctx context.Context, in *VersionPath, change func(p app.Principal) error) (*struct{ Body DocumentVersionJSON }, error) {
	return asCaller(ctx, s, func(p app.Principal) (*struct{ Body DocumentVersionJSON }, error) {
		if err := change(p); err != nil {
			return nil, err
		}
		_, v, err := s.app.DocumentVersion(ctx, p, in.Org, in.ID, in.VID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body DocumentVersionJSON }{versionJSON(v)}, nil
	})
}

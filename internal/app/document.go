package app

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/report"
	"github.com/pdca/pdca/internal/store"
)

// The register of documented information (issue 18, ISO/IEC 27001 clause
// 7.5); docs/documents.md. Reading needs read, writing documents and
// drafts write_records, retiring manage_metrics; approving depends on the
// document's approver role and named approvers (isms.Document.CheckApprover).

// Documents returns a page of the register and how many documents match.
// Requires read.
func (a *App) Documents(ctx context.Context, p Principal, slug string, f store.DocumentFilter) ([]*isms.Document, int, error) {
	var out []*isms.Document
	var total int
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		f.Now = tx.Now
		var err error
		out, total, err = tx.DocumentPage(ctx, m.Org.ID, f)
		return err
	})
	return out, total, err
}

// DocumentLinkView is a link with a label for display and, for links to a
// corrective action, its deviation.
type DocumentLinkView struct {
	store.DocumentLink
	Label  string
	Href   string // path in the web UI, "" when none
	Action *store.CorrectiveActionRef
}

// DocumentView is a document with every version, decision and link, and
// what the viewer may do with it.
type DocumentView struct {
	Doc       *isms.Document
	Versions  []*isms.DocumentVersion // newest first, without Markdown
	Current   *isms.DocumentVersion   // the approved version with its Markdown, nil if none
	Open      *isms.DocumentVersion   // the draft or version in review with its Markdown, nil if none
	Approvals []store.DocumentApproval
	Links     []DocumentLinkView
	// Requirements are the corrective actions that require a revision.
	Requirements  []DocumentLinkView
	ApproverNames []string
	// CanApprove: the viewer may approve or reject the version in review.
	CanApprove bool
	Overdue    bool
	// Published: a version was published to an audience to acknowledge
	// (issue 18, acknowledgements).
	Published bool
}

// Document returns a document with its versions, decisions and links.
// Requires read. ENOTFOUND.
func (a *App) Document(ctx context.Context, p Principal, slug string, id int64) (*DocumentView, error) {
	var v *DocumentView
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		v, err = documentView(ctx, tx, m, id)
		return err
	})
	return v, err
}

func documentView(ctx context.Context, tx *store.Tx, m *Member, id int64) (*DocumentView, error) {
	d, err := tx.Document(ctx, m.Org.ID, id)
	if err != nil {
		return nil, err
	}
	v := &DocumentView{Doc: d, Overdue: d.ReviewOverdue(tx.Now)}
	if v.Published, err = tx.DocumentPublished(ctx, m.Org.ID, id); err != nil {
		return nil, err
	}
	if v.Versions, err = tx.DocumentVersions(ctx, m.Org.ID, id); err != nil {
		return nil, err
	}
	for _, ver := range v.Versions {
		var slot **isms.DocumentVersion
		switch {
		case ver.Status == isms.VerApproved:
			slot = &v.Current
		case ver.Status.Open():
			slot = &v.Open
		default:
			continue
		}
		if *slot, err = tx.DocumentVersion(ctx, m.Org.ID, id, ver.ID); err != nil {
			return nil, err
		}
	}
	if v.Approvals, err = tx.DocumentApprovals(ctx, m.Org.ID, id); err != nil {
		return nil, err
	}
	links, err := tx.DocumentLinks(ctx, m.Org.ID, id)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		lv := DocumentLinkView{DocumentLink: l, Label: l.Target}
		switch l.Kind {
		case isms.LinkControl:
			if c, err := isms.AnnexA().Control(l.Target); err == nil {
				lv.Label = c.ID + " " + c.Title
			}
			lv.Href = fmt.Sprintf("/o/%s/soa", m.Org.Slug)
		case isms.LinkProcess:
			lv.Href = fmt.Sprintf("/o/%s/processes/%s", m.Org.Slug, l.Target)
			if pid, err := strconv.ParseInt(l.Target, 10, 64); err == nil {
				if proc, err := tx.Process(ctx, m.Org.ID, pid); err == nil {
					lv.Label = proc.Name
				}
			}
		case isms.LinkRequiresDecision:
			lv.Label = "review decision " + l.Target
			if did, err := strconv.ParseInt(l.Target, 10, 64); err == nil {
				if dec, err := reviewDecision(ctx, tx, m.Org.ID, did); err == nil {
					lv.Label = "review decision: " + dec.Title + " (" + isms.Label(dec.Status) + ")"
					lv.Href = fmt.Sprintf("/o/%s/reviews/%d", m.Org.Slug, dec.ReviewID)
				}
			}
		case isms.LinkRisk:
			lv.Href = fmt.Sprintf("/o/%s/risks/%s", m.Org.Slug, l.Target)
			lv.Label = "risk " + l.Target
		case isms.LinkAction, isms.LinkRequiresAction:
			if aid, err := strconv.ParseInt(l.Target, 10, 64); err == nil {
				if c, err := tx.CorrectiveActionRef(ctx, m.Org.ID, aid); err == nil {
					lv.Action = c
					lv.Label = c.DeviationRef + ": " + c.Title
					lv.Href = fmt.Sprintf("/o/%s/deviations/%d", m.Org.Slug, c.DeviationID)
				}
			}
		}
		if l.Kind == isms.LinkRequiresAction || l.Kind == isms.LinkRequiresDecision {
			v.Requirements = append(v.Requirements, lv)
		} else {
			v.Links = append(v.Links, lv)
		}
	}
	for _, uid := range d.Approvers {
		if mm, err := tx.Membership(ctx, m.Org.ID, uid); err == nil {
			v.ApproverNames = append(v.ApproverNames, cmpOr(mm.Name, mm.Email))
		}
	}
	if v.Open != nil && v.Open.Status == isms.VerInReview && !m.System {
		others, err := tx.EligibleApprovers(ctx, d, m.UserID)
		if err != nil {
			return nil, err
		}
		v.CanApprove = d.CheckApprover(m.UserID, m.Role, v.Open.CreatedBy, others > 0) == nil
	}
	return v, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkDocument validates a document against the organisation: the owner
// and the named approvers are members.
func checkDocument(ctx context.Context, tx *store.Tx, m *Member, d *isms.Document) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if _, err := tx.Membership(ctx, m.Org.ID, d.OwnerID); err != nil {
		return isms.Errorf(isms.EINVALID, "owner: the owner must be a member of %s", m.Org.Name)
	}
	for _, u := range d.Approvers {
		if _, err := tx.Membership(ctx, m.Org.ID, u); err != nil {
			return isms.Errorf(isms.EINVALID, "approvers: every named approver must be a member of %s", m.Org.Name)
		}
	}
	return nil
}

// CreateDocument adds a document to the register (without a version yet).
// Requires write_records. EINVALID, ECONFLICT.
func (a *App) CreateDocument(ctx context.Context, p Principal, slug string, d *isms.Document) error {
	return a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		d.OrgID, d.CreatedBy, d.NextReviewAt, d.RetiredAt = m.Org.ID, p.UserID, nil, nil
		if d.ReviewMonths == 0 {
			d.ReviewMonths = isms.DefaultReviewMths
		}
		if err := checkDocument(ctx, tx, m, d); err != nil {
			return err
		}
		if err := tx.CreateDocument(ctx, d); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document.create", "document", d.ID, nil, d)
	})
}

// UpdateDocument changes a document's metadata (reference, title, kind,
// classification, owner, approvers, review interval); a new interval moves
// the next review date from the current version's approval. Requires
// write_records. ENOTFOUND, EINVALID, ECONFLICT (also when retired).
func (a *App) UpdateDocument(ctx context.Context, p Principal, slug string, d *isms.Document) error {
	return a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		before, err := tx.Document(ctx, m.Org.ID, d.ID)
		if err != nil {
			return err
		}
		if before.RetiredAt != nil {
			return isms.Errorf(isms.ECONFLICT, "%s is retired and cannot change", before.Ref)
		}
		d.OrgID, d.CreatedAt, d.CreatedBy, d.RetiredAt, d.NextReviewAt = m.Org.ID, before.CreatedAt, before.CreatedBy, nil, before.NextReviewAt
		if err := checkDocument(ctx, tx, m, d); err != nil {
			return err
		}
		if d.ReviewMonths != before.ReviewMonths {
			cur, err := approvedVersion(ctx, tx, m.Org.ID, d.ID)
			if err != nil {
				return err
			}
			if cur != nil {
				next := isms.NextReview(reviewFrom(cur), d.ReviewMonths)
				d.NextReviewAt = &next
			}
		}
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document.update", "document", d.ID, before, d)
	})
}

// reviewFrom is when the review interval of an approved version starts:
// its effective date, else its approval.
func reviewFrom(v *isms.DocumentVersion) time.Time {
	if v.EffectiveAt != nil {
		return *v.EffectiveAt
	}
	return *v.ApprovedAt
}

func approvedVersion(ctx context.Context, tx *store.Tx, orgID, docID int64) (*isms.DocumentVersion, error) {
	vs, err := tx.DocumentVersions(ctx, orgID, docID)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.Status == isms.VerApproved {
			return v, nil
		}
	}
	return nil, nil
}

// RetireDocument withdraws a document from use; its versions stay as
// records. Requires manage_metrics (the ISMS managers and admins decide
// what documented information the ISMS keeps). ECONFLICT when retired.
func (a *App) RetireDocument(ctx context.Context, p Principal, slug string, id int64) error {
	return a.write(ctx, p, slug, isms.ActManageMetrics, func(tx *store.Tx, m *Member) error {
		d, err := tx.Document(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if d.RetiredAt != nil {
			return isms.Errorf(isms.ECONFLICT, "%s is already retired", d.Ref)
		}
		before := *d
		now := tx.Now
		d.RetiredAt = &now
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document.retire", "document", d.ID, &before, d)
	})
}

// DraftInput is the content of a draft: Markdown, or a file (PDF, DOCX,
// XLSX, recognised by its bytes, at most isms.MaxDocumentFile).
type DraftInput struct {
	Body     string
	File     []byte
	FileName string
	// Major: a new draft is the next major version (else the next minor).
	Major      bool
	ChangeNote string
	// ActionID / DecisionID: the corrective action or review decision the
	// version answers (0: none).
	ActionID    int64
	DecisionID  int64
	EffectiveAt *time.Time
}

// PutDocumentDraft writes the document's draft: it replaces the content of
// the open draft, or starts a new draft numbered after the latest version
// (an approved version is never changed). Requires write_records.
// ENOTFOUND, EINVALID, ECONFLICT (a version is in review, or the document
// is retired).
func (a *App) PutDocumentDraft(ctx context.Context, p Principal, slug string, docID int64, in DraftInput) (*isms.DocumentVersion, error) {
	if err := isms.CheckLengths(isms.Limit{Name: "text", Value: in.Body, Max: isms.MaxDocumentBody},
		isms.Limit{Name: "change note", Value: in.ChangeNote, Max: isms.MaxText}, isms.Limit{Name: "file name", Value: in.FileName, Max: isms.MaxName}); err != nil {
		return nil, err
	}
	var out *isms.DocumentVersion
	err := a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		d, err := tx.Document(ctx, m.Org.ID, docID)
		if err != nil {
			return err
		}
		if d.RetiredAt != nil {
			return isms.Errorf(isms.ECONFLICT, "%s is retired; it takes no new versions", d.Ref)
		}
		vs, err := tx.DocumentVersions(ctx, m.Org.ID, docID)
		if err != nil {
			return err
		}
		var v *isms.DocumentVersion
		var before *isms.DocumentVersion
		lastMajor, lastMinor := 0, 0
		for _, x := range vs {
			if x.Status.Open() {
				if err := x.CheckEditable(); err != nil {
					return err
				}
				if v, err = tx.DocumentVersion(ctx, m.Org.ID, docID, x.ID); err != nil {
					return err
				}
				b := *v
				before = &b
				continue
			}
			if lastMajor == 0 && lastMinor == 0 {
				lastMajor, lastMinor = x.Major, x.Minor // newest closed version
			}
		}
		if v == nil {
			v = &isms.DocumentVersion{OrgID: m.Org.ID, DocumentID: docID, Status: isms.VerDraft, CreatedBy: p.UserID}
		}
		v.Major, v.Minor = isms.NextNumber(lastMajor, lastMinor, in.Major)
		v.ChangeNote, v.EffectiveAt = strings.TrimSpace(in.ChangeNote), in.EffectiveAt
		if err := checkAnswers(ctx, tx, m.Org.ID, in); err != nil {
			return err
		}
		v.ActionID, v.DecisionID = in.ActionID, in.DecisionID
		if len(in.File) > 0 {
			typ, err := isms.DetectDocumentFile(in.File)
			if err != nil {
				return err
			}
			name := strings.TrimSpace(path.Base(strings.ReplaceAll(in.FileName, "\\", "/")))
			if name == "" || name == "." || name == "/" {
				name = d.Ref
			}
			name = strings.TrimSuffix(name, path.Ext(name)) + isms.FileExt(typ)
			v.Body, v.FileName, v.FileType, v.FileSize, v.SHA256 = "", name, typ, int64(len(in.File)), isms.HashBytes(in.File)
		} else {
			v.Body, v.FileName, v.FileType, v.FileSize, v.SHA256 = in.Body, "", "", 0, isms.HashText(in.Body)
		}
		if v.ID == 0 {
			err = tx.InsertDocumentVersion(ctx, v)
		} else {
			err = tx.UpdateDocumentVersion(ctx, v)
		}
		if err != nil {
			return err
		}
		if v.IsFile() {
			err = tx.SaveDocumentFile(ctx, m.Org.ID, v.ID, in.File)
		} else {
			err = tx.DeleteDocumentFile(ctx, m.Org.ID, v.ID)
		}
		if err != nil {
			return err
		}
		out = v
		return audit(ctx, tx, m.Org.ID, p, "document.version_draft", "document", d.ID, versionAudit(before), versionAudit(v))
	})
	return out, err
}

// versionAudit is what the audit trail keeps of a version: everything but
// the Markdown and file, which the hash identifies.
func versionAudit(v *isms.DocumentVersion) any {
	if v == nil {
		return nil
	}
	c := *v
	c.Body = fmt.Sprintf("(%d bytes)", len(v.Body))
	return c
}

// checkAnswers checks that the corrective action or review decision a
// version answers belongs to the organisation.
func checkAnswers(ctx context.Context, tx *store.Tx, orgID int64, in DraftInput) error {
	if in.ActionID != 0 {
		if _, err := tx.CorrectiveActionRef(ctx, orgID, in.ActionID); err != nil {
			return isms.Errorf(isms.EINVALID, "action: there is no corrective action %d", in.ActionID)
		}
	}
	if in.DecisionID != 0 {
		if ok, err := tx.ExistsInOrg(ctx, "review_actions", orgID, in.DecisionID); err != nil || !ok {
			return isms.Errorf(isms.EINVALID, "decision: there is no review decision %d", in.DecisionID)
		}
	}
	return nil
}

// documentVersion reads a document and one of its versions for a change.
func documentVersion(ctx context.Context, tx *store.Tx, m *Member, docID, vid int64) (*isms.Document, *isms.DocumentVersion, error) {
	d, err := tx.Document(ctx, m.Org.ID, docID)
	if err != nil {
		return nil, nil, err
	}
	v, err := tx.DocumentVersion(ctx, m.Org.ID, docID, vid)
	if err != nil {
		return nil, nil, err
	}
	if d.RetiredAt != nil {
		return nil, nil, isms.Errorf(isms.ECONFLICT, "%s is retired", d.Ref)
	}
	return d, v, nil
}

// SubmitDocumentVersion sends a draft for approval. Requires
// write_records. ENOTFOUND, EINVALID (empty), ECONFLICT (not a draft).
func (a *App) SubmitDocumentVersion(ctx context.Context, p Principal, slug string, docID, vid int64) error {
	return a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		_, v, err := documentVersion(ctx, tx, m, docID, vid)
		if err != nil {
			return err
		}
		before := *v
		if err := v.Submit(tx.Now); err != nil {
			return err
		}
		if err := tx.UpdateDocumentVersion(ctx, v); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document.submit", "document", docID, versionAudit(&before), versionAudit(v))
	})
}

// ApproveDocumentVersion approves the version in review: the previously
// approved version becomes superseded and the next review falls due the
// document's interval after the approval (or the version's effective
// date). Only a member of the approver role or a named approver may, and
// not the version's author unless nobody else could. Requires read (and
// being an approver). ENOTFOUND, EFORBIDDEN, ECONFLICT.
func (a *App) ApproveDocumentVersion(ctx context.Context, p Principal, slug string, docID, vid int64, comment string) error {
	return a.decideDocument(ctx, p, slug, docID, vid, isms.DecisionApprove, comment)
}

// RejectDocumentVersion returns the version in review to draft with a
// comment saying what to change (required). The same people as
// ApproveDocumentVersion may. EINVALID without a comment.
func (a *App) RejectDocumentVersion(ctx context.Context, p Principal, slug string, docID, vid int64, comment string) error {
	return a.decideDocument(ctx, p, slug, docID, vid, isms.DecisionReject, comment)
}

func (a *App) decideDocument(ctx context.Context, p Principal, slug string, docID, vid int64, decision, comment string) error {
	if err := isms.CheckLength("comment", comment, isms.MaxText); err != nil {
		return err
	}
	comment = strings.TrimSpace(comment)
	if decision == isms.DecisionReject && comment == "" {
		return isms.Errorf(isms.EINVALID, "comment: say what must change before the version can be approved")
	}
	return a.write(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		d, v, err := documentVersion(ctx, tx, m, docID, vid)
		if err != nil {
			return err
		}
		if m.Token != nil && m.Token.Scope == isms.ScopeRead {
			return scopeDenied("decide_document") // a decision is a change
		}
		if p.System {
			return isms.Errorf(isms.EFORBIDDEN, "a document is approved by a member, not the command line")
		}
		others, err := tx.EligibleApprovers(ctx, d, p.UserID)
		if err != nil {
			return err
		}
		if err := d.CheckApprover(p.UserID, m.Role, v.CreatedBy, others > 0); err != nil {
			return err
		}
		before := *v
		if err := v.Decide(decision, p.UserID, tx.Now); err != nil {
			return err
		}
		if decision == isms.DecisionApprove {
			if v.CreatedBy == p.UserID {
				comment = strings.TrimSpace("(approved by its author: no other approver is a member) " + comment)
			}
			if err := tx.SupersedeApproved(ctx, m.Org.ID, docID); err != nil {
				return err
			}
			next := isms.NextReview(reviewFrom(v), d.ReviewMonths)
			d.NextReviewAt = &next
			if err := tx.UpdateDocument(ctx, d); err != nil {
				return err
			}
		}
		if err := tx.UpdateDocumentVersion(ctx, v); err != nil {
			return err
		}
		ap := store.DocumentApproval{DocumentID: docID, VersionID: vid, UserID: p.UserID, Actor: p.Label, Decision: decision, Comment: comment}
		if err := tx.InsertDocumentApproval(ctx, m.Org.ID, &ap); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document."+decision, "document", docID, versionAudit(&before), ap)
	})
}

// DocumentVersion returns one version with its Markdown and its document.
// Requires read. ENOTFOUND.
func (a *App) DocumentVersion(ctx context.Context, p Principal, slug string, docID, vid int64) (*isms.Document, *isms.DocumentVersion, error) {
	var d *isms.Document
	var v *isms.DocumentVersion
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if d, err = tx.Document(ctx, m.Org.ID, docID); err != nil {
			return err
		}
		v, err = tx.DocumentVersion(ctx, m.Org.ID, docID, vid)
		return err
	})
	return d, v, err
}

// DocumentFile returns the attached file of a version. Requires read.
// ENOTFOUND (also for a Markdown version).
func (a *App) DocumentFile(ctx context.Context, p Principal, slug string, docID, vid int64) (*isms.DocumentVersion, []byte, error) {
	var v *isms.DocumentVersion
	var b []byte
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if v, err = tx.DocumentVersion(ctx, m.Org.ID, docID, vid); err != nil {
			return err
		}
		if !v.IsFile() {
			return isms.Errorf(isms.ENOTFOUND, "version %s is Markdown, not a file", v.Number())
		}
		b, err = tx.DocumentFile(ctx, m.Org.ID, vid)
		return err
	})
	return v, b, err
}

// DiffLine is one line of a diff between two versions: Op is "equal",
// "insert" or "delete".
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// DocumentDiff compares the Markdown of two versions line by line (from
// the older to the newer). Requires read. ENOTFOUND, EINVALID when either
// is a file.
func (a *App) DocumentDiff(ctx context.Context, p Principal, slug string, docID, fromID, toID int64) (from, to *isms.DocumentVersion, lines []DiffLine, err error) {
	err = a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if from, err = tx.DocumentVersion(ctx, m.Org.ID, docID, fromID); err != nil {
			return err
		}
		if to, err = tx.DocumentVersion(ctx, m.Org.ID, docID, toID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if from.IsFile() || to.IsFile() {
		return nil, nil, nil, isms.Errorf(isms.EINVALID, "only Markdown versions can be compared; download the files to compare them")
	}
	return from, to, DiffMarkdown(from.Body, to.Body), nil
}

// DiffMarkdown compares two texts line by line (go-diff's line mode).
func DiffMarkdown(a, b string) []DiffLine {
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var out []DiffLine
	for _, d := range diffs {
		op := "equal"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "insert"
		case diffmatchpatch.DiffDelete:
			op = "delete"
		}
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				out = append(out, DiffLine{Op: op, Text: strings.TrimSuffix(l, "\n")})
			}
		}
	}
	return out
}

// AddDocumentLink ties a document to an Annex A control ("A.5.1"), a
// process, risk or corrective action (its id), or records that a
// corrective action requires a revision of it (isms.LinkRequiresAction):
// the action cannot be completed until a version approved since exists.
// The target must exist in the organisation. Requires write_records.
// ENOTFOUND, EINVALID, ECONFLICT.
func (a *App) AddDocumentLink(ctx context.Context, p Principal, slug string, docID int64, kind, target string) error {
	target = strings.TrimSpace(target)
	if err := isms.CheckLength("target", target, isms.MaxShort); err != nil {
		return err
	}
	return a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		d, err := tx.Document(ctx, m.Org.ID, docID)
		if err != nil {
			return err
		}
		if err := checkLinkTarget(ctx, tx, m.Org.ID, kind, target); err != nil {
			return err
		}
		l := store.DocumentLink{DocumentID: d.ID, Kind: kind, Target: target}
		if err := tx.AddDocumentLink(ctx, m.Org.ID, &l); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document.link", "document", d.ID, nil, l)
	})
}

// RemoveDocumentLink removes a link (a link already gone is no error).
// Requires write_records. ENOTFOUND for an unknown document.
func (a *App) RemoveDocumentLink(ctx context.Context, p Principal, slug string, docID int64, kind, target string) error {
	return a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		if _, err := tx.Document(ctx, m.Org.ID, docID); err != nil {
			return err
		}
		l := store.DocumentLink{DocumentID: docID, Kind: kind, Target: strings.TrimSpace(target)}
		if err := tx.RemoveDocumentLink(ctx, m.Org.ID, l); isms.ErrorCode(err) == isms.ENOTFOUND {
			return nil // already gone: nothing changes, nothing to audit
		} else if err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "document.unlink", "document", docID, l, nil)
	})
}

func checkLinkTarget(ctx context.Context, tx *store.Tx, orgID int64, kind, target string) error {
	if !slices.Contains(isms.DocumentLinkKinds(), kind) {
		return isms.Errorf(isms.EINVALID, "kind: link to a control, process, risk, action, requires-action or requires-decision")
	}
	if kind == isms.LinkControl {
		if _, err := isms.AnnexA().Control(target); err != nil {
			return isms.Errorf(isms.EINVALID, "control: %s is not an Annex A control; use an identifier like A.5.1", target)
		}
		return nil
	}
	id, err := strconv.ParseInt(target, 10, 64)
	if err != nil || id <= 0 {
		return isms.Errorf(isms.EINVALID, "%s: give the number of the %s", kind, kind)
	}
	table := map[string]string{isms.LinkProcess: "processes", isms.LinkRisk: "risks", isms.LinkAction: "corrective_actions", isms.LinkRequiresAction: "corrective_actions",
		isms.LinkRequiresDecision: "review_actions"}[kind]
	ok, err := tx.ExistsInOrg(ctx, table, orgID, id)
	if err != nil {
		return err
	}
	if !ok {
		return isms.Errorf(isms.EINVALID, "%s: there is no %s %d in this organisation", kind, strings.TrimSuffix(table, "s"), id)
	}
	if kind == isms.LinkRequiresDecision {
		dec, err := reviewDecision(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if dec.Status == "done" {
			return isms.Errorf(isms.EINVALID, "requires-decision: review decision %d is already done; a done decision cannot wait for a revision", id)
		}
	}
	if kind == isms.LinkRequiresAction {
		c, err := tx.CorrectiveActionRef(ctx, orgID, id)
		if err != nil {
			return err
		}
		if c.Status == isms.ActionDone {
			return isms.Errorf(isms.EINVALID, "requires-action: corrective action %d is already done; a done action cannot wait for a revision", id)
		}
	}
	return nil
}

// checkRevisions is the loop gate: a corrective action that requires a
// revision of a document cannot be completed until a version of that
// document approved since the requirement (or one naming the action)
// exists. EINVALID naming the document.
func checkRevisions(ctx context.Context, tx *store.Tx, orgID int64, kind string, id int64) error {
	reqs, err := tx.RevisionRequirements(ctx, orgID, kind, id)
	if err != nil {
		return err
	}
	what := map[string]string{isms.LinkRequiresAction: "action", isms.LinkRequiresDecision: "decision"}[kind]
	for _, r := range reqs {
		if !r.Satisfied {
			return isms.Errorf(isms.EINVALID, "%s: it requires a revision of %s %q; approve a new version of %s before completing the %s", what, r.Ref, r.Title, r.Ref, what)
		}
	}
	return nil
}

// documentReviewItems: a document not retired is due for review on its
// next review date (its owner reviews it).
func documentReviewItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	docs, err := tx.DocumentsDueForReview(ctx, o.ID, now.AddDate(2, 0, 0))
	if err != nil {
		return nil, err
	}
	var out []DueItem
	for _, d := range docs {
		out = append(out, DueItem{Key: fmt.Sprintf("document-review:%d:%s", d.ID, dayKey(*d.NextReviewAt, o.Location())), Kind: "document-review",
			Title: "Review of " + d.Ref + " " + d.Title, Due: *d.NextReviewAt, OwnerID: d.OwnerID, Link: fmt.Sprintf("/o/%s/documents/%d", o.Slug, d.ID)})
	}
	return out, nil
}

// DocumentVersionPDF writes the published PDF of a version: every page
// names the document, the version, its status, approver and approval date.
// Requires read. ENOTFOUND.
func (a *App) DocumentVersionPDF(ctx context.Context, p Principal, slug string, docID, vid int64, w io.Writer) error {
	var sheet report.DocumentSheet
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		d, err := tx.Document(ctx, m.Org.ID, docID)
		if err != nil {
			return err
		}
		v, err := tx.DocumentVersion(ctx, m.Org.ID, docID, vid)
		if err != nil {
			return err
		}
		sheet = report.DocumentSheet{Org: m.Org.Name, Ref: d.Ref, Title: d.Title, Kind: isms.Label(string(d.Kind)),
			Classification: isms.Label(string(d.Classification)), Version: v.Number(), Status: isms.Label(string(v.Status)),
			Approver: v.ApproverName, ApprovedAt: v.ApprovedAt, Zone: m.Org.Location(), Body: v.Body, FileName: v.FileName,
			SHA256: v.SHA256, At: v.CreatedAt}
		if v.ApprovedAt != nil {
			sheet.At = *v.ApprovedAt
		}
		return nil
	})
	if err != nil {
		return err
	}
	return report.DocumentPDF(w, sheet)
}

// reviewDecision returns a review decision (a review action) of the
// organisation; ENOTFOUND.
func reviewDecision(ctx context.Context, tx *store.Tx, orgID, id int64) (*isms.ReviewAction, error) {
	all, err := tx.ReviewActions(ctx, orgID, 0)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, isms.Errorf(isms.ENOTFOUND, "review decision %d not found", id)
}

// documentReviewInput: the documented information due for review by the
// meeting (or now, if later), for the management review (issue 18): the
// documents whose review is overdue or falls due before the meeting, and
// those with no approved version.
func documentReviewInput(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	in := &ReviewInput{Key: "documents", Title: "Documented information due for review", Columns: []string{"Ref", "Title", "Owner", "In force", "Next review", "Status"}}
	_, total, err := tx.DocumentPage(ctx, s.Org.ID, store.DocumentFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	if total == 0 {
		in.Summary = "No documents in the register."
		return in, nil
	}
	until := s.Now
	if s.Review != nil && s.Review.HeldOn.After(until) {
		until = s.Review.HeldOn
	}
	due, err := tx.DocumentsDueForReview(ctx, s.Org.ID, until)
	if err != nil {
		return nil, err
	}
	drafts, _, err := tx.DocumentPage(ctx, s.Org.ID, store.DocumentFilter{Status: "draft", Limit: 500})
	if err != nil {
		return nil, err
	}
	loc := s.Org.Location()
	overdue := 0
	for _, d := range due {
		st := "due before the meeting"
		if d.ReviewOverdue(s.Now) {
			st, overdue = "overdue", overdue+1
		}
		in.Rows = append(in.Rows, []string{d.Ref, d.Title, cmpOr(d.OwnerName, d.OwnerEmail), d.Current, dateOf(d.NextReviewAt, loc), st})
	}
	for _, d := range drafts {
		in.Rows = append(in.Rows, []string{d.Ref, d.Title, cmpOr(d.OwnerName, d.OwnerEmail), "", "", "no approved version"})
	}
	in.Summary = fmt.Sprintf("%d in the register: %d overdue for review, %d due before the meeting, %d not yet approved.",
		total, overdue, len(due)-overdue, len(drafts))
	switch {
	case overdue > 0:
		in.Status = "red"
	case len(in.Rows) > 0:
		in.Status = "yellow"
	default:
		in.Status = "green"
	}
	return in, nil
}

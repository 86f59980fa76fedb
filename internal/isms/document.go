package isms

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Documented information (ISO/IEC 27001 clause 7.5): a register of
// policies, procedures, standards, plans and record templates, each with
// every version kept. docs/documents.md describes the states and rules.

// DocumentKind is what sort of documented information a document is.
type DocumentKind string

// Document kinds.
const (
	DocPolicy         DocumentKind = "policy"
	DocProcedure      DocumentKind = "procedure"
	DocStandard       DocumentKind = "standard"
	DocPlan           DocumentKind = "plan"
	DocRecordTemplate DocumentKind = "record_template"
)

// DocumentKinds lists every kind in display order.
func DocumentKinds() []DocumentKind {
	return []DocumentKind{DocPolicy, DocProcedure, DocStandard, DocPlan, DocRecordTemplate}
}

// Classification is who may see a document's content.
type Classification string

// Classifications.
const (
	ClassPublic       Classification = "public"
	ClassInternal     Classification = "internal"
	ClassConfidential Classification = "confidential"
	ClassRestricted   Classification = "restricted"
)

// Classifications lists every classification, least restricted first.
func Classifications() []Classification {
	return []Classification{ClassPublic, ClassInternal, ClassConfidential, ClassRestricted}
}

// VersionStatus is where a version of a document stands.
type VersionStatus string

// Version statuses: draft -> in_review -> approved; a rejected review
// returns the version to draft; approving a version supersedes the
// previously approved one.
const (
	VerDraft      VersionStatus = "draft"
	VerInReview   VersionStatus = "in_review"
	VerApproved   VersionStatus = "approved"
	VerSuperseded VersionStatus = "superseded"
)

// Open reports whether the version is still being written or reviewed
// (a document has at most one open version).
func (s VersionStatus) Open() bool { return s == VerDraft || s == VerInReview }

// Approval decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// Document link kinds: what a document is tied to. The target is text:
// a control reference ("A.5.1"), or a process, risk or corrective action
// id. LinkRequiresAction records that a corrective action requires a
// revision of the document (docs/documents.md, "the loop gate").
const (
	LinkControl        = "control"
	LinkProcess        = "process"
	LinkRisk           = "risk"
	LinkAction         = "action"
	LinkRequiresAction = "requires-action"
	// LinkRequiresDecision: a management review decision requires a
	// revision (the same gate on completing the decision).
	LinkRequiresDecision = "requires-decision"
)

// DocumentLinkKinds lists every link kind.
func DocumentLinkKinds() []string {
	return []string{LinkControl, LinkProcess, LinkRisk, LinkAction, LinkRequiresAction, LinkRequiresDecision}
}

// Limits of documents.
const (
	MaxDocumentBody   = 500_000  // bytes of Markdown in one version
	MaxDocumentFile   = 10 << 20 // bytes of an attached file (10 MiB)
	MaxReviewMonths   = 60
	DefaultReviewMths = 12
)

// Document is one entry of the register.
type Document struct {
	ID             int64
	OrgID          int64
	Ref            string // e.g. "POL-01", unique in the organisation
	Title          string
	Kind           DocumentKind
	Classification Classification
	OwnerID        int64
	// ApproverRole is the role whose members may approve; Approvers are
	// members named in addition.
	ApproverRole Role
	Approvers    []int64
	ReviewMonths int
	NextReviewAt *time.Time
	RetiredAt    *time.Time
	CreatedAt    time.Time
	CreatedBy    int64
	UpdatedAt    time.Time
	// Joined for display.
	OwnerName, OwnerEmail string
	// Current is the number of the approved version ("1.2"), "" if none;
	// Open the status of the open version (draft, in_review), "" if none.
	Current string
	Open    VersionStatus
}

// Validate trims the fields and returns EINVALID for the first problem.
func (d *Document) Validate() error {
	if err := CheckLengths(Limit{"ref", d.Ref, MaxShort}, Limit{"title", d.Title, MaxName}); err != nil {
		return err
	}
	d.Ref, d.Title = strings.TrimSpace(d.Ref), strings.TrimSpace(d.Title)
	switch {
	case d.Ref == "":
		return Errorf(EINVALID, "ref: give the document a reference, e.g. \"POL-01\"")
	case strings.ContainsAny(d.Ref, " \t\r\n/"):
		return Errorf(EINVALID, "ref: use letters, digits and dashes, e.g. \"POL-01\" (no spaces or slashes)")
	case d.Title == "":
		return Errorf(EINVALID, "title: give the document a title, e.g. \"Information security policy\"")
	case !slices.Contains(DocumentKinds(), d.Kind):
		return Errorf(EINVALID, "kind: choose policy, procedure, standard, plan or record template")
	case !slices.Contains(Classifications(), d.Classification):
		return Errorf(EINVALID, "classification: choose public, internal, confidential or restricted")
	case d.OwnerID == 0:
		return Errorf(EINVALID, "owner: a document has one owner; choose a member")
	case d.ApproverRole.Validate() != nil:
		return Errorf(EINVALID, "approver role: choose the role whose members approve the document")
	case d.ReviewMonths < 1 || d.ReviewMonths > MaxReviewMonths:
		return Errorf(EINVALID, "review interval: give 1 to %d months", MaxReviewMonths)
	}
	seen := map[int64]bool{}
	for _, id := range d.Approvers {
		if seen[id] {
			return Errorf(EINVALID, "approvers: a member is named twice")
		}
		seen[id] = true
	}
	return nil
}

// Status is the document's state in the register: retired, approved (it
// has an approved version), or draft.
func (d *Document) Status() string {
	switch {
	case d.RetiredAt != nil:
		return "retired"
	case d.Current != "":
		return string(VerApproved)
	}
	return string(VerDraft)
}

// ReviewOverdue reports whether the document's review date has passed.
func (d *Document) ReviewOverdue(now time.Time) bool {
	return d.RetiredAt == nil && d.NextReviewAt != nil && d.NextReviewAt.Before(now)
}

// MayApprove reports whether a member with role may approve versions of
// the document: a member of the approver role or a named approver.
func (d *Document) MayApprove(userID int64, role Role) bool {
	return role == d.ApproverRole || slices.Contains(d.Approvers, userID)
}

// CheckApprover says whether userID (with role) may decide on a version
// written by author. Four eyes: the author may not approve their own
// version unless no other member could (othersEligible is false), as in
// a one-person organisation, where the approval record says so.
func (d *Document) CheckApprover(userID int64, role Role, author int64, othersEligible bool) error {
	if !d.MayApprove(userID, role) {
		return Errorf(EFORBIDDEN, "only members with the %s role or the document's named approvers may approve %s", d.ApproverRole, d.Ref)
	}
	if userID == author && othersEligible {
		return Errorf(EFORBIDDEN, "you wrote this version; another approver of %s must decide on it", d.Ref)
	}
	return nil
}

// DocumentVersion is one version of a document: Markdown text or an
// attached file.
type DocumentVersion struct {
	ID         int64
	OrgID      int64
	DocumentID int64
	Major      int
	Minor      int
	Status     VersionStatus
	Body       string // Markdown; "" when a file is attached
	FileName   string
	FileType   string // the content type of the file, "" for Markdown
	FileSize   int64
	SHA256     string // hex SHA-256 of the Markdown (UTF-8) or of the file
	ChangeNote string
	// ActionID / DecisionID: the corrective action or review decision the
	// version answers (0: none).
	ActionID    int64
	DecisionID  int64
	EffectiveAt *time.Time
	CreatedAt   time.Time
	CreatedBy   int64
	SubmittedAt *time.Time
	ApprovedAt  *time.Time
	ApprovedBy  int64
	// Joined for display.
	AuthorName, ApproverName string
}

// Number is the version number, "major.minor".
func (v *DocumentVersion) Number() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// IsFile reports whether the version is an attached file.
func (v *DocumentVersion) IsFile() bool { return v.FileType != "" }

// NextNumber returns the number of a new draft after the latest version
// (latestMajor.latestMinor; 0.0 when there is none): a minor revision
// adds one to the minor number, a major one starts the next major at 0.
// The first version is 1.0 when major, 0.1 when minor.
func NextNumber(latestMajor, latestMinor int, major bool) (int, int) {
	if major {
		return latestMajor + 1, 0
	}
	return latestMajor, latestMinor + 1
}

// CheckEditable returns ECONFLICT unless the version is a draft: an
// approved version is immutable (editing starts a new draft) and one in
// review is frozen until approved or rejected.
func (v *DocumentVersion) CheckEditable() error {
	switch v.Status {
	case VerDraft:
		return nil
	case VerInReview:
		return Errorf(ECONFLICT, "version %s is in review; reject it to edit it again", v.Number())
	}
	return Errorf(ECONFLICT, "version %s is %s and cannot change; start a new draft", v.Number(), v.Status)
}

// Submit moves a draft to review; EINVALID when it has no content.
func (v *DocumentVersion) Submit(now time.Time) error {
	if v.Status != VerDraft {
		return Errorf(ECONFLICT, "only a draft can be submitted; version %s is %s", v.Number(), v.Status)
	}
	if strings.TrimSpace(v.Body) == "" && !v.IsFile() {
		return Errorf(EINVALID, "version %s is empty; write the text or attach a file first", v.Number())
	}
	v.Status, v.SubmittedAt = VerInReview, &now
	return nil
}

// Decide approves or rejects a version in review. Approval fixes it
// (approved_at, approved_by); rejection returns it to draft.
func (v *DocumentVersion) Decide(decision string, by int64, now time.Time) error {
	if v.Status != VerInReview {
		return Errorf(ECONFLICT, "only a version in review can be approved or rejected; version %s is %s", v.Number(), v.Status)
	}
	switch decision {
	case DecisionApprove:
		v.Status, v.ApprovedAt, v.ApprovedBy = VerApproved, &now, by
	case DecisionReject:
		v.Status, v.SubmittedAt = VerDraft, nil
	default:
		return Errorf(EINVALID, "decision: approve or reject")
	}
	return nil
}

// NextReview is when a document approved (or effective) at from is due
// for review: months later, on the same day of the month or the month's
// last day when it has fewer days (31 January + 1 month = 28/29 February).
func NextReview(from time.Time, months int) time.Time {
	y, m, d := from.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, from.Location())
	last := first.AddDate(0, 1, -1).Day()
	h, mi, s := from.Clock()
	return time.Date(first.Year(), first.Month(), min(d, last), h, mi, s, from.Nanosecond(), from.Location())
}

// HashText returns the hex SHA-256 of Markdown text (its UTF-8 bytes).
func HashText(s string) string { return HashBytes([]byte(s)) }

// HashBytes returns the hex SHA-256 of b.
func HashBytes(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Content types of the files a version may be.
const (
	TypePDF  = "application/pdf"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// FileExt returns the file name extension of a document content type.
func FileExt(contentType string) string {
	switch contentType {
	case TypePDF:
		return ".pdf"
	case TypeDOCX:
		return ".docx"
	case TypeXLSX:
		return ".xlsx"
	}
	return ""
}

// DetectDocumentFile returns the content type of a document file from its
// bytes (never its name): PDF ("%PDF-"), or an Office Open XML package (a
// ZIP) with word/document.xml (DOCX) or xl/workbook.xml (XLSX). EINVALID
// for anything else, an empty file or one over MaxDocumentFile.
func DetectDocumentFile(b []byte) (string, error) {
	switch {
	case len(b) == 0:
		return "", Errorf(EINVALID, "file: the file is empty")
	case len(b) > MaxDocumentFile:
		return "", Errorf(EINVALID, "file: %d bytes is larger than the 10 MiB limit; attach a smaller file or write the text", len(b))
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return TypePDF, nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			break
		}
		for _, f := range z.File {
			switch f.Name {
			case "word/document.xml":
				return TypeDOCX, nil
			case "xl/workbook.xml":
				return TypeXLSX, nil
			}
		}
	}
	return "", Errorf(EINVALID, "file: only PDF, DOCX and XLSX files can be attached (recognised by their content)")
}

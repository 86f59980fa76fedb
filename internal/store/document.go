package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// The register of documented information (issue 18, migration 0034).

// docColumns reads a document with its owner, the number of its approved
// version (-1 when none) and the status of its open version ("" if none).
const docColumns = `d.id, d.org_id, d.ref, d.title, d.kind, d.classification, d.owner_id, d.approver_role, d.review_months,
	d.next_review_at, d.retired_at, d.created_at, d.created_by, d.updated_at, COALESCE(u.name, ''), COALESCE(u.email, ''),
	COALESCE((SELECT v.major FROM document_versions v WHERE v.org_id = d.org_id AND v.document_id = d.id AND v.status = 'approved'), -1),
	COALESCE((SELECT v.minor FROM document_versions v WHERE v.org_id = d.org_id AND v.document_id = d.id AND v.status = 'approved'), -1),
	COALESCE((SELECT v.status FROM document_versions v WHERE v.org_id = d.org_id AND v.document_id = d.id AND v.status IN ('draft', 'in_review')), '')`

const docFrom = ` FROM documents d LEFT JOIN users u ON u.id = d.owner_id`

func scanDocument(row interface{ Scan(...any) error }) (*isms.Document, error) {
	var d isms.Document
	var owner, by sql.NullInt64
	var next, retired nullTime
	var major, minor int
	var open string
	if err := row.Scan(&d.ID, &d.OrgID, &d.Ref, &d.Title, &d.Kind, &d.Classification, &owner, &d.ApproverRole, &d.ReviewMonths,
		&next, &retired, tm(&d.CreatedAt), &by, tm(&d.UpdatedAt), &d.OwnerName, &d.OwnerEmail, &major, &minor, &open); err != nil {
		return nil, err
	}
	d.OwnerID, d.CreatedBy = owner.Int64, by.Int64
	d.NextReviewAt, d.RetiredAt = ptime(next), ptime(retired)
	if major >= 0 {
		d.Current = fmt.Sprintf("%d.%d", major, minor)
	}
	d.Open = isms.VersionStatus(open)
	return &d, nil
}

// CreateDocument stores a new document and its named approvers. ECONFLICT
// when the organisation has a document with that reference.
func (tx *Tx) CreateDocument(ctx context.Context, d *isms.Document) error {
	d.CreatedAt, d.UpdatedAt = tx.Now, tx.Now
	err := tx.queryRow(ctx, `INSERT INTO documents (org_id, ref, title, kind, classification, owner_id, approver_role, review_months,
		next_review_at, retired_at, created_at, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $10) RETURNING id`,
		d.OrgID, d.Ref, d.Title, string(d.Kind), string(d.Classification), devNullID(d.OwnerID), string(d.ApproverRole), d.ReviewMonths,
		tx.devTime(d.NextReviewAt), tx.ts(tx.Now), devNullID(d.CreatedBy)).Scan(&d.ID)
	if err != nil {
		return conflict(err, fmt.Sprintf("a document with reference %s exists; choose another reference", d.Ref))
	}
	return tx.setDocumentApprovers(ctx, d)
}

// UpdateDocument stores a document's metadata, review date, retirement and
// named approvers.
func (tx *Tx) UpdateDocument(ctx context.Context, d *isms.Document) error {
	d.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE documents SET ref = $3, title = $4, kind = $5, classification = $6, owner_id = $7, approver_role = $8,
		review_months = $9, next_review_at = $10, retired_at = $11, updated_at = $12 WHERE org_id = $1 AND id = $2`,
		d.OrgID, d.ID, d.Ref, d.Title, string(d.Kind), string(d.Classification), devNullID(d.OwnerID), string(d.ApproverRole),
		d.ReviewMonths, tx.devTime(d.NextReviewAt), tx.devTime(d.RetiredAt), tx.ts(tx.Now))
	if err != nil {
		return conflict(err, fmt.Sprintf("a document with reference %s exists; choose another reference", d.Ref))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "document not found")
	}
	if _, err := tx.exec(ctx, `DELETE FROM document_approvers WHERE org_id = $1 AND document_id = $2`, d.OrgID, d.ID); err != nil {
		return err
	}
	return tx.setDocumentApprovers(ctx, d)
}

func (tx *Tx) setDocumentApprovers(ctx context.Context, d *isms.Document) error {
	for _, u := range d.Approvers {
		if _, err := tx.exec(ctx, `INSERT INTO document_approvers (org_id, document_id, user_id) VALUES ($1, $2, $3)`, d.OrgID, d.ID, u); err != nil {
			return fmt.Errorf("name approver %d: %w", u, err)
		}
	}
	return nil
}

// Document returns one document with its named approvers; ENOTFOUND.
func (tx *Tx) Document(ctx context.Context, orgID, id int64) (*isms.Document, error) {
	d, err := scanDocument(tx.queryRow(ctx, `SELECT `+docColumns+docFrom+` WHERE d.org_id = $1 AND d.id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "document")
	}
	rows, err := tx.query(ctx, `SELECT user_id FROM document_approvers WHERE org_id = $1 AND document_id = $2 ORDER BY user_id`, orgID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		d.Approvers = append(d.Approvers, u)
	}
	return d, rows.Err()
}

// DocumentFilter selects a page of the register; zero values do not
// filter.
type DocumentFilter struct {
	Kind isms.DocumentKind
	// Status: "approved" (has an approved version, not retired), "draft"
	// (no approved version yet, not retired), "in_review" (a version
	// awaits approval), "retired"; "" lists every document but retired
	// ones, "all" every document.
	Status  string
	OwnerID int64
	Overdue bool // review date before Now, not retired
	Now     time.Time
	// Limit is the page size (at most 500, default 50); Offset skips.
	Limit, Offset int
	// NoCount skips counting the matching documents (see uncounted).
	NoCount bool
}

const docHasApproved = `EXISTS (SELECT 1 FROM document_versions v WHERE v.org_id = d.org_id AND v.document_id = d.id AND v.status = 'approved')`

// DocumentPage returns one page of the register matching the filter,
// ordered by reference, and how many match (uncounted's with NoCount):
// the database filters and pages.
func (tx *Tx) DocumentPage(ctx context.Context, orgID int64, f DocumentFilter) ([]*isms.Document, int, error) {
	where, args := ` WHERE d.org_id = $1`, []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Kind != "" {
		where += ` AND d.kind = ` + arg(string(f.Kind))
	}
	switch f.Status {
	case "all":
	case "retired":
		where += ` AND d.retired_at IS NOT NULL`
	case "approved":
		where += ` AND d.retired_at IS NULL AND ` + docHasApproved
	case "draft":
		where += ` AND d.retired_at IS NULL AND NOT ` + docHasApproved
	case "in_review":
		where += ` AND d.retired_at IS NULL AND EXISTS (SELECT 1 FROM document_versions v WHERE v.org_id = d.org_id AND v.document_id = d.id AND v.status = 'in_review')`
	case "":
		where += ` AND d.retired_at IS NULL`
	default:
		return nil, 0, isms.Errorf(isms.EINVALID, "status: choose approved, draft, in_review, retired or all")
	}
	if f.OwnerID != 0 {
		where += ` AND d.owner_id = ` + arg(f.OwnerID)
	}
	if f.Overdue {
		where += ` AND d.retired_at IS NULL AND d.next_review_at < ` + arg(tx.ts(f.Now))
	}
	var total int
	if !f.NoCount {
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM documents d`+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count documents: %w", err)
		}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := tx.query(ctx, `SELECT `+docColumns+docFrom+where+` ORDER BY d.ref, d.id LIMIT `+arg(f.Limit+1)+` OFFSET `+arg(max(0, f.Offset)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []*isms.Document
	more := false
	for rows.Next() {
		if len(out) == f.Limit {
			more = true
			break
		}
		d, err := scanDocument(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan document: %w", err)
		}
		out = append(out, d)
	}
	if f.NoCount {
		total = uncounted(max(0, f.Offset), len(out), more)
	}
	return out, total, rows.Err()
}

// DocumentsDueForReview returns the organisation's documents not retired
// whose review date is before until, earliest first.
func (tx *Tx) DocumentsDueForReview(ctx context.Context, orgID int64, until time.Time) ([]*isms.Document, error) {
	rows, err := tx.query(ctx, `SELECT `+docColumns+docFrom+` WHERE d.org_id = $1 AND d.retired_at IS NULL AND d.next_review_at < $2
		ORDER BY d.next_review_at, d.id LIMIT 500`, orgID, tx.ts(until))
	if err != nil {
		return nil, fmt.Errorf("documents due for review: %w", err)
	}
	defer rows.Close()
	var out []*isms.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// EligibleApprovers counts the organisation's members other than except
// who may approve the document: members of its approver role and its
// named approvers who are still members.
func (tx *Tx) EligibleApprovers(ctx context.Context, d *isms.Document, except int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM memberships m WHERE m.org_id = $1 AND m.user_id <> $2 AND (m.role = $3
		OR m.user_id IN (SELECT a.user_id FROM document_approvers a WHERE a.org_id = $1 AND a.document_id = $4))`,
		d.OrgID, except, string(d.ApproverRole), d.ID).Scan(&n)
	return n, err
}

const versionColumns = `v.id, v.org_id, v.document_id, v.major, v.minor, v.status, %s, v.file_name, v.file_type, v.file_size, v.sha256,
	v.change_note, v.action_id, v.decision_id, v.effective_at, v.created_at, v.created_by, v.submitted_at, v.approved_at, v.approved_by,
	COALESCE(NULLIF(a.name, ''), a.email, ''), COALESCE(NULLIF(p.name, ''), p.email, '')`

const versionFrom = ` FROM document_versions v LEFT JOIN users a ON a.id = v.created_by LEFT JOIN users p ON p.id = v.approved_by`

func scanVersion(row interface{ Scan(...any) error }) (*isms.DocumentVersion, error) {
	var v isms.DocumentVersion
	var action, decision, by, approver sql.NullInt64
	var eff, sub, appr nullTime
	if err := row.Scan(&v.ID, &v.OrgID, &v.DocumentID, &v.Major, &v.Minor, &v.Status, &v.Body, &v.FileName, &v.FileType, &v.FileSize, &v.SHA256,
		&v.ChangeNote, &action, &decision, &eff, tm(&v.CreatedAt), &by, &sub, &appr, &approver, &v.AuthorName, &v.ApproverName); err != nil {
		return nil, err
	}
	v.ActionID, v.DecisionID, v.CreatedBy, v.ApprovedBy = action.Int64, decision.Int64, by.Int64, approver.Int64
	v.EffectiveAt, v.SubmittedAt, v.ApprovedAt = ptime(eff), ptime(sub), ptime(appr)
	return &v, nil
}

// InsertDocumentVersion stores a new version (its file separately, with
// SaveDocumentFile). ECONFLICT when the number exists.
func (tx *Tx) InsertDocumentVersion(ctx context.Context, v *isms.DocumentVersion) error {
	v.CreatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO document_versions (org_id, document_id, major, minor, status, body, file_name, file_type, file_size,
		sha256, change_note, action_id, decision_id, effective_at, created_at, created_by, submitted_at, approved_at, approved_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		v.OrgID, v.DocumentID, v.Major, v.Minor, string(v.Status), v.Body, v.FileName, v.FileType, v.FileSize, v.SHA256, v.ChangeNote,
		devNullID(v.ActionID), devNullID(v.DecisionID), tx.devTime(v.EffectiveAt), tx.ts(tx.Now), devNullID(v.CreatedBy),
		tx.devTime(v.SubmittedAt), tx.devTime(v.ApprovedAt), devNullID(v.ApprovedBy)).Scan(&v.ID)
	if err != nil {
		return conflict(err, fmt.Sprintf("version %s exists", v.Number()))
	}
	return nil
}

// UpdateDocumentVersion stores a version's content, status and dates.
func (tx *Tx) UpdateDocumentVersion(ctx context.Context, v *isms.DocumentVersion) error {
	res, err := tx.exec(ctx, `UPDATE document_versions SET status = $3, body = $4, file_name = $5, file_type = $6, file_size = $7, sha256 = $8,
		change_note = $9, action_id = $10, decision_id = $11, effective_at = $12, submitted_at = $13, approved_at = $14, approved_by = $15,
		major = $16, minor = $17 WHERE org_id = $1 AND id = $2`,
		v.OrgID, v.ID, string(v.Status), v.Body, v.FileName, v.FileType, v.FileSize, v.SHA256, v.ChangeNote, devNullID(v.ActionID),
		devNullID(v.DecisionID), tx.devTime(v.EffectiveAt), tx.devTime(v.SubmittedAt), tx.devTime(v.ApprovedAt), devNullID(v.ApprovedBy), v.Major, v.Minor)
	if err != nil {
		return conflict(err, fmt.Sprintf("version %s exists", v.Number()))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "document version not found")
	}
	return nil
}

// SupersedeApproved marks the document's approved version superseded.
func (tx *Tx) SupersedeApproved(ctx context.Context, orgID, docID int64) error {
	_, err := tx.exec(ctx, `UPDATE document_versions SET status = 'superseded' WHERE org_id = $1 AND document_id = $2 AND status = 'approved'`, orgID, docID)
	return err
}

// DocumentVersion returns one version of a document with its Markdown;
// ENOTFOUND.
func (tx *Tx) DocumentVersion(ctx context.Context, orgID, docID, id int64) (*isms.DocumentVersion, error) {
	v, err := scanVersion(tx.queryRow(ctx, `SELECT `+fmt.Sprintf(versionColumns, "v.body")+versionFrom+`
		WHERE v.org_id = $1 AND v.document_id = $2 AND v.id = $3`, orgID, docID, id))
	if err != nil {
		return nil, notFound(err, "document version")
	}
	return v, nil
}

// DocumentVersions returns every version of a document, newest first,
// without their Markdown (Body is "").
func (tx *Tx) DocumentVersions(ctx context.Context, orgID, docID int64) ([]*isms.DocumentVersion, error) {
	rows, err := tx.query(ctx, `SELECT `+fmt.Sprintf(versionColumns, "''")+versionFrom+`
		WHERE v.org_id = $1 AND v.document_id = $2 ORDER BY v.major DESC, v.minor DESC`, orgID, docID)
	if err != nil {
		return nil, fmt.Errorf("document versions: %w", err)
	}
	defer rows.Close()
	var out []*isms.DocumentVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SaveDocumentFile stores (or replaces) the file of a version.
func (tx *Tx) SaveDocumentFile(ctx context.Context, orgID, versionID int64, data []byte) error {
	if err := tx.DeleteDocumentFile(ctx, orgID, versionID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO document_files (version_id, org_id, data) VALUES ($1, $2, $3)`, versionID, orgID, data)
	return err
}

// DeleteDocumentFile removes the file of a version, if any.
func (tx *Tx) DeleteDocumentFile(ctx context.Context, orgID, versionID int64) error {
	_, err := tx.exec(ctx, `DELETE FROM document_files WHERE org_id = $1 AND version_id = $2`, orgID, versionID)
	return err
}

// DocumentFile returns the bytes of a version's file; ENOTFOUND.
func (tx *Tx) DocumentFile(ctx context.Context, orgID, versionID int64) ([]byte, error) {
	var b []byte
	if err := tx.queryRow(ctx, `SELECT data FROM document_files WHERE org_id = $1 AND version_id = $2`, orgID, versionID).Scan(&b); err != nil {
		return nil, notFound(err, "document file")
	}
	return b, nil
}

// DocumentApproval is one decision on a version.
type DocumentApproval struct {
	ID         int64
	DocumentID int64
	VersionID  int64
	Version    string // "1.2", joined
	UserID     int64
	Actor      string
	Name       string // the deciding person's name, "" if none
	Decision   string
	Comment    string
	CreatedAt  time.Time
}

// InsertDocumentApproval records a decision.
func (tx *Tx) InsertDocumentApproval(ctx context.Context, orgID int64, a *DocumentApproval) error {
	a.CreatedAt = tx.Now
	return tx.queryRow(ctx, `INSERT INTO document_approvals (org_id, document_id, version_id, user_id, actor, decision, comment, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		orgID, a.DocumentID, a.VersionID, devNullID(a.UserID), a.Actor, a.Decision, a.Comment, tx.ts(tx.Now)).Scan(&a.ID)
}

// DocumentApprovals lists a document's decisions, newest first.
func (tx *Tx) DocumentApprovals(ctx context.Context, orgID, docID int64) ([]DocumentApproval, error) {
	rows, err := tx.query(ctx, `SELECT a.id, a.document_id, a.version_id, v.major, v.minor, a.user_id, a.actor, COALESCE(u.name, ''), a.decision, a.comment, a.created_at
		FROM document_approvals a JOIN document_versions v ON v.id = a.version_id AND v.org_id = a.org_id
		LEFT JOIN users u ON u.id = a.user_id
		WHERE a.org_id = $1 AND a.document_id = $2 ORDER BY a.id DESC`, orgID, docID)
	if err != nil {
		return nil, fmt.Errorf("document approvals: %w", err)
	}
	defer rows.Close()
	var out []DocumentApproval
	for rows.Next() {
		var a DocumentApproval
		var major, minor int
		var u sql.NullInt64
		if err := rows.Scan(&a.ID, &a.DocumentID, &a.VersionID, &major, &minor, &u, &a.Actor, &a.Name, &a.Decision, &a.Comment, tm(&a.CreatedAt)); err != nil {
			return nil, err
		}
		a.UserID, a.Version = u.Int64, fmt.Sprintf("%d.%d", major, minor)
		out = append(out, a)
	}
	return out, rows.Err()
}

// DocumentLink ties a document to a control, process, risk or corrective
// action (isms.DocumentLinkKinds).
type DocumentLink struct {
	DocumentID int64
	Kind       string
	Target     string
	CreatedAt  *time.Time
}

// AddDocumentLink stores a link; ECONFLICT when it exists.
func (tx *Tx) AddDocumentLink(ctx context.Context, orgID int64, l *DocumentLink) error {
	now := tx.Now
	l.CreatedAt = &now
	_, err := tx.exec(ctx, `INSERT INTO document_links (org_id, document_id, kind, target, created_at) VALUES ($1, $2, $3, $4, $5)`,
		orgID, l.DocumentID, l.Kind, l.Target, tx.ts(now))
	return conflict(err, fmt.Sprintf("the document is already linked to %s %s", l.Kind, l.Target))
}

// RemoveDocumentLink deletes a link; ENOTFOUND when there is none.
func (tx *Tx) RemoveDocumentLink(ctx context.Context, orgID int64, l DocumentLink) error {
	res, err := tx.exec(ctx, `DELETE FROM document_links WHERE org_id = $1 AND document_id = $2 AND kind = $3 AND target = $4`,
		orgID, l.DocumentID, l.Kind, l.Target)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "link not found")
	}
	return nil
}

// DocumentLinks lists a document's links by kind and target.
func (tx *Tx) DocumentLinks(ctx context.Context, orgID, docID int64) ([]DocumentLink, error) {
	rows, err := tx.query(ctx, `SELECT document_id, kind, target, created_at FROM document_links WHERE org_id = $1 AND document_id = $2
		ORDER BY kind, target`, orgID, docID)
	if err != nil {
		return nil, fmt.Errorf("document links: %w", err)
	}
	defer rows.Close()
	var out []DocumentLink
	for rows.Next() {
		var l DocumentLink
		var at nullTime
		if err := rows.Scan(&l.DocumentID, &l.Kind, &l.Target, &at); err != nil {
			return nil, err
		}
		l.CreatedAt = ptime(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// RevisionRequirement is a document a corrective action requires a
// revision of, and whether a version approved since the requirement (or
// one naming the action) exists.
type RevisionRequirement struct {
	DocumentID int64
	TargetID   int64 // the action or decision that requires it
	Ref, Title string
	Since      *time.Time
	Satisfied  bool
}

// RevisionRequirements returns the documents a corrective action
// (kind isms.LinkRequiresAction) or a review decision
// (isms.LinkRequiresDecision) requires a revision of, each with whether it
// is satisfied: a version approved (and maybe since superseded) after the
// link was made, or one that names the action or decision.
func (tx *Tx) RevisionRequirements(ctx context.Context, orgID int64, kind string, id int64) ([]RevisionRequirement, error) {
	column := map[string]string{isms.LinkRequiresAction: "action_id", isms.LinkRequiresDecision: "decision_id"}[kind]
	if column == "" {
		return nil, fmt.Errorf("revision requirements: unknown kind %q", kind)
	}
	return tx.revisionRequirements(ctx, column, `l.org_id = $1 AND l.kind = $2 AND l.target = $3`, orgID, kind, fmt.Sprint(id), fmt.Sprint(id))
}

// ActionRevisions returns, for the corrective actions of a deviation, the
// documents each requires a revision of (keyed by action id), in one
// query for the page that lists the actions.
func (tx *Tx) ActionRevisions(ctx context.Context, orgID, deviationID int64) (map[int64][]RevisionRequirement, error) {
	out := map[int64][]RevisionRequirement{}
	rs, err := tx.revisionRequirements(ctx, "action_id", `l.org_id = $1 AND l.kind = $2 AND l.target IN
		(SELECT `+idText("ca.id")+` FROM corrective_actions ca WHERE ca.org_id = $1 AND ca.deviation_id = $3)`,
		orgID, isms.LinkRequiresAction, deviationID, nil)
	for _, r := range rs {
		out[r.TargetID] = append(out[r.TargetID], r)
	}
	return out, err
}

// revisionRequirements reads the requiring links that match cond; $4 is
// the action or decision id (as text) a version may name (nil: the
// link's target).
func (tx *Tx) revisionRequirements(ctx context.Context, column, cond string, args ...any) ([]RevisionRequirement, error) {
	rows, err := tx.query(ctx, `SELECT d.id, d.ref, d.title, l.created_at, l.target,
		CASE WHEN EXISTS (SELECT 1 FROM document_versions v WHERE v.org_id = d.org_id AND v.document_id = d.id
			AND v.status IN ('approved', 'superseded')
			AND (`+idText("v."+column)+` = COALESCE(`+idText("$4")+`, l.target) OR (l.created_at IS NOT NULL AND v.approved_at > l.created_at))) THEN 1 ELSE 0 END
		FROM document_links l JOIN documents d ON d.id = l.document_id AND d.org_id = l.org_id
		WHERE `+cond+` ORDER BY d.ref`, args...)
	if err != nil {
		return nil, fmt.Errorf("revision requirements: %w", err)
	}
	defer rows.Close()
	var out []RevisionRequirement
	for rows.Next() {
		var r RevisionRequirement
		var at nullTime
		var ok int
		var target string
		if err := rows.Scan(&r.DocumentID, &r.Ref, &r.Title, &at, &target, &ok); err != nil {
			return nil, err
		}
		r.TargetID, _ = strconv.ParseInt(target, 10, 64)
		r.Since, r.Satisfied = ptime(at), ok == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// CorrectiveActionRef is a corrective action with its deviation, for a
// document's page and for checking link targets.
type CorrectiveActionRef struct {
	ID, DeviationID   int64
	DeviationRef      string
	DeviationTitle    string
	Title, Status     string
	DocumentsRequired int
}

// CorrectiveActionRef returns a corrective action of the organisation with
// its deviation; ENOTFOUND.
func (tx *Tx) CorrectiveActionRef(ctx context.Context, orgID, id int64) (*CorrectiveActionRef, error) {
	var c CorrectiveActionRef
	err := tx.queryRow(ctx, `SELECT c.id, c.deviation_id, d.ref, d.title, c.title, c.status FROM corrective_actions c
		JOIN deviations d ON d.id = c.deviation_id AND d.org_id = c.org_id WHERE c.org_id = $1 AND c.id = $2`, orgID, id).
		Scan(&c.ID, &c.DeviationID, &c.DeviationRef, &c.DeviationTitle, &c.Title, &c.Status)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("corrective action %d", id))
	}
	return &c, nil
}

// ExistsInOrg reports whether a row of table with id belongs to the
// organisation; table is one of a fixed set (never user input).
func (tx *Tx) ExistsInOrg(ctx context.Context, table string, orgID int64, id int64) (bool, error) {
	switch table {
	case "processes", "risks", "corrective_actions", "review_actions":
	default:
		return false, fmt.Errorf("exists: unknown table %q", table)
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&n)
	return n > 0, err
}

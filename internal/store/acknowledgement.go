package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Acknowledgement of policies (issue 18, item 3): publications of approved
// document versions and the requests they make of people (migration 0035).
// The documents and their versions are read from the tables of migration
// 0034 directly.

// AckVersion is a document version as publishing and acknowledging read it.
type AckVersion struct {
	ID, DocumentID   int64
	Ref, Title       string
	Major, Minor     int
	Status           string
	Body             string
	FileName         string
	FileType         string
	FileSize         int64
	SHA256           string
	Retired          bool
	ApprovedAt       *time.Time
	DocumentOwnerID  int64
	DocumentKind     string
	DocumentApprover string
}

const ackVersionColumns = `v.id, v.document_id, d.ref, d.title, v.major, v.minor, v.status, v.body, v.file_name, v.file_type, v.file_size, v.sha256,
	d.retired_at, v.approved_at, COALESCE(d.owner_id, 0), d.kind, d.approver_role`

func scanAckVersion(row interface{ Scan(...any) error }) (*AckVersion, error) {
	var v AckVersion
	var retired, approved nullTime
	err := row.Scan(&v.ID, &v.DocumentID, &v.Ref, &v.Title, &v.Major, &v.Minor, &v.Status, &v.Body, &v.FileName, &v.FileType, &v.FileSize, &v.SHA256,
		&retired, &approved, &v.DocumentOwnerID, &v.DocumentKind, &v.DocumentApprover)
	v.Retired, v.ApprovedAt = retired.Valid, ptime(approved)
	return &v, err
}

// AckVersion returns a version of one of the organisation's documents;
// ENOTFOUND if there is none.
func (tx *Tx) AckVersion(ctx context.Context, orgID, versionID int64) (*AckVersion, error) {
	v, err := scanAckVersion(tx.queryRow(ctx, `SELECT `+ackVersionColumns+` FROM document_versions v JOIN documents d ON d.id = v.document_id
		WHERE v.org_id = $1 AND v.id = $2`, orgID, versionID))
	if err != nil {
		return nil, notFound(err, "document version")
	}
	return v, nil
}

// AckVersions returns every version of one of the organisation's
// documents, latest number first; ENOTFOUND if the document has none.
func (tx *Tx) AckVersions(ctx context.Context, orgID, documentID int64) ([]*AckVersion, error) {
	rows, err := tx.query(ctx, `SELECT `+ackVersionColumns+` FROM document_versions v JOIN documents d ON d.id = v.document_id
		WHERE v.org_id = $1 AND v.document_id = $2 ORDER BY v.major DESC, v.minor DESC`, orgID, documentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AckVersion
	for rows.Next() {
		v, err := scanAckVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, isms.Errorf(isms.ENOTFOUND, "document not found or without versions")
	}
	return out, nil
}

// DocumentFileData returns the bytes of a version's attached file.
func (tx *Tx) DocumentFileData(ctx context.Context, orgID, versionID int64) ([]byte, error) {
	var b []byte
	err := tx.queryRow(ctx, `SELECT data FROM document_files WHERE org_id = $1 AND version_id = $2`, orgID, versionID).Scan(&b)
	return b, notFound(err, "document file")
}

// Publication is one version published to an audience.
type Publication struct {
	ID, OrgID, DocumentID, VersionID int64
	Audience                         isms.Audience
	PublishedAt                      time.Time
	PublishedBy                      int64
	Actor                            string // as recorded (an email, for the audit trail)
	PublisherName                    string // the publisher's name now, for pages (read only)
}

// AddPublication stores a publication (and its named people) at Now.
func (tx *Tx) AddPublication(ctx context.Context, p *Publication) error {
	p.PublishedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO document_publications (org_id, document_id, version_id, audience, roles, published_at, published_by, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, p.OrgID, p.DocumentID, p.VersionID, p.Audience.Kind, p.Audience.RolesText(),
		tx.ts(p.PublishedAt), nullID(p.PublishedBy), p.Actor).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("add publication: %w", err)
	}
	for _, u := range p.Audience.People {
		if _, err := tx.exec(ctx, `INSERT INTO document_publication_people (publication_id, org_id, user_id) VALUES ($1, $2, $3)`, p.ID, p.OrgID, u); err != nil {
			return fmt.Errorf("add publication person: %w", err)
		}
	}
	return nil
}

// LatestPublications returns, for each of the organisation's documents
// that is not retired, its latest publication (with its named people).
func (tx *Tx) LatestPublications(ctx context.Context, orgID int64) ([]Publication, error) {
	rows, err := tx.query(ctx, `SELECT p.id, p.org_id, p.document_id, p.version_id, p.audience, p.roles, p.published_at, COALESCE(p.published_by, 0), p.actor,
			COALESCE((SELECT u.name FROM users u WHERE u.id = p.published_by), '')
		FROM document_publications p JOIN documents d ON d.id = p.document_id
		WHERE p.org_id = $1 AND d.retired_at IS NULL
		AND p.id = (SELECT MAX(q.id) FROM document_publications q WHERE q.org_id = p.org_id AND q.document_id = p.document_id)
		ORDER BY p.id`, orgID)
	if err != nil {
		return nil, err
	}
	var out []Publication
	func() {
		defer rows.Close()
		for rows.Next() {
			var p Publication
			var roles string
			if err = rows.Scan(&p.ID, &p.OrgID, &p.DocumentID, &p.VersionID, &p.Audience.Kind, &roles, tm(&p.PublishedAt), &p.PublishedBy, &p.Actor, &p.PublisherName); err != nil {
				return
			}
			if p.PublisherName == "" {
				p.PublisherName = p.Actor
			}
			p.Audience.Roles = isms.ParseRoles(roles)
			out = append(out, p)
		}
		err = rows.Err()
	}()
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Audience.Kind != isms.AudiencePeople {
			continue
		}
		prows, err := tx.query(ctx, `SELECT user_id FROM document_publication_people WHERE org_id = $1 AND publication_id = $2 ORDER BY user_id`, orgID, out[i].ID)
		if err != nil {
			return nil, err
		}
		for prows.Next() {
			var u int64
			if err := prows.Scan(&u); err != nil {
				prows.Close()
				return nil, err
			}
			out[i].Audience.People = append(out[i].Audience.People, u)
		}
		prows.Close()
	}
	return out, nil
}

// AckRow is one acknowledgement request with who, what and its answer.
type AckRow struct {
	isms.AckRequest
	OrgID, DocumentID int64
	Ref, Title        string
	UserName, Email   string
	// SHA256 is the hash recorded when acknowledged ("" before);
	// VersionSHA256 the version's own.
	SHA256, VersionSHA256 string
}

const ackColumns = `a.id, a.org_id, a.document_id, a.version_id, a.user_id, a.requested_at, a.due_at, a.acknowledged_at, a.dropped_at, a.sha256,
	v.major, v.minor, v.sha256, d.ref, d.title, u.name, u.email`

const ackFrom = ` FROM acknowledgements a JOIN document_versions v ON v.id = a.version_id JOIN documents d ON d.id = a.document_id JOIN users u ON u.id = a.user_id`

func scanAck(row interface{ Scan(...any) error }) (AckRow, error) {
	var r AckRow
	var acked, dropped nullTime
	err := row.Scan(&r.ID, &r.OrgID, &r.DocumentID, &r.VersionID, &r.UserID, tm(&r.RequestedAt), tm(&r.DueAt), &acked, &dropped, &r.SHA256,
		&r.Major, &r.Minor, &r.VersionSHA256, &r.Ref, &r.Title, &r.UserName, &r.Email)
	r.Acknowledged, r.Dropped = ptime(acked), ptime(dropped)
	return r, err
}

func (tx *Tx) acks(ctx context.Context, q string, args ...any) ([]AckRow, error) {
	rows, err := tx.query(ctx, `SELECT `+ackColumns+ackFrom+q, args...)
	if err != nil {
		return nil, fmt.Errorf("list acknowledgements: %w", err)
	}
	defer rows.Close()
	var out []AckRow
	for rows.Next() {
		r, err := scanAck(rows)
		if err != nil {
			return nil, fmt.Errorf("scan acknowledgement: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DocumentAcks returns every request of one document.
func (tx *Tx) DocumentAcks(ctx context.Context, orgID, documentID int64) ([]AckRow, error) {
	return tx.acks(ctx, ` WHERE a.org_id = $1 AND a.document_id = $2 ORDER BY a.id`, orgID, documentID)
}

// AckByID returns one request; ENOTFOUND if the organisation has none
// with the id.
func (tx *Tx) AckByID(ctx context.Context, orgID, id int64) (*AckRow, error) {
	r, err := scanAck(tx.queryRow(ctx, `SELECT `+ackColumns+ackFrom+` WHERE a.org_id = $1 AND a.id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "acknowledgement request")
	}
	return &r, nil
}

// AddAck asks a person to acknowledge a version, requested at Now and due
// isms.AckWithin later.
func (tx *Tx) AddAck(ctx context.Context, orgID, documentID, versionID, publicationID, userID int64) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO acknowledgements (org_id, document_id, version_id, publication_id, user_id, requested_at, due_at, sha256)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '') RETURNING id`, orgID, documentID, versionID, publicationID, userID,
		tx.ts(tx.Now), tx.ts(tx.Now.Add(isms.AckWithin))).Scan(&id)
	if err != nil {
		return 0, conflict(err, "this person was already asked to acknowledge this version")
	}
	return id, nil
}

// RetargetAck moves an open request to a later minor version of the same
// major, keeping its dates.
func (tx *Tx) RetargetAck(ctx context.Context, orgID, id, versionID, publicationID int64) error {
	_, err := tx.exec(ctx, `UPDATE acknowledgements SET version_id = $3, publication_id = $4
		WHERE org_id = $1 AND id = $2 AND acknowledged_at IS NULL AND dropped_at IS NULL`, orgID, id, versionID, publicationID)
	return err
}

// DropAck withdraws an open request at Now.
func (tx *Tx) DropAck(ctx context.Context, orgID, id int64) error {
	_, err := tx.exec(ctx, `UPDATE acknowledgements SET dropped_at = $3
		WHERE org_id = $1 AND id = $2 AND acknowledged_at IS NULL AND dropped_at IS NULL`, orgID, id, tx.ts(tx.Now))
	return err
}

// DropUserAcks withdraws, at Now, every open request of a person (who
// left the organisation) and returns how many.
func (tx *Tx) DropUserAcks(ctx context.Context, orgID, userID int64) (int64, error) {
	res, err := tx.exec(ctx, `UPDATE acknowledgements SET dropped_at = $3
		WHERE org_id = $1 AND user_id = $2 AND acknowledged_at IS NULL AND dropped_at IS NULL`, orgID, userID, tx.ts(tx.Now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// AcknowledgeAck records, at Now, that the request was answered after
// reading the version whose hash is sha; ECONFLICT if it is no longer open.
func (tx *Tx) AcknowledgeAck(ctx context.Context, orgID, id int64, sha string) error {
	res, err := tx.exec(ctx, `UPDATE acknowledgements SET acknowledged_at = $3, sha256 = $4
		WHERE org_id = $1 AND id = $2 AND acknowledged_at IS NULL AND dropped_at IS NULL`, orgID, id, tx.ts(tx.Now), sha)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.ECONFLICT, "this request is no longer open")
	}
	return nil
}

// AckFilter selects a page of the acknowledgement register; zero values do
// not filter.
type AckFilter struct {
	UserID     int64
	DocumentID int64
	State      string // done, open, overdue (at Now) or withdrawn
	Query      string // part of the person's name or email, or the document's reference or title
	Now        time.Time
	PageSpec
}

// AckPage returns one page of the organisation's acknowledgement requests,
// latest requested first, filtered, paged and counted by the database.
func (tx *Tx) AckPage(ctx context.Context, orgID int64, f AckFilter) (*Page[AckRow], error) {
	w := whereOrg(orgID, "a.org_id")
	if f.UserID != 0 {
		w.and(`a.user_id = %s`, f.UserID)
	}
	if f.DocumentID != 0 {
		w.and(`a.document_id = %s`, f.DocumentID)
	}
	switch f.State {
	case isms.AckDone:
		w.sql += ` AND a.acknowledged_at IS NOT NULL`
	case isms.AckOpen:
		w.and(`a.acknowledged_at IS NULL AND a.dropped_at IS NULL AND a.due_at >= %s`, tx.ts(f.Now))
	case isms.AckOverdue:
		w.and(`a.acknowledged_at IS NULL AND a.dropped_at IS NULL AND a.due_at < %s`, tx.ts(f.Now))
	case "withdrawn":
		w.sql += ` AND a.acknowledged_at IS NULL AND a.dropped_at IS NOT NULL`
	}
	countFrom := ` FROM acknowledgements a`
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		like := "%" + q + "%"
		w.and(`(LOWER(u.name) LIKE %s OR LOWER(u.email) LIKE %s OR LOWER(d.ref) LIKE %s OR LOWER(d.title) LIKE %s)`, like, like, like, like)
		countFrom += ` JOIN documents d ON d.id = a.document_id JOIN users u ON u.id = a.user_id`
	}
	return readPage(ctx, tx, "acknowledgements", ackColumns, ackFrom, countFrom, w, `a.requested_at DESC, a.id DESC`, f.PageSpec,
		func(rows *sql.Rows) (AckRow, error) { return scanAck(rows) })
}

// OpenAcks returns every open request of the organisation, for reminders.
func (tx *Tx) OpenAcks(ctx context.Context, orgID int64) ([]AckRow, error) {
	return tx.acks(ctx, ` WHERE a.org_id = $1 AND a.acknowledged_at IS NULL AND a.dropped_at IS NULL ORDER BY a.due_at, a.id`, orgID)
}

// StreamAcks feeds fn the requests made in [from, to), for the policy
// acknowledgement rate; fn must not keep the row.
func (tx *Tx) StreamAcks(ctx context.Context, orgID int64, from, to time.Time, fn func(*AckRow)) error {
	rows, err := tx.query(ctx, `SELECT `+ackColumns+ackFrom+` WHERE a.org_id = $1 AND a.requested_at >= $2 AND a.requested_at < $3`,
		orgID, tx.ts(from), tx.ts(to))
	if err != nil {
		return fmt.Errorf("stream acknowledgements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAck(rows)
		if err != nil {
			return fmt.Errorf("scan acknowledgement: %w", err)
		}
		fn(&r)
	}
	return rows.Err()
}

// CountAcks returns how many requests the organisation has ever made.
func (tx *Tx) CountAcks(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM acknowledgements WHERE org_id = $1`, orgID).Scan(&n)
	return n, err
}

// UserAck returns a person's request for a version; ENOTFOUND if they were
// never asked for it.
func (tx *Tx) UserAck(ctx context.Context, orgID, versionID, userID int64) (*AckRow, error) {
	r, err := scanAck(tx.queryRow(ctx, `SELECT `+ackColumns+ackFrom+` WHERE a.org_id = $1 AND a.version_id = $2 AND a.user_id = $3`, orgID, versionID, userID))
	if err != nil {
		return nil, notFound(err, "acknowledgement request")
	}
	return &r, nil
}

// DocumentPublished reports whether any version of the document was ever
// published.
func (tx *Tx) DocumentPublished(ctx context.Context, orgID, documentID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM document_publications WHERE org_id = $1 AND document_id = $2`, orgID, documentID).Scan(&n)
	return n > 0, err
}

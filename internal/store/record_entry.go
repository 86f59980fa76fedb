package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Records entered, changed and removed by hand, and the incident report
// link (issue 15).

// DeleteRecord removes one record (by id) the organisation can see;
// ENOTFOUND if there is none. Its audit events stay: the trail is
// append-only.
func (tx *Tx) DeleteRecord(ctx context.Context, orgID int64, kind isms.RecordKind, id int64) error {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM `+s.table+` WHERE org_id = $1`+s.scope+` AND id = $2 AND `+visible, orgID, id)
	if err != nil {
		return fmt.Errorf("delete %s: %w", kind, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "record %d not found", id)
	}
	return nil
}

// RecordKeyTaken reports whether a record of the kind other than exceptID
// has the natural key, including rows an import is still writing ahead
// (they are invisible, but their keys are taken).
func (tx *Tx) RecordKeyTaken(ctx context.Context, orgID int64, kind isms.RecordKind, key string, exceptID int64) (bool, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return false, err
	}
	var id int64
	err = tx.queryRow(ctx, `SELECT id FROM `+s.table+` WHERE org_id = $1`+s.scope+` AND natural_key = $2 AND id <> $3`, orgID, key, exceptID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// LastRefNumber returns the highest number n among the organisation's
// incident refs of the form prefix+n (e.g. "INC-2026-0042" for prefix
// "INC-2026-"), 0 if there is none. Every row counts, also those an
// import is writing ahead, since their refs are taken.
func (tx *Tx) LastRefNumber(ctx context.Context, orgID int64, kind isms.RecordKind, prefix string) (int, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return 0, err
	}
	// The longest, then greatest, key is the highest number as long as
	// numbers are zero-padded to one width; both are checked below.
	rows, err := tx.query(ctx, `SELECT natural_key FROM `+s.table+` WHERE org_id = $1`+s.scope+` AND natural_key LIKE $2
		ORDER BY LENGTH(natural_key) DESC, natural_key DESC LIMIT 20`, orgID, prefix+"%")
	if err != nil {
		return 0, fmt.Errorf("read %s refs: %w", kind, err)
	}
	defer rows.Close()
	best := 0
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return 0, err
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(k, prefix)); err == nil && n > best {
			best = n
		}
	}
	return best, rows.Err()
}

// ReportLink is an organisation's public incident report link.
type ReportLink struct {
	OrgID     int64
	CreatedAt time.Time
	CreatedBy int64
}

// ReportLinkOf returns the organisation's report link; nil when disabled.
func (tx *Tx) ReportLinkOf(ctx context.Context, orgID int64) (*ReportLink, error) {
	l := &ReportLink{OrgID: orgID}
	err := tx.queryRow(ctx, `SELECT created_at, created_by FROM incident_report_links WHERE org_id = $1`, orgID).Scan(tm(&l.CreatedAt), &l.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, err
}

// SetReportLink stores the SHA-256 (hex) of the organisation's new link
// token, replacing any previous one.
func (tx *Tx) SetReportLink(ctx context.Context, orgID int64, tokenSHA256 string, by int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM incident_report_links WHERE org_id = $1`, orgID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO incident_report_links (org_id, token_sha256, created_at, created_by) VALUES ($1, $2, $3, $4)`,
		orgID, tokenSHA256, tx.ts(tx.Now), by)
	return err
}

// DeleteReportLink disables the organisation's link.
func (tx *Tx) DeleteReportLink(ctx context.Context, orgID int64) error {
	_, err := tx.exec(ctx, `DELETE FROM incident_report_links WHERE org_id = $1`, orgID)
	return err
}

// OrgByReportToken returns the organisation whose link token has this
// SHA-256 (hex); ENOTFOUND if none.
func (tx *Tx) OrgByReportToken(ctx context.Context, tokenSHA256 string) (*isms.Organization, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT org_id FROM incident_report_links WHERE token_sha256 = $1`, tokenSHA256).Scan(&id)
	if err != nil {
		return nil, notFound(err, "report link")
	}
	return tx.OrgByID(ctx, id)
}

// MirroredRecord reports whether a record of the kind with this key is
// the mirror of a deviation or audit finding worked in pdca (whose
// workflow rewrites it), rather than an imported or typed one.
func (tx *Tx) MirroredRecord(ctx context.Context, orgID int64, kind isms.RecordKind, key string) (bool, error) {
	var table string
	switch kind {
	case isms.KindDeviations:
		table = "deviations"
	case isms.KindAuditFindings:
		table = "audit_findings"
	default:
		return false, nil
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE org_id = $1 AND ref = $2`, orgID, key).Scan(&n)
	return n > 0, err
}

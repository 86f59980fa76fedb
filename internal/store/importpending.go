package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// PendingImport is an import whose new rows are being written ahead of
// its final transaction; they stay hidden from reads until CommitPending.
type PendingImport struct {
	ImportID int64
	OrgID    int64
	Kind     isms.RecordKind
	AfterID  int64 // every row of the import has a higher id
}

// BeginPending stores the import run im (as CreateImport does) and marks
// it pending, so the records written with its id stay hidden.
func (tx *Tx) BeginPending(ctx context.Context, im *Import) (PendingImport, error) {
	s, err := tx.statements(ctx, im.OrgID, im.Kind)
	if err != nil {
		return PendingImport{}, err
	}
	if err := tx.CreateImport(ctx, im); err != nil {
		return PendingImport{}, err
	}
	p := PendingImport{ImportID: im.ID, OrgID: im.OrgID, Kind: im.Kind}
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+s.table).Scan(&p.AfterID); err != nil {
		return p, fmt.Errorf("begin pending import: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO import_pending (import_id, org_id, kind, after_id, touched_at) VALUES ($1, $2, $3, $4, $5)`,
		p.ImportID, p.OrgID, string(p.Kind), p.AfterID, tx.ts(tx.Now))
	if err != nil {
		return p, fmt.Errorf("begin pending import: %w", err)
	}
	return p, nil
}

// TouchPending records that the import's writer is alive.
func (tx *Tx) TouchPending(ctx context.Context, p PendingImport) error {
	_, err := tx.exec(ctx, `UPDATE import_pending SET touched_at = $3 WHERE org_id = $1 AND import_id = $2`, p.OrgID, p.ImportID, tx.ts(tx.Now))
	return err
}

// CommitPending makes the import's rows visible, in the transaction that
// writes the rest of the import. ECONFLICT if the import is no longer
// pending (housekeeping took it for abandoned).
func (tx *Tx) CommitPending(ctx context.Context, p PendingImport) error {
	res, err := tx.exec(ctx, `DELETE FROM import_pending WHERE org_id = $1 AND import_id = $2`, p.OrgID, p.ImportID)
	if err != nil {
		return fmt.Errorf("commit pending import: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ECONFLICT, "the import's rows were removed as abandoned while it was written; import the file again")
	}
	return nil
}

// DeletePendingRows deletes up to limit rows of a pending import and
// returns how many it deleted; 0 means none are left. It deletes nothing
// once the import is no longer pending (committed after all).
func (tx *Tx) DeletePendingRows(ctx context.Context, p PendingImport, limit int) (int64, error) {
	s, err := tx.statements(ctx, p.OrgID, p.Kind)
	if err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, `DELETE FROM `+s.table+` WHERE id IN (SELECT id FROM `+s.table+`
		WHERE id > $3 AND org_id = $1 AND import_id = $2 ORDER BY id LIMIT $4)
		AND EXISTS (SELECT 1 FROM import_pending p WHERE p.org_id = $1 AND p.import_id = $2)`, p.OrgID, p.ImportID, p.AfterID, limit)
	if err != nil {
		return 0, fmt.Errorf("remove rows of import %d: %w", p.ImportID, err)
	}
	return res.RowsAffected()
}

// DropPending removes the pending mark and the import run itself, once
// its rows are gone.
func (tx *Tx) DropPending(ctx context.Context, p PendingImport) error {
	if _, err := tx.exec(ctx, `DELETE FROM import_pending WHERE org_id = $1 AND import_id = $2`, p.OrgID, p.ImportID); err != nil {
		return fmt.Errorf("drop pending import: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM imports WHERE org_id = $1 AND id = $2`, p.OrgID, p.ImportID); err != nil {
		return fmt.Errorf("drop pending import: %w", err)
	}
	return nil
}

// StalePending lists pending imports whose writer has not been heard of
// since before.
func (tx *Tx) StalePending(ctx context.Context, before time.Time) ([]PendingImport, error) {
	rows, err := tx.query(ctx, `SELECT import_id, org_id, kind, after_id FROM import_pending WHERE touched_at < $1 ORDER BY import_id`, tx.ts(before))
	if err != nil {
		return nil, fmt.Errorf("stale pending imports: %w", err)
	}
	defer rows.Close()
	var out []PendingImport
	for rows.Next() {
		var p PendingImport
		var kind string
		if err := rows.Scan(&p.ImportID, &p.OrgID, &kind, &p.AfterID); err != nil {
			return nil, err
		}
		p.Kind = isms.RecordKind(kind)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PendingOf says whether an import of kind into the organisation is
// pending and was heard of since staleBefore (busy), and lists those of
// the kind not heard of since (stale).
func (tx *Tx) PendingOf(ctx context.Context, orgID int64, kind isms.RecordKind, staleBefore time.Time) (busy bool, stale []PendingImport, err error) {
	rows, err := tx.query(ctx, `SELECT import_id, after_id, touched_at FROM import_pending WHERE org_id = $1 AND kind = $2 ORDER BY import_id`, orgID, string(kind))
	if err != nil {
		return false, nil, fmt.Errorf("pending imports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := PendingImport{OrgID: orgID, Kind: kind}
		var touched time.Time
		if err := rows.Scan(&p.ImportID, &p.AfterID, tm(&touched)); err != nil {
			return false, nil, err
		}
		if touched.Before(staleBefore) {
			stale = append(stale, p)
		} else {
			busy = true
		}
	}
	return busy, stale, rows.Err()
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// SoARow is a stored decision of the Statement of Applicability.
type SoARow struct {
	isms.SoAEntry
	UpdatedBy string
	UpdatedAt time.Time
}

// SoAEntries returns the organisation's decisions about the catalogue's
// controls, with their linked processes, keyed by control identifier.
func (tx *Tx) SoAEntries(ctx context.Context, orgID int64, catalogue string) (map[string]*SoARow, error) {
	rows, err := tx.query(ctx, `SELECT control_id, applicable, justification, status, updated_by, updated_at FROM soa_entries
		WHERE org_id = $1 AND catalogue = $2`, orgID, catalogue)
	if err != nil {
		return nil, fmt.Errorf("list soa entries: %w", err)
	}
	out := map[string]*SoARow{}
	for rows.Next() {
		e := &SoARow{SoAEntry: isms.SoAEntry{Catalogue: catalogue}}
		var status string
		if err := rows.Scan(&e.ControlID, &e.Applicable, &e.Justification, &status, &e.UpdatedBy, tm(&e.UpdatedAt)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan soa entry: %w", err)
		}
		e.Status, e.UpdatedAt = isms.ImplementationStatus(status), e.UpdatedAt.UTC()
		out[e.ControlID] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.query(ctx, `SELECT control_id, process_id FROM soa_processes WHERE org_id = $1 AND catalogue = $2 ORDER BY control_id, process_id`,
		orgID, catalogue)
	if err != nil {
		return nil, fmt.Errorf("list soa processes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var p int64
		if err := rows.Scan(&c, &p); err != nil {
			return nil, err
		}
		if e := out[c]; e != nil {
			e.ProcessIDs = append(e.ProcessIDs, p)
		}
	}
	return out, rows.Err()
}

// SaveSoAEntry inserts or replaces the decision about a control and its
// linked processes. The app checks first that the processes are the
// organisation's.
func (tx *Tx) SaveSoAEntry(ctx context.Context, orgID int64, e *SoARow) error {
	e.UpdatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO soa_entries (org_id, catalogue, control_id, applicable, justification, status, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (org_id, catalogue, control_id) DO UPDATE SET applicable = excluded.applicable, justification = excluded.justification,
			status = excluded.status, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		orgID, e.Catalogue, e.ControlID, e.Applicable, e.Justification, string(e.Status), e.UpdatedBy, tx.ts(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save soa entry %s: %w", e.ControlID, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM soa_processes WHERE org_id = $1 AND catalogue = $2 AND control_id = $3`, orgID, e.Catalogue, e.ControlID); err != nil {
		return fmt.Errorf("unlink soa processes: %w", err)
	}
	for _, p := range e.ProcessIDs {
		if _, err := tx.exec(ctx, `INSERT INTO soa_processes (org_id, catalogue, control_id, process_id) VALUES ($1, $2, $3, $4)`,
			orgID, e.Catalogue, e.ControlID, p); err != nil {
			return fmt.Errorf("link soa process %d: %w", p, err)
		}
	}
	return nil
}

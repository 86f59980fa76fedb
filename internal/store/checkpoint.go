package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// ChainHeads lists every recorded chain head with its organisation's slug
// ("" for the system chain and for a head whose organisation is gone), by
// organisation id.
func (tx *Tx) ChainHeads(ctx context.Context) ([]isms.ChainHead, error) {
	rows, err := tx.query(ctx, `SELECT h.org_id, COALESCE(o.slug, ''), h.seq, h.hash
		FROM audit_heads h LEFT JOIN organizations o ON o.id = h.org_id ORDER BY h.org_id`)
	if err != nil {
		return nil, fmt.Errorf("chain heads: %w", err)
	}
	defer rows.Close()
	var out []isms.ChainHead
	for rows.Next() {
		var h isms.ChainHead
		if err := rows.Scan(&h.OrgID, &h.Org, &h.Seq, &h.Hash); err != nil {
			return nil, fmt.Errorf("chain heads: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// EventHash returns the hash of a chain's event at seq ("" when there is
// no such event).
func (tx *Tx) EventHash(ctx context.Context, orgID, seq int64) (string, error) {
	var h string
	err := tx.queryRow(ctx, `SELECT hash FROM audit_events WHERE org_id = $1 AND seq = $2`, orgID, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return h, err
}

// ChainExists tells whether a chain has a head row or any event.
func (tx *Tx) ChainExists(ctx context.Context, orgID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM audit_heads WHERE org_id = $1) + (SELECT COUNT(*) FROM audit_events WHERE org_id = $1)`, orgID).Scan(&n)
	return n > 0, err
}

// StoredCheckpoint is a signed checkpoint as stored: OrgID 0 for a
// statement of every chain, else one organisation's own chain.
type StoredCheckpoint struct {
	ID        int64
	OrgID     int64
	TakenAt   time.Time
	Reason    string // "daily", "review", "cli"
	SHA256    string
	Statement string // the JSON document
}

// AddCheckpoint stores a signed checkpoint.
func (tx *Tx) AddCheckpoint(ctx context.Context, c *StoredCheckpoint) error {
	c.TakenAt = c.TakenAt.UTC().Truncate(time.Microsecond)
	err := tx.queryRow(ctx, `INSERT INTO audit_checkpoints (org_id, taken_at, reason, sha256, statement) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		c.OrgID, tx.ts(c.TakenAt), c.Reason, c.SHA256, c.Statement).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("add checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the newest checkpoint stored for orgID (0: of
// every chain). ENOTFOUND when none was taken.
func (tx *Tx) LatestCheckpoint(ctx context.Context, orgID int64) (*StoredCheckpoint, error) {
	c := &StoredCheckpoint{}
	err := tx.queryRow(ctx, `SELECT id, org_id, taken_at, reason, sha256, statement FROM audit_checkpoints WHERE org_id = $1 ORDER BY id DESC LIMIT 1`, orgID).
		Scan(&c.ID, &c.OrgID, tm(&c.TakenAt), &c.Reason, &c.SHA256, &c.Statement)
	if err != nil {
		return nil, notFound(err, "audit checkpoint")
	}
	c.TakenAt = c.TakenAt.UTC()
	return c, nil
}

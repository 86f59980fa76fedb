package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// AppendEvent appends an event to its organisation's chain, in the caller's
// transaction. The chain head row serialises concurrent writers of one
// organisation (a row lock on PostgreSQL; the single writer on SQLite), so
// the chain never forks.
func (tx *Tx) AppendEvent(ctx context.Context, e *isms.Event) error {
	if _, err := tx.exec(ctx, `INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 0, '') ON CONFLICT (org_id) DO NOTHING`, e.OrgID); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	// Incrementing seq takes the row lock; hash is not changed by this
	// statement, so RETURNING gives the previous event's hash.
	if err := tx.queryRow(ctx, `UPDATE audit_heads SET seq = seq + 1 WHERE org_id = $1 RETURNING seq, hash`, e.OrgID).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e.At = tx.Now
	e.Hash = e.ComputeHash()
	if err := tx.queryRow(ctx, `INSERT INTO audit_events
		(org_id, seq, actor_id, actor, action, entity, entity_id, before_json, after_json, at, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		e.OrgID, e.Seq, e.ActorID, e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, tx.ts(e.At), e.PrevHash, e.Hash).
		Scan(&e.ID); err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE audit_heads SET hash = $2 WHERE org_id = $1`, e.OrgID, e.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// EventFilter selects events of one organisation. Zero fields match all.
type EventFilter struct {
	OrgID    int64
	Entity   string
	EntityID string
	Action   string
	// ActorID selects the events of one person (0: everyone).
	ActorID   int64
	Since     *time.Time
	Until     *time.Time
	BeforeSeq int64 // for paging backwards (newest first); 0 = from the newest
	Limit     int
}

const eventColumns = `id, org_id, seq, actor_id, actor, action, entity, entity_id, before_json, after_json, at, prev_hash, hash`

func scanEvent(row interface{ Scan(...any) error }) (isms.Event, error) {
	var e isms.Event
	err := row.Scan(&e.ID, &e.OrgID, &e.Seq, &e.ActorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID,
		&e.Before, &e.After, tm(&e.At), &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// eventsQuery is the statement of a page of f's events, newest first, and
// its arguments. Only the filters f sets are in it, each a condition an
// index of migration 0044 can seek on. One statement for every filter,
// each written "the parameter is empty, OR the column equals it", left
// neither engine an index to use: a page of one object's history, a rare
// action or a day read the trail from its newest event until it had its
// rows (40 ms at 100,000 events on SQLite, docs/BENCHMARKS.md, "The audit
// trail").
//
// Days: a window bounded on both sides (since and until) is read through
// (org_id, at) and its events sorted, a cost of the window; "seq + 0"
// keeps the planners from reading the trail by seq from its newest event
// down to the window, which PostgreSQL chose for a day half way down
// (its statistics cannot tell that times rise with seq). A single bound is
// read by seq (newest first) with the time as a filter, as before 0044:
// the events since a day are the newest ones, and an index on the time
// would make SQLite sort all of them (10 ms for 5,000; "+at" keeps SQLite
// off it; PostgreSQL's statistics choose right).
func eventsQuery(engine Engine, f EventFilter, ts func(time.Time) any) (string, []any) {
	w := whereOrg(f.OrgID, "org_id")
	if f.Entity != "" {
		w.and(`entity = %s`, f.Entity)
	}
	if f.EntityID != "" {
		w.and(`entity_id = %s`, f.EntityID)
	}
	if f.Action != "" {
		w.and(`action = %s`, f.Action)
	}
	if f.ActorID != 0 {
		w.and(`actor_id = %s`, f.ActorID)
	}
	order, at := `seq DESC`, `at`
	switch {
	case f.Since != nil && f.Until != nil:
		order = `seq + 0 DESC`
	case engine == SQLite:
		at = `+at`
	}
	if f.Since != nil {
		w.and(at+` >= %s`, ts(*f.Since))
	}
	if f.Until != nil {
		w.and(at+` < %s`, ts(*f.Until))
	}
	if f.BeforeSeq > 0 {
		w.and(`seq < %s`, f.BeforeSeq)
	}
	return `SELECT ` + eventColumns + ` FROM audit_events` + w.sql + ` ORDER BY ` + order + fmt.Sprintf(` LIMIT $%d`, len(w.args)+1), append(w.args, f.Limit)
}

// Events lists an organisation's events, newest first, filtered: at most
// f.Limit (100 when 0, at most 1,000).
func (tx *Tx) Events(ctx context.Context, f EventFilter) ([]isms.Event, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q, args := eventsQuery(tx.db.Engine, f, tx.ts)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	defer rows.Close()
	var out []isms.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ChainOrgIDs lists every organisation id that has an audit chain (0 is
// the system chain).
func (tx *Tx) ChainOrgIDs(ctx context.Context) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT org_id FROM audit_heads UNION SELECT DISTINCT org_id FROM audit_events ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ChainHead returns the recorded length and last hash of a chain.
func (tx *Tx) ChainHead(ctx context.Context, orgID int64) (seq int64, hash string, err error) {
	err = tx.queryRow(ctx, `SELECT seq, hash FROM audit_heads WHERE org_id = $1`, orgID).Scan(&seq, &hash)
	return seq, hash, notFound(err, "audit chain")
}

// EachEvent calls fn for every event of a chain in sequence order, reading
// in pages so memory stays bounded on long chains.
func (tx *Tx) EachEvent(ctx context.Context, orgID int64, fn func(isms.Event) error) error {
	after := int64(0)
	for {
		rows, err := tx.query(ctx, `SELECT `+eventColumns+` FROM audit_events WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000`, orgID, after)
		if err != nil {
			return fmt.Errorf("read audit chain: %w", err)
		}
		var page []isms.Event
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan audit event: %w", err)
			}
			page = append(page, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].Seq
	}
}

// LockOrg takes the organisation's audit chain head row lock for the rest
// of the transaction (a no-op write on SQLite, whose writer is single).
// Every change appends an audit event and takes this lock at its end
// anyway; taking it first serialises transactions that number things per
// organisation (DEV-2026-014, F-2026-003, R-007), so on PostgreSQL two of
// them cannot compute the same next number.
func (tx *Tx) LockOrg(ctx context.Context, orgID int64) error {
	if _, err := tx.exec(ctx, `INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 0, '') ON CONFLICT (org_id) DO NOTHING`, orgID); err != nil {
		return fmt.Errorf("lock organisation: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE audit_heads SET seq = seq WHERE org_id = $1`, orgID); err != nil {
		return fmt.Errorf("lock organisation: %w", err)
	}
	return nil
}

// LastEventSeq returns the sequence number of the organisation's latest
// event whose action starts with one of the prefixes (0 when none).
func (tx *Tx) LastEventSeq(ctx context.Context, orgID int64, prefixes ...string) (int64, error) {
	if len(prefixes) == 0 {
		return 0, nil
	}
	args := []any{orgID}
	var or []string
	for _, p := range prefixes {
		args = append(args, p+"%")
		or = append(or, fmt.Sprintf("action LIKE $%d", len(args)))
	}
	var seq int64
	err := tx.queryRow(ctx, `SELECT seq FROM audit_events WHERE org_id = $1 AND (`+strings.Join(or, " OR ")+`) ORDER BY seq DESC LIMIT 1`, args...).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

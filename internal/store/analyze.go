package store

import (
	"context"
	"fmt"

	"github.com/pdca/pdca/internal/isms"
)

// AnalyzeRecords refreshes PostgreSQL's statistics of the table that holds
// an organisation's records of kind. After a large import they are stale
// (or absent in a new database) until autovacuum analyzes the table, up to
// a minute or so later; meanwhile the planner guesses, and guessed wrong
// for a keyset page of records, which it sorted instead of reading from
// the list's index (docs/BENCHMARKS.md, "Lists of records"). It runs on
// the writer pool: the readers' sessions are read-only, where ANALYZE is
// refused. On SQLite it does nothing (SQLite plans without statistics
// unless they were gathered, and pdca gathers none).
func (db *DB) AnalyzeRecords(ctx context.Context, orgID int64, kind isms.RecordKind) error {
	if db.Engine != Postgres {
		return nil
	}
	var table string
	err := db.ReadOne(ctx, func(tx *Tx) error {
		s, err := tx.statements(ctx, orgID, kind)
		if err == nil {
			table = s.table // one of the store's own table names, never input
		}
		return err
	})
	if err != nil {
		return err
	}
	if _, err := db.writer.ExecContext(ctx, `ANALYZE `+table); err != nil {
		return fmt.Errorf("analyze %s: %w", table, err)
	}
	return nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Operational reads and probes for /readyz and /metrics (package obs and
// web). None of them reads tenant data beyond counts per organisation id.

// sqliteFile is the SQLite database file a DSN names, as it is now; nil
// for PostgreSQL, an in-memory database or a file: URI.
func sqliteFile(e Engine, dsn string) os.FileInfo {
	if e != SQLite || dsn == "" || dsn == ":memory:" || strings.HasPrefix(dsn, "file:") {
		return nil
	}
	fi, err := os.Stat(dsn)
	if err != nil {
		return nil
	}
	return fi
}

// errProbeDone rolls the probe's transaction back.
var errProbeDone = errors.New("probe done")

// Probe checks that the database takes writes: on SQLite that its path
// still names the file pdca opened (a moved or deleted file keeps
// answering through the open handles, into nothing anyone will read),
// then, on both engines, that a transaction on the writer can insert a
// row; the transaction is rolled back, so nothing is kept. The error says
// what failed.
func (db *DB) Probe(ctx context.Context) error {
	if db.file != nil {
		fi, err := os.Stat(db.DSN)
		if err != nil {
			return fmt.Errorf("database file %s: %w", db.DSN, err)
		}
		if !os.SameFile(fi, db.file) {
			return fmt.Errorf("database file %s was replaced since pdca opened it", db.DSN)
		}
	}
	err := db.Write(ctx, func(tx *Tx) error {
		// A sign-in throttle row: a table without foreign keys, triggers
		// or audit, under a key no sign-in can produce.
		if _, err := tx.exec(ctx, `INSERT INTO signin_throttle (key, failures, window_start, last_at) VALUES ($1, 0, $2, $2)`,
			"pdca:readyz-probe", tx.ts(tx.Now)); err != nil {
			return err
		}
		return errProbeDone
	})
	if errors.Is(err, errProbeDone) {
		return nil
	}
	if err == nil {
		err = errors.New("the probe's transaction committed")
	}
	return fmt.Errorf("write probe: %w", err)
}

// SchemaVersions returns the latest migration applied to the database and
// the latest this binary knows; current < latest means the database is
// behind (another process is migrating, or a migration failed).
func (db *DB) SchemaVersions(ctx context.Context) (current, latest int64, err error) {
	p, err := db.migrations()
	if err != nil {
		return 0, 0, err
	}
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
	}
	// Read goose's table directly on a reader: the provider's own
	// GetVersions takes a writer connection, which SQLite has one of.
	err = db.reader.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&current)
	if err != nil {
		return 0, latest, fmt.Errorf("read schema version: %w", err)
	}
	return current, latest, nil
}

// JobCount is how many River jobs of a queue are in a state.
type JobCount struct {
	Queue string
	State string
	Count int64
}

// JobCounts counts River's unfinished jobs (available, running,
// retryable, scheduled) by queue and state: one query on River's
// fetching index (state, queue, ...).
func (db *DB) JobCounts(ctx context.Context) ([]JobCount, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT queue, state, COUNT(*) FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled') GROUP BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		if err := rows.Scan(&c.Queue, &c.State, &c.Count); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AuditChainLengths returns every organisation's audit chain length
// (events written) by organisation id, the system organisation's too.
func (db *DB) AuditChainLengths(ctx context.Context) (map[int64]int64, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT org_id, seq FROM audit_heads`)
	if err != nil {
		return nil, fmt.Errorf("read audit heads: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var org, seq int64
		if err := rows.Scan(&org, &seq); err != nil {
			return nil, fmt.Errorf("read audit heads: %w", err)
		}
		out[org] = seq
	}
	return out, rows.Err()
}

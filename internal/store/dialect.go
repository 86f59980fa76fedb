package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pdca/pdca/internal/isms"
)

// ts prepares a time for storage: UTC, microsecond precision (PostgreSQL's),
// so that what is read back equals what was written on both engines.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ptime converts a scanned nullable time to a pointer in UTC.
func ptime(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// uniqueViolation reports whether err is a unique-constraint violation and,
// when the engine tells, on which index or constraint.
func uniqueViolation(err error) (bool, string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505", pgErr.ConstraintName
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		if c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			// SQLite names columns, not constraints: "UNIQUE constraint failed: users.email".
			msg := sqErr.Error()
			if i := strings.LastIndex(msg, "failed: "); i >= 0 {
				return true, strings.TrimSuffix(msg[i+len("failed: "):], ")")
			}
			return true, ""
		}
	}
	return false, ""
}

// conflict turns a unique violation into an ECONFLICT error with message.
func conflict(err error, message string) error {
	if ok, _ := uniqueViolation(err); ok {
		return isms.Errorf(isms.ECONFLICT, "%s", message)
	}
	return err
}

// DeleteExpiredSessions removes sessions past their expiry. The session
// tables follow the scs stores' layouts, which differ per engine.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	q := `DELETE FROM sessions WHERE expiry < julianday('now')`
	if tx.db.Engine == Postgres {
		q = `DELETE FROM sessions WHERE expiry < current_timestamp`
	}
	res, err := tx.exec(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

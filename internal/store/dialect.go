package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pdca/pdca/internal/isms"
)

// Times are stored in UTC with microsecond precision (PostgreSQL's), so
// that what is read back equals what was written on both engines. On
// PostgreSQL a time column is timestamptz; on SQLite it holds INTEGER
// microseconds since 1970-01-01 UTC (migration 0030), so reading a row
// costs no parsing of text, and integers compare, sort and index as the
// times do. The conversion lives here only: tx.ts for arguments, tm and
// nullTime for scan destinations.

// ts prepares a time as a query argument: UTC, microsecond precision, as
// integer microseconds on SQLite.
func (tx *Tx) ts(t time.Time) any { return tx.db.Engine.ts(t) }

func (e Engine) ts(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if e == SQLite {
		return t.UnixMicro()
	}
	return t
}

// timeScan is a scan destination for a non-null time column: integer
// microseconds (SQLite) or a time (PostgreSQL), read as UTC.
type timeScan time.Time

// tm returns a scan destination that stores into t.
func tm(t *time.Time) *timeScan { return (*timeScan)(t) }

// Scan implements sql.Scanner.
func (d *timeScan) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*d = timeScan(time.UnixMicro(v).UTC())
	case time.Time:
		*d = timeScan(v.UTC())
	default:
		return fmt.Errorf("scan time: unsupported stored value %T (want integer microseconds or a timestamp)", src)
	}
	return nil
}

// nullTime is a scan destination for a nullable time column (as
// nullTime, with the stored forms of timeScan).
type nullTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (n *nullTime) Scan(src any) error {
	if src == nil {
		*n = nullTime{}
		return nil
	}
	n.Valid = true
	return tm(&n.Time).Scan(src)
}

// ptime converts a scanned nullable time to a pointer in UTC.
func ptime(n nullTime) *time.Time {
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

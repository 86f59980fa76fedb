package store

import (
	"context"
	"time"
)

// Internals for the tests of package store_test.
var LinkQueries = []string{processMetricsOf}

// MigrateTo applies the migrations up to and including version.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// TimeArg is tx.ts for tests that run SQL directly: a time in the
// engine's stored form.
func TimeArg(e Engine, t time.Time) any { return e.ts(t) }

// NullTime is the scan destination of a nullable time column.
type NullTime = nullTime

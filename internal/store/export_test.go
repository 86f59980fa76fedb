package store

import "context"

// Internals for the tests of package store_test.
var RiskLinkQueries = []string{riskControlsOf, riskProcessesOf}

// MigrateTo applies the migrations up to and including version.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

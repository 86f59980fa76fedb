package app_test

import (
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// An import that creates App.AnalyzeAfter records or more refreshes
// PostgreSQL's statistics of their table when it commits, so the lists
// and the recompute that follow do not plan on the empty table's; a
// smaller one leaves them to autovacuum. SQLite gathers none.
func TestLargeImportRefreshesStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.Postgres {
			return // AnalyzeRecords does nothing on SQLite: nothing to check
		}
		f := mustFixture(t, db, "acme")
		admin := f.members[isms.RoleAdmin]
		table, _, err := store.RecordColumns(isms.KindAccessRemovals)
		if err != nil {
			t.Fatal(err)
		}
		// reltuples is -1 until the table is first analyzed (PostgreSQL 14
		// and later), then the rows ANALYZE counted (all of them when the
		// table is this small).
		tuples := func() int {
			t.Helper()
			return rawCount(t, db, "SELECT reltuples::int FROM pg_class WHERE relname = '"+table+"'")
		}
		before := tuples()
		if before > 0 {
			t.Fatalf("reltuples %d before any import", before)
		}
		f.app.AnalyzeAfter = 20
		mustImport(t, f.app, admin, "acme", isms.KindAccessRemovals, removalsCSV(0, 19, "T-1"), false)
		if got := tuples(); got != before {
			t.Fatalf("19 records created (under 20): reltuples %d, want it untouched (%d)", got, before)
		}
		mustImport(t, f.app, admin, "acme", isms.KindAccessRemovals, removalsCSV(19, 25, "T-1"), false)
		if got := tuples(); got != 44 {
			t.Fatalf("25 records created (20 or more): reltuples %d, want the 44 stored", got)
		}
	})
}

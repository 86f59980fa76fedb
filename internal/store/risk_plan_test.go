package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestLinkPlans: SQLite reads a page's links (a page of processes'
// metrics) by the primary key (process_id, ...), not through the
// (org_id, ...) index, which read every link of the organisation and
// sorted them, for each page (issue 16: risk links did so and made
// reading one risk ten times slower, before risks carried copies).
func TestLinkPlans(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.SQLite {
			return // PostgreSQL plans by statistics; the query is the same
		}
		for _, q := range store.LinkQueries {
			args := []any{int64(1)}
			if strings.Contains(q, "catalogue") {
				args = append(args, isms.CatalogueAnnexA2022)
			}
			for range strings.Count(q, "$") - len(args) {
				args = append(args, int64(7))
			}
			got := queryPlan(t, db, q, args...)
			if !strings.Contains(got, "sqlite_autoindex") || strings.Contains(got, "_org_idx") || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("plan of %.60s…: %s; want a primary-key search, no org index, no sort", q, got)
			}
		}
	})
}

// queryPlan returns SQLite's plan of q with args, its lines joined by "; ".
func queryPlan(t *testing.T, db *store.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Reader().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

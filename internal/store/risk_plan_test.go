package store_test

import (
	"context"
	"fmt"
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

// TestRiskKeysetPlan: on SQLite a keyset page of risks (after a risk)
// starts in the index on (org_id, created_at, id) at that risk, in order,
// without sorting or reading the rows before it.
func TestRiskKeysetPlan(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.SQLite {
			return // PostgreSQL plans by statistics; the query is the same
		}
		got := queryPlan(t, db, store.RiskKeysetQuery, int64(1), int64(1), int64(7), int64(50), int64(0))
		if !strings.Contains(got, "USING INDEX risks_created_idx (org_id=? AND created_at<") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("plan of a keyset page of risks: %s; want a search of risks_created_idx from the key, no sort", got)
		}
	})
}

// TestRiskKeysetPages: walking the register page by page after the last
// risk of each page gives the same risks in the same order as offsets do,
// though every risk was created in the same microsecond (SeedListsForBench
// gives them one time: ties go by id), with a filter too, on both engines.
func TestRiskKeysetPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := &isms.Organization{Slug: "keyset", Name: "Keyset", TimeZone: "UTC"}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, org); err != nil {
				return err
			}
			return tx.SeedListsForBench(ctx, org.ID, 23)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []store.RiskFilter{{Limit: 5}, {Limit: 4, Level: isms.LevelMedium}, {Limit: 50}} {
			var byOffset, byKey []int64
			err := db.Read(ctx, func(tx *store.Tx) error {
				for off := 0; ; off += f.Limit {
					g := f
					g.Offset = off
					rs, _, err := tx.RiskPage(ctx, org.ID, g)
					if err != nil || len(rs) == 0 {
						return err
					}
					for _, r := range rs {
						byOffset = append(byOffset, r.ID)
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Read(ctx, func(tx *store.Tx) error {
				g := f
				g.NoCount = true
				for {
					rs, total, err := tx.RiskPage(ctx, org.ID, g)
					if err != nil {
						return err
					}
					for _, r := range rs {
						byKey = append(byKey, r.ID)
						if !r.CreatedAt.Equal(rs[0].CreatedAt) {
							t.Fatalf("risks of different times: the test means ties")
						}
					}
					if total >= 0 { // no more follow
						return nil
					}
					last := rs[len(rs)-1]
					g.After = &store.RiskKey{CreatedAt: last.CreatedAt, ID: last.ID}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(byOffset) == 0 || fmt.Sprint(byKey) != fmt.Sprint(byOffset) {
				t.Errorf("filter %+v: keyset pages %v, offset pages %v", f, byKey, byOffset)
			}
		}
	})
}

// TestRecordListPlans: a first page of each built-in kind of records, in
// the lists' order (main time newest first, empty last, ties by id), is
// read from an index in that order on both engines, not sorted from the
// organisation's whole register. On PostgreSQL sorting is switched off
// for the plan (enable_sort), so a plan that still sorts has no index in
// the order (migration 0043); on SQLite the plan reads an index and sorts
// at most the ties of one time.
func TestRecordListPlans(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, spec := range isms.Kinds() {
			if spec.List().Time == "" {
				continue // by id: the primary key
			}
			var q string
			var args []any
			err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				q, args, err = tx.RecordPageQuery(ctx, 1, spec.Kind)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if db.Engine == store.SQLite {
				// The (org_id, time, ...) index gives the time order; ties
				// by id are sorted as they come ("FOR LAST TERM"), which
				// is no sort of the register.
				if got := queryPlan(t, db, q, args...); strings.Contains(got, "TEMP B-TREE FOR ORDER BY") || !strings.Contains(got, "USING INDEX") {
					t.Errorf("%s: plan %s; want the page read in time order from an index", spec.Kind, got)
				}
				continue
			}
			conn, err := db.Reader().Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, `SET enable_sort = off`); err != nil {
				t.Fatal(err)
			}
			rows, err := conn.QueryContext(ctx, "EXPLAIN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, strings.TrimSpace(line))
			}
			rows.Close()
			if _, err := conn.ExecContext(ctx, `RESET enable_sort`); err != nil {
				t.Fatal(err)
			}
			conn.Close()
			if got := strings.Join(plan, "; "); strings.Contains(got, "Sort") || !strings.Contains(got, "_list_idx") {
				t.Errorf("%s: plan %s; want an index scan of rec_%s_list_idx and no sort", spec.Kind, got, spec.Kind)
			}
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// linkTables returns each risk's links as the link tables hold them,
// sorted in Go (controls in byte order, processes by id) and joined as the
// copies on the risk's row are: risk id -> "controls|processes".
func linkTables(t *testing.T, db *store.DB, orgID int64) map[int64]string {
	t.Helper()
	ctx := context.Background()
	controls, processes := map[int64][]string{}, map[int64][]int64{}
	rows, err := db.Writer().QueryContext(ctx, `SELECT risk_id, control_id FROM risk_controls WHERE org_id = $1`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var c string
		if err := rows.Scan(&id, &c); err != nil {
			t.Fatal(err)
		}
		controls[id] = append(controls[id], c)
	}
	rows.Close()
	rows, err = db.Writer().QueryContext(ctx, `SELECT risk_id, process_id FROM risk_processes WHERE org_id = $1`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, p int64
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		processes[id] = append(processes[id], p)
	}
	rows.Close()
	out := map[int64]string{}
	rows, err = db.Writer().QueryContext(ctx, `SELECT id FROM risks WHERE org_id = $1`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		slices.Sort(controls[id])
		slices.Sort(processes[id])
		var ps []string
		for _, p := range processes[id] {
			ps = append(ps, strconv.FormatInt(p, 10))
		}
		out[id] = strings.Join(controls[id], ",") + "|" + strings.Join(ps, ",")
	}
	return out
}

// linkCopies returns the copies on each risk's row, as linkTables does.
func linkCopies(t *testing.T, db *store.DB, orgID int64) map[int64]string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), `SELECT id, control_ids, process_ids FROM risks WHERE org_id = $1`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var c, p string
		if err := rows.Scan(&id, &c, &p); err != nil {
			t.Fatal(err)
		}
		out[id] = c + "|" + p
	}
	return out
}

// TestRiskLinkCopiesAgree: each risk's row carries a copy of its links
// (migration 0042), which reads use instead of the link tables. The
// migration fills the copies of risks linked before it (controls in byte
// order, process ids by number: 10 after 9), and every change of links
// afterwards keeps the copies equal to the tables.
func TestRiskLinkCopiesAgree(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 41); err != nil {
				t.Fatal(err)
			}
			o := &isms.Organization{Slug: "old", Name: "Old", TimeZone: "UTC"}
			var procs []int64
			var risks []*isms.Risk
			err = db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
				u := &isms.User{Email: "ann@example.com", Name: "Ann"}
				if err := tx.CreateUser(ctx, u, ""); err != nil {
					return err
				}
				for i := range 12 {
					p := &isms.Process{OrgID: o.ID, Name: fmt.Sprint("Process ", i), OwnerID: u.ID}
					if err := tx.CreateProcess(ctx, p); err != nil {
						return err
					}
					procs = append(procs, p.ID)
				}
				for range 20 {
					r := &isms.Risk{OrgID: o.ID, Asset: "Laptop", Threat: "theft", Likelihood: 2, Impact: 3, AssessedAt: tx.Now, NextReview: tx.Now.AddDate(1, 0, 0)}
					if err := tx.CreateRisk(ctx, r); err != nil {
						return err
					}
					risks = append(risks, r)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Links written before migration 0042, as its predecessors did.
			link := func(r *isms.Risk, controls []string, ps []int64) {
				for _, c := range controls {
					if _, err := db.Writer().ExecContext(ctx, `INSERT INTO risk_controls (org_id, risk_id, catalogue, control_id) VALUES ($1, $2, $3, $4)`, o.ID, r.ID, isms.CatalogueAnnexA2022, c); err != nil {
						t.Fatal(err)
					}
				}
				for _, p := range ps {
					if _, err := db.Writer().ExecContext(ctx, `INSERT INTO risk_processes (org_id, risk_id, process_id) VALUES ($1, $2, $3)`, o.ID, r.ID, p); err != nil {
						t.Fatal(err)
					}
				}
			}
			link(risks[0], []string{"A.8.8", "A.5.1", "A.8.13"}, []int64{procs[9], procs[1]})
			link(risks[1], []string{"A.5.15"}, nil)
			link(risks[2], nil, []int64{procs[11], procs[0], procs[10]})
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			want := linkTables(t, db, o.ID)
			if got := linkCopies(t, db, o.ID); !reflect.DeepEqual(got, want) {
				t.Fatalf("copies after the migration:\n%v\nwant\n%v", got, want)
			}
			err = db.Read(ctx, func(tx *store.Tx) error {
				r, err := tx.Risk(ctx, o.ID, risks[0].ID)
				if err != nil {
					return err
				}
				if !slices.Equal(r.Controls, []string{"A.5.1", "A.8.13", "A.8.8"}) || !slices.Equal(r.ProcessIDs, []int64{procs[1], procs[9]}) {
					t.Errorf("migrated risk reads %v %v", r.Controls, r.ProcessIDs)
				}
				r, err = tx.Risk(ctx, o.ID, risks[2].ID)
				if err != nil {
					return err
				}
				if r.Controls != nil || !slices.Equal(r.ProcessIDs, []int64{procs[0], procs[10], procs[11]}) {
					t.Errorf("risk with processes only reads %v %v", r.Controls, r.ProcessIDs)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Random changes of links through the store keep them equal.
			controls := []string{"A.5.1", "A.5.15", "A.8.8", "A.8.13", "A.8.2", "A.6.3"}
			rnd := rand.New(rand.NewPCG(1, 2))
			for range 60 {
				r := risks[rnd.IntN(len(risks))]
				r.Controls, r.ProcessIDs = nil, nil
				for _, c := range controls {
					if rnd.IntN(3) == 0 {
						r.Controls = append(r.Controls, c)
					}
				}
				for _, p := range procs {
					if rnd.IntN(4) == 0 {
						r.ProcessIDs = append(r.ProcessIDs, p)
					}
				}
				rnd.Shuffle(len(r.Controls), func(i, j int) { r.Controls[i], r.Controls[j] = r.Controls[j], r.Controls[i] })
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SetRiskLinks(ctx, r) }); err != nil {
					t.Fatal(err)
				}
			}
			want = linkTables(t, db, o.ID)
			if got := linkCopies(t, db, o.ID); !reflect.DeepEqual(got, want) {
				t.Fatalf("copies after changes:\n%v\nwant\n%v", got, want)
			}
			err = db.Read(ctx, func(tx *store.Tx) error {
				page, _, err := tx.RiskPage(ctx, o.ID, store.RiskFilter{Limit: 50})
				if err != nil {
					return err
				}
				for _, r := range page {
					var ps []string
					for _, p := range r.ProcessIDs {
						ps = append(ps, strconv.FormatInt(p, 10))
					}
					if got := strings.Join(r.Controls, ",") + "|" + strings.Join(ps, ","); got != want[r.ID] {
						t.Errorf("risk %d on a page: %s, want %s", r.ID, got, want[r.ID])
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

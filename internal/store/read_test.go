package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestTokenForSignInIn: the token's statement also reads the organisation
// of the call and the owner's role in it, and falls back to the token
// alone when no organisation has the slug.
func TestTokenForSignInIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := &isms.Organization{Slug: "alpha", Name: "Alpha", TimeZone: "Europe/Paris"}
		b := &isms.Organization{Slug: "beta", Name: "Beta", TimeZone: "UTC"}
		u := &isms.User{Email: "ann@example.com", Name: "Ann"}
		tok := &isms.Token{Name: "ci", Scope: isms.ScopeRead}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, o := range []*isms.Organization{a, b} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			if err := tx.CreateUser(ctx, u, ""); err != nil {
				return err
			}
			if err := tx.AddMembership(ctx, &isms.Membership{OrgID: a.ID, UserID: u.ID, Role: isms.RoleAuditor}); err != nil {
				return err
			}
			tok.OrgID, tok.UserID = a.ID, u.ID
			return tx.CreateToken(ctx, tok, "hash-1")
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.ReadOne(ctx, func(tx *store.Tx) error {
			s, org, role, err := tx.TokenForSignInIn(ctx, "hash-1", "alpha")
			if err != nil {
				return err
			}
			if s.Token.ID != tok.ID || s.Email != u.Email || !s.Member || org == nil || org.ID != a.ID || org.TimeZone != "Europe/Paris" || role != isms.RoleAuditor {
				t.Errorf("alpha: token %+v email %q member %v org %+v role %q", s.Token, s.Email, s.Member, org, role)
			}
			s, org, role, err = tx.TokenForSignInIn(ctx, "hash-1", "beta")
			if err != nil {
				return err
			}
			if s.Token.ID != tok.ID || org == nil || org.ID != b.ID || role != "" {
				t.Errorf("beta (not a member): token %+v org %+v role %q", s.Token, org, role)
			}
			s, org, _, err = tx.TokenForSignInIn(ctx, "hash-1", "nowhere")
			if err != nil {
				return err
			}
			if s.Token.ID != tok.ID || s.Token.Scope != isms.ScopeRead || org != nil {
				t.Errorf("unknown slug: token %+v org %+v, want the token and no organisation", s.Token, org)
			}
			if _, _, _, err := tx.TokenForSignInIn(ctx, "hash-2", "alpha"); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("unknown token: %v, want ENOTFOUND", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadRefusesWrites: on PostgreSQL a read runs without a transaction
// (issue 16 item 4), and a write inside it is refused instead of
// committed on its own.
func TestReadRefusesWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Engine != store.Postgres {
			return // SQLite reads run in a transaction, as before
		}
		o := &isms.Organization{Slug: "alpha", Name: "Alpha", TimeZone: "UTC"}
		err := db.Read(ctx, func(tx *store.Tx) error { return tx.CreateOrg(ctx, o) })
		if err == nil {
			t.Fatal("a write inside Read succeeded")
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.OrgBySlug(ctx, "alpha")
			return err
		})
		if isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("after the refused write: %v, want ENOTFOUND", err)
		}
	})
}

// TestCancelledReadKeepsConnection: a statement whose request went away
// (its context ended) may finish, and its connection stays in the pool;
// pgx's default closed it, so each request cut off cost a new connection
// (issue 16 item 4).
func TestCancelledReadKeepsConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.Postgres {
			return // SQLite has no connection to lose
		}
		ctx := context.Background()
		c, err := db.Reader().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var before, after int
		if err := c.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			var x string
			done <- c.QueryRowContext(cctx, `SELECT pg_sleep(0.2)::text`).Scan(&x)
		}()
		// Cancel once the statement runs on the server.
		for {
			select {
			case err := <-done:
				t.Fatalf("the statement ended before it was cancelled: %v", err)
			default:
			}
			var n int
			if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`, before).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
		}
		cancel()
		<-done // finished or cancelled: either way the connection must live on
		if err := c.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&after); err != nil {
			t.Fatalf("the connection did not survive its cancelled statement: %v", err)
		}
		if after != before {
			t.Errorf("backend %d after the cancelled statement, want the same %d", after, before)
		}
	})
}

// TestRiskWithHistory: the one-statement read of a risk, its links and
// its history returns what Risk and RiskAssessments return, for a risk
// with links and three assessments, one with neither (read the long way)
// and none (ENOTFOUND).
func TestRiskWithHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := &isms.Organization{Slug: "alpha", Name: "Alpha", TimeZone: "UTC"}
		var full, bare *isms.Risk
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, o); err != nil {
				return err
			}
			u := &isms.User{Email: "ann@example.com", Name: "Ann"}
			if err := tx.CreateUser(ctx, u, ""); err != nil {
				return err
			}
			var procs []int64
			for _, name := range []string{"Backups", "Access reviews"} {
				p := &isms.Process{OrgID: o.ID, Name: name, OwnerID: u.ID}
				if err := tx.CreateProcess(ctx, p); err != nil {
					return err
				}
				procs = append(procs, p.ID)
			}
			for _, r := range []**isms.Risk{&full, &bare} {
				*r = &isms.Risk{OrgID: o.ID, Asset: "Laptop", Threat: "theft", Likelihood: 2, Impact: 3, AssessedAt: tx.Now, NextReview: tx.Now.AddDate(1, 0, 0)}
				if err := tx.CreateRisk(ctx, *r); err != nil {
					return err
				}
			}
			full.Controls, full.ProcessIDs = []string{"A.8.7", "A.5.1", "A.8.13"}, []int64{procs[1], procs[0]}
			if err := tx.SetRiskLinks(ctx, full); err != nil {
				return err
			}
			for i, l := range []int{2, 4, 1} {
				a := &isms.RiskAssessment{RiskID: full.ID, Likelihood: l, Impact: 3, Score: 3 * l, Level: isms.LevelLow, Note: fmt.Sprint("note ", i), Actor: "cli"}
				if err := tx.AddRiskAssessment(ctx, o.ID, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			for _, id := range []int64{full.ID, bare.ID} {
				r, hist, err := tx.RiskWithHistory(ctx, o.ID, id)
				if err != nil {
					return err
				}
				want, err := tx.Risk(ctx, o.ID, id)
				if err != nil {
					return err
				}
				wantHist, err := tx.RiskAssessments(ctx, o.ID, id)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(r, want) || !reflect.DeepEqual(hist, wantHist) {
					t.Errorf("risk %d in one statement:\n%+v %+v\nwant\n%+v %+v", id, r, hist, want, wantHist)
				}
			}
			// A page of the register carries the same links as a read of
			// one risk (both from the copies on the risk's row).
			page, total, err := tx.RiskPage(ctx, o.ID, store.RiskFilter{Limit: 50})
			if err != nil {
				return err
			}
			if total != 2 || len(page) != 2 {
				t.Fatalf("page: %d of %d", len(page), total)
			}
			for _, got := range page {
				want, err := tx.Risk(ctx, o.ID, got.ID)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got.Controls, want.Controls) || !reflect.DeepEqual(got.ProcessIDs, want.ProcessIDs) {
					t.Errorf("risk %d on the page: controls %v processes %v, want %v %v", got.ID, got.Controls, got.ProcessIDs, want.Controls, want.ProcessIDs)
				}
			}
			r, hist, _ := tx.RiskWithHistory(ctx, o.ID, full.ID)
			if len(r.Controls) != 3 || r.Controls[0] != "A.5.1" || len(r.ProcessIDs) != 2 || len(hist) != 3 || hist[1].Note != "note 1" {
				t.Errorf("risk with links and history: %v %v, %d assessments", r.Controls, r.ProcessIDs, len(hist))
			}
			if _, _, err := tx.RiskWithHistory(ctx, o.ID, bare.ID+100); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("no such risk: %v, want ENOTFOUND", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

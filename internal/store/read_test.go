package store_test

import (
	"context"
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

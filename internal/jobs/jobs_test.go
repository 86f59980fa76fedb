package jobs_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestImportEnqueuesRecompute checks the whole path: an import enqueues a
// recompute in its own transaction, River works it, and the stored
// figures appear, on each engine.
func TestImportEnqueuesRecompute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		a := app.New(db, nil)
		a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
		c, err := jobs.New(db, a, slog.New(slog.DiscardHandler), jobs.Options{Work: true, HousekeepingEvery: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		org := &isms.Organization{Slug: "acme", Name: "Acme"}
		if err := a.CreateOrg(ctx, app.System, org); err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			_ = c.Stop(stopCtx)
		}()
		_, err = a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindRestoreTests, Format: importer.FormatCSV,
			File: strings.NewReader("system,tested_at,result\nerp," + time.Now().UTC().Format(time.RFC3339) + ",pass\n")})
		if err != nil {
			t.Fatal(err)
		}
		// Wait for the worker; the deadline is the context's, not a speed claim.
		for {
			ms, err := a.StoredMeasurements(ctx, app.System, "acme")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Key == "restore-tests" && m.Value != nil && *m.Value == 1 && m.Status == "green" {
					return
				}
			}
			select {
			case <-ctx.Done():
				t.Fatalf("no recomputed restore-tests figure: %d stored", len(ms))
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// TestHousekeepingRemovesExpiredSessions runs the housekeeping use case
// directly on rows in the session table.
func TestHousekeepingRemovesExpiredSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		past, future := `julianday('now') - 1`, `julianday('now') + 1`
		if db.Engine == store.Postgres {
			past, future = `current_timestamp - interval '1 day'`, `current_timestamp + interval '1 day'`
		}
		for _, q := range []string{
			`INSERT INTO sessions (token, data, expiry) VALUES ('old', '', ` + past + `)`,
			`INSERT INTO sessions (token, data, expiry) VALUES ('live', '', ` + future + `)`,
		} {
			if _, err := db.Writer().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		r, err := app.New(db, nil).Housekeeping(ctx)
		if err != nil || r.ExpiredSessions != 1 {
			t.Fatalf("housekeeping: %+v, %v", r, err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token = 'live'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("live session gone: %d %v", n, err)
		}
	})
}

// TestHousekeepingRemovesExpiredInvitations keeps an invitation that can
// still be answered and removes one that expired more than a day ago.
func TestHousekeepingRemovesExpiredInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := app.New(db, nil)
		org := &isms.Organization{Slug: "acme", Name: "Acme Oy"}
		if err := a.CreateOrg(ctx, app.System, org); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, inv := range []*isms.Invitation{
				{OrgID: org.ID, Email: "old@example.com", Role: isms.RoleViewer, InvitedBy: "cli", ExpiresAt: now.Add(-49 * time.Hour)},
				{OrgID: org.ID, Email: "new@example.com", Role: isms.RoleViewer, InvitedBy: "cli", ExpiresAt: now.Add(24 * time.Hour)},
			} {
				if err := tx.PutInvitation(ctx, inv, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := a.Housekeeping(ctx)
		if err != nil || r.ExpiredInvitations != 1 {
			t.Fatalf("housekeeping: %+v, %v", r, err)
		}
		var emails []string
		rows, err := db.Reader().QueryContext(ctx, `SELECT email FROM invitations`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				t.Fatal(err)
			}
			emails = append(emails, e)
		}
		if len(emails) != 1 || emails[0] != "new@example.com" {
			t.Errorf("invitations left: %v, want only new@example.com", emails)
		}
	})
}

func TestHousekeepingRemovesStaleUploads(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	a := app.New(db, nil)
	a.UploadDir = t.TempDir()
	stale, err := a.NewUploadDir()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := a.NewUploadDir()
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-app.UploadMaxAge - time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	r, err := a.Housekeeping(context.Background())
	if err != nil || r.StaleUploads != 1 {
		t.Fatalf("housekeeping: %+v, %v", r, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale upload still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh upload removed: %v", err)
	}
}

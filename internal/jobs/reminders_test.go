package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestRemindersThroughRiver runs the whole path on River: the periodic
// scan (run on start) finds an item due today, enqueues its delivery in
// the same transaction, and the delivery worker mails it to an in-process
// SMTP server.
func TestRemindersThroughRiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		box, port := startSMTP(t)
		a := app.New(db, nil)
		a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
		org := &isms.Organization{Slug: "acme", Name: "Acme Oy"}
		if err := a.CreateOrg(ctx, app.System, org); err != nil {
			t.Fatal(err)
		}
		u := &isms.User{Email: "anna@acme.example", Name: "Anna"}
		if err := a.CreateUser(ctx, app.System, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.AddMember(ctx, app.System, "acme", u.Email, isms.RoleProcessOwner); err != nil {
			t.Fatal(err)
		}
		a.OnDueItems(func(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]app.DueItem, error) {
			return []app.DueItem{{Key: "river-test", Kind: "test", Title: "Rotate the keys", Due: now, OwnerID: u.ID, Link: "/o/acme"}}, nil
		})
		c, err := jobs.New(db, a, slog.New(slog.DiscardHandler), jobs.Options{Work: true,
			SMTP: jobs.SMTP{Host: "127.0.0.1", Port: port, TLS: "none", From: "pdca@example.com"}})
		if err != nil {
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
		// Wait for the mail; the deadline is the context's, not a speed claim.
		for {
			box.mu.Lock()
			for _, m := range box.msgs {
				if len(m.to) == 1 && m.to[0] == u.Email && strings.Contains(m.data, "Subject: [Acme Oy] Due today: Rotate the keys") {
					box.mu.Unlock()
					ds, err := a.Deliveries(ctx, app.System, "acme")
					if err != nil || len(ds) == 0 {
						t.Fatalf("deliveries %v, %v", ds, err)
					}
					return
				}
			}
			box.mu.Unlock()
			select {
			case <-ctx.Done():
				t.Fatal("no reminder mail before the deadline")
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

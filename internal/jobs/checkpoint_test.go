package jobs_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestCheckpointJobRuns starts River as serve --audit-key does: the
// periodic audit_checkpoint job runs on start and stores a checkpoint
// signed with the server's key, for every chain and for the organisation.
func TestCheckpointJobRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		a := app.New(db, nil)
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		a.AuditKey = priv
		if err := a.CreateOrg(ctx, app.System, &isms.Organization{Slug: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		c, err := jobs.New(db, a, slog.New(slog.DiscardHandler), jobs.Options{Work: true})
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
		// Wait for the job; the deadline is the context's, not a speed claim.
		for {
			cp, err := a.LatestCheckpoint(ctx, app.System, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if cp != nil {
				if err := cp.Verify(pub); err != nil {
					t.Fatal(err)
				}
				if h, ok := cp.For(cp.Heads[0].OrgID); !ok || h.Org != "acme" || h.Seq < 1 {
					t.Fatalf("heads %+v", cp.Heads)
				}
				return
			}
			select {
			case <-ctx.Done():
				t.Fatal("no checkpoint taken")
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

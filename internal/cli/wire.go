package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/store"
)

// migrateAll applies pdca's and River's migrations, one process at a time.
func migrateAll(ctx context.Context, db *store.DB, log *slog.Logger) error {
	return db.Migrating(ctx, func() error {
		if err := db.Migrate(ctx, log); err != nil {
			return err
		}
		return jobs.Migrate(ctx, db)
	})
}

// newApp builds the use cases with every hook wired.
func newApp(db *store.DB, log *slog.Logger) *app.App {
	return app.New(db, log)
}

// demoSeeders lists what serve --demo adds beyond organisation and people.
func demoSeeders() []app.DemoSeeder { return []app.DemoSeeder{demo.Seeder(time.Now())} }

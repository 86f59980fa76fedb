package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate applies every pending migration of pdca's schema, in order.
// Migrations are forward-only and versioned by goose.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s schema: %w", db.Engine, err)
	}
	for _, r := range res {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	// The built-in framework catalogues are data (issue 19): written after
	// the schema, and again when a release changes their text.
	if err := db.seedFrameworks(ctx); err != nil {
		return fmt.Errorf("built-in frameworks: %w", err)
	}
	return nil
}

// SchemaFingerprint is a hash of every migration of both engines and of
// the built-in framework catalogues: two databases migrated by binaries
// with the same fingerprint have the same schema and seed data. Tests
// use it to reuse one migrated template database.
func SchemaFingerprint() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, f := range isms.BuiltinFrameworkSums() {
		fmt.Fprintf(h, "%s %s\n", f.Key, f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// migrations returns the goose provider of the engine's migrations.
func (db *DB) migrations() (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	if db.Engine == Postgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.writer, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// migrationLockID is the PostgreSQL advisory lock key held while pdca
// migrates ("pdca" in ASCII).
const migrationLockID = 0x70646361

// Migrating runs fn, which applies pdca's and River's migrations, so that
// processes starting at the same moment on one database do not apply a
// migration twice. On PostgreSQL fn runs under an advisory lock (released
// by the server if the process dies). On SQLite every migration runs in
// an immediate transaction, so processes already take turns; one that
// read the schema version before another applied the migration fails
// with "already exists" and leaves nothing behind (SQLite's DDL is
// transactional), so fn is run again, a few times, before its error
// counts.
func (db *DB) Migrating(ctx context.Context, fn func() error) error {
	if db.Engine == Postgres {
		conn, err := db.writer.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockID)
		}()
		return fn()
	}
	var err error
	for attempt := range 4 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		if err = fn(); err == nil {
			return nil
		}
	}
	return err
}

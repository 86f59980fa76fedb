package storetest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/pdca/pdca/internal/store"
)

// TestPruneSQLiteTemplates: a template of another schema unused for more
// than templateUnused is removed; a recently used one and the kept one
// stay, however old.
func TestPruneSQLiteTemplates(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	files := map[string]time.Duration{"sqlite-old.db": 8 * 24 * time.Hour, "sqlite-recent.db": 24 * time.Hour, "sqlite-keep.db": 30 * 24 * time.Hour, "other.db": 30 * 24 * time.Hour}
	for name, age := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	pruneSQLiteTemplates(dir, filepath.Join(dir, "sqlite-keep.db"), now)
	for name, want := range map[string]bool{"sqlite-old.db": false, "sqlite-recent.db": true, "sqlite-keep.db": true, "other.db": true} {
		_, err := os.Stat(filepath.Join(dir, name))
		if got := err == nil; got != want {
			t.Errorf("%s exists: %v, want %v", name, got, want)
		}
	}
}

// TestPrunePGTemplates: the same on PostgreSQL, where the last use is the
// database's comment; a template without one predates the comments and
// goes too.
func TestPrunePGTemplates(t *testing.T) {
	if !slices.Contains(Engines(t), store.Postgres) {
		t.Skipf("%s is not set (CI sets it and fails without it)", EnvPostgres)
	}
	base := os.Getenv(EnvPostgres)
	ctx := context.Background()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	now := time.Now()
	// Names of this test's own, so that the real templates, which other
	// test processes use meanwhile, are never touched.
	prefix := "pdca_template_t" + randomHex(4) + "_"
	old, recent, none := prefix+"old", prefix+"recent", prefix+"none"
	for _, name := range []string{old, recent, none} {
		if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				_, _ = a.Exec(`DROP DATABASE IF EXISTS ` + name)
				a.Close()
			}
		})
	}
	markPGTemplateUsed(ctx, conn, old, now.Add(-8*24*time.Hour))
	markPGTemplateUsed(ctx, conn, recent, now.Add(-time.Hour))
	prunePGTemplates(ctx, conn, prefix, prefix+"keep", now)
	for name, want := range map[string]bool{old: false, none: false, recent: true} {
		var exists bool
		if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists != want {
			t.Errorf("%s exists: %v, want %v", name, exists, want)
		}
	}
}

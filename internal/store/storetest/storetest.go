// Package storetest opens a fresh, migrated database per test, on SQLite
// always and on PostgreSQL when PDCA_TEST_POSTGRES names a server (each test
// gets a database, or for an empty one a schema, of its own there). When CI=true and no PostgreSQL URL is
// set, tests fail instead of silently running on SQLite alone.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/pdca/pdca/internal/store"
)

// EnvPostgres is the variable naming the PostgreSQL server tests use, e.g.
// postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable.
const EnvPostgres = "PDCA_TEST_POSTGRES"

// Engines returns the engines the tests of this run must cover.
func Engines(tb testing.TB) []store.Engine {
	tb.Helper()
	if os.Getenv(EnvPostgres) != "" {
		return []store.Engine{store.SQLite, store.Postgres}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: PostgreSQL tests would be skipped; .ci/run must start PostgreSQL and export it", EnvPostgres)
	}
	return []store.Engine{store.SQLite}
}

// DSN returns a data source name for a new, empty database of the engine,
// removed when the test ends.
func DSN(tb testing.TB, engine store.Engine) string {
	tb.Helper()
	if engine == store.SQLite {
		return filepath.Join(tb.TempDir(), "pdca.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Fatalf("%s is not set", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated database of the engine, closed when the test
// ends. It is a copy of a template migrated once per schema (see
// template.go): migrating 40 files per test cost seconds under -race.
func Open(tb testing.TB, engine store.Engine) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, MigratedDSN(tb, engine))
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Each runs fn as a subtest per engine, each on its own migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

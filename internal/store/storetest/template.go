package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/store"
)

// Template databases: every test needs a migrated database, and running
// every migration for each one was most of the suite's time under -race
// (seconds per database on SQLite, whose driver is Go code the race
// detector instruments). So the schema is migrated once per fingerprint
// of the migrations (store.SchemaFingerprint) and each test gets a copy:
// on SQLite a copy of the template file, on PostgreSQL a database created
// from the template database (CREATE DATABASE ... TEMPLATE). The template
// is keyed by the fingerprint, so a changed migration builds a new one; it
// is shared by the test processes of one run (built under a lock) and
// kept for the next run on the same machine. Each run marks its template
// as used; building a new one removes the templates of other schemas
// unused for templateUnused, so a developer's disk and PostgreSQL server do
// not collect one per migration ever written.

var (
	sqliteTemplateOnce sync.Once
	sqliteTemplatePath string
	sqliteTemplateErr  error
	pgTemplateOnce     sync.Once
	pgTemplateName     string
	pgTemplateErr      error
)

// MigratedDSN returns a data source name for a new database of the
// engine with pdca's schema migrated (River's is not), removed when the
// test ends.
func MigratedDSN(tb testing.TB, engine store.Engine) string {
	tb.Helper()
	if engine == store.SQLite {
		sqliteTemplateOnce.Do(func() { sqliteTemplatePath, sqliteTemplateErr = sqliteTemplate() })
		if sqliteTemplateErr != nil {
			tb.Fatalf("sqlite template: %v", sqliteTemplateErr)
		}
		path := filepath.Join(tb.TempDir(), "pdca.db")
		if err := copyFile(sqliteTemplatePath, path); err != nil {
			tb.Fatalf("copy sqlite template: %v", err)
		}
		return path
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Fatalf("%s is not set", EnvPostgres)
	}
	pgTemplateOnce.Do(func() { pgTemplateName, pgTemplateErr = pgTemplate(base) })
	if pgTemplateErr != nil {
		tb.Fatalf("postgres template: %v", pgTemplateErr)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	name := "t_" + randomHex(6)
	// FILE_COPY (PostgreSQL 15+) copies the template's few files; the
	// default, WAL_LOG, writes every page to the WAL and took a second.
	strategy := ""
	var version int
	if err := admin.QueryRow(`SHOW server_version_num`).Scan(&version); err == nil && version >= 150000 {
		strategy = " STRATEGY FILE_COPY"
	}
	// A connection to the template that has not quite ended yet makes
	// CREATE DATABASE fail ("being accessed by other users"): try again.
	for try := 0; ; try++ {
		_, err = admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + pgTemplateName + strategy)
		if err == nil || try == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("create database from template: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			a.Close()
		}
	})
	return withDatabase(tb, base, name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func withDatabase(tb testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

// sqliteTemplate returns the path of a migrated SQLite file for this
// schema, building it (in a temporary file renamed into place, so
// concurrent test processes never read half a file) when it is missing.
func sqliteTemplate() (string, error) {
	fp, err := store.SchemaFingerprint()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "pdca-test-templates")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "sqlite-"+fp[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		_ = os.Chtimes(path, now, now) // used: kept by pruneSQLiteTemplates
		return path, nil
	}
	build, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(build)
	tmp := filepath.Join(build, "pdca.db")
	ctx := context.Background()
	db, err := store.Open(ctx, tmp)
	if err != nil {
		return "", err
	}
	if err := db.Migrate(ctx, nil); err != nil {
		db.Close()
		return "", err
	}
	// Everything into the main file, so one file is the whole database.
	if _, err := db.Writer().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		db.Close()
		return "", err
	}
	db.Close()
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	pruneSQLiteTemplates(dir, path, time.Now())
	return path, nil
}

// templateUnused is how long a template of another schema is kept after
// its last use: a second checkout on an older migration may still use it.
const templateUnused = 7 * 24 * time.Hour

// pruneSQLiteTemplates removes the template files in dir other than keep
// whose last use (their modification time) is older than templateUnused.
func pruneSQLiteTemplates(dir, keep string, now time.Time) {
	old, _ := filepath.Glob(filepath.Join(dir, "sqlite-*.db"))
	for _, f := range old {
		if st, err := os.Stat(f); err == nil && f != keep && now.Sub(st.ModTime()) > templateUnused {
			_ = os.Remove(f)
		}
	}
}

// prunePGTemplates drops the template databases (names starting with
// prefix) other than keep whose last use (the RFC 3339 time in their
// comment; none: built before uses were recorded) is older than
// templateUnused. A template in use cannot be dropped; that error is
// ignored.
func prunePGTemplates(ctx context.Context, conn *sql.Conn, prefix, keep string, now time.Time) {
	pattern := strings.ReplaceAll(prefix, "_", `\_`) + "%"
	rows, err := conn.QueryContext(ctx, `SELECT d.datname, COALESCE(shobj_description(d.oid, 'pg_database'), '')
		FROM pg_database d WHERE d.datname LIKE $1 AND d.datname NOT LIKE '%\_build'`, pattern)
	if err != nil {
		return
	}
	var drop []string
	for rows.Next() {
		var name, used string
		if rows.Scan(&name, &used) != nil || name == keep {
			continue
		}
		if t, err := time.Parse(time.RFC3339, used); err != nil || now.Sub(t) > templateUnused {
			drop = append(drop, name)
		}
	}
	rows.Close()
	for _, name := range drop {
		_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgIdent(name))
	}
}

// pgIdent quotes a database name for a statement.
func pgIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// markPGTemplateUsed records this run's use of the template in its comment.
func markPGTemplateUsed(ctx context.Context, conn *sql.Conn, name string, now time.Time) {
	_, _ = conn.ExecContext(ctx, `COMMENT ON DATABASE `+pgIdent(name)+` IS '`+now.UTC().Format(time.RFC3339)+`'`)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// pgTemplate returns the name of a migrated template database for this
// schema on the server, building it under an advisory lock when missing.
func pgTemplate(base string) (string, error) {
	fp, err := store.SchemaFingerprint()
	if err != nil {
		return "", err
	}
	name := "pdca_template_" + fp[:16]
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	const lock = 0x70646374 // "pdct"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lock) }()
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		markPGTemplateUsed(ctx, conn, name, time.Now())
		return name, nil
	}
	building := name + "_build"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	db, err := store.Open(ctx, u.String())
	if err != nil {
		return "", err
	}
	if err := db.Migrate(ctx, nil); err != nil {
		db.Close()
		return "", err
	}
	db.Close()
	// Renaming needs every session of the database gone.
	for try := 0; ; try++ {
		_, err = conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name)
		if err == nil || try == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	markPGTemplateUsed(ctx, conn, name, time.Now())
	prunePGTemplates(ctx, conn, "pdca_template_", name, time.Now())
	return name, nil
}

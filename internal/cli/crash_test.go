package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/cli"
	"github.com/pdca/pdca/internal/store"
)

// childEnv makes the test binary act as the pdca command: the crash test
// runs it as a child process it can kill -9.
const childEnv = "PDCA_CLI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		i := slices.Index(os.Args, "--")
		// Like cmd/pdca: SIGTERM cancels the context, so serve shuts down gracefully.
		ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		os.Exit(cli.Run(ctx, os.Args[i+1:], os.Stdin, os.Stdout, os.Stderr))
	}
	code := m.Run()
	if release.path != "" {
		_ = os.RemoveAll(filepath.Dir(release.path))
	}
	os.Exit(code)
}

// TestKilledImportLeavesNothingHalfWritten kills pdca with SIGKILL in the
// middle of a 100,000-row import. Afterwards the database passes its
// integrity check, the import is wholly there or wholly absent, and the
// audit trail verifies.
func TestKilledImportLeavesNothingHalfWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100,000-row file and runs pdca in a child process")
	}
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme"); code != 0 {
			t.Fatal(errs)
		}
		var b strings.Builder
		b.WriteString("person,system,employment_ended_at,access_removed_at\n")
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 100_000 {
			at := start.Add(time.Duration(i) * 7 * time.Minute)
			fmt.Fprintf(&b, "p%d,sys%d,%s,%s\n", i, i%9, at.Format(time.RFC3339), at.Add(3*time.Hour).Format(time.RFC3339))
		}
		file := write(t, "big.csv", b.String())

		cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "--db", dsn, "--log-level", "error", "import", "--org", "acme", "--kind", "access_removals", "--file", file)
		cmd.Env = append(os.Environ(), childEnv+"=1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at the first progress line: 5,000 rows are written in the
		// import's transaction, 95,000 are not.
		lines := bufio.NewScanner(stderr)
		killed := false
		for lines.Scan() {
			if strings.Contains(lines.Text(), "rows read") {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
				break
			}
		}
		_ = cmd.Wait()
		if !killed {
			t.Log("the import finished before it could be killed; checking it is wholly there")
		}

		// The database is whole, and the import is all or nothing.
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Engine == store.SQLite {
			var res string
			if err := db.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
				t.Fatalf("integrity_check: %q %v", res, err)
			}
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM rec_access_removals`).Scan(&n); err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if n != 0 && n != 100_000 {
			t.Fatalf("%d of 100,000 records are stored: the import was half-written", n)
		}
		if killed && n != 0 {
			t.Logf("killed after the commit: all %d records are there", n)
		}
		if code, out, errs := run(t, dsn, "", "audit", "verify"); code != 0 {
			t.Fatalf("audit verify after the crash: %d %s %s", code, out, errs)
		}
		// The same import afterwards works and is complete.
		if code, out, errs := run(t, dsn, "", "import", "--org", "acme", "--kind", "access_removals", "--file", file); code != 0 || !strings.Contains(out, "100000 rows") {
			t.Fatalf("import after the crash: %d %q %q", code, out, errs)
		}
	})
}

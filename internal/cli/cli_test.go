package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/cli"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// run calls the CLI like a shell would and returns exit code and output.
func run(t *testing.T, dsn, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"--db", dsn, "--log-level", "error"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// eachEngine runs fn per engine on a database with pdca's schema already
// migrated (a copy of storetest's template: migrating from nothing in each
// test was most of this package's time); commands still run River's
// migrations and check pdca's.
func eachEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, storetest.MigratedDSN(t, e)) })
	}
}

// eachEmptyEngine runs fn per engine on an empty database.
func eachEmptyEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, e := range storetest.Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, storetest.DSN(t, e)) })
	}
}

func TestImportAndMetricsContract(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, out, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy", "--tz", "Europe/Helsinki"); code != 0 || !strings.Contains(out, "created organisation acme") {
			t.Fatalf("org create: %d %q %q", code, out, errs)
		}
		good := write(t, "incidents.csv", `ref,title,severity,detected_at,action_started_at
INC-1,Phishing,Critical,2026-10-03T08:00:00Z,2026-10-03T12:00:00Z
INC-2,Malware,critical,2026-10-10T08:00:00Z,2026-10-10T12:00:01Z
INC-3,Lost laptop,low,2026-10-11T08:00:00Z,
`)
		code, out, errs := run(t, dsn, "", "import", "--org", "acme", "--kind", "incidents", "--file", good)
		if code != 0 || !strings.Contains(out, "3 created, 0 updated, 0 unchanged") {
			t.Fatalf("import: %d %q %q", code, out, errs)
		}
		if code, out, _ = run(t, dsn, "", "import", "--org", "acme", "--kind", "incidents", "--file", good); code != 0 || !strings.Contains(out, "0 created, 0 updated, 3 unchanged") {
			t.Fatalf("re-import: %d %q", code, out)
		}
		bad := write(t, "bad.csv", "ref,title,severity,detected_at\nINC-9,x,urgent,2026-10-01\nINC-10,y,low,yesterday\n")
		code, out, errs = run(t, dsn, "", "import", "--org", "acme", "--kind", "incidents", "--file", bad)
		if code != 1 || out != "" || !strings.Contains(errs, `line 2, column severity, value "urgent"`) || !strings.Contains(errs, `line 3, column detected_at, value "yesterday"`) {
			t.Fatalf("bad import: %d %q %q", code, out, errs)
		}
		code, out, errs = run(t, dsn, "", "metrics", "--org", "acme", "--period", "2026-10", "--as-of", "2026-11-05T00:00:00Z", "--json")
		if code != 0 {
			t.Fatalf("metrics: %d %q", code, errs)
		}
		var got []map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("metrics --json is not a JSON array: %v\n%s", err, out)
		}
		if len(got) != 9 {
			t.Fatalf("%d metrics, want 9", len(got))
		}
		byKey := map[string]map[string]any{}
		for _, m := range got {
			for _, k := range []string{"key", "period", "value", "unit", "status", "population"} {
				if _, ok := m[k]; !ok {
					t.Errorf("metric %v lacks %q", m["key"], k)
				}
			}
			byKey[m["key"].(string)] = m
		}
		// INC-1 acted on at exactly 4 h (met), INC-2 at 4 h + 1 s (missed); INC-3 is not critical.
		irs := byKey["incident-response-start"]
		if irs["value"] != 50.0 || irs["status"] != "red" || irs["population"] != 2.0 || irs["period"] != "2026-10" || irs["unit"] != "%" {
			t.Errorf("incident-response-start = %v", irs)
		}
		if rt := byKey["restore-tests"]; rt["period"] != "2026-Q4" || rt["value"] != 0.0 || rt["status"] != "red" {
			t.Errorf("restore-tests = %v", rt)
		}
		if ar := byKey["access-removal"]; ar["value"] != nil || ar["status"] != "grey" || ar["population"] != 0.0 {
			t.Errorf("access-removal = %v", ar)
		}
		if code, _, errs = run(t, dsn, "", "metrics", "--org", "acme", "--period", "2026-13"); code != 1 || !strings.Contains(errs, "2026-Q4") {
			t.Errorf("bad period: %d %q", code, errs)
		}
		if code, _, errs = run(t, dsn, "", "metrics", "--org", "nope", "--period", "2026-10"); code != 1 || !strings.Contains(errs, "not found") {
			t.Errorf("unknown org: %d %q", code, errs)
		}
		if code, out, _ = run(t, dsn, "", "audit", "verify"); code != 0 || !strings.Contains(out, "audit trail intact") {
			t.Errorf("audit verify: %d %q", code, out)
		}
	})
}

func TestUsersTokensBackup(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme")
		if code, _, errs := run(t, dsn, "short\n", "user", "create", "--email", "a@acme.example", "--name", "A"); code != 1 || !strings.Contains(errs, "at least 12") {
			t.Errorf("short password: %d %q", code, errs)
		}
		code, out, errs := run(t, dsn, "a long enough password\n", "user", "create", "--email", "a@acme.example", "--name", "A", "--org", "acme", "--role", "admin")
		if code != 0 || !strings.Contains(out, "added to acme as admin") {
			t.Fatalf("user create: %d %q %q", code, out, errs)
		}
		code, secret, errs := run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "a@acme.example", "--name", "script")
		if code != 0 || !strings.HasPrefix(secret, "pdca_") {
			t.Fatalf("token create: %d %q %q", code, secret, errs)
		}
		code, out, _ = run(t, dsn, "", "user", "token", "list", "--org", "acme")
		if code != 0 || !strings.Contains(out, "script") || strings.Contains(out, strings.TrimSpace(secret)) {
			t.Errorf("token list must not show the secret: %q", out)
		}
		if code, out, _ = run(t, dsn, "", "user", "token", "revoke", "--org", "acme", "--id", "1"); code != 0 || !strings.Contains(out, "revoked") {
			t.Errorf("revoke: %d %q", code, out)
		}
		dest := filepath.Join(t.TempDir(), "backup.db")
		code, out, errs = run(t, dsn, "", "backup", "--out", dest)
		if store.EngineOf(dsn) == store.Postgres {
			if code != 1 || !strings.Contains(errs, "pg_dump") {
				t.Errorf("backup on postgres: %d %q", code, errs)
			}
			return
		}
		if code != 0 || !strings.Contains(out, "backup written") {
			t.Fatalf("backup: %d %q %q", code, out, errs)
		}
		if code, _, errs = run(t, dsn, "", "backup", "--out", dest); code != 1 || !strings.Contains(errs, "--force") {
			t.Errorf("backup over an existing file: %d %q", code, errs)
		}
		// The copy is a working database.
		if code, out, _ = run(t, dest, "", "org", "list"); code != 0 || !strings.Contains(out, "acme") {
			t.Errorf("backup copy: %d %q", code, out)
		}
	})
}

func TestVersionAndUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), []string{"version"}, strings.NewReader(""), &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "pdca ") {
		t.Errorf("version: %d %q", code, out.String())
	}
	out.Reset()
	errb.Reset()
	if code := cli.Run(context.Background(), []string{"import", "--org", "x"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("missing flags: exit %d, want 2 (%q)", code, errb.String())
	}
}

func TestExportBundle(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme")
		out := filepath.Join(t.TempDir(), "evidence.zip")
		code, stdout, errs := run(t, dsn, "", "export", "bundle", "--org", "acme", "--out", out)
		if code != 0 || !strings.Contains(stdout, "registers/audit-trail.csv") {
			t.Fatalf("bundle: %d %q %q", code, stdout, errs)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 1000 {
			t.Fatalf("bundle file: %v %v", st, err)
		}
		if code, _, errs = run(t, dsn, "", "export", "bundle", "--org", "acme", "--out", out); code != 1 || !strings.Contains(errs, "--force") {
			t.Errorf("overwrite without --force: %d %q", code, errs)
		}
		reg := filepath.Join(t.TempDir(), "m.csv")
		if code, stdout, _ = run(t, dsn, "", "export", "register", "--org", "acme", "--name", "metrics", "--out", reg); code != 0 || !strings.Contains(stdout, "9 rows") {
			t.Errorf("register: %d %q", code, stdout)
		}
	})
}

package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/store"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// sqlOn runs statements on the database behind pdca's back.
func sqlOn(t *testing.T, dsn string, qs ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range qs {
		if _, err := db.Writer().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func dropTriggerSQL(dsn string) []string {
	if store.EngineOf(dsn) == store.Postgres {
		return []string{`DROP TRIGGER audit_events_no_update ON audit_events`}
	}
	return []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
}

const acmeID = `(SELECT id FROM organizations WHERE slug = 'acme')`

func TestAuditKeygenCheckpointVerify(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		key := filepath.Join(dir, "audit.key")
		if code, out, errs := run(t, dsn, "", "audit", "keygen", "--out", key); code != 0 || !strings.Contains(out, "ed25519:") {
			t.Fatalf("keygen: %d %q %q", code, out, errs)
		}
		if m := mode(t, key); m != 0o600 {
			t.Errorf("private key mode %o, want 600", m)
		}
		pub := key + ".pub"
		if code, _, errs := run(t, dsn, "", "audit", "keygen", "--out", key); code != 1 || !strings.Contains(errs, "already exists") {
			t.Errorf("keygen over a key: %d %q", code, errs)
		}
		for _, slug := range []string{"acme", "beta"} {
			if code, _, errs := run(t, dsn, "", "org", "create", "--slug", slug, "--name", slug); code != 0 {
				t.Fatalf("org create: %q", errs)
			}
		}
		cp := filepath.Join(dir, "cp.json")
		if code, out, errs := run(t, dsn, "", "audit", "checkpoint", "--key", key, "--out", cp); code != 0 || !strings.Contains(out, "checkpoint of 2 chains") {
			t.Fatalf("checkpoint: %d %q %q", code, out, errs)
		}
		if m := mode(t, cp); m != 0o600 {
			t.Errorf("checkpoint mode %o", m)
		}
		if code, out, errs := run(t, dsn, "", "audit", "verify", "--checkpoint", cp, "--public-key", pub); code != 0 || !strings.Contains(out, "every chain extends the checkpoint") {
			t.Fatalf("verify honest: %d %q %q", code, out, errs)
		}
		if code, _, errs := run(t, dsn, "", "audit", "verify", "--checkpoint", cp); code != 1 || !strings.Contains(errs, "go together") {
			t.Errorf("verify without the key: %d %q", code, errs)
		}
		// A statement edited after signing, and one checked with another key.
		b, _ := os.ReadFile(cp)
		forged := write(t, "forged.json", strings.Replace(string(b), `"hash": "`, `"hash": "0`, 1))
		if code, _, errs := run(t, dsn, "", "audit", "verify", "--checkpoint", forged, "--public-key", pub); code != 1 || !strings.Contains(errs, "signature is not valid") {
			t.Errorf("verify forged: %d %q", code, errs)
		}
		other := filepath.Join(dir, "other.key")
		run(t, dsn, "", "audit", "keygen", "--out", other)
		if code, _, errs := run(t, dsn, "", "audit", "verify", "--checkpoint", cp, "--public-key", other+".pub"); code != 1 || !strings.Contains(errs, "not by this public key") {
			t.Errorf("verify with another key: %d %q", code, errs)
		}
		// Rewind acme's chain by its last event: the chains alone still
		// verify, the checkpoint names acme.
		sqlOn(t, dsn, append(dropTriggerSQL(dsn),
			`DELETE FROM audit_events WHERE org_id = `+acmeID+` AND seq = (SELECT MAX(seq) FROM audit_events WHERE org_id = `+acmeID+`)`,
			`UPDATE audit_heads SET seq = seq - 1, hash = COALESCE((SELECT hash FROM audit_events WHERE org_id = `+acmeID+` AND seq = (SELECT MAX(seq) FROM audit_events WHERE org_id = `+acmeID+`)), '') WHERE org_id = `+acmeID)...)
		if code, out, errs := run(t, dsn, "", "audit", "verify"); code != 0 {
			t.Fatalf("chains alone: %d %q %q", code, out, errs)
		}
		code, out, errs := run(t, dsn, "", "audit", "verify", "--checkpoint", cp, "--public-key", pub)
		if code != 1 || !strings.Contains(out, "BROKEN  acme: the chain was rewound") || !strings.Contains(errs, "altered") {
			t.Errorf("verify rewound: %d %q %q", code, out, errs)
		}
		// Delete beta's whole chain with its head: verify fails even
		// without a checkpoint.
		sqlOn(t, dsn, `DELETE FROM audit_events WHERE org_id = (SELECT id FROM organizations WHERE slug = 'beta')`,
			`DELETE FROM audit_heads WHERE org_id = (SELECT id FROM organizations WHERE slug = 'beta')`)
		code, out, _ = run(t, dsn, "", "audit", "verify")
		if code != 1 || !strings.Contains(out, "BROKEN  beta") || !strings.Contains(out, "audit chain is missing") {
			t.Errorf("verify without beta's chain: %d %q", code, out)
		}
	})
}

// TestFilesAreWrittenOwnerOnly checks the mode of every file pdca writes:
// the SQLite database with its -wal and -shm, backups, exports (also over
// an existing world-readable file with --force).
func TestFilesAreWrittenOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "pdca.db")
	if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme"); code != 0 {
		t.Fatal(errs)
	}
	for _, f := range []string{dsn, dsn + "-wal", dsn + "-shm"} {
		if _, err := os.Stat(f); os.IsNotExist(err) {
			continue // SQLite removes -wal and -shm on a clean close
		}
		if m := mode(t, f); m != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(f), m)
		}
	}
	backup := filepath.Join(dir, "backup.db")
	if code, _, errs := run(t, dsn, "", "backup", "--out", backup); code != 0 {
		t.Fatal(errs)
	}
	if m := mode(t, backup); m != 0o600 {
		t.Errorf("backup mode %o, want 600", m)
	}
	out := filepath.Join(dir, "processes.csv")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", "register", "--org", "acme", "--name", "processes", "--out", out, "--force"},
		{"export", "poam", "--org", "acme", "--out", filepath.Join(dir, "poam.json")},
		{"export", "bundle", "--org", "acme", "--out", filepath.Join(dir, "bundle.zip")},
	} {
		if code, _, errs := run(t, dsn, "", args...); code != 0 {
			t.Fatalf("%v: %q", args, errs)
		}
		if m := mode(t, args[len(args)-1-boolInt(args[len(args)-1] == "--force")]); m != 0o600 {
			t.Errorf("%v: mode %o, want 600", args[:2], m)
		}
	}
	// Each export left an event naming what was exported, via the CLI.
	code, outp, _ := run(t, dsn, "", "export", "register", "--org", "acme", "--name", "audit-trail", "--out", filepath.Join(dir, "trail.csv"))
	if code != 0 {
		t.Fatal(outp)
	}
	trail, _ := os.ReadFile(filepath.Join(dir, "trail.csv"))
	for _, want := range []string{`""kind"":""processes""`, `""kind"":""poam""`, `""kind"":""evidence-bundle""`, `""via"":""cli""`} {
		if !strings.Contains(string(trail), want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestServeRefusesABadAuditKey: serve reads --audit-key before it
// listens, and a public key or other file is refused with a clear error.
func TestServeRefusesABadAuditKey(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "pdca.db")
	key := filepath.Join(dir, "audit.key")
	if code, _, errs := run(t, dsn, "", "audit", "keygen", "--out", key); code != 0 {
		t.Fatal(errs)
	}
	code, _, errs := run(t, dsn, "", "serve", "--addr", "127.0.0.1:0", "--audit-key", key+".pub")
	if code != 1 || !strings.Contains(errs, "not a PEM private key") {
		t.Fatalf("serve with a public key: %d %q", code, errs)
	}
}

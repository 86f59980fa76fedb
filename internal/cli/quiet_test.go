package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/cli"
)

// runRaw calls the CLI with exactly args (no --log-level added).
func runRaw(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestCommandsPrintOnlyTheirResult: a command other than serve prints its
// result alone on standard output and nothing on standard error by
// default (no migration log lines on a new database); --log-level info
// brings the log back.
func TestCommandsPrintOnlyTheirResult(t *testing.T) {
	t.Parallel()
	eachEmptyEngine(t, func(t *testing.T, dsn string) {
		code, out, errs := runRaw(t, "--db", dsn, "org", "create", "--slug", "acme", "--name", "Acme Oy")
		if code != 0 || out != "created organisation acme (Acme Oy, time zone UTC)\n" || errs != "" {
			t.Fatalf("org create: %d stdout %q stderr %q; want one line and an empty stderr", code, out, errs)
		}
		code, out, errs = runRaw(t, "--db", dsn, "org", "list", "--output", "json")
		var orgs []struct{ Slug, Name string }
		if code != 0 || errs != "" || json.Unmarshal([]byte(out), &orgs) != nil || len(orgs) != 1 || orgs[0].Slug != "acme" || orgs[0].Name != "Acme Oy" {
			t.Fatalf("org list --output json: %d %q %q", code, out, errs)
		}
		if code, out, errs = runRaw(t, "--db", dsn, "org", "list"); code != 0 || out != "SLUG  NAME\nacme  Acme Oy\n" || errs != "" {
			t.Fatalf("org list: %d %q %q", code, out, errs)
		}
		for _, args := range [][]string{{"profile", "list", "--org", "acme", "--json"}, {"profile", "list", "--org", "acme", "--output", "json"},
			{"user", "token", "list", "--org", "acme", "--output", "json"}} {
			code, out, errs = runRaw(t, append([]string{"--db", dsn}, args...)...)
			if code != 0 || strings.TrimSpace(out) != "[]" || errs != "" {
				t.Errorf("%v: %d %q %q, want []", args, code, out, errs)
			}
		}
	})
	dsn := filepath.Join(t.TempDir(), "loud.db")
	code, _, errs := runRaw(t, "--db", dsn, "--log-level", "info", "org", "list")
	if code != 0 || !strings.Contains(errs, "migration applied") {
		t.Fatalf("--log-level info: %d, stderr %q, want the migration log", code, errs)
	}
}

// TestCompletionScripts: pdca completion prints a script per shell, made
// from the command line's model; the bash one completes in bash.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for shell, want := range map[string]string{"bash": "complete -F _pdca pdca", "zsh": "bashcompinit", "fish": "complete -c pdca -n '__pdca_at org' -a create"} {
		code, out, errs := runRaw(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "log-level") || errs != "" {
			t.Errorf("completion %s: %d, stderr %q, script lacks %q:\n%.500s", shell, code, errs, want, out)
		}
	}
	if code, _, _ := runRaw(t, "completion", "powershell"); code != 2 {
		t.Errorf("completion powershell: exit %d, want 2", code)
	}
	_, script, _ := runRaw(t, "completion", "bash")
	path := filepath.Join(t.TempDir(), "pdca.bash")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		"pdca org c":               "create",
		"pdca user token r":        "revoke",
		"pdca --log-level w":       "warn",
		"pdca org list --out":      "--output",
		"pdca org list --output j": "json",
	} {
		words := strings.Fields(line)
		cmd := exec.Command("bash", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pdca; echo "${COMPREPLY[*]}"`, "_", path)
		cmd.Args = append(cmd.Args, words...)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("bash completes %q to %q (%v), want %q", line, out, err, want)
		}
	}
}

// TestServeOnABusyPortTouchesNothing: serve --demo on an address in use
// fails at once with a clear message, before creating the database or a
// demo password.
func TestServeOnABusyPortTouchesNothing(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dsn := filepath.Join(t.TempDir(), "demo.db")
	code, out, errs := runRaw(t, "--db", dsn, "serve", "--demo", "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errs, "the address is in use") || strings.Contains(out, "password") {
		t.Fatalf("serve on a busy port: %d stdout %q stderr %q", code, out, errs)
	}
	if _, err := os.Stat(dsn); !os.IsNotExist(err) {
		t.Fatalf("the database file exists after a failed serve (%v)", err)
	}
}

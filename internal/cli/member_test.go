package cli_test

import (
	"strings"
	"testing"
)

// TestUserRemove removes a member on the command line: their token is
// revoked, the last admin stays, a non-member is a clear error.
func TestUserRemove(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme")
		for _, u := range []struct{ email, role string }{{"boss@acme.example", "admin"}, {"leaver@acme.example", "process_owner"}} {
			if code, out, errs := run(t, dsn, "", "user", "create", "--email", u.email, "--name", u.email, "--no-password", "--org", "acme", "--role", u.role); code != 0 {
				t.Fatalf("user create: %d %q %q", code, out, errs)
			}
		}
		if code, _, errs := run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "leaver@acme.example", "--name", "script"); code != 0 {
			t.Fatalf("token create: %d %q", code, errs)
		}
		code, out, errs := run(t, dsn, "", "user", "remove", "--org", "acme", "--email", "Leaver@acme.example")
		if code != 0 || !strings.Contains(out, "leaver@acme.example removed from acme") {
			t.Fatalf("user remove: %d %q %q", code, out, errs)
		}
		_, out, _ = run(t, dsn, "", "user", "token", "list", "--org", "acme")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "script") || strings.HasSuffix(lines[1], " -") {
			t.Errorf("token list after removal, want the token revoked: %q", out)
		}
		if code, _, errs = run(t, dsn, "", "user", "remove", "--org", "acme", "--email", "leaver@acme.example"); code != 1 || !strings.Contains(errs, "not a member of acme") {
			t.Errorf("remove again: %d %q", code, errs)
		}
		if code, _, errs = run(t, dsn, "", "user", "remove", "--org", "acme", "--email", "boss@acme.example"); code != 1 || !strings.Contains(errs, "last admin") {
			t.Errorf("remove the last admin: %d %q", code, errs)
		}
	})
}

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

// TestTokenExpires creates tokens with --expires: the list shows the
// expiry, a bad value is a clear error.
func TestTokenExpires(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme")
		run(t, dsn, "", "user", "create", "--email", "a@acme.example", "--name", "A", "--no-password", "--org", "acme", "--role", "admin")
		code, secret, errs := run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "a@acme.example", "--name", "ci", "--expires", "90d")
		if code != 0 || !strings.HasPrefix(secret, "pdca_") || !strings.Contains(errs, "expires 20") {
			t.Fatalf("token create --expires 90d: %d %q %q", code, secret, errs)
		}
		if code, _, errs = run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "a@acme.example", "--name", "x", "--expires", "90 days"); code != 1 || !strings.Contains(errs, `expires "90 days": use e.g. 12h, 30d`) {
			t.Errorf("bad --expires: %d %q", code, errs)
		}
		_, out, _ := run(t, dsn, "", "user", "token", "list", "--org", "acme")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[0], "EXPIRES") || strings.Contains(lines[1], "never") {
			t.Errorf("token list: %q", out)
		}
	})
}

package cli_test

import (
	"strings"
	"testing"
)

// TestUserOperator (issue 18) names an operator of the instance and
// takes it back; an unknown email is a clear error.
func TestUserOperator(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		run(t, dsn, "", "user", "create", "--email", "op@example.com", "--name", "Op", "--no-password")
		if code, out, errs := run(t, dsn, "", "user", "operator", "--email", "Op@example.com"); code != 0 || !strings.Contains(out, "op@example.com is an operator") {
			t.Fatalf("user operator: %d %q %q", code, out, errs)
		}
		if code, out, errs := run(t, dsn, "", "user", "operator", "--email", "op@example.com", "--revoke"); code != 0 || !strings.Contains(out, "no longer an operator") {
			t.Fatalf("user operator --revoke: %d %q %q", code, out, errs)
		}
		if code, _, errs := run(t, dsn, "", "user", "operator", "--email", "nobody@example.com"); code != 1 || !strings.Contains(errs, "not found") {
			t.Errorf("unknown email: %d %q", code, errs)
		}
	})
}

package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/store"
)

// TestUserPasswordCommand: pdca user password refuses common and
// repeated passwords and ends every session of the person.
func TestUserPasswordCommand(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, _, errs := run(t, dsn, "a long enough password\n", "user", "create", "--email", "pw@acme.example", "--name", "Pw"); code != 0 {
			t.Fatal(errs)
		}
		for _, bad := range []string{"aaaaaaaaaaaa", "qwerty123456", "pw@acme.example"} {
			if code, _, errs := run(t, dsn, bad+"\n", "user", "password", "--email", "pw@acme.example"); code != 1 || !strings.Contains(errs, "password:") {
				t.Errorf("user password %q: exit %d, %s", bad, code, errs)
			}
		}
		if code, out, errs := run(t, dsn, "another long passphrase\n", "user", "password", "--email", "pw@acme.example"); code != 0 || !strings.Contains(out, "every session of theirs ended") {
			t.Fatalf("user password: exit %d, %s %s", code, out, errs)
		}
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var set bool
		if err := db.Reader().QueryRow(`SELECT sessions_valid_since IS NOT NULL FROM users WHERE email = $1`, "pw@acme.example").Scan(&set); err != nil || !set {
			t.Errorf("sessions_valid_since set: %v, %v", set, err)
		}
		short := write(t, "mfa.key", "too short")
		if code, _, errs := run(t, dsn, "", "serve", "--addr", "127.0.0.1:0", "--mfa-key-file", short); code != 1 || !strings.Contains(errs, "at least 32 random characters") {
			t.Errorf("serve with a short MFA key: exit %d, %s", code, errs)
		}
	})
}

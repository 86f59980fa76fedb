package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTOTP follows a second factor's life on a fixed clock: enrolment
// needs a matching code; sign-in then needs a code after the password;
// each code and recovery code works once; turning it off needs the
// password and a code; the secret is sealed and never in the audit trail.
func TestTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 9, 0, 10, 0, time.UTC)
		clock := newClock(db, t0)
		a := newApp(t, db)
		a.MFAKey = []byte("0123456789abcdef0123456789abcdef")
		u := mustPerson(t, a, "totp@acme.example")
		p := app.Principal{UserID: u.ID, Label: u.Email}
		const addr = "192.0.2.44"

		enrol, err := a.NewTOTP(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enrol.URI, "otpauth://totp/pdca:totp@acme.example?") || !strings.Contains(enrol.URI, "secret="+enrol.Secret) || len(enrol.QRPNG) == 0 {
			t.Errorf("enrolment %q, QR %d bytes", enrol.URI, len(enrol.QRPNG))
		}
		if _, err := a.EnableTOTP(ctx, p, enrol.Secret, totpCode(t, enrol.Secret, t0.Add(-2*time.Minute))); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("enable with an old code: %v, want EINVALID", err)
		}
		if in, err := a.SignIn(ctx, u.Email, goodPassword, addr); err != nil || in.NeedsCode {
			t.Fatalf("not yet on: %+v, %v", in, err)
		}
		codes, err := a.EnableTOTP(ctx, p, enrol.Secret, totpCode(t, enrol.Secret, t0))
		if err != nil || len(codes) != app.RecoveryCodes {
			t.Fatalf("enable: %d codes, %v", len(codes), err)
		}
		if _, err := a.EnableTOTP(ctx, p, enrol.Secret, totpCode(t, enrol.Secret, t0)); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("enable twice: %v", err)
		}

		// The password alone no longer signs in.
		in, err := a.SignIn(ctx, u.Email, goodPassword, addr)
		if err != nil || !in.NeedsCode || in.Method != "" {
			t.Fatalf("password step: %+v, %v; want NeedsCode", in, err)
		}
		tests := []struct {
			name    string
			advance time.Duration
			code    func() string
			method  string // "" for refused
		}{
			{"code used at enrolment is spent", 0, func() string { return totpCode(t, enrol.Secret, t0) }, ""},
			{"next step's code", 30 * time.Second, func() string { return totpCode(t, enrol.Secret, t0.Add(30*time.Second)) }, "password+totp"},
			{"the same code again", 0, func() string { return totpCode(t, enrol.Secret, t0.Add(30*time.Second)) }, ""},
			{"a code two steps old", 60 * time.Second, func() string { return totpCode(t, enrol.Secret, t0) }, ""},
			{"a code 30 s late (drift)", 0, func() string { return totpCode(t, enrol.Secret, t0.Add(60*time.Second)) }, "password+totp"},
			{"garbage", 0, func() string { return "12345x" }, ""},
			{"recovery code", 0, func() string { return strings.ToUpper(codes[0]) }, "password+recovery_code"},
			{"recovery code again", 0, func() string { return codes[0] }, ""},
			{"another recovery code, no dash", 0, func() string { return strings.ReplaceAll(codes[1], "-", "") }, "password+recovery_code"},
		}
		for _, tt := range tests {
			clock.add(tt.advance)
			got, err := a.VerifySecondFactor(ctx, u.ID, tt.code(), addr)
			switch {
			case tt.method == "" && isms.ErrorCode(err) != isms.EUNAUTHORIZED:
				t.Errorf("%s: %+v, %v; want EUNAUTHORIZED", tt.name, got, err)
			case tt.method != "" && (err != nil || got.Method != tt.method || got.User.ID != u.ID):
				t.Errorf("%s: %+v, %v; want signed in by %s", tt.name, got, err, tt.method)
			}
		}
		if st, err := a.SecondFactorStatus(ctx, p); err != nil || !st.Enabled || st.RecoveryLeft != app.RecoveryCodes-2 {
			t.Errorf("status %+v, %v; want on with 8 recovery codes left", st, err)
		}

		// Codes are throttled like passwords (the last success reset the
		// counters): five failures, then a wait.
		for range app.PairFreeFailures {
			if _, err := a.VerifySecondFactor(ctx, u.ID, "000000", addr); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
				t.Fatalf("failure: %v", err)
			}
		}
		if _, err := a.VerifySecondFactor(ctx, u.ID, "000000", addr); isms.ErrorCode(err) != isms.ETOOMANY {
			t.Errorf("sixth wrong code in a row: %v, want ETOOMANY", err)
		}

		// Off needs the password and a code.
		clock.add(30 * time.Second)
		now := func() time.Time { return db.Now() }
		if err := a.DisableTOTP(ctx, p, "wrong password here", totpCode(t, enrol.Secret, now()), "192.0.2.46"); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
			t.Errorf("disable with a wrong password: %v", err)
		}
		if err := a.DisableTOTP(ctx, p, goodPassword, "999999", "192.0.2.46"); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
			t.Errorf("disable with a wrong code: %v", err)
		}
		if err := a.DisableTOTP(ctx, p, goodPassword, totpCode(t, enrol.Secret, now()), "192.0.2.46"); err != nil {
			t.Fatalf("disable: %v", err)
		}
		if in, err := a.SignIn(ctx, u.Email, goodPassword, "192.0.2.45"); err != nil || in.NeedsCode {
			t.Errorf("after disabling: %+v, %v", in, err)
		}

		// The secret is sealed at rest and appears in no audit event.
		var stored *string
		if err := db.Reader().QueryRow(`SELECT totp_secret FROM users WHERE id = $1`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != nil {
			t.Errorf("secret left after disabling: %q", *stored)
		}
		events := systemEvents(t, db)
		joined := strings.Join(events, "\n")
		if strings.Contains(joined, enrol.Secret) || strings.Contains(joined, codes[2]) {
			t.Errorf("the secret or a recovery code is in the audit trail:\n%s", joined)
		}
		for _, want := range []string{
			"user.mfa_enable totp@acme.example {\"method\":\"totp\",\"recovery_codes\":10}",
			"user.signin totp@acme.example {\"address\":\"192.0.2.44\",\"method\":\"password+totp\"}",
			"user.signin totp@acme.example {\"address\":\"192.0.2.44\",\"method\":\"password+recovery_code\"}",
			"user.signin_failed totp@acme.example {\"address\":\"192.0.2.44\",\"email\":\"totp@acme.example\",\"method\":\"totp\",\"reason\":\"wrong or used code\"}",
			"user.mfa_disable totp@acme.example ",
		} {
			if !strings.Contains(joined, want) {
				t.Errorf("audit trail lacks %s", want)
			}
		}
	})
}

// TestTOTPSealed checks the secret is stored sealed with the server's key
// and bound to its person.
func TestTOTPSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		a.MFAKey = []byte("0123456789abcdef0123456789abcdef")
		u := mustPerson(t, a, "sealed@acme.example")
		p := app.Principal{UserID: u.ID, Label: u.Email}
		enrol, _ := a.NewTOTP(p)
		if _, err := a.EnableTOTP(ctx, p, enrol.Secret, totpCode(t, enrol.Secret, db.Now())); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.Reader().QueryRow(`SELECT totp_secret FROM users WHERE id = $1`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, enrol.Secret) {
			t.Errorf("stored secret %q: want sealed (v1:...)", stored)
		}
		// Another key cannot open it: the code check fails closed.
		b := newApp(t, db)
		b.MFAKey = []byte("another key of thirty-two bytes!")
		if _, err := b.VerifySecondFactor(ctx, u.ID, totpCode(t, enrol.Secret, db.Now().Add(30*time.Second)), "192.0.2.1"); isms.ErrorCode(err) != isms.EINTERNAL {
			t.Errorf("with another key: %v, want an internal error", err)
		}
	})
}

// TestRequireMFASetting: admins only, audited in the organisation.
func TestRequireMFASetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		for _, r := range isms.Roles() {
			err := f.app.SetRequireMFA(ctx, f.members[r], "acme", true)
			if want := r == isms.RoleAdmin; (err == nil) != want {
				t.Errorf("%s: %v", r, err)
			}
		}
		if on, err := f.app.RequireMFA(ctx, f.members[isms.RoleViewer], "acme"); err != nil || !on {
			t.Errorf("RequireMFA = %v, %v", on, err)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'org.require_mfa'`, f.org.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d org.require_mfa events, %v; want 1", n, err)
		}
	})
}

// TestDisableTOTPThrottlesCodes: with the session and the password, codes
// still cannot be guessed faster than at sign-in.
func TestDisableTOTPThrottlesCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		u := mustPerson(t, a, "guessed@acme.example")
		p := app.Principal{UserID: u.ID, Label: u.Email}
		enrol, _ := a.NewTOTP(p)
		if _, err := a.EnableTOTP(ctx, p, enrol.Secret, totpCode(t, enrol.Secret, db.Now())); err != nil {
			t.Fatal(err)
		}
		for range app.PairFreeFailures {
			if err := a.DisableTOTP(ctx, p, goodPassword, "000000", "203.0.113.8"); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
				t.Fatalf("wrong code: %v", err)
			}
		}
		if err := a.DisableTOTP(ctx, p, goodPassword, "000000", "203.0.113.8"); isms.ErrorCode(err) != isms.ETOOMANY {
			t.Errorf("sixth wrong code: %v, want ETOOMANY", err)
		}
	})
}

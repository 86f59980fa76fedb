package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

const goodPassword = "correct horse battery"

// fixedClock sets the database's clock to a moment tests move by hand.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(db *store.DB, at time.Time) *fixedClock {
	c := &fixedClock{now: at}
	db.Now = func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.now
	}
	return c
}

func (c *fixedClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func mustPerson(t *testing.T, a *app.App, email string) *isms.User {
	t.Helper()
	u := &isms.User{Email: email, Name: email}
	if err := a.CreateUser(context.Background(), app.System, u, goodPassword); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSignInParallelAttack is issue 13's attack: 30 wrong passwords for
// one account at once. Before, all 30 were hashed at once; now at most
// PairFreeFailures are evaluated, never more than PasswordSlots at once,
// and the rest are refused with ETOOMANY and a retry time.
func TestSignInParallelAttack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		a.PasswordSlots = 2
		a.PasswordWait = time.Hour // every attempt waits for its slot: none is refused as busy
		a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 4 * 1024, Threads: 1}
		mustPerson(t, a, "victim@acme.example")
		before, _ := a.PasswordStats()
		const n = 30
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = a.SignIn(context.Background(), "victim@acme.example", fmt.Sprintf("wrong guess number %d", i), "203.0.113.9")
			})
		}
		wg.Wait()
		wrong, refused := 0, 0
		for _, err := range errs {
			switch isms.ErrorCode(err) {
			case isms.EUNAUTHORIZED:
				wrong++
			case isms.ETOOMANY:
				refused++
				if app.RetryAfter(err) <= 0 {
					t.Errorf("refused without a retry time: %v", err)
				}
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		evaluated, peak := a.PasswordStats()
		evaluated -= before
		if wrong != app.PairFreeFailures || refused != n-app.PairFreeFailures || evaluated != int64(wrong) {
			t.Errorf("%d wrong, %d refused, %d hashes; want %d, %d, %d", wrong, refused, evaluated, app.PairFreeFailures, n-app.PairFreeFailures, app.PairFreeFailures)
		}
		if peak > 2 {
			t.Errorf("%d hashes ran at once, want at most PasswordSlots = 2", peak)
		}
		// Spread over 30 addresses, every attempt is evaluated, still at
		// most two at a time, and the account is not locked.
		for i := range n {
			wg.Go(func() {
				_, errs[i] = a.SignIn(context.Background(), "victim@acme.example", "another wrong guess", fmt.Sprintf("198.51.100.%d", i))
			})
		}
		wg.Wait()
		for _, err := range errs {
			if isms.ErrorCode(err) != isms.EUNAUTHORIZED {
				t.Errorf("spread attack: %v, want EUNAUTHORIZED", err)
			}
		}
		if _, peak := a.PasswordStats(); peak > 2 {
			t.Errorf("%d hashes ran at once, want at most 2", peak)
		}
		if _, err := a.SignIn(context.Background(), "victim@acme.example", goodPassword, "192.0.2.1"); err != nil {
			t.Errorf("the owner from their own address after the attacks: %v", err)
		}
	})
}

// TestSignInThrottle walks the throttle's rules on a fixed clock.
func TestSignInThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newClock(db, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		a := newApp(t, db)
		for _, e := range []string{"owner@acme.example", "other@acme.example"} {
			mustPerson(t, a, e)
		}
		signin := func(email, pw, addr string) error {
			_, err := a.SignIn(ctx, email, pw, addr)
			return err
		}
		refusedFor := func(t *testing.T, err error, want time.Duration) {
			t.Helper()
			if isms.ErrorCode(err) != isms.ETOOMANY || app.RetryAfter(err) != want {
				t.Fatalf("got %v (retry after %v), want ETOOMANY after %v", err, app.RetryAfter(err), want)
			}
		}
		const attacker, home = "203.0.113.66", "192.0.2.10"

		t.Run("pair back-off doubles and others are not locked out", func(t *testing.T) {
			for i := range app.PairFreeFailures {
				if err := signin("owner@acme.example", fmt.Sprint("guess ", i), attacker); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			refusedFor(t, signin("owner@acme.example", goodPassword, attacker), time.Minute)
			// The owner, from another address, is not locked out.
			if err := signin("owner@acme.example", goodPassword, home); err != nil {
				t.Fatalf("owner from home: %v", err)
			}
			clock.add(time.Minute)
			if err := signin("owner@acme.example", "guess 6", attacker); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
				t.Fatalf("after the back-off: %v", err)
			}
			refusedFor(t, signin("owner@acme.example", "guess 7", attacker), 2*time.Minute)
			clock.add(2 * time.Minute)
			_ = signin("owner@acme.example", "guess 7", attacker)
			refusedFor(t, signin("owner@acme.example", "guess 8", attacker), 4*time.Minute)
			// A right password after the wait resets the pair.
			clock.add(4 * time.Minute)
			if err := signin("owner@acme.example", goodPassword, attacker); err != nil {
				t.Fatalf("right password after the wait: %v", err)
			}
			if err := signin("owner@acme.example", "guess 9", attacker); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
				t.Fatalf("after a success the pair starts over: %v", err)
			}
		})
		t.Run("per address", func(t *testing.T) {
			const scanner = "203.0.113.77"
			for i := range app.MaxFailsPerAddress {
				if err := signin(fmt.Sprintf("guess%d@acme.example", i), "whatever it is", scanner); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			refusedFor(t, signin("other@acme.example", goodPassword, scanner), app.AddressWindow)
			if err := signin("other@acme.example", goodPassword, home); err != nil {
				t.Fatalf("another address: %v", err)
			}
			clock.add(app.AddressWindow)
			if err := signin("other@acme.example", goodPassword, scanner); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})
		t.Run("per account ceiling", func(t *testing.T) {
			clock.add(time.Hour)
			for i := range app.MaxFailsPerAccount {
				if err := signin("other@acme.example", "distributed guess", fmt.Sprintf("10.%d.%d.1", i/250, i%250)); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			refusedFor(t, signin("other@acme.example", goodPassword, home), app.AccountCooldown)
			clock.add(app.AccountCooldown)
			if err := signin("other@acme.example", goodPassword, home); err != nil {
				t.Fatalf("after the cool-down: %v", err)
			}
		})
		t.Run("operator reset unlocks", func(t *testing.T) {
			clock.add(24 * time.Hour)
			for i := range app.MaxFailsPerAccount {
				_ = signin("other@acme.example", "distributed guess", fmt.Sprintf("10.%d.%d.2", i/250, i%250))
			}
			refusedFor(t, signin("other@acme.example", goodPassword, home), app.AccountCooldown)
			if err := a.SetPasswordByEmail(ctx, app.System, "other@acme.example", "a brand new passphrase"); err != nil {
				t.Fatal(err)
			}
			if err := signin("other@acme.example", "a brand new passphrase", home); err != nil {
				t.Fatalf("after pdca user password: %v", err)
			}
		})
	})
}

// TestSigninAudit checks the authentication events of the system
// organisation's chain.
func TestSigninAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		u := mustPerson(t, a, "audited@acme.example")
		p := app.Principal{UserID: u.ID, Label: u.Email}
		if _, err := a.SignIn(ctx, u.Email, "not the password", "192.0.2.7"); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, "ghost@acme.example", "not the password", "192.0.2.7"); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
			t.Fatal(err)
		}
		if _, err := a.SignIn(ctx, u.Email, goodPassword, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ChangePassword(ctx, p, goodPassword, "a different passphrase", "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if err := a.SignOut(ctx, p); err != nil {
			t.Fatal(err)
		}
		got := systemEvents(t, db)
		want := []string{
			`user.signin_failed ` + u.Email + ` {"address":"192.0.2.7","email":"audited@acme.example","method":"password","reason":"wrong password"}`,
			`user.signin_failed ghost@acme.example {"address":"192.0.2.7","email":"ghost@acme.example","method":"password","reason":"unknown account"}`,
			`user.signin ` + u.Email + ` {"address":"192.0.2.7","method":"password"}`,
			`user.password ` + u.Email + ` {"other_sessions":"ended"}`,
			`user.signout ` + u.Email + ` `,
		}
		if len(got) < len(want) || fmt.Sprint(got[len(got)-len(want):]) != fmt.Sprint(want) {
			t.Errorf("system events:\n%q\nwant to end with\n%q", got, want)
		}
	})
}

// systemEvents lists "action actor after" of the system organisation's
// events.
func systemEvents(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Reader().Query(`SELECT action, actor, after_json FROM audit_events WHERE org_id = $1 ORDER BY seq`, isms.SystemOrgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, actor string
		var after string
		if err := rows.Scan(&action, &actor, &after); err != nil {
			t.Fatal(err)
		}
		out = append(out, action+" "+actor+" "+after)
	}
	return out
}

// TestPasswordRules: long enough is not enough (NIST SP 800-63B).
func TestPasswordRules(t *testing.T) {
	tests := []struct {
		pw, email string
		ok        bool
	}{
		{"aaaaaaaaaaaa", "", false},
		{"AAAAAAAAAAAAAAAA", "", false},
		{"abcabcabcabc", "", false},
		{"passwordpassword", "", false},
		{"QwErTy123456", "", false}, // on the list, any case
		{"1qaz2wsx3edc", "", false}, // on the list
		{"jane.doe@acme.example", "Jane.Doe@acme.example", false},
		{"jane.doe.smith", "jane.doe.smith@acme.example", false},
		{"short", "", false},
		{"correct horse battery", "jane@acme.example", true},
		{"aaaaaaaaaaab", "", true},
		{strings.Repeat("correct horse ", 18) + "bat", "", true},    // 255
		{strings.Repeat("correct horse ", 18) + "batt", "", true},   // 256
		{strings.Repeat("correct horse ", 18) + "batte", "", false}, // 257
	}
	for _, tt := range tests {
		err := isms.ValidateNewPassword(tt.pw, tt.email)
		if (err == nil) != tt.ok || (err != nil && isms.ErrorCode(err) != isms.EINVALID) {
			t.Errorf("ValidateNewPassword(%q, %q) = %v, want ok=%v", tt.pw, tt.email, err, tt.ok)
		}
	}
	// Through the use cases too.
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		u := mustPerson(t, a, "rules@acme.example")
		if err := a.SetPasswordByEmail(context.Background(), app.System, u.Email, "aaaaaaaaaaaa"); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("pdca user password aaaaaaaaaaaa: %v", err)
		}
		if _, err := a.ChangePassword(context.Background(), app.Principal{UserID: u.ID, Label: u.Email}, goodPassword, "rules@acme.example", "192.0.2.8"); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("change to the email: %v", err)
		}
	})
}

// TestChangePasswordThrottled: a stolen session cannot guess the current
// password faster than sign-in could.
func TestChangePasswordThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		u := mustPerson(t, a, "stolen@acme.example")
		p := app.Principal{UserID: u.ID, Label: u.Email}
		for i := range app.PairFreeFailures {
			if _, err := a.ChangePassword(ctx, p, fmt.Sprint("guess ", i), "a fresh passphrase", "203.0.113.5"); isms.ErrorCode(err) != isms.EUNAUTHORIZED {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, err := a.ChangePassword(ctx, p, goodPassword, "a fresh passphrase", "203.0.113.5"); isms.ErrorCode(err) != isms.ETOOMANY {
			t.Errorf("sixth try: %v, want ETOOMANY", err)
		}
		if _, err := a.SignIn(ctx, u.Email, goodPassword, "203.0.113.5"); isms.ErrorCode(err) != isms.ETOOMANY {
			t.Errorf("sign-in from the same address shares the counter: %v", err)
		}
		if _, err := a.ChangePassword(ctx, p, goodPassword, "a fresh passphrase", "192.0.2.1"); err != nil {
			t.Errorf("from another address: %v", err)
		}
	})
}

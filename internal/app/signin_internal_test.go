package app

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestSignInWaitsForASlot holds the only password slot: a sign-in waits
// PasswordWait, is refused with ETOOMANY and Retry-After, and its attempt
// is not counted against the account.
func TestSignInWaitsForASlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := New(db, nil)
		a.Passwords = PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
		a.PasswordSlots, a.PasswordWait = 1, 20*time.Millisecond
		u := &isms.User{Email: "busy@acme.example", Name: "Busy"}
		if err := a.CreateUser(ctx, System, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		held, release := make(chan struct{}), make(chan struct{})
		done := make(chan error)
		go func() {
			done <- a.withPasswordSlot(ctx, func() { close(held); <-release })
		}()
		<-held
		for range PairFreeFailures + 2 {
			_, err := a.SignIn(ctx, u.Email, "correct horse battery", "192.0.2.5")
			if isms.ErrorCode(err) != isms.ETOOMANY || RetryAfter(err) != time.Second {
				t.Fatalf("with the slot held: %v (retry after %v), want ETOOMANY after 1s", err, RetryAfter(err))
			}
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		// The refused attempts were taken back: the right password passes.
		if _, err := a.SignIn(ctx, u.Email, "correct horse battery", "192.0.2.5"); err != nil {
			t.Fatalf("after the slot is free: %v", err)
		}
		if evaluated, peak := a.PasswordStats(); evaluated != 2 || peak != 1 {
			t.Errorf("PasswordStats = %d, %d; want 2 evaluated (the held one and the last), peak 1", evaluated, peak)
		}
	})
}

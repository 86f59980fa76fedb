package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/store"
)

// The sign-in throttle (docs/security.md, "Sign-in, sessions and second
// factor"). Every attempt is counted before its password is hashed, in
// the write transaction that checks the counters, so parallel attempts
// cannot pass a check together. Three counters:
//
//   - an account from one address: PairFreeFailures failures in a row are
//     free, then each further attempt waits PairBackoff, doubled with
//     every failure, up to PairBackoffMax. Someone guessing from their
//     address slows down only themselves; the owner elsewhere signs in.
//   - an address, over all accounts: MaxFailsPerAddress per AddressWindow.
//   - an account, over all addresses: after MaxFailsPerAccount failures in
//     a row (NIST SP 800-63B 5.2.2 allows at most 100) one attempt per
//     AccountCooldown, against guessing spread over many addresses.
//
// A correct password resets the pair and the account; a second factor
// has its own counters of the same kinds (and shares the address's).
const (
	PairFreeFailures   = 5
	PairBackoff        = time.Minute
	PairBackoffMax     = time.Hour
	PairForget         = 24 * time.Hour
	MaxFailsPerAddress = 50
	AddressWindow      = 15 * time.Minute
	MaxFailsPerAccount = 100
	AccountCooldown    = time.Hour
)

// Password hashing slots: argon2id takes 64 MiB and a core for about
// 120 ms, so a burst of sign-ins is hashed a few at a time.
const (
	// DefaultPasswordWait is how long an attempt waits for a slot before
	// it is refused with ETOOMANY (Retry-After 1 s).
	DefaultPasswordWait = 3 * time.Second
)

// throttled is ETOOMANY with the time after which a retry may pass.
type throttled struct {
	err   *isms.Error
	after time.Duration
}

func (e *throttled) Error() string { return e.err.Error() }
func (e *throttled) Unwrap() error { return e.err }

// RetryAfter returns how long a caller refused by the sign-in throttle or
// the password slots should wait (0 for other errors).
func RetryAfter(err error) time.Duration {
	var t *throttled
	if errors.As(err, &t) {
		return t.after
	}
	return 0
}

func tooMany(after time.Duration, format string, args ...any) error {
	if after < time.Second {
		after = time.Second
	}
	return &throttled{err: isms.Errorf(isms.ETOOMANY, format, args...), after: after.Round(time.Second)}
}

// throttleKeys names the counters of one attempt.
type throttleKeys struct{ pair, addr, acct string }

// keysFor returns the counters of a password (kind "") or second-factor
// (kind "code") attempt for the account from the address.
func keysFor(kind, email, address string) throttleKeys {
	p := "pw:"
	if kind != "" {
		p = kind + ":"
	}
	return throttleKeys{pair: p + "pair:" + address + " " + email, addr: "addr:" + address, acct: p + "acct:" + email}
}

func (k throttleKeys) lock(ctx context.Context, tx *store.Tx) (pair, addr, acct *store.ThrottleCounter, err error) {
	keys := []string{k.pair, k.addr, k.acct}
	sort.Strings(keys) // one order for every transaction, so no deadlock
	got := map[string]*store.ThrottleCounter{}
	for _, key := range keys {
		if got[key], err = tx.LockThrottle(ctx, key); err != nil {
			return nil, nil, nil, err
		}
	}
	return got[k.pair], got[k.addr], got[k.acct], nil
}

// pairWait is the back-off after n failures of an account from an address.
func pairWait(n int) time.Duration {
	if n < PairFreeFailures {
		return 0
	}
	d := PairBackoff
	for i := PairFreeFailures; i < n && d < PairBackoffMax; i++ {
		d *= 2
	}
	return min(d, PairBackoffMax)
}

// countAttempt refuses an attempt the counters forbid (ETOOMANY with a
// retry time) and otherwise counts it as a failure until it succeeds.
func countAttempt(ctx context.Context, tx *store.Tx, k throttleKeys) error {
	pair, addr, acct, err := k.lock(ctx, tx)
	if err != nil {
		return err
	}
	now := tx.Now
	if now.Sub(pair.LastAt) >= PairForget {
		pair.Failures = 0
	}
	if until := pair.LastAt.Add(pairWait(pair.Failures)); pair.Failures >= PairFreeFailures && now.Before(until) {
		return tooMany(until.Sub(now), "too many failed sign-ins for this account from your address; try again in %s", wait(until.Sub(now)))
	}
	if now.Sub(addr.WindowStart) >= AddressWindow {
		addr.Failures, addr.WindowStart = 0, now
	}
	if addr.Failures >= MaxFailsPerAddress {
		until := addr.WindowStart.Add(AddressWindow)
		return tooMany(until.Sub(now), "too many failed sign-ins from your address; try again in %s", wait(until.Sub(now)))
	}
	if until := acct.LastAt.Add(AccountCooldown); acct.Failures >= MaxFailsPerAccount && now.Before(until) {
		return tooMany(until.Sub(now), "too many failed sign-ins for this account; try again in %s", wait(until.Sub(now)))
	}
	for _, c := range []*store.ThrottleCounter{pair, addr, acct} {
		c.Failures++
		c.LastAt = now
		if err := tx.SetThrottle(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func wait(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int(d.Round(time.Second).Seconds()))
	}
	return fmt.Sprintf("%d minutes", int((d + time.Minute - 1).Minutes()))
}

// forgive resets the pair and the account after a success, and takes the
// attempt back from the address.
func forgive(ctx context.Context, tx *store.Tx, k throttleKeys) error {
	if err := tx.DeleteThrottle(ctx, k.pair); err != nil {
		return err
	}
	if err := tx.DeleteThrottle(ctx, k.acct); err != nil {
		return err
	}
	return uncount(ctx, tx, k.addr)
}

// uncount takes one counted attempt back from the counters.
func uncount(ctx context.Context, tx *store.Tx, keys ...string) error {
	sort.Strings(keys)
	for _, key := range keys {
		c, err := tx.LockThrottle(ctx, key)
		if err != nil {
			return err
		}
		if c.Failures > 0 {
			c.Failures--
		}
		if err := tx.SetThrottle(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// uncountAttempt takes back an attempt that was counted but not
// evaluated (no hashing slot), even when the request is gone.
func (a *App) uncountAttempt(ctx context.Context, k throttleKeys) {
	bg := context.WithoutCancel(ctx)
	if err := a.DB.Write(bg, func(tx *store.Tx) error { return uncount(bg, tx, k.pair, k.addr, k.acct) }); err != nil {
		a.Log.Error("sign-in throttle", "err", err.Error())
	}
}

// hashGate bounds the password hashes computed at once.
type hashGate struct {
	once      sync.Once
	slots     chan struct{}
	running   atomic.Int64
	peak      atomic.Int64
	evaluated atomic.Int64
}

// PasswordStats reports how many password hashes this App computed and
// the most that ran at once.
func (a *App) PasswordStats() (evaluated, peak int64) {
	return a.hashes.evaluated.Load(), a.hashes.peak.Load()
}

// withPasswordSlot runs fn, which hashes a password, when one of the
// PasswordSlots is free; after PasswordWait it gives up with ETOOMANY.
func (a *App) withPasswordSlot(ctx context.Context, fn func()) error {
	g := &a.hashes
	g.once.Do(func() {
		n := a.PasswordSlots
		if n <= 0 {
			n = runtime.NumCPU()
		}
		g.slots = make(chan struct{}, n)
	})
	d := a.PasswordWait
	if d <= 0 {
		d = DefaultPasswordWait
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return tooMany(time.Second, "the server is busy checking other sign-ins; try again in a moment")
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	g.evaluated.Add(1)
	fn()
	g.running.Add(-1)
	if a.Passwords.MemoryK >= gcAfterHashK {
		// The hash's memory is garbage now: collect it, and give its
		// pages back to the system, before the slot is free, so the
		// process holds at most one hash per slot. Left to the pacer,
		// which lets the heap grow to twice what was live, a burst of
		// sign-ins took pdca serve from 42 MB to 367 MB of resident
		// memory with two slots. A collection alone (runtime.GC) was not
		// enough: the next hash's 64 MiB did not always land in the
		// freed pages, and a third or fourth hash's worth stayed resident
		// (242 and 307 MB peaks in TestSignInAttackMemory, against 179).
		// Both cost a few milliseconds against the hash's 120.
		debug.FreeOSMemory()
	}
	return nil
}

// gcAfterHashK is the hashing memory (KiB) from which a collection
// follows every hash.
const gcAfterHashK = 16 * 1024

// SignedIn is the outcome of a correct password (and second factor).
type SignedIn struct {
	User *isms.User
	// Method is how the person signed in: "password", "password+totp",
	// "password+recovery_code" or "oidc".
	Method string
	// NeedsCode: the password was right and the person has a second
	// factor, which VerifySecondFactor checks next. Not signed in yet.
	NeedsCode bool
	// At is the time of the sign-in on the database's clock; sessions
	// begun before a password change are void (isms.User.SessionsValidSince).
	At time.Time
}

// SignIn checks an email and password from a client address. It returns
// EUNAUTHORIZED for a wrong email or password (the same message for both)
// and ETOOMANY, with RetryAfter, when the throttle or the password slots
// refuse the attempt. Evaluated attempts are audited in the system
// organisation's chain (user.signin, user.signin_failed).
func (a *App) SignIn(ctx context.Context, email, password, address string) (*SignedIn, error) {
	email = isms.NormalizeEmail(email)
	k := keysFor("", email, address)
	var creds *store.UserCredentials
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		if err := countAttempt(ctx, tx, k); err != nil {
			return err
		}
		c, err := tx.UserByEmail(ctx, email)
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return nil
		}
		creds = c
		return err
	})
	if err != nil {
		return nil, err
	}
	ok := false
	err = a.withPasswordSlot(ctx, func() {
		if creds != nil && creds.PasswordHash != "" {
			ok = a.Passwords.Verify(creds.PasswordHash, password)
		} else {
			a.Passwords.Hash(password) // same cost whether or not the account exists
		}
	})
	if err != nil {
		// Not evaluated: take the attempt back.
		a.uncountAttempt(ctx, k)
		return nil, err
	}
	out := &SignedIn{}
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		if !ok {
			reason := "wrong password"
			if creds == nil {
				reason = "unknown account"
			} else if creds.PasswordHash == "" {
				reason = "no password (single sign-on account)"
			}
			return auditSigninFailure(ctx, tx, creds, email, address, "password", reason)
		}
		if err := forgive(ctx, tx, k); err != nil {
			return err
		}
		out.User, out.At = &creds.User, tx.Now
		if creds.TOTP || creds.Passkey {
			out.NeedsCode = true
			return nil
		}
		out.Method = "password"
		return auditSignin(ctx, tx, &creds.User, address, out.Method)
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, isms.Errorf(isms.EUNAUTHORIZED, "wrong email or password")
	}
	return out, nil
}

// checkPassword checks a signed-in person's current password before a
// change (a password change, turning the second factor off) on the
// sign-in counters, so a stolen session cannot guess it unthrottled; then
// runs also, in the same hashing slot, when it is right (a person without
// a password passes). ETOOMANY.
func (a *App) checkPassword(ctx context.Context, c *store.UserCredentials, password, address string, then func()) (bool, error) {
	k := keysFor("", c.User.Email, address)
	if err := a.DB.Write(ctx, func(tx *store.Tx) error { return countAttempt(ctx, tx, k) }); err != nil {
		return false, err
	}
	ok := false
	err := a.withPasswordSlot(ctx, func() {
		ok = c.PasswordHash == "" || a.Passwords.Verify(c.PasswordHash, password)
		if ok && then != nil {
			then()
		}
	})
	if err == nil && ok {
		err = a.DB.Write(ctx, func(tx *store.Tx) error { return forgive(ctx, tx, k) })
	} else if err != nil {
		a.uncountAttempt(ctx, k)
	}
	return ok, err
}

// maxAuditedEmail bounds what an anonymous caller can write into the
// audit trail as the email of a failed sign-in.
const maxAuditedEmail = 254

func auditSigninFailure(ctx context.Context, tx *store.Tx, creds *store.UserCredentials, email, address, method, reason string) error {
	p := Principal{Label: email}
	var id int64
	if creds != nil {
		p, id = Principal{UserID: creds.User.ID, Label: creds.User.Email}, creds.User.ID
	}
	obs.Signins.WithLabelValues(method, "failure").Inc()
	if len(p.Label) > maxAuditedEmail {
		p.Label = p.Label[:maxAuditedEmail]
	}
	return audit(ctx, tx, isms.SystemOrgID, p, "user.signin_failed", "user", id, nil,
		map[string]any{"method": method, "reason": reason, "email": p.Label, "address": address})
}

func auditSignin(ctx context.Context, tx *store.Tx, u *isms.User, address, method string) error {
	obs.Signins.WithLabelValues(method, "success").Inc()
	return audit(ctx, tx, isms.SystemOrgID, Principal{UserID: u.ID, Label: u.Email}, "user.signin", "user", u.ID, nil,
		map[string]any{"method": method, "address": address})
}

// SignOut records that the signed-in person ended their session.
func (a *App) SignOut(ctx context.Context, p Principal) error {
	if p.System || p.Token != nil || p.UserID == 0 {
		return nil
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		return audit(ctx, tx, isms.SystemOrgID, p, "user.signout", "user", p.UserID, nil, nil)
	})
}

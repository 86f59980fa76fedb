package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// ThrottleCounter counts failed sign-ins of one key: an account and
// address pair, an address, or an account (package app names them).
type ThrottleCounter struct {
	Key         string
	Failures    int
	WindowStart time.Time
	LastAt      time.Time
}

// LockThrottle returns the counter of key, created at zero if missing,
// and holds it for the rest of the transaction: on PostgreSQL the upsert
// locks its row, so two sign-ins for one key are counted one after the
// other; on SQLite the writer is one connection.
func (tx *Tx) LockThrottle(ctx context.Context, key string) (*ThrottleCounter, error) {
	if _, err := tx.exec(ctx, `INSERT INTO signin_throttle (key, failures, window_start, last_at) VALUES ($1, 0, $2, $2)
		ON CONFLICT (key) DO UPDATE SET failures = signin_throttle.failures`, key, tx.ts(tx.Now)); err != nil {
		return nil, err
	}
	c := &ThrottleCounter{Key: key}
	err := tx.queryRow(ctx, `SELECT failures, window_start, last_at FROM signin_throttle WHERE key = $1`, key).
		Scan(&c.Failures, tm(&c.WindowStart), tm(&c.LastAt))
	if err != nil {
		return nil, err
	}
	c.WindowStart, c.LastAt = c.WindowStart.UTC(), c.LastAt.UTC()
	return c, nil
}

// SetThrottle stores a counter LockThrottle returned.
func (tx *Tx) SetThrottle(ctx context.Context, c *ThrottleCounter) error {
	_, err := tx.exec(ctx, `UPDATE signin_throttle SET failures = $2, window_start = $3, last_at = $4 WHERE key = $1`,
		c.Key, c.Failures, tx.ts(c.WindowStart), tx.ts(c.LastAt))
	return err
}

// DeleteThrottle forgets a counter.
func (tx *Tx) DeleteThrottle(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM signin_throttle WHERE key = $1`, key)
	return err
}

// PruneSigninFailures deletes throttle counters last moved before a moment.
func (tx *Tx) PruneSigninFailures(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM signin_throttle WHERE last_at < $1`, tx.ts(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// EndSessions voids every session of the user begun before now (the
// authenticate middleware compares each session's sign-in time).
func (tx *Tx) EndSessions(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE users SET sessions_valid_since = $2 WHERE id = $1`, userID, tx.ts(tx.Now))
	return err
}

// SecondFactor is a user's TOTP state.
type SecondFactor struct {
	Secret    string // sealed by package app; "" when none
	EnabledAt *time.Time
	LastStep  int64 // the last time step accepted, so a code is used once
}

// SecondFactorOf returns the user's TOTP state; ENOTFOUND if no user.
func (tx *Tx) SecondFactorOf(ctx context.Context, userID int64) (*SecondFactor, error) {
	var f SecondFactor
	var secret sql.NullString
	var enabled nullTime
	var step sql.NullInt64
	err := tx.queryRow(ctx, `SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = $1`, userID).
		Scan(&secret, &enabled, &step)
	if err != nil {
		return nil, notFound(err, "person")
	}
	f.Secret, f.EnabledAt, f.LastStep = secret.String, ptime(enabled), step.Int64
	return &f, nil
}

// SetSecondFactor stores (secret != "") or removes a user's TOTP secret;
// removing it also deletes the recovery codes.
func (tx *Tx) SetSecondFactor(ctx context.Context, userID int64, secret string, lastStep int64) error {
	if secret == "" {
		if _, err := tx.exec(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1`, userID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	}
	_, err := tx.exec(ctx, `UPDATE users SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = $4 WHERE id = $1`,
		userID, secret, tx.ts(tx.Now), lastStep)
	return err
}

// UseTOTPStep records the time step of an accepted code; false when a
// code of that step or a later one was already accepted (a replay).
func (tx *Tx) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`, userID, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplaceRecoveryCodes deletes the user's recovery codes and stores new
// ones (their SHA-256, hex).
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)`, userID, h, tx.ts(tx.Now)); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode marks an unused recovery code of the user used; false
// when there is none with the hash (wrong, or used already).
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, tx.ts(tx.Now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UnusedRecoveryCodes counts the user's recovery codes left.
func (tx *Tx) UnusedRecoveryCodes(ctx context.Context, userID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// SetRequireMFA sets whether an organisation requires a second factor of
// members who sign in with a password.
func (tx *Tx) SetRequireMFA(ctx context.Context, orgID int64, on bool) error {
	res, err := tx.exec(ctx, `UPDATE organizations SET require_mfa = $2 WHERE id = $1`, orgID, on)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.ENOTFOUND, "organisation not found")
	}
	return nil
}

// RequireMFA reports whether the organisation requires a second factor.
func (tx *Tx) RequireMFA(ctx context.Context, orgID int64) (bool, error) {
	var on bool
	err := tx.queryRow(ctx, `SELECT require_mfa FROM organizations WHERE id = $1`, orgID).Scan(&on)
	return on, notFound(err, "organisation")
}

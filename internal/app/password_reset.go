package app

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 18: password reset by email.

// PasswordResetAvailable reports whether people can reset a forgotten
// password by email: email is configured and the public address is known
// (the link is never built from a request's Host header, which a client
// chooses).
func (a *App) PasswordResetAvailable() bool { return a.Mail != nil && a.PublicURL != "" }

// ResetPath is the path of a password reset link.
func ResetPath(token string) string { return "/signin/reset/" + token }

// RequestPasswordReset emails a single-use link of PasswordResetLifetime
// to the person with the email, if there is one. The answer and its
// timing are the same whether or not the email has an account (the
// email is sent in the background); requests are throttled per email and
// address like sign-ins (ETOOMANY with RetryAfter). Audited as
// user.password_reset_request in the system chain when an account exists.
// EINVALID when resets are not available.
func (a *App) RequestPasswordReset(ctx context.Context, email, address string) error {
	if !a.PasswordResetAvailable() {
		return isms.Errorf(isms.EINVALID, "password reset by email is not configured on this server; ask its operator (pdca user password)")
	}
	email = isms.NormalizeEmail(email)
	if email == "" || len(email) > 254 {
		return isms.Errorf(isms.EINVALID, "email: enter the email you sign in with")
	}
	token, hash := newLinkToken()
	var to string
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		if err := countAttempt(ctx, tx, keysFor("reset", email, address)); err != nil {
			return err
		}
		c, err := tx.UserByEmail(ctx, email)
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.PutPasswordReset(ctx, c.User.ID, hash, tx.Now.Add(PasswordResetLifetime)); err != nil {
			return err
		}
		to = c.User.Email
		return audit(ctx, tx, isms.SystemOrgID, Principal{UserID: c.User.ID, Label: c.User.Email}, "user.password_reset_request", "user", c.User.ID, nil,
			map[string]any{"address": address, "expires_at": tx.Now.Add(PasswordResetLifetime).Format(time.RFC3339)})
	})
	if err != nil || to == "" {
		return err
	}
	link := a.PublicURL + ResetPath(token)
	body := fmt.Sprintf("Someone (probably you) asked to reset your pdca password.\n\nTo choose a new password, open this link within an hour (it works once):\n\n%s\n\nIf you did not ask, ignore this email: your password stays as it is.\n", link)
	go func() {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := a.Mail.Send(bg, to, "Reset your pdca password", body); err != nil {
			a.Log.Warn("password reset email failed", "err", err.Error())
		}
	}()
	return nil
}

// PasswordResetValid reports whether a reset link can be used.
func (a *App) PasswordResetValid(ctx context.Context, token string) (bool, error) {
	ok := false
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		r, err := resetOfLink(ctx, tx, token)
		ok = r != nil
		return err
	})
	return ok, err
}

// resetOfLink returns the usable reset of a link token (nil for none).
func resetOfLink(ctx context.Context, tx *store.Tx, token string) (*store.PasswordReset, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	r, err := tx.PasswordResetByToken(ctx, tokenHash(token))
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !sameHash(r.TokenHash, token) || r.Used || !tx.Now.Before(r.ExpiresAt) {
		return nil, nil
	}
	return r, nil
}

// errResetLink is the answer for a reset link that cannot be used.
var errResetLink = isms.Errorf(isms.ENOTFOUND, "this password reset link has expired or was already used; ask for a new one")

// ResetPassword sets a new password through a reset link, which is then
// spent. Every session of the person ends (they sign in with the new
// password, and their second factor if they have one), and the sign-in
// throttle of the account is cleared. Audited as user.password.
// ENOTFOUND for a link that cannot be used, EINVALID.
func (a *App) ResetPassword(ctx context.Context, token, password string) error {
	var r *store.PasswordReset
	var email string
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = resetOfLink(ctx, tx, token); err != nil || r == nil {
			return err
		}
		c, err := tx.UserByID(ctx, r.UserID)
		if err == nil {
			email = c.User.Email
		}
		return err
	}); err != nil {
		return err
	}
	if r == nil {
		return errResetLink
	}
	if err := isms.ValidateNewPassword(password, email); err != nil {
		return err
	}
	var hash string
	if err := a.withPasswordSlot(ctx, func() { hash = a.Passwords.Hash(password) }); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := resetOfLink(ctx, tx, token) // again: used meanwhile?
		if err != nil {
			return err
		}
		if r == nil {
			return errResetLink
		}
		if err := tx.UsePasswordReset(ctx, r.ID); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, r.UserID, hash); err != nil {
			return err
		}
		for _, kind := range []string{"", "code"} {
			if err := tx.DeleteThrottle(ctx, keysFor(kind, email, "").acct); err != nil {
				return err
			}
		}
		return audit(ctx, tx, isms.SystemOrgID, Principal{UserID: r.UserID, Label: email}, "user.password", "user", r.UserID, nil,
			map[string]any{"via": "reset link", "other_sessions": "ended"})
	})
}

package app

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RecoveryCodes is how many single-use recovery codes a person gets.
const RecoveryCodes = 10

// totpOpts are the parameters authenticator apps assume: SHA-1, six
// digits, 30 seconds (RFC 6238). One step either side is accepted for
// clock drift.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPEnrolment is a new secret to show the person: as text, as an
// otpauth:// URI and as a QR code of that URI (PNG).
type TOTPEnrolment struct {
	Secret string
	URI    string
	QRPNG  []byte
}

// NewTOTP generates a TOTP secret for the signed-in person to add to an
// authenticator app. Nothing is stored until EnableTOTP confirms a code.
func (a *App) NewTOTP(p Principal) (*TOTPEnrolment, error) {
	if p.System || p.Token != nil || p.UserID == 0 {
		return nil, isms.Errorf(isms.EFORBIDDEN, "sign in to set up a second factor")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "pdca", AccountName: p.Label, SecretSize: 20})
	if err != nil {
		return nil, fmt.Errorf("generate totp: %w", err)
	}
	e := &TOTPEnrolment{Secret: key.Secret(), URI: key.URL()}
	if img, err := key.Image(200, 200); err == nil {
		var buf bytes.Buffer
		if png.Encode(&buf, img) == nil {
			e.QRPNG = buf.Bytes()
		}
	}
	return e, nil
}

// MFAStatus is what the account page shows about a person's second factor.
type MFAStatus struct {
	PasswordAccount bool // single sign-on accounts use their provider's
	Enabled         bool
	EnabledAt       *time.Time
	RecoveryLeft    int
}

// SecondFactorStatus returns the signed-in person's second factor state.
func (a *App) SecondFactorStatus(ctx context.Context, p Principal) (*MFAStatus, error) {
	var st MFAStatus
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		f, err := tx.SecondFactorOf(ctx, p.UserID)
		if err != nil {
			return err
		}
		st.PasswordAccount, st.Enabled, st.EnabledAt = c.PasswordHash != "", f.EnabledAt != nil, f.EnabledAt
		st.RecoveryLeft, err = tx.UnusedRecoveryCodes(ctx, p.UserID)
		return err
	})
	return &st, err
}

// EnableTOTP turns on the second factor with the secret NewTOTP gave,
// once code shows the person's app has it. It returns the recovery codes,
// shown once and stored as SHA-256. Audited as user.mfa_enable (without
// the secret). EINVALID (wrong code, single sign-on account), ECONFLICT
// (already on).
func (a *App) EnableTOTP(ctx context.Context, p Principal, secret, code string) ([]string, error) {
	if p.System || p.Token != nil || p.UserID == 0 {
		return nil, isms.Errorf(isms.EFORBIDDEN, "sign in to set up a second factor")
	}
	secret = strings.ToUpper(strings.TrimSpace(secret))
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil || len(raw) < 16 {
		return nil, isms.Errorf(isms.EINVALID, "secret: start the set-up again from your account page")
	}
	codes, hashes := newRecoveryCodes()
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		if c.PasswordHash == "" {
			return isms.Errorf(isms.EINVALID, "you sign in with single sign-on: your identity provider asks for the second factor")
		}
		if c.TOTP {
			return isms.Errorf(isms.ECONFLICT, "a second factor is already on; turn it off first to replace it")
		}
		step, ok := totpStep(secret, code, tx.Now, -1)
		if !ok {
			return isms.Errorf(isms.EINVALID, "code: the code does not match; check the time on your phone and enter the current code")
		}
		sealed, err := a.seal(p.UserID, secret)
		if err != nil {
			return err
		}
		if err := tx.SetSecondFactor(ctx, p.UserID, sealed, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, p.UserID, hashes); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.mfa_enable", "user", p.UserID, nil,
			map[string]any{"method": "totp", "recovery_codes": len(codes)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns the second factor off after checking the password
// (throttled like sign-in, from the client address) and a current code or
// a recovery code. Audited as user.mfa_disable. EUNAUTHORIZED, ECONFLICT
// (not on), ETOOMANY.
func (a *App) DisableTOTP(ctx context.Context, p Principal, password, code, address string) error {
	if p.System || p.Token != nil || p.UserID == 0 {
		return isms.Errorf(isms.EFORBIDDEN, "sign in to change your second factor")
	}
	var c *store.UserCredentials
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.UserByID(ctx, p.UserID)
		return err
	}); err != nil {
		return err
	}
	if !c.TOTP {
		return isms.Errorf(isms.ECONFLICT, "no second factor is on")
	}
	if c.PasswordHash == "" {
		return isms.Errorf(isms.EINVALID, "you sign in with single sign-on: your identity provider asks for the second factor")
	}
	ok, err := a.checkPassword(ctx, c, password, address, nil)
	if err != nil {
		return err
	}
	if !ok {
		return isms.Errorf(isms.EUNAUTHORIZED, "the password is wrong")
	}
	// The code is throttled on the second factor's counters: the password
	// check resets its own on success, so it alone would not bound guesses.
	failed := false
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		k := keysFor("code", c.User.Email, address)
		if err := countAttempt(ctx, tx, k); err != nil {
			return err
		}
		method, err := a.checkSecondFactor(ctx, tx, p.UserID, code)
		if err != nil {
			return err
		}
		if method == "" {
			failed = true // committed: the attempt stays counted
			return nil
		}
		if err := forgive(ctx, tx, k); err != nil {
			return err
		}
		if err := tx.SetSecondFactor(ctx, p.UserID, "", 0); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.mfa_disable", "user", p.UserID, map[string]any{"method": "totp"}, nil)
	})
	if err == nil && failed {
		err = isms.Errorf(isms.EUNAUTHORIZED, "the code is wrong or was used already")
	}
	return err
}

// VerifySecondFactor completes a sign-in whose password was right
// (SignedIn.NeedsCode) with a TOTP code or a recovery code, each usable
// once. Throttled like passwords, on counters of its own; audited.
// EUNAUTHORIZED, ETOOMANY.
func (a *App) VerifySecondFactor(ctx context.Context, userID int64, code, address string) (*SignedIn, error) {
	var out *SignedIn
	var failed bool
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		k := keysFor("code", c.User.Email, address)
		if err := countAttempt(ctx, tx, k); err != nil {
			return err
		}
		method, err := a.checkSecondFactor(ctx, tx, userID, code)
		if err != nil {
			return err
		}
		if method == "" {
			failed = true
			return auditSigninFailure(ctx, tx, c, c.User.Email, address, "totp", "wrong or used code")
		}
		if err := forgive(ctx, tx, k); err != nil {
			return err
		}
		out = &SignedIn{User: &c.User, Method: "password+" + method, At: tx.Now}
		return auditSignin(ctx, tx, &c.User, address, out.Method)
	})
	if err != nil {
		return nil, err
	}
	if failed {
		return nil, isms.Errorf(isms.EUNAUTHORIZED, "the code is wrong or was used already")
	}
	return out, nil
}

// checkSecondFactor accepts a TOTP code (once per time step) or an unused
// recovery code (then used) and returns "totp" or "recovery_code"; ""
// when neither matches.
func (a *App) checkSecondFactor(ctx context.Context, tx *store.Tx, userID int64, code string) (string, error) {
	f, err := tx.SecondFactorOf(ctx, userID)
	if err != nil || f.EnabledAt == nil {
		return "", err
	}
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
	if len(code) == 6 {
		secret, err := a.unseal(userID, f.Secret)
		if err != nil {
			return "", err
		}
		step, ok := totpStep(secret, code, tx.Now, f.LastStep)
		if !ok {
			return "", nil
		}
		if fresh, err := tx.UseTOTPStep(ctx, userID, step); err != nil || !fresh {
			return "", err
		}
		return "totp", nil
	}
	if code == "" {
		return "", nil
	}
	ok, err := tx.UseRecoveryCode(ctx, userID, hashRecoveryCode(code))
	if err != nil || !ok {
		return "", err
	}
	return "recovery_code", nil
}

// totpStep returns the time step (of now, or one either side) whose code
// is code, if it is later than after.
func totpStep(secret, code string, now time.Time, after int64) (int64, bool) {
	cur := now.Unix() / int64(totpOpts.Period)
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		if step <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*int64(totpOpts.Period), 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// newRecoveryCodes returns RecoveryCodes codes of 10 base32 characters
// (50 bits) shown as xxxxx-xxxxx, and their hashes.
func newRecoveryCodes() (codes, hashes []string) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range RecoveryCodes {
		b := make([]byte, 7)
		_, _ = rand.Read(b)
		c := strings.ToLower(enc.EncodeToString(b))[:10]
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, hashRecoveryCode(c))
	}
	return codes, hashes
}

func hashRecoveryCode(normalised string) string {
	sum := sha256.Sum256([]byte(normalised))
	return hex.EncodeToString(sum[:])
}

// seal encrypts a TOTP secret with MFAKey (AES-256-GCM, bound to the
// person), or marks it plain when the server has no key.
func (a *App) seal(userID int64, secret string) (string, error) {
	return a.sealSecret("totp:"+strconv.FormatInt(userID, 10), secret)
}

func (a *App) unseal(userID int64, stored string) (string, error) {
	return a.unsealSecret("totp:"+strconv.FormatInt(userID, 10), fmt.Sprintf("totp secret of user %d", userID), stored)
}

// sealSecret keeps a secret the server must read back (a TOTP seed, a
// webhook's signing key): sealed with MFAKey (AES-256-GCM, "v1:", the
// ciphertext bound to what it belongs to by bind as additional data), or
// as it is ("plain:") when the server has no key.
func (a *App) sealSecret(bind, secret string) (string, error) {
	if len(a.MFAKey) == 0 {
		return "plain:" + secret, nil
	}
	gcm, err := a.gcm()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	ct := gcm.Seal(nonce, nonce, []byte(secret), []byte(bind))
	return "v1:" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// unsealSecret reads what sealSecret kept under bind; what names the
// secret in errors.
func (a *App) unsealSecret(bind, what, stored string) (string, error) {
	if s, ok := strings.CutPrefix(stored, "plain:"); ok {
		return s, nil
	}
	b64, ok := strings.CutPrefix(stored, "v1:")
	if !ok {
		return "", fmt.Errorf("%s: unknown format", what)
	}
	if len(a.MFAKey) == 0 {
		return "", fmt.Errorf("%s is sealed: start the server with --mfa-key-file", what)
	}
	gcm, err := a.gcm()
	if err != nil {
		return "", err
	}
	ct, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(ct) < gcm.NonceSize() {
		return "", fmt.Errorf("%s: bad encoding", what)
	}
	pt, err := gcm.Open(nil, ct[:gcm.NonceSize()], ct[gcm.NonceSize():], []byte(bind))
	if err != nil {
		return "", fmt.Errorf("%s: does not open with this key", what)
	}
	return string(pt), nil
}

func (a *App) gcm() (cipher.AEAD, error) {
	if len(a.MFAKey) != 32 {
		return nil, fmt.Errorf("the MFA key must be 32 bytes, not %d", len(a.MFAKey))
	}
	block, err := aes.NewCipher(a.MFAKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// SetRequireMFA sets whether the organisation requires a second factor
// of members who sign in with a password (single sign-on members are
// exempt: their identity provider asks). Requires manage_org (admins);
// audited as org.require_mfa.
func (a *App) SetRequireMFA(ctx context.Context, p Principal, slug string, on bool) error {
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		old, err := tx.RequireMFA(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		if old == on {
			return nil
		}
		if err := tx.SetRequireMFA(ctx, m.Org.ID, on); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "org.require_mfa", "organization", m.Org.ID,
			map[string]any{"require_mfa": old}, map[string]any{"require_mfa": on})
	})
}

// RequireMFA reports whether the organisation requires a second factor.
// Requires read.
func (a *App) RequireMFA(ctx context.Context, p Principal, slug string) (bool, error) {
	var on bool
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		on, err = tx.RequireMFA(ctx, m.Org.ID)
		return err
	})
	return on, err
}

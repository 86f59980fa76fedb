package isms

import (
	"net/mail"
	"strings"
	"time"
)

// User is a person who can sign in. Users are global; their roles are per
// organisation (Membership).
type User struct {
	ID        int64
	Email     string
	Name      string
	CreatedAt time.Time
	// SessionsValidSince voids sessions begun before it (a password
	// change); zero when never set. Not part of the audit trail.
	SessionsValidSince time.Time `json:"-"`
	// SecondFactor is whether the person has enrolled TOTP or a passkey.
	SecondFactor bool `json:"-"`
	// TimeZone is the IANA zone the person reads and enters times in;
	// empty: each organisation's own zone.
	TimeZone string `json:"-"`
}

// Zone returns the zone the person reads times of the organisation in:
// their own if they chose one, else the organisation's (UTC outside any
// organisation). u and o may be nil.
func Zone(u *User, o *Organization) *time.Location {
	if u != nil && u.TimeZone != "" {
		return Location(u.TimeZone)
	}
	if o != nil {
		return o.Location()
	}
	return time.UTC
}

// NormalizeEmail trims and lower-cases an address, so that sign-in is
// case-insensitive.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate normalises the email and returns EINVALID on a bad address or
// empty name.
func (u *User) Validate() error {
	if err := CheckLengths(Limit{"email", u.Email, MaxEmail}, Limit{"name", u.Name, MaxName}); err != nil {
		return err
	}
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return Errorf(EINVALID, "email: %q is not a valid address; give it as name@example.com", u.Email)
	}
	if u.Name == "" {
		return Errorf(EINVALID, "name: give the person's name")
	}
	return nil
}

// MinPasswordLength is the shortest password pdca accepts.
const MinPasswordLength = 12

// MaxPasswordLength is the longest new password pdca accepts: far above
// NIST SP 800-63B's minimum of 64 for passphrases, and a bound on what a
// person can make the server hash.
const MaxPasswordLength = 256

// ValidatePassword returns EINVALID for a password that is too short, a
// common password, or one short sequence repeated (NIST SP 800-63B
// 5.1.1.2; no composition rules). ValidateNewPassword also refuses the
// person's email.
func ValidatePassword(p string) error { return ValidateNewPassword(p, "") }

// ValidateNewPassword is ValidatePassword for the person with the email,
// whose password may not be the email or its local part.
func ValidateNewPassword(p, email string) error {
	if len([]rune(p)) < MinPasswordLength {
		return Errorf(EINVALID, "password: use at least %d characters", MinPasswordLength)
	}
	if n := len([]rune(p)); n > MaxPasswordLength {
		return Errorf(EINVALID, "password: at most %d characters (this one has %d)", MaxPasswordLength, n)
	}
	lower := strings.ToLower(p)
	if isCommonPassword(lower) {
		return Errorf(EINVALID, "password: this is one of the most common passwords; choose another (a few unrelated words work well)")
	}
	if repeated(lower) {
		return Errorf(EINVALID, "password: a character or short sequence repeated is easy to guess; choose another")
	}
	if email = NormalizeEmail(email); email != "" {
		local, _, _ := strings.Cut(email, "@")
		if lower == email || lower == local {
			return Errorf(EINVALID, "password: do not use your email address as your password")
		}
	}
	return nil
}

// Membership gives a user a role in an organisation.
type Membership struct {
	OrgID     int64
	UserID    int64
	Role      Role
	CreatedAt time.Time
	// Joined fields for display.
	Email, Name string
	OrgSlug     string
	OrgName     string
	OrgTimeZone string
	// UserTimeZone is the member's own zone (User.TimeZone); empty: the
	// organisation's.
	UserTimeZone string
	// OrgRequiresMFA: the organisation requires a second factor of
	// members who sign in with a password.
	OrgRequiresMFA bool
	// OrgDateOrder is the organisation's Organization.DateOrder.
	OrgDateOrder string
}

// TokenScope limits what an API token may do.
type TokenScope string

// Token scopes.
const (
	ScopeRead  TokenScope = "read"
	ScopeWrite TokenScope = "write"
)

// Validate returns EINVALID unless s is read or write.
func (s TokenScope) Validate() error {
	if s == ScopeRead || s == ScopeWrite {
		return nil
	}
	return Errorf(EINVALID, "scope %q: use read or write", string(s))
}

// Token is an API token for scripts. Only its SHA-256 is stored.
type Token struct {
	ID         int64
	OrgID      int64
	UserID     int64
	Name       string
	Scope      TokenScope
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	ExpiresAt  *time.Time // nil: never
}

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// TokenPrefix starts every API token, so leaked tokens are easy to spot.
const TokenPrefix = "pdca_"

// HashToken returns the hex SHA-256 under which a token secret is stored.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken creates an API token for the principal in the organisation
// that never expires; see CreateTokenExpiring.
func (a *App) CreateToken(ctx context.Context, p Principal, slug, email, name string, scope isms.TokenScope) (*isms.Token, string, error) {
	return a.CreateTokenExpiring(ctx, p, slug, email, name, scope, "")
}

// CreateTokenExpiring creates an API token for the principal in the
// organisation and returns it with its secret, which is shown once and
// never stored. expires is read by isms.ParseTokenExpiry ("" never, "90d",
// "12h", "2026-12-31", RFC 3339). Requires manage_tokens. EINVALID,
// ENOTFOUND, EFORBIDDEN.
func (a *App) CreateTokenExpiring(ctx context.Context, p Principal, slug, email, name string, scope isms.TokenScope, expires string) (*isms.Token, string, error) {
	if err := scope.Validate(); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", isms.Errorf(isms.EINVALID, "name: say what the token is for, e.g. \"HR import\"")
	}
	if err := isms.CheckLength("name", name, isms.MaxName); err != nil {
		return nil, "", err
	}
	expiresAt, err := isms.ParseTokenExpiry(expires, a.DB.Now())
	if err != nil {
		return nil, "", err
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var t *isms.Token
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if p.Token != nil { // after the membership check: a stranger's answer stays 404
			return isms.Errorf(isms.EFORBIDDEN, "API tokens cannot create tokens; sign in to create one")
		}
		if err := m.can(isms.ActManageTokens); err != nil {
			return err
		}
		owner := p.UserID
		if p.System { // the command line creates tokens for a named member
			c, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
			if err != nil {
				return isms.Errorf(isms.ENOTFOUND, "no person with email %s", email)
			}
			if _, err := tx.Membership(ctx, m.Org.ID, c.User.ID); err != nil {
				return isms.Errorf(isms.ENOTFOUND, "%s is not a member of %s", email, slug)
			}
			owner = c.User.ID
		}
		t = &isms.Token{OrgID: m.Org.ID, UserID: owner, Name: name, Scope: scope, ExpiresAt: expiresAt}
		if err := tx.CreateToken(ctx, t, HashToken(secret)); err != nil {
			return err
		}
		after := map[string]any{"name": name, "scope": scope, "user_id": owner}
		if expiresAt != nil {
			after["expires_at"] = expiresAt.Format(time.RFC3339)
		}
		return audit(ctx, tx, m.Org.ID, p, "token.create", "token", t.ID, nil, after)
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes a token. Its owner, an admin or the command line may.
// ENOTFOUND, EFORBIDDEN.
func (a *App) RevokeToken(ctx context.Context, p Principal, slug string, id int64) error {
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		t, err := tx.TokenByID(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if t.UserID != p.UserID && !p.System {
			if err := m.can(isms.ActManageMembers); err != nil {
				return err
			}
		} else if err := m.can(isms.ActManageTokens); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := tx.RevokeToken(ctx, m.Org.ID, id); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "token.revoke", "token", id, map[string]any{"name": t.Name}, nil)
	})
}

// Tokens lists the principal's tokens in the organisation (an admin sees
// everyone's).
func (a *App) Tokens(ctx context.Context, p Principal, slug string) ([]*isms.Token, error) {
	var out []*isms.Token
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		uid := p.UserID
		if p.System || m.Role.Can(isms.ActManageMembers) {
			uid = 0
		}
		out, err = tx.Tokens(ctx, m.Org.ID, uid)
		return err
	})
	return out, err
}

// AuthenticateToken returns the principal of a token secret. EUNAUTHORIZED
// for an unknown, revoked or expired token. It records the last-used time.
func (a *App) AuthenticateToken(ctx context.Context, secret string) (Principal, error) {
	return a.AuthenticateTokenIn(ctx, secret, "")
}

// AuthenticateTokenIn is AuthenticateToken for a call inside the
// organisation with the slug (the API's /orgs/{org}/...): the same
// statement reads the caller's role there, and the principal carries it
// to the reads of this call, which then need no lookup of their own
// (issue 16 item 4; like a page's viewer, it is read once per request).
// Writes still read the role in their transaction.
func (a *App) AuthenticateTokenIn(ctx context.Context, secret, slug string) (Principal, error) {
	var p Principal
	var touch bool
	err := a.DB.ReadOne(ctx, func(tx *store.Tx) error { // one statement: every API call starts here
		var s *store.TokenSignIn
		var org *isms.Organization
		var role isms.Role
		var err error
		if slug != "" {
			s, org, role, err = tx.TokenForSignInIn(ctx, HashToken(secret), slug)
		} else {
			s, err = tx.TokenForSignIn(ctx, HashToken(secret))
		}
		if err != nil && isms.ErrorCode(err) != isms.ENOTFOUND {
			return err // the database failed (e.g. restarting): 500, not 401
		}
		// A token outlives nothing: it stops working when its owner leaves.
		if err != nil || s.Token.RevokedAt != nil || !s.Member {
			return isms.Errorf(isms.EUNAUTHORIZED, "invalid or revoked API token")
		}
		t := s.Token
		if t.Expired(tx.Now) {
			return isms.Errorf(isms.EUNAUTHORIZED, "this API token expired at %s; create a new one", t.ExpiresAt.UTC().Format(time.RFC3339))
		}
		p = Principal{UserID: t.UserID, Label: s.Email, Token: t}
		if org != nil {
			p.in = &orgRole{org: org, role: role}
		}
		touch = t.LastUsedAt == nil || tx.Now.Sub(*t.LastUsedAt) >= TokenTouchEvery
		return nil
	})
	if err != nil || !touch {
		return p, err
	}
	return p, a.DB.Write(ctx, func(tx *store.Tx) error { return tx.TouchToken(ctx, p.Token.ID) })
}

// TokenTouchEvery is how precisely a token's "last used" time is kept: a
// read through the API does not write to the database each time, only when
// the recorded time is this old.
const TokenTouchEvery = time.Minute

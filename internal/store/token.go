package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// CreateToken stores a token by the SHA-256 of its secret.
func (tx *Tx) CreateToken(ctx context.Context, t *isms.Token, hash string) error {
	t.CreatedAt = tx.Now
	var expires any
	if t.ExpiresAt != nil {
		expires = tx.ts(*t.ExpiresAt)
	}
	return tx.queryRow(ctx, `INSERT INTO api_tokens (org_id, user_id, name, scope, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.OrgID, t.UserID, t.Name, string(t.Scope), hash, tx.ts(t.CreatedAt), expires).Scan(&t.ID)
}

const tokenColumns = `id, org_id, user_id, name, scope, created_at, last_used_at, revoked_at, expires_at`

// scanToken reads tokenColumns, then the extra columns into extra.
func scanToken(row interface{ Scan(...any) error }, extra ...any) (*isms.Token, error) {
	var t isms.Token
	var scope string
	var last, revoked, expires nullTime
	if err := row.Scan(append([]any{&t.ID, &t.OrgID, &t.UserID, &t.Name, &scope, tm(&t.CreatedAt), &last, &revoked, &expires}, extra...)...); err != nil {
		return nil, err
	}
	t.Scope = isms.TokenScope(scope)
	t.LastUsedAt, t.RevokedAt, t.ExpiresAt = ptime(last), ptime(revoked), ptime(expires)
	return &t, nil
}

// TokenSignIn is what authenticating with a token needs: the token, its
// owner's email and whether the owner is still a member of the token's
// organisation.
type TokenSignIn struct {
	Token  *isms.Token
	Email  string
	Member bool
}

// TokenForSignIn reads a token by its hash with its owner's email and
// membership, in one query: every API call asks this. ENOTFOUND if no
// token has the hash (revoked ones are returned).
func (tx *Tx) TokenForSignIn(ctx context.Context, hash string) (*TokenSignIn, error) {
	var out TokenSignIn
	t, err := scanToken(tx.queryRow(ctx, `SELECT t.id, t.org_id, t.user_id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at, t.expires_at, u.email,
		EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = t.org_id AND m.user_id = t.user_id)
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, hash), &out.Email, &out.Member)
	if err != nil {
		return nil, notFound(err, "token")
	}
	out.Token = t
	return &out, nil
}

// TokenForSignInIn is TokenForSignIn that also reads, in the same
// statement, the organisation with the slug and the token owner's role in
// it ("" if none): an API call inside an organisation then needs no second
// lookup of who the caller is there (issue 16 item 4). org is nil when no
// organisation has the slug (the caller reports that).
func (tx *Tx) TokenForSignInIn(ctx context.Context, hash, slug string) (s *TokenSignIn, org *isms.Organization, role isms.Role, err error) {
	var out TokenSignIn
	var r string
	row := tx.queryRow(ctx, `SELECT t.id, t.org_id, t.user_id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at, t.expires_at, u.email,
		EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = t.org_id AND m.user_id = t.user_id),
		o.id, o.slug, o.name, o.time_zone, o.date_order, o.created_at, COALESCE(m.role, '')
		FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organizations o ON o.slug = $2
		LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = t.user_id
		WHERE t.token_hash = $1`, hash, slug)
	// The token's columns come first, then the organisation's: each is
	// read by its own scan function, and the row is scanned once.
	err = scanJoined(row, func(r1 rowScanner) error {
		t, e := scanToken(r1, &out.Email, &out.Member)
		out.Token = t
		return e
	}, func(r2 rowScanner) error {
		o, e := scanOrg(r2, &r)
		org = o
		return e
	})
	if errors.Is(err, sql.ErrNoRows) {
		s, err := tx.TokenForSignIn(ctx, hash) // no such token, or no such organisation
		return s, nil, "", err
	}
	if err != nil {
		return nil, nil, "", err
	}
	return &out, org, isms.Role(r), nil
}

type rowScanner interface{ Scan(dest ...any) error }

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// scanJoined scans one row of which first reads the leading columns and
// rest the others, each with its own scan function (which may convert
// what it read after its Scan returns): first's Scan runs rest, whose Scan
// scans the row into both sets of destinations.
func scanJoined(row rowScanner, first, rest func(rowScanner) error) error {
	return first(scanFunc(func(d1 ...any) error {
		return rest(scanFunc(func(d2 ...any) error {
			return row.Scan(append(append([]any(nil), d1...), d2...)...)
		}))
	}))
}

// TokenByID returns one of an organisation's tokens; ENOTFOUND if none.
func (tx *Tx) TokenByID(ctx context.Context, orgID, id int64) (*isms.Token, error) {
	t, err := scanToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = $1 AND id = $2`, orgID, id))
	return t, notFound(err, "token")
}

// Tokens lists an organisation's tokens; userID 0 means every member's.
func (tx *Tx) Tokens(ctx context.Context, orgID, userID int64) ([]*isms.Token, error) {
	rows, err := tx.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE org_id = $1 AND ($2 = 0 OR user_id = $2) ORDER BY id`, orgID, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []*isms.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks a token revoked.
func (tx *Tx) RevokeToken(ctx context.Context, orgID, id int64) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, orgID, id, tx.ts(tx.Now))
	return err
}

// TouchToken records when a token was last used.
func (tx *Tx) TouchToken(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, tx.ts(tx.Now))
	return err
}

// MarkTokenDenied records that a denial of the token by scope is being
// audited now, unless one was since the cutoff: true when the caller
// should write the event. The conditional update makes "once per window"
// hold across processes.
func (tx *Tx) MarkTokenDenied(ctx context.Context, orgID, id int64, cutoff time.Time) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET denied_at = $3 WHERE org_id = $1 AND id = $2 AND (denied_at IS NULL OR denied_at <= $4)`,
		orgID, id, tx.ts(tx.Now), tx.ts(cutoff))
	if err != nil {
		return false, fmt.Errorf("mark token denied: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

package store

import (
	"context"
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

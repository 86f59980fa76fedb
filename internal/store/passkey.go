package store

import (
	"context"
	"fmt"
	"time"
)

// Passkey is a WebAuthn credential of a user: the public half only.
type Passkey struct {
	ID           int64
	UserID       int64
	CredentialID string // base64url, no padding
	PublicKey    string // COSE key, base64url, no padding
	SignCount    uint32
	Transports   string // comma-separated, as the authenticator reported
	Flags        uint8  // authenticator flags at registration
	Name         string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// AddPasskey stores a new credential of p.UserID; ECONFLICT when the
// credential id is registered already.
func (tx *Tx) AddPasskey(ctx context.Context, p *Passkey) error {
	p.CreatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO user_passkeys (user_id, credential_id, public_key, sign_count, transports, flags, name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		p.UserID, p.CredentialID, p.PublicKey, int64(p.SignCount), p.Transports, int64(p.Flags), p.Name, tx.ts(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return conflict(err, "this passkey is registered already")
	}
	return nil
}

// PasskeysOf returns the user's passkeys, oldest first.
func (tx *Tx) PasskeysOf(ctx context.Context, userID int64) ([]Passkey, error) {
	rows, err := tx.query(ctx, `SELECT id, user_id, credential_id, public_key, sign_count, transports, flags, name, created_at, last_used_at
		FROM user_passkeys WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var count, flags int64
		var last nullTime
		if err := rows.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.PublicKey, &count, &p.Transports, &flags, &p.Name, tm(&p.CreatedAt), &last); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		p.SignCount, p.Flags, p.LastUsedAt = uint32(count), uint8(flags), ptime(last)
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// UsePasskey records a successful assertion with the credential: its new
// signature counter and the time.
func (tx *Tx) UsePasskey(ctx context.Context, userID int64, credentialID string, signCount uint32) error {
	_, err := tx.exec(ctx, `UPDATE user_passkeys SET sign_count = $3, last_used_at = $4 WHERE user_id = $1 AND credential_id = $2`,
		userID, credentialID, int64(signCount), tx.ts(tx.Now))
	return err
}

// DeletePasskey removes the user's passkey with the id and returns it;
// ENOTFOUND when the user has no such passkey.
func (tx *Tx) DeletePasskey(ctx context.Context, userID, id int64) (*Passkey, error) {
	var p Passkey
	err := tx.queryRow(ctx, `DELETE FROM user_passkeys WHERE user_id = $1 AND id = $2 RETURNING id, name, credential_id`, userID, id).
		Scan(&p.ID, &p.Name, &p.CredentialID)
	if err != nil {
		return nil, notFound(err, "passkey")
	}
	p.UserID = userID
	return &p, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Issue 18: invitation links and password resets. A link's token is
// random; only the SHA-256 (hex) of it is stored.

// SetInvitationToken sets the hash of the token of an invitation's link
// and its new expiry, spending the link it had (reason "resent").
func (tx *Tx) SetInvitationToken(ctx context.Context, orgID, id int64, hash string, expires time.Time) error {
	if err := tx.spendInvitationLinks(ctx, `org_id = $1 AND id = $2`, "resent", orgID, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE invitations SET token_hash = $3, expires_at = $4 WHERE org_id = $1 AND id = $2`, orgID, id, hash, tx.ts(expires))
	if err != nil {
		return fmt.Errorf("set invitation token: %w", err)
	}
	return nil
}

// spendInvitationLinks remembers the links of the invitations the
// condition selects as spent for the reason.
func (tx *Tx) spendInvitationLinks(ctx context.Context, where, reason string, args ...any) error {
	n := len(args)
	q := fmt.Sprintf(`INSERT INTO spent_links (token_hash, org_id, reason, spent_at)
		SELECT token_hash, org_id, $%d, $%d FROM invitations WHERE token_hash IS NOT NULL AND %s`, n+1, n+2, where)
	if _, err := tx.exec(ctx, q, append(args, reason, tx.ts(tx.Now))...); err != nil {
		return fmt.Errorf("spend invitation link: %w", err)
	}
	return nil
}

// SpendInvitation removes an invitation and remembers its link as spent
// for the reason (accepted, declined, revoked).
func (tx *Tx) SpendInvitation(ctx context.Context, orgID, id int64, reason string) error {
	if err := tx.spendInvitationLinks(ctx, `org_id = $1 AND id = $2`, reason, orgID, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM invitations WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

// InvitationByToken returns the invitation whose link has the token hash,
// with the stored hash (for a constant-time comparison); ENOTFOUND.
func (tx *Tx) InvitationByToken(ctx context.Context, hash string) (*isms.Invitation, string, error) {
	var stored string
	var inv isms.Invitation
	var role string
	err := tx.queryRow(ctx, `SELECT i.id, i.org_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, o.slug, o.name, i.token_hash
		FROM invitations i JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = $1`, hash).
		Scan(&inv.ID, &inv.OrgID, &inv.Email, &role, &inv.InvitedBy, tm(&inv.CreatedAt), tm(&inv.ExpiresAt), &inv.OrgSlug, &inv.OrgName, &stored)
	if err != nil {
		return nil, "", notFound(err, "invitation")
	}
	inv.Role = isms.Role(role)
	inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	return &inv, stored, nil
}

// SpentLink returns why a link with the token hash no longer works
// (accepted, declined, revoked, resent, replaced); ENOTFOUND when it was
// never a link or has been forgotten.
func (tx *Tx) SpentLink(ctx context.Context, hash string) (string, error) {
	var reason string
	err := tx.queryRow(ctx, `SELECT reason FROM spent_links WHERE token_hash = $1`, hash).Scan(&reason)
	return reason, notFound(err, "link")
}

// PruneSpentLinks forgets links spent before a time.
func (tx *Tx) PruneSpentLinks(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM spent_links WHERE spent_at < $1`, tx.ts(before))
	if err != nil {
		return 0, fmt.Errorf("prune spent links: %w", err)
	}
	return res.RowsAffected()
}

// PasswordReset is a pending reset of a person's password.
type PasswordReset struct {
	ID        int64
	UserID    int64
	TokenHash string
	ExpiresAt time.Time
	Used      bool
}

// PutPasswordReset records a reset link for the person, replacing their
// earlier unused ones (only the newest link works).
func (tx *Tx) PutPasswordReset(ctx context.Context, userID int64, hash string, expires time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM password_resets WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("replace password reset: %w", err)
	}
	_, err := tx.exec(ctx, `INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		userID, hash, tx.ts(tx.Now), tx.ts(expires))
	if err != nil {
		return fmt.Errorf("put password reset: %w", err)
	}
	return nil
}

// PasswordResetByToken returns the reset with the token hash; ENOTFOUND.
func (tx *Tx) PasswordResetByToken(ctx context.Context, hash string) (*PasswordReset, error) {
	var r PasswordReset
	var usedAt nullTime
	err := tx.queryRow(ctx, `SELECT id, user_id, token_hash, expires_at, used_at FROM password_resets WHERE token_hash = $1`, hash).
		Scan(&r.ID, &r.UserID, &r.TokenHash, tm(&r.ExpiresAt), &usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, isms.Errorf(isms.ENOTFOUND, "link not found")
	}
	if err != nil {
		return nil, err
	}
	r.Used = usedAt.Valid
	return &r, nil
}

// UsePasswordReset marks a reset as used.
func (tx *Tx) UsePasswordReset(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE password_resets SET used_at = $2 WHERE id = $1`, id, tx.ts(tx.Now))
	return err
}

// PrunePasswordResets deletes resets that expired before a time.
func (tx *Tx) PrunePasswordResets(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM password_resets WHERE expires_at < $1`, tx.ts(before))
	if err != nil {
		return 0, fmt.Errorf("prune password resets: %w", err)
	}
	return res.RowsAffected()
}

// SetOrgNameZone renames an organisation and sets its time zone (issue 18).
func (tx *Tx) SetOrgNameZone(ctx context.Context, orgID int64, name, zone string) error {
	_, err := tx.exec(ctx, `UPDATE organizations SET name = $1, time_zone = $2 WHERE id = $3`, name, zone, orgID)
	if err != nil {
		return fmt.Errorf("set organisation settings: %w", err)
	}
	return nil
}

// SetOperator makes a person an operator of the instance or not; ENOTFOUND.
func (tx *Tx) SetOperator(ctx context.Context, userID int64, on bool) error {
	_, err := tx.exec(ctx, `UPDATE users SET operator = $1 WHERE id = $2`, on, userID)
	return err
}

// IsOperator reports whether a person is an operator of the instance.
func (tx *Tx) IsOperator(ctx context.Context, userID int64) (bool, error) {
	var on bool
	err := tx.queryRow(ctx, `SELECT operator FROM users WHERE id = $1`, userID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return on, err
}

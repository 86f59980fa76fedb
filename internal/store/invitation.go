package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// PutInvitation records an invitation, replacing an earlier one of the
// organisation for the same email (a new role and expiry; its link is
// spent as "replaced"). tokenHash is the SHA-256 (hex) of the token of
// its link ("" for none).
func (tx *Tx) PutInvitation(ctx context.Context, inv *isms.Invitation, tokenHash string) error {
	if err := tx.spendInvitationLinks(ctx, `org_id = $1 AND email = $2`, "replaced", inv.OrgID, inv.Email); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM invitations WHERE org_id = $1 AND email = $2`, inv.OrgID, inv.Email); err != nil {
		return fmt.Errorf("replace invitation: %w", err)
	}
	inv.CreatedAt = tx.Now
	var th any
	if tokenHash != "" {
		th = tokenHash
	}
	return tx.queryRow(ctx, `INSERT INTO invitations (org_id, email, role, invited_by, created_at, expires_at, token_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		inv.OrgID, inv.Email, string(inv.Role), inv.InvitedBy, tx.ts(inv.CreatedAt), tx.ts(inv.ExpiresAt), th).Scan(&inv.ID)
}

const invitationSelect = `SELECT i.id, i.org_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, o.slug, o.name
	FROM invitations i JOIN organizations o ON o.id = i.org_id`

func scanInvitation(row interface{ Scan(...any) error }) (*isms.Invitation, error) {
	var inv isms.Invitation
	var role string
	if err := row.Scan(&inv.ID, &inv.OrgID, &inv.Email, &role, &inv.InvitedBy, tm(&inv.CreatedAt), tm(&inv.ExpiresAt), &inv.OrgSlug, &inv.OrgName); err != nil {
		return nil, err
	}
	inv.Role = isms.Role(role)
	inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	return &inv, nil
}

// InvitationsFor lists the invitations to an email that have not expired
// at now, by organisation slug.
func (tx *Tx) InvitationsFor(ctx context.Context, email string, now time.Time) ([]isms.Invitation, error) {
	return tx.invitations(ctx, "invitations", invitationSelect+` WHERE i.email = $1 AND i.expires_at > $2 ORDER BY o.slug`, email, tx.ts(now))
}

// invitations runs a query of invitationSelect and scans every row.
func (tx *Tx) invitations(ctx context.Context, what, q string, args ...any) ([]isms.Invitation, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []isms.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *inv)
	}
	return out, rows.Err()
}

// Invitation returns an invitation to the email by id; ENOTFOUND when it
// does not exist or is addressed to another email.
func (tx *Tx) Invitation(ctx context.Context, id int64, email string) (*isms.Invitation, error) {
	inv, err := scanInvitation(tx.queryRow(ctx, invitationSelect+` WHERE i.id = $1 AND i.email = $2`, id, email))
	return inv, notFound(err, "invitation")
}

// DeleteInvitation removes an invitation.
func (tx *Tx) DeleteInvitation(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `DELETE FROM invitations WHERE id = $1`, id)
	return err
}

// MemberByEmail reports whether the organisation has a member with the
// email.
func (tx *Tx) MemberByEmail(ctx context.Context, orgID int64, email string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2`, orgID, email).Scan(&n)
	return n > 0, err
}

// OrgInvitations lists an organisation's invitations that have not
// expired at now, by email.
func (tx *Tx) OrgInvitations(ctx context.Context, orgID int64, now time.Time) ([]isms.Invitation, error) {
	return tx.invitations(ctx, "organisation invitations", invitationSelect+` WHERE i.org_id = $1 AND i.expires_at > $2 ORDER BY i.email`, orgID, tx.ts(now))
}

// PruneInvitations deletes invitations that expired before a time: they
// can no longer be answered, and the email they name is personal data.
func (tx *Tx) PruneInvitations(ctx context.Context, before time.Time) (int64, error) {
	if err := tx.spendInvitationLinks(ctx, `expires_at < $1`, "expired", tx.ts(before)); err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, `DELETE FROM invitations WHERE expires_at < $1`, tx.ts(before))
	if err != nil {
		return 0, fmt.Errorf("prune invitations: %w", err)
	}
	return res.RowsAffected()
}

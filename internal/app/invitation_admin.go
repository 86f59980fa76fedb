package app

import (
	"context"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// InvitationList returns one page of the organisation's pending
// invitations (not expired) by email, paged (and counted when asked) by
// the database. Requires the role of manage_members (admins); listing is
// reading, so an admin's read-only token may. EINVALID for a page out of range.
func (a *App) InvitationList(ctx context.Context, p Principal, slug string, pg Page) (*store.Page[isms.Invitation], error) {
	if err := pg.check(); err != nil {
		return nil, err
	}
	var out *store.Page[isms.Invitation]
	err := a.readRole(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.OrgInvitationPage(ctx, m.Org.ID, tx.Now, pg.spec())
		return err
	})
	return out, err
}

// OrgInvitation returns one of the organisation's pending invitations.
// Requires the role of manage_members (a read-only token may read it).
// ENOTFOUND for another organisation's, an
// answered, revoked or expired one.
func (a *App) OrgInvitation(ctx context.Context, p Principal, slug string, id int64) (*isms.Invitation, error) {
	var out *isms.Invitation
	err := a.readRole(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		inv, err := tx.OrgInvitation(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if !tx.Now.Before(inv.ExpiresAt) {
			return isms.Errorf(isms.ENOTFOUND, "invitation not found or expired")
		}
		out = inv
		return nil
	})
	return out, err
}

// RevokeInvitation withdraws an invitation before it is answered: the
// person can no longer accept it. Requires manage_members; audited as
// member.invitation_revoke. ENOTFOUND for another organisation's or an
// answered one.
func (a *App) RevokeInvitation(ctx context.Context, p Principal, slug string, id int64) error {
	return a.write(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		inv, err := tx.OrgInvitation(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if err := tx.SpendInvitation(ctx, m.Org.ID, inv.ID, "revoked"); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "member.invitation_revoke", "invitation", inv.ID,
			map[string]any{"email": inv.Email, "role": inv.Role, "invited_by": inv.InvitedBy}, nil)
	})
}

// readRole is read for what only a role may see (admins' lists): the
// role must allow act, while a token needs only its read scope, for
// reading is all it does (as DeliveryList).
func (a *App) readRole(ctx context.Context, p Principal, slug string, act isms.Action, fn func(tx *store.Tx, m *Member) error) error {
	return a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		if err := isms.Authorize(m.Role, act); err != nil {
			return err
		}
		return fn(tx, m)
	})
}

package app

import (
	"context"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RemoveMember ends a person's membership of the organisation and revokes
// their API tokens for it, in one transaction with a member.remove event
// (before: email, role and the revoked tokens). Their access ends at once:
// pages, the API and tokens look membership up on every request.
// Requires manage_members. ENOTFOUND for a non-member, ECONFLICT for the
// last admin.
func (a *App) RemoveMember(ctx context.Context, p Principal, slug string, userID int64) error {
	return a.write(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		old, err := tx.Membership(ctx, m.Org.ID, userID)
		if err != nil {
			return isms.Errorf(isms.ENOTFOUND, "member not found")
		}
		before := map[string]any{"email": old.Email, "name": old.Name, "role": old.Role}
		// The event goes first: appending it locks the organisation's
		// audit head, so two admins removing each other at once are
		// serialised and the count below sees the other's removal.
		if err := audit(ctx, tx, m.Org.ID, p, "member.remove", "membership", userID, before, nil); err != nil {
			return err
		}
		if err := lastAdminGuard(ctx, tx, m.Org.ID, old); err != nil {
			return err
		}
		if err := tx.RemoveMembership(ctx, m.Org.ID, userID); err != nil {
			return err
		}
		// Issue 18: acknowledgement of policies.
		if err := dropLeaver(ctx, tx, m.Org.ID, userID, p); err != nil {
			return err
		}
		revoked, err := tx.RevokeMemberTokens(ctx, m.Org.ID, userID)
		if err != nil {
			return err
		}
		for _, id := range revoked {
			if err := audit(ctx, tx, m.Org.ID, p, "token.revoke", "token", id, map[string]any{"user_id": userID}, map[string]any{"reason": "member removed"}); err != nil {
				return err
			}
		}
		return nil
	})
}

// lastAdminGuard returns ECONFLICT when old is the organisation's only
// admin (who may be neither removed nor demoted).
func lastAdminGuard(ctx context.Context, tx *store.Tx, orgID int64, old *isms.Membership) error {
	if old.Role != isms.RoleAdmin {
		return nil
	}
	n, err := tx.CountAdmins(ctx, orgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return isms.Errorf(isms.ECONFLICT, "%s is the last admin of the organisation; make someone else admin first", old.Email)
	}
	return nil
}

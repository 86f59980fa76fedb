package app

import (
	"context"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Invite records an invitation of the person with the email to the
// organisation with a role, valid for isms.InvitationLifetime; inviting
// again replaces it. The answer is the same whether or not a pdca account
// with that email exists (the admin learns nothing about other tenants'
// people): the person sees it after signing in (now, or once their account
// is created) and accepts or declines. Audited as member.invite. Requires
// manage_members. EINVALID, ECONFLICT for someone already a member.
func (a *App) Invite(ctx context.Context, p Principal, slug, email string, role isms.Role) (*isms.Invitation, error) {
	return a.invite(ctx, p, slug, email, role, "", false)
}

// invite records the invitation with the hash of its link's token ("" for
// none) and whether the link is emailed.
func (a *App) invite(ctx context.Context, p Principal, slug, email string, role isms.Role, hash string, emailed bool) (*isms.Invitation, error) {
	if err := role.Validate(); err != nil {
		return nil, err
	}
	u := isms.User{Email: email, Name: "invitee"}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var inv *isms.Invitation
	err := a.write(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		// Membership of this organisation is visible to its admins anyway.
		if ok, err := tx.MemberByEmail(ctx, m.Org.ID, u.Email); err != nil {
			return err
		} else if ok {
			return isms.Errorf(isms.ECONFLICT, "%s is already a member of %s", u.Email, m.Org.Name)
		}
		inv = &isms.Invitation{OrgID: m.Org.ID, Email: u.Email, Role: role, InvitedBy: p.Label,
			ExpiresAt: tx.Now.Add(isms.InvitationLifetime), OrgSlug: m.Org.Slug, OrgName: m.Org.Name}
		if err := tx.PutInvitation(ctx, inv, hash); err != nil {
			return err
		}
		after := map[string]any{"email": inv.Email, "role": role, "expires_at": inv.ExpiresAt.Format(time.RFC3339)}
		if hash != "" {
			after["link"] = "shown to the admin"
			if emailed {
				after["link"] = "emailed"
			}
		}
		return audit(ctx, tx, m.Org.ID, p, "member.invite", "invitation", inv.ID, nil, after)
	})
	return inv, err
}

// Invitations lists the signed-in person's pending invitations (to their
// email, not expired).
func (a *App) Invitations(ctx context.Context, p Principal) ([]isms.Invitation, error) {
	if p.System || p.Token != nil {
		return nil, isms.Errorf(isms.EFORBIDDEN, "sign in to see your invitations")
	}
	var out []isms.Invitation
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		out, err = tx.InvitationsFor(ctx, c.User.Email, tx.Now)
		return err
	})
	return out, err
}

// AnswerInvitation accepts (the person becomes a member with the invited
// role) or declines one of the signed-in person's invitations, and removes
// it. Audited on both sides: invitation.accept or invitation.decline in the
// organisation's chain and user.invitation_accept/decline in the person's
// (the system chain). ENOTFOUND for an invitation that is not theirs or
// has expired.
func (a *App) AnswerInvitation(ctx context.Context, p Principal, id int64, accept bool) (*isms.Invitation, error) {
	if p.System || p.Token != nil {
		return nil, isms.Errorf(isms.EFORBIDDEN, "sign in to answer an invitation")
	}
	var inv *isms.Invitation
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		inv, err = tx.Invitation(ctx, id, c.User.Email)
		if err != nil || !tx.Now.Before(inv.ExpiresAt) {
			return isms.Errorf(isms.ENOTFOUND, "invitation not found or expired; ask the organisation's admin to invite you again")
		}
		return answerInvitation(ctx, tx, inv, &c.User, accept, "orgs page")
	})
	return inv, err
}

// OrgInvitations lists the organisation's pending invitations. Requires
// manage_members.
func (a *App) OrgInvitations(ctx context.Context, p Principal, slug string) ([]isms.Invitation, error) {
	var out []isms.Invitation
	err := a.read(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.OrgInvitations(ctx, m.Org.ID, tx.Now)
		return err
	})
	return out, err
}

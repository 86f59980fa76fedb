package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 18: people in the UI. Invitations carry a link with a random
// token that is emailed (or, without email, shown once to the admin);
// whoever follows it joins (creating their account, or signing in first)
// once. A forgotten password is reset through an emailed link of an hour.

// Mailer sends one plain-text email. pdca serve sets it when SMTP is
// configured (jobs.SMTP); nil means email is not configured.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// PasswordResetLifetime is how long a password reset link works.
const PasswordResetLifetime = time.Hour

// newLinkToken returns a random link token (256 bits, URL-safe) and the
// SHA-256 (hex) that is stored.
func newLinkToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token)
}

// sameHash compares a stored hash with the token's in constant time.
func sameHash(stored, token string) bool {
	return subtle.ConstantTimeCompare([]byte(stored), []byte(tokenHash(token))) == 1
}

// InvitationSent is an invitation with its link, which is never stored:
// Emailed says whether it went out by email; otherwise (email is not
// configured or failed, MailError says why) the admin passes Link on.
type InvitationSent struct {
	Invitation *isms.Invitation
	Link       string
	Emailed    bool
	MailError  string
}

// InvitePath is the path of an invitation link.
func InvitePath(token string) string { return "/invitations/" + token }

// InviteByLink invites the person with the email as Invite does, with a
// link at base (the address people reach pdca at) that is emailed to
// them when email is configured. Audited as member.invite.
func (a *App) InviteByLink(ctx context.Context, p Principal, slug, email string, role isms.Role, base string) (*InvitationSent, error) {
	token, hash := newLinkToken()
	inv, err := a.invite(ctx, p, slug, email, role, hash, a.Mail != nil)
	if err != nil {
		return nil, err
	}
	return a.sendInvitation(ctx, inv, base+InvitePath(token)), nil
}

// ResendInvitation gives a pending invitation a new link (the old one no
// longer works) and 14 more days, and emails it. Requires manage_members;
// audited as member.invitation_resend. ENOTFOUND for another
// organisation's or an answered one.
func (a *App) ResendInvitation(ctx context.Context, p Principal, slug string, id int64, base string) (*InvitationSent, error) {
	token, hash := newLinkToken()
	var inv *isms.Invitation
	err := a.write(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		var err error
		inv, err = tx.OrgInvitation(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		old := inv.ExpiresAt
		inv.ExpiresAt = tx.Now.Add(isms.InvitationLifetime)
		if err := tx.SetInvitationToken(ctx, m.Org.ID, id, hash, inv.ExpiresAt); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "member.invitation_resend", "invitation", id,
			map[string]any{"email": inv.Email, "expires_at": old.Format(time.RFC3339)},
			map[string]any{"email": inv.Email, "role": inv.Role, "expires_at": inv.ExpiresAt.Format(time.RFC3339), "emailed": a.Mail != nil})
	})
	if err != nil {
		return nil, err
	}
	return a.sendInvitation(ctx, inv, base+InvitePath(token)), nil
}

// sendInvitation emails the link when email is configured.
func (a *App) sendInvitation(ctx context.Context, inv *isms.Invitation, link string) *InvitationSent {
	out := &InvitationSent{Invitation: inv, Link: link}
	if a.Mail == nil {
		out.MailError = "email is not configured (pdca serve --smtp-host)"
		return out
	}
	body := fmt.Sprintf("%s invited you to %s in pdca, as %s.\n\nTo join, open this link (it works once, until %s UTC):\n\n%s\n\nIf you did not expect this, ignore this email.\n",
		inv.InvitedBy, inv.OrgName, isms.Label(string(inv.Role)), inv.ExpiresAt.UTC().Format("2006-01-02 15:04"), link)
	if err := a.Mail.Send(ctx, inv.Email, "Invitation to "+inv.OrgName+" in pdca", body); err != nil {
		a.Log.Warn("invitation email failed", "org_id", inv.OrgID, "invitation_id", inv.ID, "err", err.Error())
		out.MailError = "the email could not be sent: " + err.Error()
		return out
	}
	out.Emailed = true
	return out
}

// LinkState says what a link is: valid, expired, or spent (accepted,
// declined, revoked, resent, replaced, used), or unknown.
type LinkState string

// The states of a link.
const (
	LinkValid   LinkState = "valid"
	LinkExpired LinkState = "expired"
	LinkUnknown LinkState = "unknown"
)

// InvitationLink is what following an invitation link shows.
type InvitationLink struct {
	State      LinkState
	Invitation *isms.Invitation // when valid or expired
	// HasAccount: a person with the invitation's email exists (they
	// sign in to accept; otherwise they create their account here).
	HasAccount bool
}

// FollowInvitation reads the invitation of a link (public: the token is
// the proof). Only that invitation's organisation, role and email are
// shown.
func (a *App) FollowInvitation(ctx context.Context, token string) (*InvitationLink, error) {
	out := &InvitationLink{State: LinkUnknown}
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out.State, out.Invitation, err = invitationOfLink(ctx, tx, token)
		if err != nil || out.Invitation == nil {
			return err
		}
		_, err = tx.UserByEmail(ctx, out.Invitation.Email)
		out.HasAccount = err == nil
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			err = nil
		}
		return err
	})
	return out, err
}

// invitationOfLink resolves a link token.
func invitationOfLink(ctx context.Context, tx *store.Tx, token string) (LinkState, *isms.Invitation, error) {
	if token == "" || len(token) > 100 {
		return LinkUnknown, nil, nil
	}
	hash := tokenHash(token)
	inv, stored, err := tx.InvitationByToken(ctx, hash)
	switch {
	case err == nil && sameHash(stored, token):
		if !tx.Now.Before(inv.ExpiresAt) {
			return LinkExpired, inv, nil
		}
		return LinkValid, inv, nil
	case err != nil && isms.ErrorCode(err) != isms.ENOTFOUND:
		return "", nil, err
	}
	reason, err := tx.SpentLink(ctx, hash)
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return LinkUnknown, nil, nil
	}
	return LinkState(reason), nil, err
}

// LinkError is the error for a link that cannot be used, by state.
func LinkError(st LinkState) error {
	switch st {
	case LinkExpired:
		return isms.Errorf(isms.ENOTFOUND, "this invitation has expired; ask the organisation's admin to send it again")
	case "accepted", "declined":
		return isms.Errorf(isms.ENOTFOUND, "this invitation link has already been used")
	case "revoked":
		return isms.Errorf(isms.ENOTFOUND, "this invitation was withdrawn by the organisation's admin")
	case "resent", "replaced":
		return isms.Errorf(isms.ENOTFOUND, "a newer invitation replaced this link; use the newest email")
	}
	return isms.Errorf(isms.ENOTFOUND, "this invitation link is not valid; check that it was copied whole")
}

// JoinByInvitation creates the account of a person who has none from an
// invitation link (name and password; the email is the invitation's),
// makes them a member with the invited role and signs them in. The link
// is then spent. Audited as user.create and invitation.accept.
// ENOTFOUND for a link that is not valid (see LinkError), ECONFLICT when
// an account with the email exists (they sign in to accept), EINVALID.
func (a *App) JoinByInvitation(ctx context.Context, token, name, password string) (*Joined, error) {
	name = strings.TrimSpace(name)
	var inv *isms.Invitation
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		st, i, err := invitationOfLink(ctx, tx, token)
		if err == nil && st != LinkValid {
			err = LinkError(st)
		}
		inv = i
		return err
	}); err != nil {
		return nil, err
	}
	u := &isms.User{Email: inv.Email, Name: name}
	if name == "" {
		return nil, isms.Errorf(isms.EINVALID, "name: enter your name as colleagues know it")
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := isms.ValidateNewPassword(password, u.Email); err != nil {
		return nil, err
	}
	var hash string
	if err := a.withPasswordSlot(ctx, func() { hash = a.Passwords.Hash(password) }); err != nil {
		return nil, err
	}
	out := &Joined{SignedIn: SignedIn{User: u, Method: "password"}}
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		st, inv, err := invitationOfLink(ctx, tx, token) // again: it may have been used meanwhile
		out.Invitation = inv
		if err == nil && st != LinkValid {
			err = LinkError(st)
		}
		if err != nil {
			return err
		}
		if _, err := tx.UserByEmail(ctx, inv.Email); err == nil {
			return isms.Errorf(isms.ECONFLICT, "a pdca account with %s exists: sign in to accept the invitation", inv.Email)
		}
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		who := Principal{UserID: u.ID, Label: u.Email}
		if err := audit(ctx, tx, isms.SystemOrgID, who, "user.create", "user", u.ID, nil,
			map[string]any{"email": u.Email, "name": u.Name, "via": "invitation", "org": inv.OrgSlug}); err != nil {
			return err
		}
		out.At = tx.Now
		return acceptInvitation(ctx, tx, inv, u, "link")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Joined is a person who joined through an invitation link, signed in.
type Joined struct {
	SignedIn
	Invitation *isms.Invitation
}

// AcceptInvitationLink accepts (or declines) the invitation of a link for
// the signed-in person, whose email must be the invitation's.
func (a *App) AcceptInvitationLink(ctx context.Context, p Principal, token string, accept bool) (*isms.Invitation, error) {
	if p.System || p.Token != nil {
		return nil, isms.Errorf(isms.EFORBIDDEN, "sign in to answer an invitation")
	}
	var inv *isms.Invitation
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		st, i, err := invitationOfLink(ctx, tx, token)
		if err == nil && st != LinkValid {
			err = LinkError(st)
		}
		if err != nil {
			return err
		}
		inv = i
		c, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		if c.User.Email != inv.Email {
			return isms.Errorf(isms.EFORBIDDEN, "this invitation is for %s and you are signed in as %s: sign out and sign in with %s", inv.Email, c.User.Email, inv.Email)
		}
		if !accept {
			return answerInvitation(ctx, tx, inv, &c.User, false, "link")
		}
		return acceptInvitation(ctx, tx, inv, &c.User, "link")
	})
	return inv, err
}

func acceptInvitation(ctx context.Context, tx *store.Tx, inv *isms.Invitation, u *isms.User, via string) error {
	return answerInvitation(ctx, tx, inv, u, true, via)
}

// answerInvitation makes the person a member (accept) or not, spends the
// invitation and its link, and audits both sides.
func answerInvitation(ctx context.Context, tx *store.Tx, inv *isms.Invitation, u *isms.User, accept bool, via string) error {
	answer := "declined"
	if accept {
		answer = "accepted"
	}
	if err := tx.SpendInvitation(ctx, inv.OrgID, inv.ID, answer); err != nil {
		return err
	}
	if accept {
		if err := tx.AddMembership(ctx, &isms.Membership{OrgID: inv.OrgID, UserID: u.ID, Role: inv.Role}); err != nil {
			return err
		}
		// Issue 18: a newcomer is asked to acknowledge the current policies.
		if err := askNewMember(ctx, tx, inv.OrgID, u.ID, inv.Role, Principal{UserID: u.ID, Label: u.Email}); err != nil {
			return err
		}
	}
	verb := "decline"
	if accept {
		verb = "accept"
	}
	who := Principal{UserID: u.ID, Label: u.Email}
	detail := map[string]any{"email": inv.Email, "role": inv.Role, "org": inv.OrgSlug, "invited_by": inv.InvitedBy, "via": via}
	if err := audit(ctx, tx, inv.OrgID, who, "invitation."+verb, "invitation", inv.ID, detail, nil); err != nil {
		return err
	}
	return audit(ctx, tx, isms.SystemOrgID, who, "user.invitation_"+verb, "user", u.ID, nil, detail)
}

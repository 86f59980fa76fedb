package app

import (
	"context"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// CreateUser creates a person who can sign in with the password (empty for
// single sign-on only). Only the command line or an organisation's admin
// (through AddMember) creates people. EINVALID, ECONFLICT.
func (a *App) CreateUser(ctx context.Context, p Principal, u *isms.User, password string) error {
	if !p.System {
		return isms.Errorf(isms.EFORBIDDEN, "people are created on the command line or invited by an admin")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	hash := ""
	if password != "" {
		if err := isms.ValidatePassword(password); err != nil {
			return err
		}
		hash = a.Passwords.Hash(password)
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.create", "user", u.ID, nil, u)
	})
}

// AddMember gives an existing person (by email) a role in the
// organisation at once. Only the command line may (its operator runs the
// installation); an admin invites people instead (Invite), so nobody is
// added to an organisation without their consent. ENOTFOUND, EINVALID,
// ECONFLICT, EFORBIDDEN.
func (a *App) AddMember(ctx context.Context, p Principal, slug, email string, role isms.Role) (*isms.Membership, error) {
	if !p.System {
		return nil, isms.Errorf(isms.EFORBIDDEN, "people join an organisation by accepting an invitation; invite them from the people page")
	}
	if err := role.Validate(); err != nil {
		return nil, err
	}
	var ms *isms.Membership
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMembers); err != nil {
			return err
		}
		u, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
		if err != nil {
			return isms.Errorf(isms.ENOTFOUND, "no person with email %s: create them first (pdca user create)", email)
		}
		ms = &isms.Membership{OrgID: m.Org.ID, UserID: u.User.ID, Role: role, Email: u.User.Email, Name: u.User.Name}
		if err := tx.AddMembership(ctx, ms); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "member.add", "membership", u.User.ID, nil, map[string]any{"email": u.User.Email, "role": role})
	})
	return ms, err
}

// SetRole changes a member's role. Requires manage_members; refuses to
// remove the last admin (ECONFLICT).
func (a *App) SetRole(ctx context.Context, p Principal, slug string, userID int64, role isms.Role) error {
	if err := role.Validate(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMembers); err != nil {
			return err
		}
		old, err := tx.Membership(ctx, m.Org.ID, userID)
		if err != nil {
			return err
		}
		// The event first: it locks the audit head, so concurrent
		// demotions are serialised before the admins are counted.
		if err := audit(ctx, tx, m.Org.ID, p, "member.role", "membership", userID, map[string]any{"role": old.Role}, map[string]any{"role": role}); err != nil {
			return err
		}
		if role != isms.RoleAdmin {
			if err := lastAdminGuard(ctx, tx, m.Org.ID, old); err != nil {
				return err
			}
		}
		return tx.SetRole(ctx, m.Org.ID, userID, role)
	})
}

// Members lists the organisation's members. Requires read.
func (a *App) Members(ctx context.Context, p Principal, slug string) ([]isms.Membership, error) {
	var out []isms.Membership
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.Members(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// Throttling of failed sign-ins.
const (
	ThrottleWindow     = 15 * time.Minute
	MaxFailsPerAccount = 5
	MaxFailsPerAddress = 20
)

// SignIn checks an email and password from a client address. It returns
// EUNAUTHORIZED for a wrong email or password (the same message for both)
// and ETOOMANY when the account or the address failed too often recently.
func (a *App) SignIn(ctx context.Context, email, password, address string) (*isms.User, error) {
	email = isms.NormalizeEmail(email)
	var creds *store.UserCredentials
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		byEmail, byAddr, err := tx.SigninFailures(ctx, email, address, tx.Now.Add(-ThrottleWindow))
		if err != nil {
			return err
		}
		if byEmail >= MaxFailsPerAccount || byAddr >= MaxFailsPerAddress {
			return isms.Errorf(isms.ETOOMANY, "too many failed sign-ins; wait %d minutes and try again", int(ThrottleWindow.Minutes()))
		}
		creds, err = tx.UserByEmail(ctx, email)
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	ok := false
	if creds != nil && creds.PasswordHash != "" {
		ok = a.Passwords.Verify(creds.PasswordHash, password)
	} else {
		a.Passwords.Hash(password) // same cost whether or not the account exists
	}
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		if !ok {
			return tx.RecordSigninFailure(ctx, email, address)
		}
		return tx.ClearSigninFailures(ctx, email)
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, isms.Errorf(isms.EUNAUTHORIZED, "wrong email or password")
	}
	return &creds.User, nil
}

// ChangePassword replaces the signed-in person's password after checking
// the current one. EUNAUTHORIZED, EINVALID.
func (a *App) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	if p.System || p.Token != nil {
		return isms.Errorf(isms.EFORBIDDEN, "sign in to change your password")
	}
	if err := isms.ValidatePassword(next); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		if c.PasswordHash != "" && !a.Passwords.Verify(c.PasswordHash, current) {
			return isms.Errorf(isms.EUNAUTHORIZED, "the current password is wrong")
		}
		if err := tx.SetPassword(ctx, p.UserID, a.Passwords.Hash(next)); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.password", "user", p.UserID, nil, nil)
	})
}

// SetPasswordByEmail sets a person's password from the command line.
func (a *App) SetPasswordByEmail(ctx context.Context, p Principal, email, password string) error {
	if !p.System {
		return isms.Errorf(isms.EFORBIDDEN, "only the command line can reset a password")
	}
	if err := isms.ValidatePassword(password); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, c.User.ID, a.Passwords.Hash(password)); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.password", "user", c.User.ID, nil, nil)
	})
}

// SignInOIDC maps a verified OpenID identity to a pdca person: the person
// already linked to the subject, or else the person with the verified
// email (who is then linked). People are not created on the fly: an admin
// invites them first (EFORBIDDEN otherwise).
func (a *App) SignInOIDC(ctx context.Context, issuer, subject, email string, emailVerified bool) (*isms.User, error) {
	var u *isms.User
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.UserByOIDC(ctx, issuer, subject); err == nil {
			return nil
		} else if isms.ErrorCode(err) != isms.ENOTFOUND {
			return err
		}
		if !emailVerified || email == "" {
			return isms.Errorf(isms.EFORBIDDEN, "your identity provider did not confirm your email address")
		}
		c, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
		if err != nil {
			return isms.Errorf(isms.EFORBIDDEN, "there is no pdca account for %s; ask your pdca admin to invite you", email)
		}
		if err := tx.LinkOIDC(ctx, c.User.ID, issuer, subject); err != nil {
			return err
		}
		u = &c.User
		return audit(ctx, tx, isms.SystemOrgID, Principal{UserID: u.ID, Label: u.Email}, "user.oidc_link", "user", u.ID, nil, map[string]any{"issuer": issuer, "subject": subject})
	})
	return u, err
}

// Viewer is a signed-in person with their memberships, read once per
// request by the web layer.
type Viewer struct {
	User *isms.User
	Orgs []isms.Membership
	Principal
}

// Member returns the viewer's membership of the organisation with the
// slug, checked for the right to perform act, as Authorize would from the
// database (ENOTFOUND for a non-member, EFORBIDDEN for a missing right):
// the memberships were read for this request, so a page need not read them
// again. Use cases still check in their own transaction.
func (v *Viewer) Member(slug string, act isms.Action) (*Member, error) {
	for _, ms := range v.Orgs {
		if ms.OrgSlug != slug {
			continue
		}
		m := &Member{Principal: v.Principal, Role: ms.Role,
			Org: &isms.Organization{ID: ms.OrgID, Slug: ms.OrgSlug, Name: ms.OrgName, TimeZone: ms.OrgTimeZone}}
		return m, m.can(act)
	}
	return nil, isms.Errorf(isms.ENOTFOUND, "organisation %q not found", slug)
}

// ViewerByID reads a signed-in person and their memberships in one
// transaction; ENOTFOUND when the person no longer exists.
func (a *App) ViewerByID(ctx context.Context, id int64) (*Viewer, error) {
	var v *Viewer
	// One statement: every page view starts here.
	err := a.DB.ReadOne(ctx, func(tx *store.Tx) error {
		u, ms, err := tx.UserAndMemberships(ctx, id)
		if err != nil {
			return err
		}
		v = &Viewer{User: u, Orgs: ms, Principal: Principal{UserID: u.ID, Label: u.Email}}
		return nil
	})
	return v, err
}

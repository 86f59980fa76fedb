package app

import (
	"context"
	"strings"
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
		if err := isms.ValidateNewPassword(password, u.Email); err != nil {
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
	err := a.write(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
		u, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
		if err != nil {
			return isms.Errorf(isms.ENOTFOUND, "no person with email %s: create them first (pdca user create)", email)
		}
		ms = &isms.Membership{OrgID: m.Org.ID, UserID: u.User.ID, Role: role, Email: u.User.Email, Name: u.User.Name}
		if err := tx.AddMembership(ctx, ms); err != nil {
			return err
		}
		// Issue 18: acknowledgement of policies.
		if err := askNewMember(ctx, tx, m.Org.ID, u.User.ID, role, p); err != nil {
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
	return a.write(ctx, p, slug, isms.ActManageMembers, func(tx *store.Tx, m *Member) error {
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

// ChangePassword replaces the signed-in person's password after checking
// the current one (throttled like sign-in, from the client address), and
// ends every session of theirs begun before now: the caller renews its own
// session with the returned time (SignedIn.At). EUNAUTHORIZED, EINVALID,
// ETOOMANY.
func (a *App) ChangePassword(ctx context.Context, p Principal, current, next, address string) (time.Time, error) {
	if p.System || p.Token != nil {
		return time.Time{}, isms.Errorf(isms.EFORBIDDEN, "sign in to change your password")
	}
	var c *store.UserCredentials
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.UserByID(ctx, p.UserID)
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	if err := isms.ValidateNewPassword(next, c.User.Email); err != nil {
		return time.Time{}, err
	}
	hash := ""
	ok, err := a.checkPassword(ctx, c, current, address, func() { hash = a.Passwords.Hash(next) })
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, isms.Errorf(isms.EUNAUTHORIZED, "the current password is wrong")
	}
	var at time.Time
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		now, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		if now.PasswordHash != c.PasswordHash {
			return isms.Errorf(isms.ECONFLICT, "your password was changed meanwhile; sign in again")
		}
		if err := tx.SetPassword(ctx, p.UserID, hash); err != nil {
			return err
		}
		at = tx.Now
		return audit(ctx, tx, isms.SystemOrgID, p, "user.password", "user", p.UserID, nil, map[string]any{"other_sessions": "ended"})
	})
	return at, err
}

// SetPasswordByEmail sets a person's password from the command line: it
// ends every session of theirs and clears the sign-in throttle of the
// account (an operator's reset unlocks it).
func (a *App) SetPasswordByEmail(ctx context.Context, p Principal, email, password string) error {
	if !p.System {
		return isms.Errorf(isms.EFORBIDDEN, "only the command line can reset a password")
	}
	email = isms.NormalizeEmail(email)
	if err := isms.ValidateNewPassword(password, email); err != nil {
		return err
	}
	hash := a.Passwords.Hash(password)
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, c.User.ID, hash); err != nil {
			return err
		}
		for _, kind := range []string{"", "code"} {
			if err := tx.DeleteThrottle(ctx, keysFor(kind, email, "").acct); err != nil {
				return err
			}
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.password", "user", c.User.ID, nil, map[string]any{"other_sessions": "ended"})
	})
}

// SignInOIDC maps a verified OpenID identity to a pdca person: the person
// already linked to the subject, or else the person with the verified
// email (who is then linked). People are not created on the fly: an admin
// invites them first (EFORBIDDEN otherwise). Both outcomes are audited
// (user.signin, user.signin_failed with method oidc).
func (a *App) SignInOIDC(ctx context.Context, issuer, subject, email string, emailVerified bool, address string) (*SignedIn, error) {
	out := &SignedIn{Method: "oidc"}
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		out.At = tx.Now
		u, err := tx.UserByOIDC(ctx, issuer, subject)
		if err == nil {
			out.User = u
			return auditSignin(ctx, tx, u, address, "oidc")
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
		out.User = u
		if err := audit(ctx, tx, isms.SystemOrgID, Principal{UserID: u.ID, Label: u.Email}, "user.oidc_link", "user", u.ID, nil, map[string]any{"issuer": issuer, "subject": subject}); err != nil {
			return err
		}
		return auditSignin(ctx, tx, u, address, "oidc")
	})
	if code := isms.ErrorCode(err); code == isms.EFORBIDDEN || code == isms.ECONFLICT {
		reason := isms.ErrorMessage(err)
		if aerr := a.DB.Write(ctx, func(tx *store.Tx) error {
			return auditSigninFailure(ctx, tx, nil, isms.NormalizeEmail(email), address, "oidc", reason)
		}); aerr != nil {
			return nil, aerr
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
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
			Org: &isms.Organization{ID: ms.OrgID, Slug: ms.OrgSlug, Name: ms.OrgName, TimeZone: ms.OrgTimeZone, DateOrder: ms.OrgDateOrder}}
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

// SetTimeZone sets the zone the signed-in person reads and enters times
// in: an IANA zone name, or empty for each organisation's own zone.
// Writes user.time_zone. EFORBIDDEN for the command line and API tokens,
// EINVALID for a name outside the tz database.
func (a *App) SetTimeZone(ctx context.Context, p Principal, zone string) error {
	if p.System || p.Token != nil {
		return isms.Errorf(isms.EFORBIDDEN, "sign in to choose your time zone")
	}
	zone = strings.TrimSpace(zone)
	if zone != "" {
		if err := isms.CheckLengths(isms.Limit{Name: "time_zone", Value: zone, Max: isms.MaxShort}); err != nil {
			return err
		}
		if err := isms.CheckTimeZone(zone); err != nil {
			return err
		}
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		before, err := tx.UserTimeZone(ctx, p.UserID)
		if err != nil || before == zone {
			return err
		}
		if err := tx.SetUserTimeZone(ctx, p.UserID, zone); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.time_zone", "user", p.UserID, map[string]any{"time_zone": before}, map[string]any{"time_zone": zone})
	})
}

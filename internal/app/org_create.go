package app

import (
	"context"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 18: creating organisations in the UI.

// Who may create organisations in the UI (serve --allow-org-create).
const (
	OrgCreateOperators = "operators" // people marked with pdca user operator
	OrgCreateAnyone    = "anyone"    // every signed-in person
	OrgCreateNo        = "no"        // the command line only
)

// SetOperator makes the person with the email an operator of the
// instance (who may create organisations in the UI when serve allows
// operators), or no longer one. The command line only; audited as
// user.operator in the system chain. ENOTFOUND.
func (a *App) SetOperator(ctx context.Context, p Principal, email string, on bool) error {
	if !p.System {
		return isms.Errorf(isms.EFORBIDDEN, "operators are named on the command line (pdca user operator)")
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
		if err != nil {
			return err
		}
		was, err := tx.IsOperator(ctx, c.User.ID)
		if err != nil {
			return err
		}
		if err := tx.SetOperator(ctx, c.User.ID, on); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.operator", "user", c.User.ID,
			map[string]any{"email": c.User.Email, "operator": was}, map[string]any{"email": c.User.Email, "operator": on})
	})
}

// CanCreateOrg reports whether the principal may create organisations in
// the UI under the instance's policy (a.OrgCreation; "" means operators).
func (a *App) CanCreateOrg(ctx context.Context, p Principal) (bool, error) {
	if p.System {
		return true, nil
	}
	if p.Token != nil || p.UserID == 0 {
		return false, nil
	}
	switch a.OrgCreation {
	case OrgCreateAnyone:
		return true, nil
	case OrgCreateNo:
		return false, nil
	}
	var on bool
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		on, err = tx.IsOperator(ctx, p.UserID)
		return err
	})
	return on, err
}

// CreateOrgAsMember creates an organisation from the UI, with the
// signed-in person as its admin, when the instance allows them
// (CanCreateOrg). Audited as org.create and member.add in the new
// organisation's chain. EFORBIDDEN, EINVALID, ECONFLICT for a taken slug.
func (a *App) CreateOrgAsMember(ctx context.Context, p Principal, o *isms.Organization) error {
	ok, err := a.CanCreateOrg(ctx, p)
	if err != nil {
		return err
	}
	if !ok || p.System {
		return isms.Errorf(isms.EFORBIDDEN, "this server does not let you create organisations; ask its operator")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrg(ctx, o); err != nil {
			return err
		}
		for _, h := range a.orgCreated {
			if err := h(ctx, tx, o); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, o.ID, p, "org.create", "organization", o.ID, nil, o); err != nil {
			return err
		}
		if err := tx.AddMembership(ctx, &isms.Membership{OrgID: o.ID, UserID: p.UserID, Role: isms.RoleAdmin}); err != nil {
			return err
		}
		return audit(ctx, tx, o.ID, p, "member.add", "membership", p.UserID, nil, map[string]any{"email": p.Label, "role": isms.RoleAdmin, "via": "created the organisation"})
	})
}

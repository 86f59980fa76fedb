package app

import (
	"context"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// CreateOrg creates an organisation. Only the command line (System) may;
// EFORBIDDEN otherwise, EINVALID for bad input, ECONFLICT for a taken slug.
// When adminEmail is not empty, that existing person becomes its admin.
func (a *App) CreateOrg(ctx context.Context, p Principal, o *isms.Organization) error {
	if !p.System {
		return isms.Errorf(isms.EFORBIDDEN, "organisations are created on the command line (pdca org create)")
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
		return audit(ctx, tx, o.ID, p, "org.create", "organization", o.ID, nil, o)
	})
}

// OrgHook runs inside the transaction that creates an organisation (for
// instance to create its built-in metrics).
type OrgHook func(ctx context.Context, tx *store.Tx, o *isms.Organization) error

// Org returns an organisation the principal is a member of; ENOTFOUND
// otherwise.
func (a *App) Org(ctx context.Context, p Principal, slug string) (*Member, error) {
	return a.Authorize(ctx, p, slug, isms.ActRead)
}

// Orgs lists the organisations a person belongs to (every one for System).
func (a *App) Orgs(ctx context.Context, p Principal) ([]isms.Membership, error) {
	var out []isms.Membership
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		if p.System {
			orgs, err := tx.ListOrgs(ctx)
			for _, o := range orgs {
				out = append(out, isms.Membership{OrgID: o.ID, Role: isms.RoleAdmin, OrgSlug: o.Slug, OrgName: o.Name})
			}
			return err
		}
		ms, err := tx.UserMemberships(ctx, p.UserID)
		if p.Token != nil {
			for _, m := range ms {
				if m.OrgID == p.Token.OrgID {
					out = append(out, m)
				}
			}
			return err
		}
		out = ms
		return err
	})
	return out, err
}

// BackdateOrg moves the creation of an organisation, and of its metrics,
// back to since, so that the periods of a history imported with it are
// rated as periods in which it existed. The command line only (the demo
// uses it for its year of records); writes org.backdate. EFORBIDDEN.
func (a *App) BackdateOrg(ctx context.Context, p Principal, slug string, since time.Time) error {
	if !p.System {
		return isms.Errorf(isms.EFORBIDDEN, "only the command line can backdate an organisation")
	}
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		if !since.Before(m.Org.CreatedAt) {
			return nil
		}
		if err := tx.BackdateOrg(ctx, m.Org.ID, since); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "org.backdate", "organization", m.Org.ID,
			map[string]any{"created_at": m.Org.CreatedAt.UTC().Format(time.RFC3339)}, map[string]any{"created_at": since.UTC().Format(time.RFC3339)})
	})
}

// SetDateOrder sets how the organisation's imports read slashed dates
// (05/10/2026): "dmy" day first, "mdy" month first, "" refused unless an
// import gives the order. Requires manage_org (admins); audited as
// org.date_order. EINVALID for any other value.
func (a *App) SetDateOrder(ctx context.Context, p Principal, slug, order string) error {
	if err := isms.CheckDateOrder(order); err != nil {
		return err
	}
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		if m.Org.DateOrder == order {
			return nil
		}
		if err := tx.SetOrgDateOrder(ctx, m.Org.ID, order); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "org.date_order", "organization", m.Org.ID,
			map[string]any{"date_order": m.Org.DateOrder}, map[string]any{"date_order": order})
	})
}

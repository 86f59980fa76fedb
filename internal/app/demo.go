package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// DemoOrgSlug is the slug of the demo organisation.
const DemoOrgSlug = "demo"

// DemoAdminEmail signs in to the demo organisation.
const DemoAdminEmail = "admin@demo.example"

// Demo is what SeedDemo created.
type Demo struct {
	Org      *isms.Organization
	Email    string
	Password string // one-time: change it after the first sign-in
}

// DemoSeeder adds sample data to the demo organisation (records, metrics);
// registered by the packages that own that data.
type DemoSeeder func(ctx context.Context, a *App, org *isms.Organization) error

// SeedDemo creates the demo organisation with an admin and a few members
// when the database has no organisation yet; it returns nil, nil when the
// database is not empty.
func (a *App) SeedDemo(ctx context.Context, seeders ...DemoSeeder) (*Demo, error) {
	var n int
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountOrgs(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	d := &Demo{Org: &isms.Organization{Slug: DemoOrgSlug, Name: "Demo Oy", TimeZone: "Europe/Helsinki"},
		Email: DemoAdminEmail, Password: base64.RawURLEncoding.EncodeToString(b)}
	if err := a.CreateOrg(ctx, System, d.Org); err != nil {
		return nil, err
	}
	people := []struct {
		email, name, password string
		role                  isms.Role
	}{
		{DemoAdminEmail, "Demo Admin", d.Password, isms.RoleAdmin},
		{"isms@demo.example", "Ilona ISMS", "", isms.RoleISMSManager},
		{"it.lead@demo.example", "Ivo IT Lead", "", isms.RoleProcessOwner},
		{"ceo@demo.example", "Cecilia CEO", "", isms.RoleManagement},
		{"auditor@demo.example", "Aaro Auditor", "", isms.RoleAuditor},
	}
	for _, p := range people {
		u := &isms.User{Email: p.email, Name: p.name}
		if err := a.CreateUser(ctx, System, u, p.password); err != nil {
			return nil, err
		}
		if _, err := a.AddMember(ctx, System, d.Org.Slug, u.Email, p.role); err != nil {
			return nil, err
		}
	}
	for _, s := range seeders {
		if err := s(ctx, a, d.Org); err != nil {
			return nil, err
		}
	}
	return d, nil
}

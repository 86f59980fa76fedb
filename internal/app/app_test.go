package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// cheap password parameters keep tests fast; production uses the defaults.
var cheap = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}

func newApp(t *testing.T, db *store.DB) *app.App {
	a := app.New(db, nil)
	a.Passwords = cheap
	return a
}

// fixture is an organisation with one member per role.
type fixture struct {
	app     *app.App
	org     *isms.Organization
	members map[isms.Role]app.Principal
}

// fixtureSince is when fixture organisations were created.
var fixtureSince = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func mustFixture(t *testing.T, db *store.DB, slug string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{app: newApp(t, db), org: &isms.Organization{Slug: slug, Name: "Org " + slug, TimeZone: "Europe/Helsinki"}, members: map[isms.Role]app.Principal{}}
	if err := f.app.CreateOrg(ctx, app.System, f.org); err != nil {
		t.Fatalf("create org: %v", err)
	}
	// The fixture organisation has existed since 2020, so the periods the
	// tests rate are rated (periods before an organisation existed are
	// not; TestNoRatingBeforeTheOrganisation covers that).
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.BackdateOrg(ctx, f.org.ID, fixtureSince) }); err != nil {
		t.Fatalf("backdate org: %v", err)
	}
	f.org.CreatedAt = fixtureSince
	for _, r := range isms.Roles() {
		u := &isms.User{Email: string(r) + "@" + slug + ".example", Name: string(r)}
		if err := f.app.CreateUser(ctx, app.System, u, "correct horse battery"); err != nil && isms.ErrorCode(err) != isms.ECONFLICT {
			t.Fatalf("create user: %v", err)
		}
		if _, err := f.app.AddMember(ctx, app.System, slug, u.Email, r); err != nil {
			t.Fatalf("add member: %v", err)
		}
		f.members[r] = app.Principal{UserID: u.ID, Label: u.Email}
	}
	return f
}

func TestCreateOrgValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		ctx := context.Background()
		tests := []struct {
			name string
			org  isms.Organization
			p    app.Principal
			code string
		}{
			{"ok", isms.Organization{Slug: "acme", Name: "Acme Oy", TimeZone: "Europe/Helsinki"}, app.System, ""},
			{"duplicate slug", isms.Organization{Slug: "acme", Name: "Other"}, app.System, isms.ECONFLICT},
			{"bad slug", isms.Organization{Slug: "Acme!", Name: "Acme"}, app.System, isms.EINVALID},
			{"no name", isms.Organization{Slug: "beta"}, app.System, isms.EINVALID},
			{"bad zone", isms.Organization{Slug: "gamma", Name: "G", TimeZone: "Mars/Olympus"}, app.System, isms.EINVALID},
			{"not cli", isms.Organization{Slug: "delta", Name: "D"}, app.Principal{UserID: 1}, isms.EFORBIDDEN},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o := tt.org
				err := a.CreateOrg(ctx, tt.p, &o)
				if got := isms.ErrorCode(err); got != tt.code {
					t.Fatalf("code = %q, want %q (err %v)", got, tt.code, err)
				}
			})
		}
		m, err := a.Org(ctx, app.System, "acme")
		if err != nil || m.Org.TimeZone != "Europe/Helsinki" || m.Org.Name != "Acme Oy" {
			t.Fatalf("read back: %+v, %v", m, err)
		}
	})
}

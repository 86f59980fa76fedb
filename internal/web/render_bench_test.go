package web

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// DemoApp returns an App on a new database of the engine with the demo
// organisation and its year of data, for the benchmarks of this package
// and of web_test.
func DemoApp(tb testing.TB, eng store.Engine) (*app.App, *app.Demo) {
	tb.Helper()
	db := storetest.Open(tb, eng)
	a := app.New(db, nil)
	a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
	d, err := a.SeedDemo(context.Background(), demo.Seeder(time.Now()))
	if err != nil {
		tb.Fatal(err)
	}
	return a, d
}

// BenchmarkRenderHome times the templates alone for the demo
// organisation's dashboard: no database, no HTTP. Under load the
// templates were close to half of a dashboard view's CPU.
func BenchmarkRenderHome(b *testing.B) {
	ctx := context.Background()
	a, d := DemoApp(b, store.SQLite)
	db := a.DB
	var uid int64
	if err := db.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByEmail(ctx, d.Email)
		if err == nil {
			uid = c.User.ID
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	v, err := a.ViewerByID(ctx, uid)
	if err != nil {
		b.Fatal(err)
	}
	m, err := v.Member("demo", isms.ActRead)
	if err != nil {
		b.Fatal(err)
	}
	dash, err := a.Dashboard(ctx, m.Principal, "demo")
	if err != nil {
		b.Fatal(err)
	}
	pages, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	pg := &homePage{Page: Page{Title: m.Org.Name, User: v.User, Member: m, Orgs: v.Orgs, Version: "bench", Nav: "home"},
		D: dash}
	for b.Loop() {
		if err := pages["home"].ExecuteTemplate(io.Discard, "layout.html", pg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderDeviations times the templates alone for one page of
// the deviations register (50 rows).
func BenchmarkRenderDeviations(b *testing.B) {
	pages, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	org := &isms.Organization{ID: 1, Slug: "acme", Name: "Acme", TimeZone: "Europe/Helsinki"}
	m := &app.Member{Principal: app.Principal{UserID: 1, Label: "a@acme.test"}, Org: org, Role: isms.RoleAdmin}
	pg := &deviationsPage{Page: Page{Title: "Deviations", User: &isms.User{ID: 1, Email: "a@acme.test"}, Member: m,
		Version: "bench", Nav: "deviations"}, Statuses: isms.DeviationStatuses(), Now: now, CheckDays: 30, Total: 500}
	for i := range deviationsPerPage {
		due := now.AddDate(0, 0, 10-i)
		pg.Deviations = append(pg.Deviations, isms.Deviation{ID: int64(i + 1), OrgID: 1, Ref: "DEV-" + strconv.Itoa(i+1),
			Title: "Badge reader at the side door left open", Kind: "minor", Source: "observation", Status: isms.DevOpen,
			OwnerName: "Ann Owner", DetectedAt: now.AddDate(0, 0, -i), DueAt: &due})
	}
	for b.Loop() {
		if err := pages["deviations"].ExecuteTemplate(io.Discard, "layout.html", pg); err != nil {
			b.Fatal(err)
		}
	}
}

package web

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// BenchmarkRenderHome times the templates alone for the demo
// organisation's dashboard: no database, no HTTP. Under load the
// templates were close to half of a dashboard view's CPU.
func BenchmarkRenderHome(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b, store.SQLite)
	a := app.New(db, nil)
	a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
	d, err := a.SeedDemo(ctx, demo.Seeder(time.Now()))
	if err != nil {
		b.Fatal(err)
	}
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

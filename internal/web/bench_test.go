package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// BenchmarkPages times signed-in reads of the pages that show stored
// figures, over HTTP on loopback, with the demo organisation's year of
// data: what a person waits for, rendering included.
func BenchmarkPages(b *testing.B) {
	engines := []store.Engine{store.SQLite}
	if os.Getenv(storetest.EnvPostgres) != "" {
		engines = append(engines, store.Postgres)
	}
	for _, eng := range engines {
		ctx := context.Background()
		db := storetest.Open(b, eng)
		a := app.New(db, nil)
		a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
		d, err := a.SeedDemo(ctx, demo.Seeder(time.Now()))
		if err != nil {
			b.Fatal(err)
		}
		srv, err := web.New(ctx, a, web.Config{}, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(ts.URL+"/signin", url.Values{"email": {d.Email}, "password": {d.Password}})
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("sign in: %v %v", resp, err)
		}
		resp.Body.Close()
		for _, page := range []string{"/o/demo/metrics", "/o/demo/"} {
			b.Run(string(eng)+page, func(b *testing.B) {
				for b.Loop() {
					resp, err := c.Get(ts.URL + page)
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatalf("GET %s: %v %v", page, resp, err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
			})
		}
		ts.Close()
	}
}

package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
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
		a, d := web.DemoApp(b, eng)
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

// BenchmarkParallelReads reads the dashboard and one deviation with 16
// concurrent clients over loopback (the demo organisation): the request
// path's own cost (session, membership, queries, rendering) under
// contention. Profile with -cpuprofile.
func BenchmarkParallelReads(b *testing.B) {
	ctx := context.Background()
	a, d := web.DemoApp(b, store.SQLite)
	srv, err := web.New(ctx, a, web.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	resp, err := c.PostForm(ts.URL+"/signin", url.Values{"email": {d.Email}, "password": {d.Password}})
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("sign in: %v %v", resp, err)
	}
	resp.Body.Close()
	devs, err := a.Deviations(ctx, app.System, "demo", "")
	if err != nil || len(devs) == 0 {
		b.Fatalf("deviations: %v %d", err, len(devs))
	}
	_, secret, err := a.CreateToken(ctx, app.System, "demo", d.Email, "bench", isms.ScopeRead)
	if err != nil {
		b.Fatal(err)
	}
	api := fmt.Sprintf("/api/v1/orgs/demo/deviations/%d", devs[0].ID)
	for _, t := range []struct{ name, page string }{
		{"dashboard", "/o/demo/"},
		{"deviation-page", fmt.Sprintf("/o/demo/deviations/%d", devs[0].ID)},
		{"deviation-api", api},
	} {
		page := t.page
		b.Run(t.name, func(b *testing.B) {
			b.SetParallelism(8) // 16 clients on 2 cores
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// A new request each time: the client adds the jar's
					// cookies to the request it is given, so a reused one
					// grows a longer Cookie header with every call.
					req, _ := http.NewRequest(http.MethodGet, ts.URL+page, nil)
					if page == api {
						req.Header.Set("Authorization", "Bearer "+secret)
					}
					resp, err := c.Do(req)
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Errorf("GET %s: %v %v", page, resp, err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			// CPU per request (server and client, both in this process):
			// steadier than req/s when the machine is shared.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
		})
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package cli_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// rrProxy is the small reverse proxy of TestTwoReplicasBehindProxy: it
// sends each request to the next replica in turn and says which one
// answered (X-Replica).
type rrProxy struct {
	next     atomic.Uint64
	replicas []*httputil.ReverseProxy
	served   []atomic.Int64
}

func newRRProxy(t *testing.T, urls ...string) (*rrProxy, *httptest.Server) {
	p := &rrProxy{served: make([]atomic.Int64, len(urls))}
	for _, u := range urls {
		target, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		p.replicas = append(p.replicas, httputil.NewSingleHostReverseProxy(target))
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

func (p *rrProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int((p.next.Add(1) - 1) % uint64(len(p.replicas)))
	p.served[i].Add(1)
	w.Header().Set("X-Replica", strconv.Itoa(i))
	p.replicas[i].ServeHTTP(w, r)
}

// TestTwoReplicasBehindProxy runs two pdca serve processes on one
// PostgreSQL database behind a round-robin reverse proxy (issue 16 item
// 6), as a deployment with two replicas would. Every request alternates
// between them, so each write is followed by a read on the other replica:
// the read sees it, through the API and through the dashboard each
// replica caches in memory (keyed by the organisation's data version,
// read from the database on every view). Queued and periodic jobs run
// once across both. Reads through the proxy are spread evenly.
func TestTwoReplicasBehindProxy(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.Postgres) {
		t.Skip("needs PostgreSQL: set " + storetest.EnvPostgres)
	}
	dsn := storetest.DSN(t, store.Postgres)
	ctx := context.Background()
	if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy", "--tz", "UTC"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, dsn, "a long enough password\n", "user", "create", "--email", "admin@acme.example", "--name", "Admin", "--org", "acme", "--role", "admin"); code != 0 {
		t.Fatal(errs)
	}
	code, secret, errs := run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "admin@acme.example", "--name", "replicas", "--scope", "write")
	if code != 0 {
		t.Fatal(errs)
	}
	token := strings.TrimSpace(secret)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	var replicas [2]*serveChild
	for i := range replicas {
		replicas[i] = startServeChild(t, dsn, "debug", "--reminders-every", tsPeriod.String(), "--housekeeping-every", tsPeriod.String())
	}
	for _, r := range replicas {
		r.waitReady(t)
	}
	proxy, front := newRRProxy(t, replicas[0].url, replicas[1].url)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(front.URL+"/signin", url.Values{"email": {"admin@acme.example"}, "password": {"a long enough password"}, "next": {"/o/acme/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in through the proxy: %d", resp.StatusCode)
	}
	// Each replica computes and caches the dashboard: no risk yet.
	for range replicas {
		if code, body, _ := rpDo(t, browser, http.MethodGet, front.URL+"/o/acme/", "", ""); code != http.StatusOK || !strings.Contains(body, "no risk recorded") {
			t.Fatalf("dashboard before any risk: %d, want 200 with no risk recorded", code)
		}
	}

	// Write through one replica, read on the next request, which the
	// other one serves.
	for i := 1; i <= 4; i++ {
		body := fmt.Sprintf(`{"asset":"Laptop %d","threat":"theft","likelihood":5,"impact":5}`, i)
		code, out, wrote := rpDo(t, http.DefaultClient, http.MethodPost, front.URL+"/api/v1/orgs/acme/risks", token, body)
		if code != http.StatusCreated {
			t.Fatalf("create risk %d: %d %s", i, code, out)
		}
		id := rpField(t, out, `"id":`)
		code, out, read := rpDo(t, http.DefaultClient, http.MethodGet, front.URL+"/api/v1/orgs/acme/risks/"+id, token, "")
		if code != http.StatusOK || !strings.Contains(out, fmt.Sprintf(`"asset":"Laptop %d"`, i)) || read == wrote {
			t.Fatalf("risk %s written on replica %s, read on replica %s: %d %s", id, wrote, read, code, out)
		}
		want := fmt.Sprintf("<strong>%d high risks without treatment</strong>", i)
		for range replicas { // each replica's cached dashboard
			code, out, shown := rpDo(t, browser, http.MethodGet, front.URL+"/o/acme/", "", "")
			if code != http.StatusOK || !strings.Contains(out, want) {
				t.Fatalf("dashboard on replica %s after risk %d was written on replica %s: %d, want %q in it", shown, i, wrote, code, want)
			}
		}
	}

	// A change to a risk made through one replica is on both replicas'
	// dashboards at their next view.
	code, out, _ := rpDo(t, http.DefaultClient, http.MethodPut, front.URL+"/api/v1/orgs/acme/risks/1", token,
		`{"asset":"Laptop 1","threat":"theft","treatment":"modify","treatment_plan":"disk encryption"}`)
	if code != http.StatusOK {
		t.Fatalf("update risk 1: %d %s", code, out)
	}
	for range replicas {
		if code, out, shown := rpDo(t, browser, http.MethodGet, front.URL+"/o/acme/", "", ""); code != http.StatusOK || !strings.Contains(out, "<strong>3 high risks without treatment</strong>") {
			t.Fatalf("dashboard on replica %s after a treatment was planned: %d, want 3 untreated", shown, code)
		}
	}

	// Queued jobs: each import asks for a recompute, which runs once, on
	// one of the two (River locks the job for the replica that takes it).
	tsImportSuppliers(t, dsn, "Alpha,true\nBravo,false\n", "")
	tsImportSuppliers(t, dsn, "Charlie,true\n", "")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'recompute_metrics' AND state <> 'completed'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d recompute jobs not completed", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var jobs, once int
	if err := db.Reader().QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE attempt = 1 AND cardinality(attempted_by) = 1)
		FROM river_job WHERE kind = 'recompute_metrics'`).Scan(&jobs, &once); err != nil {
		t.Fatal(err)
	}
	if jobs == 0 || once != jobs {
		t.Errorf("%d recompute jobs, %d of them run once by one replica; want all", jobs, once)
	}
	// Periodic jobs: only River's leader enqueues them, one per period.
	tsWaitPeriodic(t, db, time.Time{}, 3, "with two replicas")
	var twice int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM (SELECT kind, scheduled_at FROM river_job WHERE metadata->>'periodic' = 'true'
		GROUP BY kind, scheduled_at HAVING COUNT(*) > 1) d`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if twice != 0 {
		t.Errorf("%d periodic runs enqueued by both replicas", twice)
	}

	// Reads through the proxy: every one answered, spread over both.
	before := []int64{proxy.served[0].Load(), proxy.served[1].Load()}
	const clients, each = 8, 40
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				id := strconv.Itoa(1 + (c+i)%4)
				if code, _, _ := rpDo(t, http.DefaultClient, http.MethodGet, front.URL+"/api/v1/orgs/acme/risks/"+id, token, ""); code != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d reads through the proxy failed", n, clients*each)
	}
	a, b := proxy.served[0].Load()-before[0], proxy.served[1].Load()-before[1]
	if a+b != clients*each || a < clients*each/2-1 || b < clients*each/2-1 {
		t.Errorf("replicas served %d and %d of %d reads, want half each", a, b, clients*each)
	}
	t.Logf("%d reads by %d clients through the proxy in %s (%d and %d per replica)", clients*each, clients, elapsed.Round(time.Millisecond), a, b)
	for _, r := range replicas {
		if errs := r.errors(); len(errs) > 0 {
			t.Errorf("%s logged errors:\n%s", r.clientID(), strings.Join(errs, "\n"))
		}
	}
}

// rpDo sends a request and returns the status, the body and which
// replica answered (the proxy's X-Replica).
func rpDo(t *testing.T, c *http.Client, method, u, token, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, "", ""
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error(), ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("X-Replica")
}

// rpField returns the number after key in a JSON body.
func rpField(t *testing.T, body, key string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, key)
	if !ok {
		t.Fatalf("no %s in %s", key, body)
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 {
		t.Fatalf("no number after %s in %s", key, body)
	}
	return rest[:end]
}

package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// scrape returns the text of /metrics.
func scrape(t *testing.T, e *env) string {
	t.Helper()
	r := e.do(t, e.client(t, false), http.MethodGet, "/metrics", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("/metrics: %d", r.status)
	}
	return r.body
}

// TestMetricsAfterUse: after sign-ins, an import and the recompute it
// enqueues (worked by a real River client), /metrics has the Go runtime
// and process families, and pdca's own: requests, jobs, imports,
// sign-ins by method and outcome, River's queues and the audit chains by
// organisation id (never by name).
func TestMetricsAfterUse(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		a := newApp(t, db)
		o := mustOrg(t, a, "acme", "Acme Oy")
		hb := &obs.Heartbeat{}
		c, err := jobs.New(db, a, slog.New(slog.DiscardHandler), jobs.Options{Work: true, Heartbeat: hb})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			_ = c.Stop(stopCtx)
		}()
		e := startServer(t, a, func(string) web.Config {
			return web.Config{Version: "test", Worker: hb, Collectors: []prometheus.Collector{jobs.NewQueueCollector(db, c, slog.New(slog.DiscardHandler))}}
		})
		e.signIn(t, o.users[isms.RoleAdmin].Email)
		bad := e.do(t, e.client(t, false), http.MethodPost, "/signin", url.Values{"email": {o.users[isms.RoleAdmin].Email}, "password": {"wrong password"}}, nil)
		if bad.status == http.StatusSeeOther {
			t.Fatal("a wrong password signed in")
		}
		if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindRestoreTests, Format: importer.FormatCSV,
			File: strings.NewReader("system,tested_at,result\nerp," + time.Now().UTC().Format(time.RFC3339) + ",pass\n")}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindRestoreTests, Format: importer.FormatCSV,
			File: strings.NewReader("system,tested_at,result\nerp,yesterday,pass\n")}); err == nil {
			t.Fatal("a bad row was imported")
		}
		// Wait for the recompute job; the deadline is the context's.
		for !strings.Contains(scrape(t, e), `pdca_jobs_total{kind="recompute_metrics",outcome="ok"}`) {
			select {
			case <-ctx.Done():
				t.Fatalf("no recompute job counted:\n%s", scrape(t, e))
			case <-time.After(100 * time.Millisecond):
			}
		}
		body := scrape(t, e)
		for _, want := range []string{
			"# TYPE go_goroutines gauge", "# TYPE process_cpu_seconds_total counter", "# TYPE go_sql_open_connections gauge",
			"# TYPE pdca_http_requests_total counter", "# TYPE pdca_http_request_duration_seconds histogram",
			"# TYPE pdca_job_duration_seconds histogram", `pdca_job_duration_seconds_count{kind="recompute_metrics"}`,
			`pdca_imports_total{outcome="stored"}`, `pdca_imports_total{outcome="rejected"}`, "# TYPE pdca_import_rejected_rows_total counter", "# TYPE pdca_import_rows_total counter", "# TYPE pdca_import_bytes_total counter",
			`pdca_signins_total{method="password",outcome="success"}`, `pdca_signins_total{method="password",outcome="failure"}`,
			"# TYPE pdca_recompute_duration_seconds histogram",
			`pdca_river_oldest_available_job_age_seconds{queue="default"}`, `pdca_river_oldest_available_job_age_seconds{queue="recompute"}`,
			`pdca_audit_chain_length{org_id="` + strconv.FormatInt(o.ID, 10) + `"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics has no %s", want)
			}
		}
		if strings.Contains(body, "Acme") || strings.Contains(body, "@acme.example") {
			t.Error("/metrics names a tenant or a person")
		}
	})
}

// readyz returns the status and body of /readyz.
func readyz(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	b, _ := io.ReadAll(w.Body)
	return w.Code, string(b)
}

func newHandler(t *testing.T, a *app.App, cfg web.Config) http.Handler {
	t.Helper()
	srv, err := web.New(t.Context(), a, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

// TestReadyzFailsWhenTheDatabaseFileIsMoved: with the SQLite file moved
// away, the open connections still answer, but /readyz says 503.
func TestReadyzFailsWhenTheDatabaseFileIsMoved(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	h := newHandler(t, newApp(t, db), web.Config{Version: "test"})
	if code, body := readyz(t, h); code != http.StatusOK || !strings.Contains(body, `"ready"`) {
		t.Fatalf("before: %d %s", code, body)
	}
	if err := os.Rename(db.DSN, db.DSN+".moved"); err != nil {
		t.Fatal(err)
	}
	code, body := readyz(t, h)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database not writable") {
		t.Fatalf("moved: %d %s, want 503 database not writable", code, body)
	}
	if err := os.Rename(db.DSN+".moved", db.DSN); err != nil {
		t.Fatal(err)
	}
	if code, body := readyz(t, h); code != http.StatusOK {
		t.Fatalf("moved back: %d %s", code, body)
	}
}

// TestReadyzFailsWhenTheSchemaIsBehind: a database whose last migration
// is missing is not ready for this binary.
func TestReadyzFailsWhenTheSchemaIsBehind(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHandler(t, newApp(t, db), web.Config{Version: "test"})
		if code, body := readyz(t, h); code != http.StatusOK {
			t.Fatalf("migrated: %d %s", code, body)
		}
		if _, err := db.Writer().Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)`); err != nil {
			t.Fatal(err)
		}
		code, body := readyz(t, h)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "database schema at migration") {
			t.Fatalf("behind: %d %s, want 503 naming the migrations", code, body)
		}
	})
}

// TestReadyzFailsWithoutTheJobWorker: a process that runs a worker is not
// ready before it first reports, nor once its report is over a minute old.
func TestReadyzFailsWithoutTheJobWorker(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	hb := &obs.Heartbeat{}
	h := newHandler(t, newApp(t, db), web.Config{Version: "test", Worker: hb})
	for _, tt := range []struct {
		name string
		beat time.Time
		code int
		want string
	}{
		{"never", time.Time{}, http.StatusServiceUnavailable, "job worker has not reported"},
		{"stale", time.Now().Add(-web.WorkerStale - time.Minute), http.StatusServiceUnavailable, "job worker last reported"},
		{"fresh", time.Now(), http.StatusOK, `"ready"`},
	} {
		if !tt.beat.IsZero() {
			hb.Beat(tt.beat)
		}
		if code, body := readyz(t, h); code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, code, body, tt.code, tt.want)
		}
	}
}

// TestRequestIDAndTraceparent: a safe X-Request-Id is kept, echoed and
// logged with the traceparent's trace id; an unsafe or overlong one is
// replaced by a new id.
func TestRequestIDAndTraceparent(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	logs := &syncBuffer{}
	srv, err := web.New(t.Context(), newApp(t, db), web.Config{Version: "test"}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	get := func(id, traceparent string) string {
		r := httptest.NewRequest(http.MethodGet, "/signin", nil)
		if id != "" {
			r.Header.Set("X-Request-Id", id)
		}
		if traceparent != "" {
			r.Header.Set("traceparent", traceparent)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Header().Get("X-Request-Id")
	}
	if got := get("req-42.a:b_c", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"); got != "req-42.a:b_c" {
		t.Errorf("echoed %q, want the client's id", got)
	}
	log := logs.String()
	if !strings.Contains(log, "request_id=req-42.a:b_c") || !strings.Contains(log, "trace_id=4bf92f3577b34da6a3ce929d0e0e4736") {
		t.Errorf("log lacks the request and trace ids:\n%s", log)
	}
	for _, bad := range []string{"a b", "<script>", strings.Repeat("x", 129), "é"} {
		got := get(bad, "")
		if got == bad || len(got) != 16 {
			t.Errorf("X-Request-Id %q: echoed %q, want a new 16-hex id", bad, got)
		}
	}
	if got := get("", ""); len(got) != 16 {
		t.Errorf("no X-Request-Id: got %q, want a new one", got)
	}
	before := strings.Count(logs.String(), "trace_id=")
	get("x", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")
	get("y", "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if strings.Count(logs.String(), "trace_id=") != before {
		t.Error("an invalid traceparent was logged")
	}
}

// TestAuditCSVCarriesOrgID: the audit trail download has the org_id
// column the hash covers, so it recomputes offline.
func TestAuditCSVCarriesOrgID(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	o := mustOrg(t, a, "acme", "Acme Oy")
	e := startServer(t, a, nil)
	r := e.do(t, e.signIn(t, o.users[isms.RoleAuditor].Email), http.MethodGet, "/o/acme/audit.csv", nil, nil)
	lines := strings.Split(strings.TrimSpace(r.body), "\n")
	if r.status != http.StatusOK || len(lines) < 2 || !strings.HasSuffix(lines[0], ",hash,org_id") || !strings.HasSuffix(lines[1], ","+strconv.FormatInt(o.ID, 10)) {
		t.Fatalf("audit.csv: %d\n%.500s", r.status, r.body)
	}
}

package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/store"
)

// pgCluster is a PostgreSQL cluster of the test's own, which it may stop
// and restart without disturbing the shared server of PDCA_TEST_POSTGRES.
type pgCluster struct {
	bin, dir string
	asUser   string // run the server's tools as this user ("" = ourselves)
	opts     string // the server's options, given at every start
	DSN      string
}

// startPostgres initialises and starts a throwaway cluster as .ci/run does.
// Without PostgreSQL's server binaries it skips, or fails when CI=true.
func startPostgres(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no /usr/lib/postgresql/*/bin/initdb: .ci/run must install PostgreSQL")
		}
		t.Skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
	}
	slices.SortFunc(bins, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	pg := &pgCluster{bin: filepath.Dir(bins[len(bins)-1])}
	// Not t.TempDir: its parent is private to us, and the postgres user
	// must reach the data directory.
	dir, err := os.MkdirTemp("", "pdca-pgrestart-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() {
		_ = pg.ctl("stop", "-m", "immediate")
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Logf("PostgreSQL log (last 4 KiB):\n%s", tail(string(log), 4096))
		}
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		pg.asUser = "postgres"
	}
	if out, err := pg.command("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(t)
	pg.opts = fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=100", port, dir)
	if err := pg.ctl("start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		t.Fatalf("pg_ctl start: %v\n%s", err, log)
	}
	pg.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return pg
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func (pg *pgCluster) data() string { return filepath.Join(pg.dir, "data") }

func (pg *pgCluster) command(tool string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bin, tool)
	if pg.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", pg.asUser, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// ctl runs pg_ctl on the cluster and waits for the operation to finish.
// A start or restart gets the server's options and log file: without a
// log file the server would inherit pg_ctl's output and hold it open.
func (pg *pgCluster) ctl(args ...string) error {
	if args[0] == "start" || args[0] == "restart" {
		args = append(args, "-l", filepath.Join(pg.dir, "server.log"), "-o", pg.opts)
	}
	cmd := pg.command("pg_ctl", append([]string{"-D", pg.data(), "-w", "-t", "60"}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// The phases of the load relative to the PostgreSQL restarts.
const (
	phaseBefore = iota
	phaseDownImmediate
	phaseAfterImmediate
	phaseDownFast
	phaseAfterFast
	phaseSettled // a last round in which every write must succeed
	phases
)

var phaseNames = [phases]string{"before", "immediate restart", "after immediate", "fast restart", "after fast", "settled"}

// ack is one creation pdca acknowledged with a 2xx.
type ack struct {
	ID    int64
	Ref   string
	Title string
}

// loadResult collects what the writers saw, per phase.
type loadResult struct {
	mu       sync.Mutex
	acks     []ack
	acked    [phases]int
	failed   [phases]map[int]int // status -> count
	problems []string            // answers that break the contract
}

func (r *loadResult) ackedIn(p int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked[p]
}

func (r *loadResult) failedIn(p int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.failed[p] {
		n += c
	}
	return n
}

func (r *loadResult) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.problems) < 20 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// createDeviation posts one deviation and records the answer under the
// phase it arrived in: a 2xx must carry the stored deviation, anything else
// must be a 5xx problem document. It reports whether pdca acknowledged.
func createDeviation(client *http.Client, base, token, title string, current *atomic.Int32, res *loadResult) bool {
	body := fmt.Sprintf(`{"title":%q,"kind":"minor","source":"observation","severity":"low"}`, title)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/orgs/acme/deviations", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	phase := int(current.Load())
	if err != nil {
		// pdca itself stays up: the connection to it must not fail.
		res.problem("%s: %s: request failed: %v", phaseNames[phase], title, err)
		return false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		res.problem("%s: %s: reading the answer: %v", phaseNames[phase], title, err)
		return false
	}
	if resp.StatusCode/100 == 2 {
		var d struct {
			ID    int64  `json:"id"`
			Ref   string `json:"ref"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal(b, &d); err != nil || d.ID == 0 || d.Ref == "" || d.Title != title {
			res.problem("%s: %s: %d with body %q", phaseNames[phase], title, resp.StatusCode, tail(string(b), 300))
			return false
		}
		res.mu.Lock()
		res.acks = append(res.acks, ack{ID: d.ID, Ref: d.Ref, Title: title})
		res.acked[phase]++
		res.mu.Unlock()
		return true
	}
	var prob struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if resp.StatusCode < 500 || json.Unmarshal(b, &prob) != nil || prob.Status != resp.StatusCode || prob.Detail == "" {
		res.problem("%s: %s: %d %q", phaseNames[phase], title, resp.StatusCode, tail(string(b), 300))
	}
	res.mu.Lock()
	if res.failed[phase] == nil {
		res.failed[phase] = map[int]int{}
	}
	res.failed[phase][resp.StatusCode]++
	res.mu.Unlock()
	return false
}

// waitFor polls cond every 50 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPostgresRestartUnderLoad restarts PostgreSQL twice (pg_ctl stop -m
// immediate then start, i.e. a crash with recovery; then pg_ctl restart -m
// fast) while 16 writers create deviations through the API of a running
// pdca serve. pdca must answer 5xx problem documents while the database is
// away, never a 2xx or a 4xx; reconnect without being restarted (/readyz
// and writes succeed again); and every acknowledged deviation must be
// stored once, with the audit trail intact.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster of its own and restarts it")
	}
	pg := startPostgres(t)
	dsn := pg.DSN
	if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme"); code != 0 {
		t.Fatalf("org create: %s", errs)
	}
	if code, _, errs := run(t, dsn, "a long enough password\n", "user", "create", "--email", "w@acme.example", "--name", "W", "--org", "acme", "--role", "admin"); code != 0 {
		t.Fatalf("user create: %s", errs)
	}
	code, out, errs := run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "w@acme.example", "--name", "load", "--scope", "write")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "pdca_") {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}
	srv := startServeChild(t, dsn, "error")
	srv.waitURL(t)
	base := srv.url
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	t.Cleanup(client.CloseIdleConnections)
	ready := func() bool {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	waitFor(t, "/readyz is not OK before the restarts", 20*time.Second, ready)

	res := &loadResult{}
	var phase atomic.Int32
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	const writers = 16
	for w := range writers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				if !createDeviation(client, base, token, fmt.Sprintf("w%02d-%05d", w, i), &phase, res) {
					time.Sleep(10 * time.Millisecond) // a client's pause before retrying, not a proof
				}
			}
		})
	}
	stopLoad := func() { stop(); wg.Wait() }
	defer stopLoad()

	alive := func(when string) {
		t.Helper()
		select {
		case <-srv.exited:
			t.Fatalf("pdca serve exited %s", when)
		default:
		}
	}
	waitFor(t, "no write succeeded before the restarts", 20*time.Second, func() bool { return res.ackedIn(phaseBefore) >= 2*writers })

	// A crash: stop immediately, keep the load on while the database is
	// away until writes have failed, then start it (crash recovery).
	phase.Store(phaseDownImmediate)
	if err := pg.ctl("stop", "-m", "immediate"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "no write failed while PostgreSQL was down", 20*time.Second, func() bool { return res.failedIn(phaseDownImmediate) >= writers })
	waitFor(t, "/readyz stayed OK while PostgreSQL was down", 10*time.Second, func() bool { return !ready() })
	if err := pg.ctl("start"); err != nil {
		t.Fatal(err)
	}
	phase.Store(phaseAfterImmediate)
	waitFor(t, "/readyz is not OK again after the immediate restart", 30*time.Second, ready)
	waitFor(t, "writes do not succeed again after the immediate restart", 30*time.Second, func() bool { return res.ackedIn(phaseAfterImmediate) >= 2*writers })
	alive("after the immediate restart")

	// A controlled restart: -m fast terminates the sessions pdca holds.
	phase.Store(phaseDownFast)
	if err := pg.ctl("restart", "-m", "fast"); err != nil {
		t.Fatal(err)
	}
	phase.Store(phaseAfterFast)
	waitFor(t, "/readyz is not OK again after the fast restart", 30*time.Second, ready)
	waitFor(t, "writes do not succeed again after the fast restart", 30*time.Second, func() bool { return res.ackedIn(phaseAfterFast) >= 2*writers })
	alive("after the fast restart")
	stopLoad()

	// No connection in pdca's pool is left broken: a last round of
	// concurrent writes succeeds throughout.
	phase.Store(phaseSettled)
	var last sync.WaitGroup
	for w := range writers {
		last.Go(func() {
			for i := range 4 {
				createDeviation(client, base, token, fmt.Sprintf("last-w%02d-%d", w, i), &phase, res)
			}
		})
	}
	last.Wait()

	for p := range phases {
		codes := make([]string, 0, len(res.failed[p]))
		for st, n := range res.failed[p] {
			codes = append(codes, fmt.Sprintf("%d×%d", n, st))
		}
		sort.Strings(codes)
		t.Logf("%-18s acknowledged %4d, failed %v", phaseNames[p], res.acked[p], codes)
	}
	if res.acked[phaseSettled] != 4*writers {
		t.Errorf("%d of %d writes succeeded in the last round, after both restarts", res.acked[phaseSettled], 4*writers)
	}
	if len(res.problems) > 0 {
		t.Fatalf("answers that break the contract (first %d):\n%s", len(res.problems), strings.Join(res.problems, "\n"))
	}
	verifyAcked(t, dsn, res.acks)
	if code, out, errs := run(t, dsn, "", "audit", "verify"); code != 0 || !strings.Contains(out, "audit trail intact") {
		t.Fatalf("audit verify: %d %q %q", code, out, errs)
	}
}

// verifyAcked checks that every acknowledged deviation is stored as
// acknowledged, and that no deviation is stored twice.
func verifyAcked(t *testing.T, dsn string, acks []ack) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Reader().Query(`SELECT d.id, d.ref, d.title FROM deviations d JOIN organizations o ON o.id = d.org_id WHERE o.slug = 'acme'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[int64]ack{}
	refs, titles := map[string]int{}, map[string]int{}
	for rows.Next() {
		var a ack
		if err := rows.Scan(&a.ID, &a.Ref, &a.Title); err != nil {
			t.Fatal(err)
		}
		stored[a.ID] = a
		refs[a.Ref]++
		titles[a.Title]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, a := range acks {
		if seen[a.ID] {
			t.Errorf("id %d acknowledged twice", a.ID)
		}
		seen[a.ID] = true
		if got, ok := stored[a.ID]; !ok {
			t.Errorf("acknowledged deviation %d (%s, %q) is not stored", a.ID, a.Ref, a.Title)
		} else if got != a {
			t.Errorf("acknowledged %+v, stored %+v", a, got)
		}
	}
	for ref, n := range refs {
		if n > 1 {
			t.Errorf("ref %s stored %d times", ref, n)
		}
	}
	for title, n := range titles {
		if n > 1 {
			t.Errorf("deviation %q stored %d times", title, n)
		}
	}
	// Creations that failed may have committed all the same (the answer was
	// lost with the connection); they are stored whole, but not required.
	t.Logf("%d acknowledged deviations all stored; %d stored in total", len(acks), len(stored))
}

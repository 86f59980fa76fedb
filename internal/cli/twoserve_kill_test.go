package cli_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestKilledLeaderIsReplaced kills River's leader with SIGKILL, so it can
// neither resign its leadership nor finish what it was doing. The other
// pdca serve on the same PostgreSQL database takes the leadership when
// the lease runs out, runs the periodic jobs, and sends a reminder that
// falls due after the kill exactly once.
func TestKilledLeaderIsReplaced(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.Postgres) {
		t.Skip("needs PostgreSQL: set " + storetest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("-short: runs two pdca serve processes and kills one")
	}
	dsn := storetest.DSN(t, store.Postgres)
	if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme Oy", "--tz", "UTC"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, dsn, "a long enough password\n", "user", "create", "--email", "admin@acme.example", "--name", "admin", "--org", "acme", "--role", "admin"); code != 0 {
		t.Fatal(errs)
	}
	code, token, errs := run(t, dsn, "", "user", "token", "create", "--org", "acme", "--email", "admin@acme.example", "--name", "test", "--scope", "write")
	if code != 0 {
		t.Fatal(errs)
	}
	secret := write(t, "webhook.key", "kill-secret\n")
	hook := tsNewHook(t, []byte("kill-secret"))
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	a := startServeChild(t, dsn, "debug", "--webhook-secret-file", secret, "--webhook-allow", "127.0.0.1", "--reminders-every", tsPeriod.String(), "--housekeeping-every", tsPeriod.String())
	b := startServeChild(t, dsn, "debug", "--webhook-secret-file", secret, "--webhook-allow", "127.0.0.1", "--reminders-every", tsPeriod.String(), "--housekeeping-every", tsPeriod.String())
	a.waitReady(t)
	b.waitReady(t)
	prefs := fmt.Sprintf(`{"email":false,"webhook_url":%q,"webhook_kind":"json","digest":false}`, hook.URL+"/admin")
	if code, out := tsDo(t, http.DefaultClient, http.MethodPut, a.url+"/api/v1/orgs/acme/notification-prefs", strings.TrimSpace(token), prefs); code != http.StatusOK {
		t.Fatalf("set notification prefs: %d %s", code, out)
	}
	tsWaitPeriodic(t, db, time.Time{}, 2, "before the kill")

	leader, survivor := a, b
	if id := tsLeaderID(t, db); id == b.clientID() {
		leader, survivor = b, a
	} else if id != a.clientID() {
		t.Fatalf("leader %q is neither process (%q, %q)", id, a.clientID(), b.clientID())
	}
	leader.kill(t)
	killedAt := time.Now()

	tsImportSuppliers(t, dsn, "Alpha,true\n", "")
	// The lease of the killed leader runs out (River's elect interval plus
	// padding); then the survivor leads, runs the periodic jobs and with
	// them the reminder scan.
	tsWaitPeriodic(t, db, killedAt, 3, "after the leader was killed")
	hook.waitFor(t, 1)
	if got := tsLeaderID(t, db); got != survivor.clientID() {
		t.Errorf("leader after the kill is %q, want the survivor %q", got, survivor.clientID())
	}
	if code, _ := tsGet(t, http.DefaultClient, survivor.url+"/readyz", ""); code != http.StatusOK {
		t.Errorf("survivor /readyz after the kill: %d", code)
	}
	survivor.stop(t)

	if hits := hook.suppliers(); len(hits) != 1 || hits["Alpha due admin"] != 1 {
		t.Errorf("webhook received %v, want Alpha due once", hits)
	}
	var dup int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM (SELECT user_id, subject FROM deliveries GROUP BY user_id, subject HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Errorf("%d (person, message) pairs have more than one delivery", dup)
	}
	// A job the killed process was running stays "running" until River's
	// rescuer retries it (after an hour by default); nothing else failed.
	var running, bad int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FILTER (WHERE state = 'running'), COUNT(*) FILTER (WHERE state IN ('retryable', 'discarded', 'cancelled')) FROM river_job`).Scan(&running, &bad); err != nil {
		t.Fatal(err)
	}
	if running > 1 || bad != 0 {
		t.Errorf("River jobs after the kill: %d running (at most the killed one's), %d failed", running, bad)
	}
	if code, out, errs := run(t, dsn, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after the kill: %d %s %s", code, out, errs)
	}
	if errs := survivor.errors(); len(errs) > 0 {
		t.Errorf("the survivor logged errors:\n%s", strings.Join(errs, "\n"))
	}
	t.Logf("the survivor ran three periods of jobs and stopped %s after the kill", time.Since(killedAt).Round(time.Millisecond))
}

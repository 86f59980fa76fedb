package cli_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
)

// TestSignInAttackMemory runs issue 13's attack against pdca serve in a
// child process, with production password hashing (argon2id, 64 MiB):
// 30 parallel wrong passwords for one account (at most 5 are hashed, the
// rest get 429), then parallel wrong passwords for as many different
// accounts (all hashed, but at most NumCPU at a time). The child's peak
// resident memory (VmHWM) must stay under 300 MB. The default run sends
// 10 in the second attack; PDCA_SIGNIN_ATTACK=30 sends 30 (the figure in
// docs/BENCHMARKS.md).
func TestSignInAttackMemory(t *testing.T) {
	spread := 10
	if n, err := strconv.Atoi(os.Getenv("PDCA_SIGNIN_ATTACK")); err == nil && n > 0 {
		spread = n
	}
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, _, errs := run(t, dsn, "", "org", "create", "--slug", "acme", "--name", "Acme"); code != 0 {
			t.Fatal(errs)
		}
		if code, _, errs := run(t, dsn, "a long enough password\n", "user", "create", "--email", "victim@acme.example", "--name", "Victim", "--org", "acme"); code != 0 {
			t.Fatal(errs)
		}
		child := startServeBinary(t, dsn, "warn")
		child.waitURL(t)
		attack := func(n int, email func(i int) string) map[int]int {
			var mu sync.Mutex
			statuses := map[int]int{}
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					resp, err := http.PostForm(child.url+"/signin", url.Values{"email": {email(i)}, "password": {fmt.Sprintf("wrong guess %d", i)}})
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
						t.Error("429 without Retry-After")
					}
					mu.Lock()
					statuses[resp.StatusCode]++
					mu.Unlock()
				})
			}
			wg.Wait()
			return statuses
		}
		base := vmHWM(t, child.cmd.Process.Pid)

		one := attack(30, func(int) string { return "victim@acme.example" })
		if one[http.StatusUnauthorized] > 5 || one[http.StatusUnauthorized]+one[http.StatusTooManyRequests] != 30 {
			t.Errorf("30 for one account: %v; want at most 5 evaluated (401), the rest 429", one)
		}
		afterOne := vmHWM(t, child.cmd.Process.Pid)

		many := attack(spread, func(i int) string { return fmt.Sprintf("guess%d@acme.example", i) })
		if many[http.StatusUnauthorized]+many[http.StatusTooManyRequests] != spread {
			t.Errorf("%d for different accounts: %v; want 401 or 429 only", spread, many)
		}
		peak := vmHWM(t, child.cmd.Process.Pid)
		t.Logf("VmHWM: %d MB at start, %d MB after 30 for one account %v, %d MB after %d for different accounts %v",
			base>>20, afterOne>>20, one, peak>>20, spread, many)
		if peak >= 300<<20 {
			t.Errorf("peak resident memory %d MB, want under 300 MB", peak>>20)
		}
	})
}

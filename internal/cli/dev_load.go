package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/pdca/pdca/internal/isms"
)

// DevLoadCmd is pdca dev load: a bounded load run against a pdca serve on
// this machine (loopback only), with vegeta as a library.
type DevLoadCmd struct {
	URL          string        `default:"http://127.0.0.1:8080" help:"The pdca serve to measure; only loopback addresses are allowed."`
	Org          string        `required:"" help:"Organisation slug to read and write."`
	Email        string        `default:"load@pdca.test" help:"Person to sign in as (reads go through the web session)."`
	PasswordFile string        `name:"password-file" required:"" type:"existingfile" help:"That person's password."`
	TokenFile    string        `name:"token-file" type:"existingfile" help:"A write API token of that person, for the write targets; without it writes are skipped."`
	Clients      []int         `default:"1,16,64" help:"Numbers of concurrent clients to measure with."`
	Duration     time.Duration `default:"10s" help:"How long each target is measured at each number of clients."`
	MaxRequests  int           `name:"max-requests" default:"50000" help:"Stop a measurement after this many requests."`
	PID          int           `name:"pid" help:"The server's process id, to report its resident memory."`
	Only         []string      `help:"Measure only the targets whose names start with these, e.g. --only dashboard,'one deviation'."`
	Mixed        bool          `help:"Run every target at the same moment (reads and writes mixed), the clients shared out among them, instead of one target after the other."`
}

// loadTarget is one kind of request measured. A write target may say how
// to count what it stores (count) and how many rows one successful
// request adds (per), so the run checks nothing was lost or duplicated.
type loadTarget struct {
	name     string
	targeter func(n *atomic.Int64) vegeta.Targeter
	count    func() (int, error)
	per      int
}

// apiTotal reads the "total" of a list endpoint, asked for with
// count=true (lists count only when asked).
func apiTotal(client *http.Client, url string, h http.Header) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header = h.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Total *int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if body.Total == nil {
		return 0, fmt.Errorf("GET %s: the answer has no total", url)
	}
	return *body.Total, nil
}

// Run measures every target at every number of clients and prints a table.
func (c *DevLoadCmd) Run(g *Globals, e *env) error {
	u, err := url.Parse(c.URL)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "--url: %v", err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return isms.Errorf(isms.EINVALID, "--url %s: load runs only against this machine (127.0.0.1, ::1 or localhost)", c.URL)
	}
	password, err := readPassword(e, c.PasswordFile, "")
	if err != nil {
		return err
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := client.PostForm(c.URL+"/signin", url.Values{"email": {c.Email}, "password": {password}})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	resp.Body.Close()
	cookies := jar.Cookies(u)
	if resp.StatusCode != http.StatusOK || len(cookies) == 0 {
		return isms.Errorf(isms.EUNAUTHORIZED, "sign in as %s failed (%d)", c.Email, resp.StatusCode)
	}
	session := http.Header{"Cookie": {cookies[0].Name + "=" + cookies[0].Value}}
	base := c.URL + "/o/" + c.Org
	// One deviation to read: the newest.
	devID := ""
	req, _ := http.NewRequest(http.MethodGet, c.URL+"/api/v1/orgs/"+c.Org+"/deviations", nil)
	req.Header = session.Clone()
	if resp, err := client.Do(req); err == nil {
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if len(list.Items) > 0 {
			devID = strconv.FormatInt(list.Items[0].ID, 10)
		}
	}
	get := func(path string) func(*atomic.Int64) vegeta.Targeter {
		return func(*atomic.Int64) vegeta.Targeter {
			return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + path, Header: session.Clone()})
		}
	}
	targets := []loadTarget{{name: "dashboard", targeter: get("/")}, {name: "metrics page", targeter: get("/metrics")},
		{name: "deviations list (50)", targeter: get("/deviations")}}
	if devID != "" {
		targets = append(targets, loadTarget{name: "one deviation", targeter: get("/deviations/" + devID)})
	}
	if c.TokenFile != "" {
		token, err := readPassword(e, c.TokenFile, "")
		if err != nil {
			return err
		}
		auth := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
		// Imported people are new in every request of every run, so each
		// successful import adds exactly 1,000 records.
		runID := fmt.Sprintf("load%x-", time.Now().UnixNano())
		api := c.URL + "/api/v1/orgs/" + c.Org
		countDevs := func() (int, error) { return apiTotal(client, api+"/deviations?limit=1&count=true", auth) }
		countRecs := func() (int, error) { return apiTotal(client, api+"/records/access_removals?limit=1&count=true", auth) }
		if devID != "" {
			targets = append(targets, loadTarget{name: "one deviation (API)", targeter: func(*atomic.Int64) vegeta.Targeter {
				return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: api + "/deviations/" + devID, Header: auth.Clone()})
			}})
		}
		targets = append(targets,
			loadTarget{"create deviation (API)", func(n *atomic.Int64) vegeta.Targeter {
				return func(t *vegeta.Target) error {
					i := n.Add(1)
					*t = vegeta.Target{Method: http.MethodPost, URL: api + "/deviations", Header: auth.Clone(),
						Body: fmt.Appendf(nil, `{"title":"Load deviation %d","kind":"observation","source":"observation","severity":"low"}`, i)}
					return nil
				}
			}, countDevs, 1},
			loadTarget{"import 1,000 rows (API)", func(n *atomic.Int64) vegeta.Targeter {
				return func(t *vegeta.Target) error {
					i := n.Add(1)
					var b strings.Builder
					b.WriteString("person,system,employment_ended_at,access_removed_at\n")
					at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
					for r := range 1000 {
						fmt.Fprintf(&b, "%s%d-%d,erp,%s,%s\n", runID, i, r, at.Format(time.RFC3339), at.Add(2*time.Hour).Format(time.RFC3339))
					}
					h := auth.Clone()
					h.Set("Content-Type", "text/csv")
					*t = vegeta.Target{Method: http.MethodPost, URL: api + "/records/access_removals/imports?format=csv", Header: h, Body: []byte(b.String())}
					return nil
				}
			}, countRecs, 1000})
	}
	if len(c.Only) > 0 {
		targets = slices.DeleteFunc(targets, func(t loadTarget) bool {
			return !slices.ContainsFunc(c.Only, func(o string) bool { return strings.HasPrefix(t.name, o) })
		})
		if len(targets) == 0 {
			return isms.Errorf(isms.EINVALID, "--only %s: no target has such a name", strings.Join(c.Only, ","))
		}
	}
	fmt.Fprintf(e.stdout, "pdca dev load: %s, organisation %s, %s per measurement, at most %d requests each\n", c.URL, c.Org, c.Duration, c.MaxRequests)
	if rss := residentMemory(c.PID); rss != "" {
		fmt.Fprintf(e.stdout, "server resident memory before: %s\n", rss)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(e.stdout, "this machine has %d cores; cpu/req is CPU time per request of the server (--pid) and of this load generator\n", runtime.NumCPU())
	fmt.Fprintln(tw, "target\tclients\trequests\tok\treq/s\tp50\tp95\tp99\tserver cpu/req\tloadgen cpu/req\t")
	var integrity []string
	lost := false
	var counter atomic.Int64 // numbers written rows uniquely across runs
	// run measures the targets at the same moment, n clients each, and
	// checks that each write target stored exactly what succeeded.
	run := func(ts []loadTarget, n int) error {
		before := make([]int, len(ts))
		for i, t := range ts {
			if t.count != nil {
				if before[i], err = t.count(); err != nil {
					return fmt.Errorf("count before %s: %w", t.name, err)
				}
			}
		}
		results := make([]*vegeta.Metrics, len(ts))
		srv0, gen0 := processCPU(c.PID), ownCPU()
		var wg sync.WaitGroup
		for i, t := range ts {
			wg.Go(func() {
				results[i] = c.measure(t.targeter(&counter), n)
			})
		}
		wg.Wait()
		// CPU per request over the targets measured together: what the
		// server would need per request with the cores to itself.
		total := 0
		for _, m := range results {
			total += int(m.Requests)
		}
		srvCPU, genCPU := "-", perRequest(ownCPU()-gen0, total)
		if c.PID > 0 {
			srvCPU = perRequest(processCPU(c.PID)-srv0, total)
		}
		for i, t := range ts {
			m := results[i]
			if t.count != nil {
				after, err := t.count()
				if err != nil {
					return fmt.Errorf("count after %s: %w", t.name, err)
				}
				ok := int(m.Success*float64(m.Requests) + 0.5)
				verdict := "ok"
				if after-before[i] != ok*t.per {
					verdict, lost = "LOST OR DUPLICATED ROWS", true
				}
				integrity = append(integrity, fmt.Sprintf("%s at %d clients: %d successful requests, %d rows stored (%d expected): %s",
					t.name, n, ok, after-before[i], ok*t.per, verdict))
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", t.name, n, m.Requests, 100*m.Success, m.Throughput,
				ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99), srvCPU, genCPU)
			if len(m.Errors) > 0 {
				fmt.Fprintf(e.stderr, "%s at %d clients: errors %v\n", t.name, n, m.Errors)
			}
		}
		return nil
	}
	if c.Mixed {
		for _, n := range c.Clients {
			per := max(1, n/len(targets))
			fmt.Fprintf(e.stdout, "mixed: %d targets at once, %d clients each (%d in all)\n", len(targets), per, per*len(targets))
			if err := run(targets, per); err != nil {
				return err
			}
		}
	} else {
		for _, t := range targets {
			for _, n := range c.Clients {
				if err := run([]loadTarget{t}, n); err != nil {
					return err
				}
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range integrity {
		fmt.Fprintln(e.stdout, "integrity: "+l)
	}
	if rss := residentMemory(c.PID); rss != "" {
		fmt.Fprintf(e.stdout, "server resident memory after: %s\n", rss)
	}
	if lost {
		return exitError{1}
	}
	return nil
}

// measure runs one target with n clients as fast as they go, for the
// duration or until MaxRequests, and returns vegeta's metrics.
func (c *DevLoadCmd) measure(tr vegeta.Targeter, n int) *vegeta.Metrics {
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(n)), vegeta.MaxWorkers(uint64(n)), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	var m vegeta.Metrics
	count := 0
	for res := range atk.Attack(tr, vegeta.Rate{Freq: 0}, c.Duration, "load") {
		m.Add(res)
		if count++; count >= c.MaxRequests {
			atk.Stop()
		}
	}
	m.Close()
	return &m
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
}

// processCPU is the CPU time (user and system) process pid has used, from
// /proc (Linux); 0 when it cannot be read.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if pid <= 0 || err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are fields 14 and 15, in clock ticks
	// (100 per second on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// ownCPU is the CPU time this process has used.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func perRequest(cpu time.Duration, requests int) string {
	if requests == 0 || cpu <= 0 {
		return "-"
	}
	return strconv.FormatInt(cpu.Microseconds()/int64(requests), 10) + " µs"
}

// residentMemory reads VmRSS of a process from /proc (Linux).
func residentMemory(pid int) string {
	if pid <= 0 {
		return ""
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveChild is pdca serve in a child process: the test binary run as
// pdca (see TestMain), listening on a free loopback port. The reliability
// tests kill it, stop it, restart its database and run two of it.
type serveChild struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT, once waitURL returned
	urlc   chan string
	exited chan struct{} // closed once the process has exited

	mu   sync.Mutex
	log  []byte   // the end of its log (stderr)
	errs []string // its log lines at level ERROR
	id   string   // its River client id (logged at level debug)
}

// childLogKept is how much of a child's log is kept for failure messages.
const childLogKept = 16 << 10

// startServeChild starts pdca --db dsn --log-level level serve with args
// and returns at once (two can start together); waitURL waits for its
// address. Cleanup stops it if the test did not, and logs the end of its
// log if the test failed.
func startServeChild(t *testing.T, dsn, level string, args ...string) *serveChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--", "--db", dsn, "--log-level", level,
		"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	return startChild(t, cmd)
}

// startServeBinary is startServeChild with the pdca binary as built for
// release (go build ./cmd/pdca, once per test run) instead of the test
// binary. Tests of peak memory use it: under go test -race the test
// binary carries the race detector, which multiplies memory use (98 MB
// at start instead of 40), so its figures say nothing about pdca.
func startServeBinary(t *testing.T, dsn, level string, args ...string) *serveChild {
	t.Helper()
	bin := releaseBinary(t)
	cmd := exec.Command(bin, append([]string{"--db", dsn, "--log-level", level, "serve", "--addr", "127.0.0.1:0"}, args...)...)
	return startChild(t, cmd)
}

var release struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// releaseBinary builds cmd/pdca without the race detector into a
// temporary directory, once per test process (about 12 s on 2 cores with
// a warm build cache), and returns its path.
func releaseBinary(t *testing.T) string {
	t.Helper()
	release.once.Do(func() {
		dir, err := os.MkdirTemp("", "pdca-release-")
		if err != nil {
			release.err = err
			return
		}
		release.path = filepath.Join(dir, "pdca")
		build := exec.Command("go", "build", "-o", release.path, "github.com/pdca/pdca/cmd/pdca")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		release.out, release.err = build.CombinedOutput()
	})
	if release.err != nil {
		t.Fatalf("go build ./cmd/pdca: %v\n%s", release.err, release.out)
	}
	return release.path
}

// startChild starts a pdca serve command; see startServeChild.
func startChild(t *testing.T, cmd *exec.Cmd) *serveChild {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &serveChild{cmd: cmd, urlc: make(chan string, 1), exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pipes sync.WaitGroup
	pipes.Go(func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "pdca is serving on "); ok {
				s.urlc <- strings.TrimSuffix(strings.Fields(rest)[0], "/")
			}
		}
	})
	pipes.Go(func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.logLine(sc.Bytes())
		}
	})
	go func() {
		pipes.Wait()
		_ = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				<-s.exited
			}
		}
		if t.Failed() {
			t.Logf("pdca serve log (end):\n%s", s.logTail())
		}
	})
	return s
}

// logLine keeps the end of the log, every error line, and the River
// client id from the elector's debug lines.
func (s *serveChild) logLine(line []byte) {
	var l struct {
		Level, Msg string
		ClientID   string `json:"client_id"`
	}
	parsed := json.Unmarshal(line, &l) == nil
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, line...)
	s.log = append(s.log, '\n')
	if n := len(s.log); n > 2*childLogKept {
		s.log = append(s.log[:0], s.log[n-childLogKept:]...)
	}
	if !parsed {
		return
	}
	if s.id == "" && l.ClientID != "" && strings.Contains(l.Msg, "Elector") {
		s.id = l.ClientID
	}
	if l.Level == "ERROR" {
		s.errs = append(s.errs, string(bytes.TrimSpace(line)))
	}
}

// logTail returns the end of the child's log.
func (s *serveChild) logTail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.log[max(0, len(s.log)-childLogKept):])
}

func (s *serveChild) clientID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

func (s *serveChild) errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errs)
}

// waitURL waits until the child prints the address it listens on.
func (s *serveChild) waitURL(t *testing.T) {
	t.Helper()
	select {
	case s.url = <-s.urlc:
	case <-s.exited:
		t.Fatalf("pdca serve exited: %v\n%s", s.cmd.ProcessState, s.logTail())
	case <-time.After(60 * time.Second):
		t.Fatal("pdca serve did not start within 60 s")
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *serveChild) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("pdca serve did not stop within 30 s of SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("pdca serve exited with %d after SIGTERM:\n%s", code, strings.Join(s.errors(), "\n"))
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (s *serveChild) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	<-s.exited
}

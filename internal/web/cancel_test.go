package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// headerCounter is a ResponseRecorder that counts WriteHeader calls: a
// second one is Go's "superfluous WriteHeader" on a real connection.
type headerCounter struct {
	*httptest.ResponseRecorder
	headers int
}

func (h *headerCounter) WriteHeader(code int) {
	h.headers++
	h.ResponseRecorder.WriteHeader(code)
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestClientGoneIs499: a request whose client went away (its context is
// cancelled) is logged once as a request with status 499 and counted so
// in the metrics; nothing is logged at ERROR and no second header is
// written, for a signed-in page and for the API.
func TestClientGoneIs499(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
		e := startServer(t, a, nil)
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		logs := &syncBuffer{}
		srv, err := web.New(t.Context(), a, web.Config{Version: "test"}, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		cookie := ""
		u, err := url.Parse(e.ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		for _, ck := range c.Jar.Cookies(u) {
			cookie += ck.Name + "=" + ck.Value + "; "
		}
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		for _, tt := range []struct {
			name, path string
			header     http.Header
		}{
			{"page", "/o/acme/records/incidents", http.Header{"Cookie": {cookie}}},
			{"api", "/api/v1/orgs/acme/records/incidents", http.Header{"Authorization": {"Bearer " + secret}}},
		} {
			r := httptest.NewRequestWithContext(gone, http.MethodGet, tt.path, nil)
			r.Header = tt.header
			w := &headerCounter{ResponseRecorder: httptest.NewRecorder()}
			h.ServeHTTP(w, r)
			if w.headers > 1 {
				t.Errorf("%s: %d WriteHeader calls, want at most 1", tt.name, w.headers)
			}
		}
		log := logs.String()
		if strings.Contains(log, "level=ERROR") || strings.Contains(log, "internal error") {
			t.Errorf("a client that went away logged an error:\n%s", log)
		}
		if n := strings.Count(log, `msg=request `); n != 2 || strings.Count(log, "status=499") != 2 {
			t.Errorf("want two request lines with status 499, got:\n%s", log)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if !strings.Contains(w.Body.String(), `status="499"`) {
			t.Errorf("metrics count no 499:\n%.2000s", w.Body.String())
		}
	})
}

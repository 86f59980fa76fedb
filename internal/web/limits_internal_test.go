package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A handler that runs past the read timeout after reading its body (an
// import, an export) keeps its context: the read deadline covers reading
// the body only. net/http watches the connection once the body is read,
// and a deadline passing then cancelled the request's context.
func TestReadDeadlineEndsWithTheBody(t *testing.T) {
	const timeout = 20 * time.Millisecond
	s := &Server{log: slog.New(slog.DiscardHandler), mux: http.NewServeMux(),
		limits: Limits{ReadTimeout: timeout, UploadGrace: timeout, UploadMinRate: 1 << 30}.orDefault()}
	got := make(chan error, 1)
	slow := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * timeout): // past the deadline, if it were still set
		}
		got <- r.Context().Err()
	}
	s.mux.HandleFunc("GET /slow", slow)
	s.mux.HandleFunc("POST /slow", slow)
	s.mux.HandleFunc("POST /o/{org}/imports", slow)
	ts := httptest.NewServer(s.bound(s.mux))
	defer ts.Close()
	for _, tt := range []struct{ method, path, body string }{
		{http.MethodGet, "/slow", ""},
		{http.MethodPost, "/slow", "a=b"},
		{http.MethodPost, "/o/acme/imports", "a=b"},
	} {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
		if tt.body == "" {
			req.Body = nil
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := <-got; err != nil {
			t.Errorf("%s %s: the request's context ended (%v) after its body was read", tt.method, tt.path, err)
		}
	}
}

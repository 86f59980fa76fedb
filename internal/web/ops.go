package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Readiness and request correlation (docs/operations.md).

// WorkerStale is how old the job worker's last report may be before
// /readyz fails.
const WorkerStale = time.Minute

// readyTimeout bounds the checks of one /readyz request.
const readyTimeout = 5 * time.Second

// readiness answers whether this process should get traffic: the database
// takes a write, its schema is the binary's, and the job worker (when this
// process runs one) reported within WorkerStale. It returns "" when ready,
// else a short reason for operators; details go to the log.
func (s *Server) readiness(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := s.app.DB.Probe(ctx); err != nil {
		s.log.Error("readyz: database not writable", "err", err.Error())
		return "database not writable"
	}
	cur, latest, err := s.app.DB.SchemaVersions(ctx)
	if err != nil {
		s.log.Error("readyz: schema version", "err", err.Error())
		return "schema version unreadable"
	}
	if cur < latest {
		return fmt.Sprintf("database schema at migration %d, this binary needs %d", cur, latest)
	}
	if hb := s.cfg.Worker; hb != nil {
		last := hb.Last()
		if last.IsZero() {
			return "job worker has not reported yet"
		}
		if age := time.Since(last); age > WorkerStale {
			return fmt.Sprintf("job worker last reported %s ago", age.Round(time.Second))
		}
	}
	return ""
}

// handleReadyz answers 200 {"status":"ready"} or 503 {"status":"not
// ready","reason":"..."}.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	reason := s.readiness(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	body := map[string]string{"status": "ready"}
	if reason != "" {
		body = map[string]string{"status": "not ready", "reason": reason}
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}

// maxRequestID bounds an incoming X-Request-Id.
const maxRequestID = 128

// requestIDOf returns the request's X-Request-Id when it is safe to log
// and echo (1 to 128 letters, digits and . _ : -), else a new random id.
func requestIDOf(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); validRequestID(id) {
		return id
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// traceIDOf returns the trace id of a valid W3C traceparent header
// ("00-<32 hex>-<16 hex>-<2 hex>"), else "".
func traceIDOf(r *http.Request) string {
	parts := strings.Split(strings.TrimSpace(r.Header.Get("traceparent")), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 {
		return ""
	}
	if parts[0] == "00" && len(parts) != 4 {
		return ""
	}
	for _, p := range parts[:4] {
		if !isLowerHex(p) {
			return ""
		}
	}
	if strings.Trim(parts[1], "0") == "" || strings.Trim(parts[2], "0") == "" {
		return ""
	}
	return parts[1]
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

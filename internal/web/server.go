// Package web serves pdca's HTML pages and its JSON API on one mux. Handlers
// are thin: parse, call package app, render or redirect. routes.go lists
// every route.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/obs"
)

// Config is what the web layer needs from the configuration.
type Config struct {
	// SecureCookies sets the Secure flag on the session cookie; turn it on
	// when pdca is served over HTTPS.
	SecureCookies bool
	// Version is shown in the footer and the OpenAPI document.
	Version string
	// OIDC configures single sign-on; nil turns it off.
	OIDC *OIDCConfig
	// Limits bounds request sizes, durations and concurrent imports; zero
	// fields take DefaultLimits.
	Limits Limits
	// Worker is the heartbeat of this process's job worker; /readyz fails
	// when it is older than WorkerStale. Nil: this process runs no worker.
	Worker *obs.Heartbeat
	// Collectors are added to /metrics (the River queues' collector).
	Collectors []prometheus.Collector
}

// Server is pdca's HTTP server.
type Server struct {
	app      *app.App
	log      *slog.Logger
	cfg      Config
	sessions *scs.SessionManager
	pages    *pageSet
	mux      *http.ServeMux
	apiMux   *http.ServeMux // huma's, mounted on mux under /api/v1/
	handler  http.Handler
	api      huma.API
	oidc     *oidcProvider
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	registry *prometheus.Registry
	limits   Limits
	imports  chan struct{} // a slot per running import
}

// New builds the server and its routes.
func New(ctx context.Context, a *app.App, cfg Config, log *slog.Logger) (*Server, error) {
	s := &Server{app: a, log: log, cfg: cfg, mux: http.NewServeMux(), limits: cfg.Limits.orDefault()}
	s.imports = make(chan struct{}, s.limits.MaxImports)
	s.sessions = scs.New()
	s.sessions.Store = newSessionStore(a.DB)
	s.sessions.Lifetime = 12 * time.Hour
	s.sessions.IdleTimeout = 2 * time.Hour
	s.sessions.Cookie.Name = "pdca_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = cfg.SecureCookies
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		if clientGone(r.Context(), err) {
			// Write nothing: the handler may still write its answer after
			// a failed session commit, and a second header would be
			// "superfluous". observe logs the request as 499.
			s.log.Debug("session not saved: request cancelled", "request_id", requestID(r.Context()), "err", err.Error())
			return
		}
		s.serverError(w, r, fmt.Errorf("session: %w", err))
	}
	var err error
	if s.pages, err = newPageSet(); err != nil {
		return nil, err
	}
	if cfg.OIDC != nil {
		if s.oidc, err = newOIDCProvider(ctx, *cfg.OIDC); err != nil {
			return nil, err
		}
	}
	s.registry = obs.NewRegistry(a.DB.Writer(), a.DB.Reader())
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pdca_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pdca_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	s.registry.MustRegister(s.requests, s.latency, obs.NewAuditCollector(a.DB, log))
	for _, c := range cfg.Collectors {
		if err := s.registry.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	s.routes()
	return s, nil
}

// Handler returns the server's handler with every middleware applied.
func (s *Server) Handler() http.Handler {
	h := s.handler
	h = s.bound(h)
	h = s.sessions.LoadAndSave(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(h)
	h = s.observe(h)
	return h
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	principalKey
	viewerKey
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// routeOf names the route that served r by its pattern, e.g.
// "GET /o/{org}/deviations/{id}". ServeMux records the pattern on the
// request it serves, which is a copy made further in (the session
// middleware adds to the context), so observe looks it up again.
func (s *Server) routeOf(r *http.Request) string {
	_, route := s.mux.Handler(r)
	if route == apiPrefix && s.apiMux != nil {
		_, route = s.apiMux.Handler(r)
	}
	// apiPrefix on the API's mux is apiUnmatched: no operation took it.
	if route == "" || route == apiPrefix {
		return "unmatched"
	}
	return route
}

// observe gives each request an id (the client's X-Request-Id when it is
// safe, else a new one; echoed in the response), notes the W3C trace id of
// a traceparent header, recovers panics, and logs and counts the request
// by its route pattern (never the query string, which may hold personal
// data).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestIDOf(r)
		w.Header().Set("X-Request-Id", id)
		// The trace id goes into the request's log line, which the
		// request id joins with any other line about the request.
		trace := traceIDOf(r)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error (request id "+id+")", http.StatusInternalServerError)
				}
			}
			if r.Context().Err() != nil && (sw.status == 0 || sw.status >= 500) {
				// The client went away: whatever failed failed because
				// of that, and no answer reached anyone.
				sw.status = StatusClientClosed
			}
			route := s.routeOf(r)
			d := time.Since(start)
			s.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			s.latency.WithLabelValues(route).Observe(d.Seconds())
			if route != "GET /healthz" && route != "GET /readyz" && route != "GET /metrics" {
				attrs := []any{"request_id", id, "method", r.Method, "route", route, "status", sw.status, "duration_ms", float64(d.Microseconds()) / 1000}
				if trace != "" {
					attrs = append(attrs, "trace_id", trace)
				}
				s.log.Info("request", attrs...)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// securityHeaders sets a strict Content-Security-Policy (no inline script
// or style), forbids framing and sniffing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// clientAddress is the remote IP, for sign-in throttling.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

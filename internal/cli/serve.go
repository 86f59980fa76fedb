package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/pdca/pdca/internal/config"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/web"
)

// ServeCmd is pdca serve.
type ServeCmd struct {
	Addr           string `default:"127.0.0.1:8080" env:"PDCA_ADDR" help:"Address to listen on."`
	Demo           bool   `help:"When the database is empty, create a demo organisation with sample data and print how to sign in."`
	SecureCookies  bool   `name:"secure-cookies" env:"PDCA_SECURE_COOKIES" help:"Mark the session cookie Secure; use when pdca is served over HTTPS."`
	OIDCIssuer     string `name:"oidc-issuer" env:"PDCA_OIDC_ISSUER" help:"OpenID Connect issuer URL; turns on single sign-on."`
	OIDCClientID   string `name:"oidc-client-id" env:"PDCA_OIDC_CLIENT_ID" help:"OpenID Connect client id."`
	OIDCSecret     string `name:"oidc-client-secret-file" env:"PDCA_OIDC_CLIENT_SECRET_FILE" type:"existingfile" help:"File holding the OpenID Connect client secret."`
	OIDCRedirect   string `name:"oidc-redirect-url" env:"PDCA_OIDC_REDIRECT_URL" help:"Callback URL registered at the provider, e.g. https://pdca.example.com/auth/oidc/callback."`
	SMTPHost       string `name:"smtp-host" env:"PDCA_SMTP_HOST" help:"SMTP server for reminder, invitation and password reset emails; without it email reminders fail visibly, invitation links are shown to the admin to pass on, and passwords are reset on the command line."`
	SMTPPort       int    `name:"smtp-port" env:"PDCA_SMTP_PORT" help:"SMTP port (default 587 for starttls, 465 for tls, 25 for none)."`
	SMTPTLS        string `name:"smtp-tls" env:"PDCA_SMTP_TLS" default:"starttls" enum:"none,starttls,tls" help:"SMTP encryption: none, starttls or tls."`
	SMTPUser       string `name:"smtp-user" env:"PDCA_SMTP_USER" help:"SMTP user name."`
	SMTPPassword   string `name:"smtp-password-file" env:"PDCA_SMTP_PASSWORD_FILE" type:"existingfile" help:"File holding the SMTP password."`
	SMTPFrom       string `name:"smtp-from" env:"PDCA_SMTP_FROM" help:"Sender address of reminder emails, e.g. pdca@example.com."`
	AllowOrgCreate string `name:"allow-org-create" env:"PDCA_ALLOW_ORG_CREATE" default:"operators" enum:"operators,anyone,no" help:"Who may create organisations in the UI: operators (people marked with pdca user operator), anyone signed in, or no one (the command line only)."`
	PublicURL      string `name:"public-url" env:"PDCA_PUBLIC_URL" help:"Address people reach pdca at, e.g. https://pdca.example.com; makes links in reminders absolute; its host is the relying party id of passkeys."`
	WebhookSecret  string `name:"webhook-secret-file" env:"PDCA_WEBHOOK_SECRET_FILE" type:"existingfile" help:"File holding the key of the webhooks' X-Pdca-Signature HMAC."`
	AuditKey       string `name:"audit-key" env:"PDCA_AUDIT_KEY" type:"existingfile" help:"Private key (pdca audit keygen) to sign audit checkpoints daily and at every signed management review."`
	MFAKeyFile     string `name:"mfa-key-file" env:"PDCA_MFA_KEY_FILE" type:"existingfile" help:"File holding at least 32 random characters (e.g. head -c 32 /dev/urandom | base64); TOTP secrets are then stored encrypted with a key derived from it."`

	// Webhooks reach public addresses only, unless the operator allows more.
	WebhookAllow []string `name:"webhook-allow" env:"PDCA_WEBHOOK_ALLOW" sep:"," help:"Hosts (hooks.corp.example), IP addresses or CIDR ranges (10.0.0.0/8) webhooks may reach although they are not public; repeatable or comma-separated. Without it, webhooks reach public addresses only."`

	// Request limits (docs/security.md, Uploads and request limits).
	MaxUploadMB     int64         `name:"max-upload-mb" env:"PDCA_MAX_UPLOAD_MB" default:"256" help:"Largest import file accepted, in MiB (API body or web upload); larger gets 413."`
	MaxBodyKB       int64         `name:"max-body-kb" env:"PDCA_MAX_BODY_KB" default:"1024" help:"Largest body of any other request (forms, JSON), in KiB; larger gets 413."`
	MaxImports      int           `name:"max-imports" env:"PDCA_MAX_IMPORTS" default:"2" help:"Imports run at once; more wait 2 s, then get 429 with Retry-After."`
	ReadTimeout     time.Duration `name:"read-timeout" env:"PDCA_READ_TIMEOUT" default:"30s" help:"Time to read a whole ordinary request, headers and body; slower clients get 408 or are cut off."`
	WriteTimeout    time.Duration `name:"write-timeout" env:"PDCA_WRITE_TIMEOUT" default:"60s" help:"Time to answer an ordinary request; imports and exports get --long-write-timeout."`
	LongWrite       time.Duration `name:"long-write-timeout" env:"PDCA_LONG_WRITE_TIMEOUT" default:"15m" help:"Time to answer an import or an export."`
	UploadMinRateKB int64         `name:"upload-min-rate-kb" env:"PDCA_UPLOAD_MIN_RATE_KB" default:"32" help:"An import file must arrive at this average rate (KiB/s) after --upload-grace, or the request is cut off."`
	UploadGrace     time.Duration `name:"upload-grace" env:"PDCA_UPLOAD_GRACE" default:"10s" help:"Time an import file may take before --upload-min-rate-kb applies."`
	// Hidden: tests shorten the hourly periodic jobs to see several periods.
	RemindersEvery    time.Duration `name:"reminders-every" hidden:"" help:"Period of the reminder scan (default 1h)."`
	HousekeepingEvery time.Duration `name:"housekeeping-every" hidden:"" help:"Period of housekeeping (default 1h)."`
	// Hidden: Go's profiler for load runs (docs/BENCHMARKS.md), loopback only.
	PprofAddr string `name:"pprof-addr" hidden:"" help:"Serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060."`
}

// Run serves until the context is cancelled (SIGINT, SIGTERM), then shuts
// down gracefully: stops accepting, finishes requests, stops River.
func (c *ServeCmd) Run(g *Globals, e *env) error {
	// Listen before touching the database: a busy port fails at once,
	// before a demo database or its password exists.
	ln, err := listen(c.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := g.open(e)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if c.MFAKeyFile != "" {
		if a.MFAKey, err = readMFAKey(c.MFAKeyFile); err != nil {
			return err
		}
	}
	wcfg := web.Config{SecureCookies: c.SecureCookies, Version: Version, Limits: c.limits()}
	if c.OIDCIssuer != "" {
		if c.OIDCClientID == "" || c.OIDCSecret == "" || c.OIDCRedirect == "" {
			return fmt.Errorf("single sign-on needs --oidc-client-id, --oidc-client-secret-file and --oidc-redirect-url with --oidc-issuer")
		}
		secret, err := config.ReadSecretFile(c.OIDCSecret)
		if err != nil {
			return err
		}
		wcfg.OIDC = &web.OIDCConfig{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: secret, RedirectURL: c.OIDCRedirect}
	}
	a.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.AuditKey != "" {
		if a.AuditKey, err = readPrivateKey(c.AuditKey); err != nil {
			return err
		}
	}
	jopts, err := c.jobOptions()
	if err != nil {
		return err
	}
	a.Webhooks = jopts.Webhooks
	a.OrgCreation = c.AllowOrgCreate
	// Issue 18: invitations and password resets are emailed at once.
	if jopts.SMTP.Host != "" {
		a.Mail = jopts.SMTP
	}
	hb := &obs.Heartbeat{}
	jopts.Heartbeat = hb
	river, err := jobs.New(a.DB, a, e.log, jopts)
	if err != nil {
		return err
	}
	wcfg.Worker = hb
	wcfg.Collectors = append(wcfg.Collectors, jobs.NewQueueCollector(a.DB, river, e.log))
	if c.Demo {
		d, err := a.SeedDemo(e.ctx, demoSeeders()...)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if d != nil {
			fmt.Fprintf(e.stdout, "Demo organisation %q created.\nSign in at http://%s/signin as %s with the one-time password %s\n"+
				"It is shown only now: change it under Your account, or set a new one with\n  pdca --db %s user password --email %s\n",
				d.Org.Name, ln.Addr(), d.Email, d.Password, dbArg(g.DB), d.Email)
		} else {
			fmt.Fprintln(e.stdout, "The database is not empty: --demo added nothing.")
		}
	}
	srv, err := web.New(e.ctx, a, wcfg, e.log)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	if err := a.DB.WarmUp(e.ctx); err != nil {
		e.log.Warn("open the database's reader connections ahead", "err", err)
	}
	if err := river.Start(e.ctx); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	hb.Beat(time.Now()) // started: its first report
	// Start-up (migrations, the API's schemas, the framework catalogues)
	// leaves garbage the runtime would give back only slowly; a server at
	// rest should not hold it (issue 16 item 5).
	debug.FreeOSMemory()
	go jobs.Watch(e.ctx, river, hb, e.log)
	e.log.Info("pdca serving", "addr", ln.Addr().String(), "engine", string(a.DB.Engine), "version", Version)
	fmt.Fprintf(e.stdout, "pdca is serving on http://%s (%s)\n", ln.Addr(), a.DB.Engine)
	errc := make(chan error, 1)
	if c.PprofAddr != "" {
		pln, err := listenPprof(c.PprofAddr)
		if err != nil {
			return err
		}
		ps := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
		defer ps.Close()
		go func() { _ = ps.Serve(pln) }()
		e.log.Info("profiler serving", "addr", pln.Addr().String())
	}
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-e.ctx.Done():
	}
	e.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	if rerr := river.Stop(shutCtx); rerr != nil {
		e.log.Warn("stop background jobs", "err", rerr.Error())
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listen listens on addr, or says why it cannot and what to do.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, isms.Errorf(isms.ECONFLICT, "cannot listen on %s: the address is in use (another pdca serve?); stop it or choose another with --addr or PDCA_ADDR", addr)
		}
		return nil, isms.Errorf(isms.EINVALID, "cannot listen on %s: %v; choose another address with --addr or PDCA_ADDR", addr, err)
	}
	return ln, nil
}

// dbArg is the --db value to show in a hint: the SQLite path, but never a
// PostgreSQL URL, which may hold a password.
func dbArg(dsn string) string {
	if store.EngineOf(dsn) == store.Postgres {
		return `"$PDCA_DB"`
	}
	return shellQuote(dsn)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// limits are the request limits of the flags.
func (c *ServeCmd) limits() web.Limits {
	return web.Limits{MaxUpload: c.MaxUploadMB << 20, MaxBody: c.MaxBodyKB << 10, MaxImports: c.MaxImports,
		ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout, LongWrite: c.LongWrite,
		UploadMinRate: c.UploadMinRateKB << 10, UploadGrace: c.UploadGrace}
}

// jobOptions reads the reminder delivery settings and their secret files.
func (c *ServeCmd) jobOptions() (jobs.Options, error) {
	o := jobs.Options{Work: true, SMTP: jobs.SMTP{Host: c.SMTPHost, Port: c.SMTPPort, TLS: c.SMTPTLS, Username: c.SMTPUser, From: c.SMTPFrom},
		RemindersEvery: c.RemindersEvery, HousekeepingEvery: c.HousekeepingEvery}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		return o, fmt.Errorf("--smtp-host needs --smtp-from, the sender address of reminder emails")
	}
	if c.SMTPPassword != "" {
		pw, err := config.ReadSecretFile(c.SMTPPassword)
		if err != nil {
			return o, err
		}
		o.SMTP.Password = pw
	}
	allow, err := outbound.ParseAllow(c.WebhookAllow)
	if err != nil {
		return o, fmt.Errorf("--webhook-allow: %w", err)
	}
	o.Webhooks = allow
	if c.WebhookSecret != "" {
		secret, err := config.ReadSecretFile(c.WebhookSecret)
		if err != nil {
			return o, err
		}
		o.WebhookSecret = []byte(secret)
	}
	return o, nil
}

// listenPprof listens for the profiler on a loopback address only: a
// profile shows memory contents and must not reach the network.
func listenPprof(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--pprof-addr %s: the profiler listens only on this machine (127.0.0.1, ::1 or localhost)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// pprofMux routes net/http/pprof's handlers without touching
// http.DefaultServeMux.
func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m
}

// readMFAKey derives the 32-byte key that seals TOTP secrets from a
// secret file (SHA-256 of its contents).
func readMFAKey(path string) ([]byte, error) {
	s, err := config.ReadSecretFile(path)
	if err != nil {
		return nil, err
	}
	if len(s) < 32 {
		return nil, fmt.Errorf("--mfa-key-file %s: use at least 32 random characters, e.g. head -c 32 /dev/urandom | base64 > %s", path, path)
	}
	sum := sha256.Sum256([]byte(s))
	return sum[:], nil
}

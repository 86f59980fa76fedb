// Tests of package web drive a real server through HTTP, on a real
// database per engine (storetest.Each), and a real Chromium for the
// browser tests. The helpers here are shared by every test file.
package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/web"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// password is every test person's password.
const password = "correct horse battery"

// newApp returns an App with cheap password hashing, to keep tests fast.
func newApp(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	a := app.New(db, nil)
	a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
	return a
}

// env is a running pdca server on a test database.
type env struct {
	app *app.App
	srv *web.Server
	ts  *httptest.Server
}

// startServer starts pdca on 127.0.0.1. cfg, when not nil, builds the
// configuration from the server's base URL (single sign-on needs it).
func startServer(t *testing.T, a *app.App, cfg func(baseURL string) web.Config) *env {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	c := web.Config{Version: "test"}
	if cfg != nil {
		c = cfg(base)
	}
	// Warnings and errors of the server go to the test's log.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := web.New(t.Context(), a, c, log)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &env{app: a, srv: srv, ts: ts}
}

// org is an organisation with one member per role.
type org struct {
	*isms.Organization
	users map[isms.Role]*isms.User
}

// mustOrg creates an organisation and one person per role, with emails
// <role>@<slug>.example.
func mustOrg(t *testing.T, a *app.App, slug, name string) *org {
	t.Helper()
	ctx := context.Background()
	o := &org{Organization: &isms.Organization{Slug: slug, Name: name, TimeZone: "Europe/Helsinki"}, users: map[isms.Role]*isms.User{}}
	if err := a.CreateOrg(ctx, app.System, o.Organization); err != nil {
		t.Fatalf("create org %s: %v", slug, err)
	}
	for _, r := range isms.Roles() {
		u := &isms.User{Email: string(r) + "@" + slug + ".example", Name: "The " + string(r)}
		if err := a.CreateUser(ctx, app.System, u, password); err != nil {
			t.Fatalf("create user: %v", err)
		}
		if _, err := a.AddMember(ctx, app.System, slug, u.Email, r); err != nil {
			t.Fatalf("add member: %v", err)
		}
		o.users[r] = u
	}
	return o
}

// mustToken creates an API token for the member with the role.
func mustToken(t *testing.T, a *app.App, o *org, role isms.Role, scope isms.TokenScope) (*isms.Token, string) {
	t.Helper()
	tok, secret, err := a.CreateToken(context.Background(), app.System, o.Slug, o.users[role].Email, string(role)+" "+string(scope), scope)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return tok, secret
}

func bearer(secret string) http.Header {
	return http.Header{"Authorization": {"Bearer " + secret}}
}

// client returns an HTTP client with a cookie jar. It does not follow
// redirects, so tests see them; follow makes it follow them.
func (e *env) client(t *testing.T, follow bool) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// signIn returns a client signed in as the person with the email.
func (e *env) signIn(t *testing.T, email string) *http.Client {
	t.Helper()
	c := e.client(t, false)
	r := e.do(t, c, http.MethodPost, "/signin", url.Values{"email": {email}, "password": {password}}, nil)
	if r.status != http.StatusSeeOther || r.cookie("pdca_session") == nil {
		t.Fatalf("sign in as %s: status %d, body %s", email, r.status, r.body)
	}
	return c
}

// result is a response, read.
type result struct {
	status int
	body   string
	header http.Header
	resp   *http.Response
}

func (r result) location() string { return r.header.Get("Location") }

func (r result) cookie(name string) *http.Cookie {
	for _, c := range r.resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// do sends a request to the server (target is a path) or anywhere (target
// is an absolute URL). A form is sent as the body of POST, PUT and PATCH;
// other non-GET methods get an empty JSON object.
func (e *env) do(t *testing.T, c *http.Client, method, target string, form url.Values, header http.Header) result {
	t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = e.ts.URL + target
	}
	var body io.Reader
	ctype := ""
	switch {
	case form != nil:
		body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case method != http.MethodGet && method != http.MethodHead:
		body, ctype = strings.NewReader("{}"), "application/json"
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, target, err)
	}
	return result{status: resp.StatusCode, body: string(b), header: resp.Header, resp: resp}
}

// wildcard matches a wildcard of a route pattern or an OpenAPI path.
var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(?:\.\.\.)?\}`)

// wildcards lists the wildcard names of a path, in order.
func wildcards(path string) []string {
	var out []string
	for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

// fill turns a route pattern ("POST /o/{org}/tokens/{id}/revoke") into a
// method and a path with the values. It fails the test for a wildcard with
// no value, so that a route with a new kind of wildcard gets a value in the
// tests rather than being skipped.
func fill(t *testing.T, pattern string, vals map[string]string) (method, path string) {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	for _, name := range wildcards(path) {
		if _, ok := vals[name]; !ok {
			t.Fatalf("route %q has wildcard {%s} and the test has no value for it: add one", pattern, name)
		}
	}
	path = wildcard.ReplaceAllStringFunc(path, func(w string) string {
		return url.PathEscape(vals[wildcard.FindStringSubmatch(w)[1]])
	})
	return method, path
}

// apiOps lists every operation of the OpenAPI document, sorted by path and
// method.
func apiOps(t *testing.T, srv *web.Server) []*huma.Operation {
	t.Helper()
	var ops []*huma.Operation
	for _, item := range srv.API().OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Options, item.Head, item.Patch, item.Trace} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	if len(ops) == 0 {
		t.Fatal("the OpenAPI document lists no operations")
	}
	slices.SortFunc(ops, func(a, b *huma.Operation) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	return ops
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// readOnly reports whether an HTTP method only reads.
func readOnly(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

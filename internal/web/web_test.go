// Tests of package web drive a real server through HTTP, on a real
// database per engine (storetest.Each), and a real Chromium for the
// browser tests. The helpers here are shared by every test file.
package web_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/web"
)

func TestMain(m *testing.M) {
	// Uploads the tests leave unconfirmed stay in the temporary directory,
	// so every temporary file of the run goes into one removed at the end.
	tmp, err := os.MkdirTemp("", "pdca-web-test-")
	if err == nil {
		os.Setenv("TMPDIR", tmp)
	}
	code := m.Run()
	stopBrowser()
	if tmp != "" {
		os.RemoveAll(tmp)
	}
	os.Exit(code)
}

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

// upload is a multipart form with one file, field "file".
type upload struct {
	fields   url.Values
	name     string
	contents string
}

// jsonBody is a JSON request body.
type jsonBody string

// do sends a request to the server (target is a path) or anywhere (target
// is an absolute URL). body is url.Values (a form), an upload, a jsonBody,
// or nil: an empty JSON object for methods other than GET and HEAD.
func (e *env) do(t *testing.T, c *http.Client, method, target string, body any, header http.Header) result {
	t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = e.ts.URL + target
	}
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case jsonBody:
		rd, ctype = strings.NewReader(string(b)), "application/json"
	case upload:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range b.fields {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		fw, _ := mw.CreateFormFile("file", b.name)
		_, _ = io.WriteString(fw, b.contents)
		_ = mw.Close()
		rd, ctype = &buf, mw.FormDataContentType()
	case nil:
		if method != http.MethodGet && method != http.MethodHead {
			rd, ctype = strings.NewReader("{}"), "application/json"
		}
	default:
		t.Fatalf("do: body of type %T", body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, rd)
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

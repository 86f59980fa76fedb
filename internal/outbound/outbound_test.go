package outbound_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
)

func TestPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ip     string
		public bool
	}{
		{"127.0.0.1", false}, {"127.255.0.9", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"100.64.0.1", false}, {"100.127.255.254", false}, {"169.254.169.254", false}, {"0.0.0.0", false}, {"0.1.2.3", false},
		{"224.0.0.1", false}, {"255.255.255.255", false}, {"240.0.0.1", false}, {"192.0.2.1", false}, {"198.18.0.1", false},
		{"::1", false}, {"::", false}, {"fe80::1", false}, {"fc00::1", false}, {"fd12:3456::1", false}, {"ff02::1", false},
		{"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"::ffff:169.254.169.254", false}, {"::127.0.0.1", false},
		{"64:ff9b::7f00:1", false}, {"2002:7f00:1::1", false}, {"2001:db8::1", false}, {"fec0::1", false},
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"100.128.0.1", true}, {"::ffff:8.8.8.8", true}, {"2606:4700:4700::1111", true},
	} {
		if got := outbound.Public(netip.MustParseAddr(tc.ip)); got != tc.public {
			t.Errorf("Public(%s) = %v, want %v", tc.ip, got, tc.public)
		}
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	none := outbound.Policy{}
	for _, raw := range []string{
		"http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0x7f000001/",
		"http://localhost:6379", "http://LOCALHOST./x", "http://db.localhost/", "http://2130706433/", "http://127.1/", "http://0177.0.0.1/",
		"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://10.0.0.1/", "http://100.64.1.1/", "http://[fd00::1]/",
		"http://[fe80::1%25eth0]/", "http://0.0.0.0:22/", "http://192.168.0.1./", "ftp://hooks.example.com/", "https://", "mailto:a@b",
	} {
		err := none.CheckURL(ctx, "webhook URL", raw)
		if isms.ErrorCode(err) != isms.EINVALID || !strings.HasPrefix(isms.ErrorMessage(err), "webhook URL: ") {
			t.Errorf("CheckURL(%s) = %v, want EINVALID naming the field", raw, err)
		}
	}
	if err := none.CheckURL(ctx, "webhook URL", "http://[::1]/x"); !strings.Contains(err.Error(), "not a public address") || !strings.Contains(err.Error(), "--webhook-allow") {
		t.Errorf("the refusal does not name the rule: %v", err)
	}
	if err := none.CheckURL(ctx, "webhook URL", "http://0x7f000001/"); !strings.Contains(err.Error(), "dotted-decimal") {
		t.Errorf("a numeric host: %v", err)
	}
	// Public addresses, and names that do not resolve here (the dialer
	// checks them at each call).
	for _, raw := range []string{"https://8.8.8.8/hook", "https://[2606:4700:4700::1111]/", "https://hooks.example.com/services/T0/B0/XyZ", "http://hooks.example.invalid:8443/x"} {
		if err := none.CheckURL(ctx, "webhook URL", raw); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", raw, err)
		}
	}
	allow, err := outbound.ParseAllow([]string{"127.0.0.1, 10.0.0.0/8", "hooks.corp.example", "fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"http://127.0.0.1:8080/hook", "http://10.9.8.7/", "http://HOOKS.corp.example./x", "http://[fd00::5]/", "http://[::ffff:127.0.0.1]/"} {
		if err := allow.CheckURL(ctx, "webhook URL", raw); err != nil {
			t.Errorf("allowed CheckURL(%s) = %v", raw, err)
		}
	}
	for _, raw := range []string{"http://127.0.0.2/", "http://192.168.0.1/", "http://localhost/"} {
		if err := allow.CheckURL(ctx, "webhook URL", raw); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("not allowed CheckURL(%s) = %v", raw, err)
		}
	}
	for _, bad := range []string{"hooks corp", "10.0.0.0/33", "http://x/"} {
		if _, err := outbound.ParseAllow([]string{bad}); err == nil {
			t.Errorf("ParseAllow(%q) accepted", bad)
		}
	}
}

// hook is a receiver on 127.0.0.1 counting its requests.
func hook(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func mustAllow(t *testing.T, entries ...string) outbound.Policy {
	t.Helper()
	p, err := outbound.ParseAllow(entries)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, hits := hook(t, func(w http.ResponseWriter, r *http.Request) {})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	c := outbound.NewClient(outbound.Policy{})
	// By address, and by a name that resolves to loopback: the check is on
	// the address dialled, so what a name resolves to at call time counts.
	for _, u := range []string{srv.URL + "/hook", "http://localhost:" + port + "/hook", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		err := c.Post(ctx, u, nil, []byte("{}"))
		var oe *outbound.Error
		if !errors.As(err, &oe) || !errors.Is(err, outbound.ErrNotPublic) || !strings.HasPrefix(err.Error(), "refused: the address is not public") {
			t.Errorf("Post(%s) = %v, want refused", u, err)
		}
		if err != nil && (strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), port)) {
			t.Errorf("the error names the address: %v", err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the receiver got %d requests", hits.Load())
	}
	// The operator's allow-list opens it, by address or by name.
	for _, p := range []outbound.Policy{mustAllow(t, "127.0.0.1"), mustAllow(t, "127.0.0.0/8"), mustAllow(t, "localhost")} {
		u := srv.URL + "/hook"
		if p.String() == "localhost" {
			u = "http://localhost:" + port + "/hook"
		}
		if err := outbound.NewClient(p).Post(ctx, u, http.Header{"X-Test": {"1"}}, []byte("{}")); err != nil {
			t.Errorf("allowed %s: %v", p, err)
		}
	}
	if hits.Load() != 3 {
		t.Fatalf("the receiver got %d requests, want 3", hits.Load())
	}
}

func TestClientErrorsRevealNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := outbound.NewClient(mustAllow(t, "127.0.0.1"))
	var followed atomic.Int64
	srv, _ := hook(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		case "/elsewhere":
			followed.Add(1)
		case "/big":
			buf := make([]byte, 1<<20)
			for range 16 {
				if _, err := w.Write(buf); err != nil {
					return
				}
			}
		default:
			http.Error(w, "redis at 10.1.2.3:6379 says NOAUTH", http.StatusInternalServerError)
		}
	})
	if err := c.Post(ctx, srv.URL+"/redirect", nil, []byte("{}")); err == nil || err.Error() != "HTTP 307: redirects are not followed" {
		t.Errorf("redirect: %v", err)
	}
	if followed.Load() != 0 {
		t.Error("the redirect was followed")
	}
	if err := c.Post(ctx, srv.URL+"/fail", nil, []byte("{}")); err == nil || err.Error() != "HTTP 500" {
		t.Errorf("a failing receiver: %v, want exactly HTTP 500", err)
	}
	if err := c.Post(ctx, srv.URL+"/big", nil, []byte("{}")); err != nil {
		t.Errorf("a long answer: %v", err)
	}
	// A closed port: no address, no port, no dial error text.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()
	if err := c.Post(ctx, closed, nil, nil); err == nil || err.Error() != "connection failed" {
		t.Errorf("a closed port: %v, want exactly connection failed", err)
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	a := outbound.RedactURL("https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX")
	b := outbound.RedactURL("https://hooks.slack.com/services/T000/B000/YYYYsecretYYYY")
	if strings.Contains(a, "secret") || strings.Contains(a, "T000") || !strings.HasPrefix(a, "https://hooks.slack.com/… sha256:") || a == b {
		t.Errorf("redacted %q and %q", a, b)
	}
	if u := outbound.RedactURL("https://user:pw@h.example/x"); strings.Contains(u, "pw") || strings.Contains(u, "user") {
		t.Errorf("credentials kept: %q", u)
	}
	if outbound.RedactURL("") != "" {
		t.Error("empty is not empty")
	}
}

// TestClientIgnoresProxyEnvironment: HTTP_PROXY would make the proxy dial
// the address instead of the checked dialer; the client uses none.
func TestClientIgnoresProxyEnvironment(t *testing.T) {
	proxy, hits := hook(t, func(w http.ResponseWriter, r *http.Request) {})
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	c := outbound.NewClient(mustAllow(t, "hooks.corp.invalid"))
	if err := c.Post(context.Background(), "http://hooks.corp.invalid/x", nil, []byte("{}")); err == nil || err.Error() != "connection failed" {
		t.Errorf("Post = %v, want connection failed (the name does not resolve)", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the request went through the proxy")
	}
}

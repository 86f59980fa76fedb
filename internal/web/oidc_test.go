package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// signingKey is the test provider's RSA key, made once per run.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// provider is a minimal OpenID provider: discovery, keys, an authorize
// endpoint that signs the configured person in at once, and a token
// endpoint that checks the client, the code and the PKCE S256 verifier.
type provider struct {
	*httptest.Server
	clientID, secret string

	mu          sync.Mutex
	redirectURL string
	email, sub  string
	verified    bool
	badNonce    bool // sign ID tokens with a nonce nobody asked for
	grants      map[string]grant
	authorized  []url.Values // the query of each accepted authorization
	exchanges   int          // token requests
	pkceOK      int          // exchanges whose verifier matched the challenge
	pkceFailed  int
}

type grant struct {
	challenge, nonce, redirect, email, sub string
	verified                               bool
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{clientID: "pdca-test", secret: "s3cret-of-the-client", grants: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &signingKey().PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

// config is pdca's configuration for this provider, pdca being at base.
func (p *provider) config(base string) web.Config {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirectURL = base + "/auth/oidc/callback"
	return web.Config{Version: "test", OIDC: &web.OIDCConfig{Issuer: p.URL, ClientID: p.clientID, ClientSecret: p.secret, RedirectURL: p.redirectURL, Name: "Test SSO"}}
}

// signInAs makes the provider sign in this person from now on.
func (p *provider) signInAs(email string, verified bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.email, p.sub, p.verified = email, "sub-"+email, verified
}

func (p *provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
		"jwks_uri": p.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	var problem string
	switch {
	case q.Get("response_type") != "code":
		problem = "response_type must be code"
	case q.Get("client_id") != p.clientID:
		problem = "unknown client_id"
	case q.Get("redirect_uri") != p.redirectURL:
		problem = "redirect_uri is not registered"
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		problem = "scope lacks openid"
	case q.Get("code_challenge_method") != "S256":
		problem = "PKCE: code_challenge_method must be S256"
	case len(q.Get("code_challenge")) != 43: // base64url of a SHA-256
		problem = "PKCE: code_challenge is not a SHA-256"
	case q.Get("state") == "" || q.Get("nonce") == "":
		problem = "state and nonce are required"
	}
	if problem != "" {
		http.Error(w, "authorize: "+problem, http.StatusBadRequest)
		return
	}
	p.authorized = append(p.authorized, q)
	code := rand.Text()
	p.grants[code] = grant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirect: q.Get("redirect_uri"), email: p.email, sub: p.sub, verified: p.verified}
	http.Redirect(w, r, p.redirectURL+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exchanges++
	id, secret, ok := r.BasicAuth()
	if ok { // RFC 6749 2.3.1: form-encoded, then basic
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.clientID || secret != p.secret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	g, ok := p.grants[r.PostForm.Get("code")]
	delete(p.grants, r.PostForm.Get("code")) // a code works once
	if !ok || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != g.redirect {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		p.pkceFailed++
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	p.pkceOK++
	nonce := g.nonce
	if p.badNonce {
		nonce = "not-the-nonce"
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": p.URL, "sub": g.sub, "aud": p.clientID, "exp": now.Add(5 * time.Minute).Unix(),
		"iat": now.Unix(), "nonce": nonce, "email": g.email, "email_verified": g.verified})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: signingKey()}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	idToken, _ := jws.CompactSerialize()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

// counts returns the provider's counters: token requests, verified and
// failed PKCE checks.
func (p *provider) counts() (exchanges, pkceOK, pkceFailed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exchanges, p.pkceOK, p.pkceFailed
}

// lastAuthorization returns the query of the last accepted authorization.
func (p *provider) lastAuthorization() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.authorized) == 0 {
		return url.Values{}
	}
	return p.authorized[len(p.authorized)-1]
}

func (p *provider) setBadNonce(bad bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.badNonce = bad
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// startOIDC runs the flow up to the provider's redirect back to pdca and
// returns the callback URL, without following it.
func (e *env) startOIDC(t *testing.T, c *http.Client, next string) string {
	t.Helper()
	r := e.do(t, c, http.MethodGet, "/auth/oidc/start?next="+url.QueryEscape(next), nil, nil)
	if r.status != http.StatusFound {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	r = e.do(t, c, http.MethodGet, r.location(), nil, nil)
	if r.status != http.StatusFound || !strings.HasPrefix(r.location(), e.ts.URL+"/auth/oidc/callback?") {
		t.Fatalf("the provider refused: %d %s %s", r.status, r.location(), r.body)
	}
	return r.location()
}

func TestOIDC(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		o := mustOrg(t, a, "acme", "Acme Oy")
		p := newProvider(t)
		e := startServer(t, a, p.config)
		signedOut := func(t *testing.T, c *http.Client) {
			t.Helper()
			noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			if r := e.do(t, noFollow, http.MethodGet, "/orgs", nil, nil); r.status != http.StatusSeeOther {
				t.Errorf("GET /orgs = %d, want 303 (not signed in)", r.status)
			}
		}

		t.Run("known email signs in", func(t *testing.T) {
			p.signInAs(o.users[isms.RoleISMSManager].Email, true)
			c := e.client(t, false)
			if r := e.do(t, c, http.MethodGet, "/signin", nil, nil); !strings.Contains(r.body, "Sign in with single sign-on") {
				t.Errorf("the sign-in page has no single sign-on link:\n%s", r.body)
			}
			callback := e.startOIDC(t, c, "/orgs")
			u, _ := url.Parse(e.ts.URL)
			before := c.Jar.Cookies(u)
			r := e.do(t, c, http.MethodGet, callback, nil, nil)
			if r.status != http.StatusSeeOther || r.location() != "/orgs" {
				t.Fatalf("callback: %d to %q; body %s", r.status, r.location(), r.body)
			}
			if after := c.Jar.Cookies(u); len(before) != 1 || len(after) != 1 || before[0].Value == after[0].Value {
				t.Errorf("the session token was not renewed at sign-in: %v then %v", before, after)
			}
			r = e.do(t, c, http.MethodGet, "/orgs", nil, nil)
			if r.status != http.StatusOK || !strings.Contains(r.body, "Acme Oy") || !strings.Contains(r.body, "isms_manager@acme.example") {
				t.Errorf("GET /orgs after single sign-on: %d\n%s", r.status, r.body)
			}
			_, ok, failed := p.counts()
			if m := p.lastAuthorization().Get("code_challenge_method"); m != "S256" || ok != 1 || failed != 0 {
				t.Errorf("PKCE: method %q, %d verified, %d failed; want S256, 1, 0", m, ok, failed)
			}
			// The identity is now linked: a later sign-in works by subject.
			c2 := e.client(t, true)
			if r := e.do(t, c2, http.MethodGet, "/auth/oidc/start?next=/orgs", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Acme Oy") {
				t.Errorf("second single sign-on: %d", r.status)
			}
		})

		t.Run("single sign-on is exempt from a required second factor", func(t *testing.T) {
			if err := a.SetRequireMFA(t.Context(), app.System, "acme", true); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.SetRequireMFA(context.Background(), app.System, "acme", false) }()
			p.signInAs(o.users[isms.RoleAuditor].Email, true)
			c := e.client(t, true)
			if r := e.do(t, c, http.MethodGet, "/auth/oidc/start?next=/o/acme/people", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, "People and roles") {
				t.Errorf("single sign-on into an organisation that requires a second factor: %d", r.status)
			}
			// The same person with their password is sent to enrol.
			pw := e.signIn(t, o.users[isms.RoleAuditor].Email)
			if r := e.do(t, pw, http.MethodGet, "/o/acme/people", nil, nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/account/mfa") {
				t.Errorf("password sign-in: %d to %q, want the enrolment page", r.status, r.location())
			}
		})

		t.Run("unknown email", func(t *testing.T) {
			p.signInAs("stranger@elsewhere.example", true)
			c := e.client(t, true)
			r := e.do(t, c, http.MethodGet, "/auth/oidc/start", nil, nil)
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "ask your pdca admin") {
				t.Errorf("unknown email: %d\n%s", r.status, r.body)
			}
			signedOut(t, c)
		})

		t.Run("unverified email", func(t *testing.T) {
			p.signInAs(o.users[isms.RoleViewer].Email, false)
			c := e.client(t, true)
			r := e.do(t, c, http.MethodGet, "/auth/oidc/start", nil, nil)
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "did not confirm your email") {
				t.Errorf("unverified email: %d\n%s", r.status, r.body)
			}
			signedOut(t, c)
		})

		t.Run("tampered state", func(t *testing.T) {
			p.signInAs(o.users[isms.RoleAuditor].Email, true)
			c := e.client(t, false)
			callback := e.startOIDC(t, c, "/")
			before, _, _ := p.counts()
			u, _ := url.Parse(callback)
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
			r := e.do(t, c, http.MethodGet, u.String(), nil, nil)
			if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "start again") {
				t.Errorf("tampered state: %d\n%s", r.status, r.body)
			}
			// The state was used up: the genuine callback does not work now.
			if r := e.do(t, c, http.MethodGet, callback, nil, nil); r.status != http.StatusUnauthorized {
				t.Errorf("callback after a tampered one: %d", r.status)
			}
			if after, _, _ := p.counts(); after != before {
				t.Error("pdca redeemed a code with a wrong state")
			}
			signedOut(t, c)
		})

		t.Run("code of another browser", func(t *testing.T) {
			// A code issued to the victim's browser, delivered to the
			// attacker's session with the attacker's own state: only PKCE
			// stops it, because the attacker's verifier does not match.
			p.signInAs(o.users[isms.RoleAdmin].Email, true)
			victim, _ := url.Parse(e.startOIDC(t, e.client(t, false), "/"))
			attacker := e.client(t, false)
			r := e.do(t, attacker, http.MethodGet, "/auth/oidc/start", nil, nil)
			authz, _ := url.Parse(r.location())
			q := url.Values{"code": {victim.Query().Get("code")}, "state": {authz.Query().Get("state")}}
			_, _, failed := p.counts()
			r = e.do(t, attacker, http.MethodGet, "/auth/oidc/callback?"+q.Encode(), nil, nil)
			if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "did not accept the sign-in") {
				t.Errorf("injected code: %d\n%s", r.status, r.body)
			}
			if _, _, now := p.counts(); now != failed+1 {
				t.Errorf("the provider saw %d failed PKCE checks, want %d", now, failed+1)
			}
			signedOut(t, attacker)
		})

		t.Run("wrong nonce", func(t *testing.T) {
			p.signInAs(o.users[isms.RoleAdmin].Email, true)
			p.setBadNonce(true)
			defer p.setBadNonce(false)
			c := e.client(t, true)
			r := e.do(t, c, http.MethodGet, "/auth/oidc/start", nil, nil)
			if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "could not be verified") {
				t.Errorf("wrong nonce: %d\n%s", r.status, r.body)
			}
			signedOut(t, c)
		})
	})
}

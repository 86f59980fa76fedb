package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

var b64u = base64.RawURLEncoding

// coseKey is the COSE_Key (RFC 9053) of an ES256 public key.
func coseKey(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	raw, err := k.PublicKey.Bytes() // uncompressed point: 0x04 || x || y
	if err != nil {
		t.Fatal(err)
	}
	b, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:]})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertion is the JSON a browser sends for navigator.credentials.get,
// signed with key over the challenge, origin and RP ID given.
func assertion(t *testing.T, key *ecdsa.PrivateKey, credID []byte, challenge, origin, rpID string, counter uint32) string {
	t.Helper()
	client, _ := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": challenge, "origin": origin, "crossOrigin": false})
	rp := sha256.Sum256([]byte(rpID))
	auth := append(rp[:], 0x05) // user present and verified
	auth = binary.BigEndian.AppendUint32(auth, counter)
	ch := sha256.Sum256(client)
	sig, err := ecdsa.SignASN1(rand.Reader, key, sha256Sum(append(append([]byte{}, auth...), ch[:]...)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"id": b64u.EncodeToString(credID), "rawId": b64u.EncodeToString(credID), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64u.EncodeToString(client), "authenticatorData": b64u.EncodeToString(auth),
			"signature": b64u.EncodeToString(sig),
		},
	})
	return string(b)
}

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// TestPasskeyAssertionRefused: the second step of sign-in refuses an
// absent or malformed assertion (422), one without a challenge issued in
// this session (422), one signed by another key (401, audited) and a
// replay of a good one; only the credential's own signature over the
// server's challenge signs in. No browser: the assertion is made here.
func TestPasskeyAssertionRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		mustOrg(t, a, "acme", "Acme Oy")
		u := &isms.User{Email: "pk@acme.example", Name: "Passkey"}
		if err := a.CreateUser(ctx, app.System, u, password); err != nil {
			t.Fatal(err)
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		credID := make([]byte, 32)
		_, _ = rand.Read(credID)
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.AddPasskey(ctx, &store.Passkey{UserID: u.ID, CredentialID: b64u.EncodeToString(credID),
				PublicKey: b64u.EncodeToString(coseKey(t, key)), Flags: 0x05, Name: "Key"})
		}); err != nil {
			t.Fatal(err)
		}
		e := startServer(t, a, nil)
		base := strings.Replace(e.ts.URL, "127.0.0.1", "localhost", 1)
		origin, rpID := base, "localhost"

		c := e.client(t, false)
		r := e.do(t, c, http.MethodPost, base+"/signin", url.Values{"email": {u.Email}, "password": {password}, "next": {"/orgs"}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/signin/code" {
			t.Fatalf("password step: %d to %q, want 303 to /signin/code", r.status, r.location())
		}
		page := e.do(t, c, http.MethodGet, base+"/signin/code", nil, nil)
		if !strings.Contains(page.body, `id="passkey-signin"`) || strings.Contains(page.body, `id="code"`) {
			t.Errorf("the second step of a passkey-only person should offer a passkey and no code:\n%s", page.body)
		}
		options := func() string {
			t.Helper()
			r := e.do(t, c, http.MethodPost, base+"/signin/passkey/options", url.Values{}, nil)
			var o struct {
				PublicKey struct {
					Challenge        string `json:"challenge"`
					AllowCredentials []struct {
						ID string `json:"id"`
					} `json:"allowCredentials"`
				} `json:"publicKey"`
			}
			if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &o) != nil || o.PublicKey.Challenge == "" {
				t.Fatalf("options: %d %s", r.status, r.body)
			}
			if len(o.PublicKey.AllowCredentials) != 1 || o.PublicKey.AllowCredentials[0].ID != b64u.EncodeToString(credID) {
				t.Errorf("allowCredentials %+v, want the person's one passkey", o.PublicKey.AllowCredentials)
			}
			return o.PublicKey.Challenge
		}
		send := func(body string, want int) {
			t.Helper()
			r := e.do(t, c, http.MethodPost, base+"/signin/passkey", url.Values{"assertion": {body}}, nil)
			if r.status != want {
				t.Errorf("assertion answered %d, want %d: %s", r.status, want, r.body)
			}
			if want != http.StatusSeeOther {
				if acc := e.do(t, c, http.MethodGet, base+"/account", nil, nil); acc.status != http.StatusSeeOther {
					t.Errorf("after a refused assertion /account answers %d, want 303 to sign in", acc.status)
				}
			}
		}

		// A good assertion, but for no challenge issued in this session.
		send(assertion(t, key, credID, b64u.EncodeToString([]byte("made up challenge 0123456789abcdef")), origin, rpID, 1), http.StatusUnprocessableEntity)
		// Absent and malformed.
		options()
		send("", http.StatusUnprocessableEntity)
		options()
		send(`{"id":"x","type":"public-key","response":{}}`, http.StatusUnprocessableEntity)
		// Signed by another key, for another origin, or for a challenge
		// other than the one issued.
		send(assertion(t, other, credID, options(), origin, rpID, 1), http.StatusUnauthorized)
		send(assertion(t, key, credID, options(), "http://evil.example", rpID, 1), http.StatusUnauthorized)
		options()
		send(assertion(t, key, credID, b64u.EncodeToString([]byte("another challenge 0123456789abcdef")), origin, rpID, 1), http.StatusUnauthorized)

		// The credential's own signature over the issued challenge signs in.
		good := assertion(t, key, credID, options(), origin, rpID, 7)
		r = e.do(t, c, http.MethodPost, base+"/signin/passkey", url.Values{"assertion": {good}}, nil)
		if r.status != http.StatusSeeOther || r.location() != "/orgs" {
			t.Fatalf("a good assertion: %d to %q, want 303 to /orgs: %s", r.status, r.location(), r.body)
		}
		var count int64
		if err := db.Reader().QueryRow(`SELECT sign_count FROM user_passkeys WHERE user_id = $1`, u.ID).Scan(&count); err != nil || count != 7 {
			t.Errorf("sign_count %d (%v), want 7", count, err)
		}

		// Replayed in a new sign-in: its challenge is not the new one. And
		// a signature whose counter did not move forward (a cloned
		// authenticator) is refused.
		c = e.client(t, false)
		e.do(t, c, http.MethodPost, base+"/signin", url.Values{"email": {u.Email}, "password": {password}}, nil)
		options()
		send(good, http.StatusUnauthorized)
		send(assertion(t, key, credID, options(), origin, rpID, 7), http.StatusUnauthorized)

		var failures int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'user.signin_failed' AND after_json LIKE '%"method":"passkey"%'`,
			isms.SystemOrgID).Scan(&failures); err != nil || failures != 5 {
			t.Errorf("%d audited passkey failures (%v), want 5", failures, err)
		}
	})
}

// TestPasskeyRelyingParty: the RP ID comes from --public-url when set;
// without it only localhost works (browsers take no IP address as RP
// ID), and other hosts get a 422 that says what to do.
func TestPasskeyRelyingParty(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	o := mustOrg(t, a, "acme", "Acme Oy")
	e := startServer(t, a, nil)
	viewer := o.users[isms.RoleViewer].Email
	rpOf := func(c *http.Client, target string) (int, string, string) {
		t.Helper()
		r := e.do(t, c, http.MethodPost, target, url.Values{}, nil)
		var opts struct {
			PublicKey struct {
				RP struct {
					ID string `json:"id"`
				} `json:"rp"`
			} `json:"publicKey"`
			Error string `json:"error"`
		}
		_ = json.Unmarshal([]byte(r.body), &opts)
		return r.status, opts.PublicKey.RP.ID, opts.Error
	}

	c := e.signIn(t, viewer)
	if st, _, msg := rpOf(c, "/account/passkeys/options"); st != http.StatusUnprocessableEntity || !strings.Contains(msg, "--public-url") {
		t.Errorf("options on 127.0.0.1 without a public URL: %d %q, want 422 naming --public-url", st, msg)
	}
	lc := e.client(t, false)
	base := strings.Replace(e.ts.URL, "127.0.0.1", "localhost", 1)
	if r := e.do(t, lc, http.MethodPost, base+"/signin", url.Values{"email": {viewer}, "password": {password}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign in on localhost: %d", r.status)
	}
	if st, rp, msg := rpOf(lc, base+"/account/passkeys/options"); st != http.StatusOK || rp != "localhost" {
		t.Errorf("options on localhost: %d rp %q %q, want 200 and localhost", st, rp, msg)
	}
	a.PublicURL = "https://pdca.example.com"
	if st, rp, msg := rpOf(c, "/account/passkeys/options"); st != http.StatusOK || rp != "pdca.example.com" {
		t.Errorf("options with a public URL: %d rp %q %q, want 200 and pdca.example.com", st, rp, msg)
	}
	// Not signed in: no options.
	if st, _, _ := rpOf(e.client(t, false), "/account/passkeys/options"); st != http.StatusUnauthorized {
		t.Errorf("options without a session: %d, want 401", st)
	}
}

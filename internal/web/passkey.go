package web

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Session keys of the passkey ceremonies: the challenge and what it was
// issued for stay on the server, in the session, never in the page.
const (
	passkeyRegKey   = "webauthn_registration"
	passkeyLoginKey = "webauthn_login"
)

var errPasskeyOrigin = isms.Errorf(isms.EINVALID,
	"passkeys need the address people reach pdca at: start the server with --public-url, or open it on this machine as http://localhost:PORT")

// webAuthn returns the relying party of this server: the RP ID and origin
// of serve --public-url when set; otherwise, only for a request to
// localhost (browsers refuse IP addresses as RP IDs), the request's Host.
func (s *Server) webAuthn(r *http.Request) (*webauthn.WebAuthn, error) {
	if pub := s.app.PublicURL; pub != "" {
		u, err := url.Parse(pub)
		if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, errPasskeyOrigin
		}
		return app.NewWebAuthn(u.Hostname(), u.Scheme+"://"+u.Host)
	}
	name := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		name = h
	}
	if name != "localhost" {
		return nil, errPasskeyOrigin
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return app.NewWebAuthn(name, scheme+"://"+r.Host)
}

// passkeyJSON answers the options of a ceremony, or an error, as JSON for
// static/passkey.js.
func (s *Server) passkeyJSON(w http.ResponseWriter, r *http.Request, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(ErrorStatus(err))
		_ = json.NewEncoder(w).Encode(map[string]string{"error": s.errorMessage(r, err)})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// keepCeremony stores a ceremony's session data in the session.
func (s *Server) keepCeremony(r *http.Request, key string, sd *webauthn.SessionData) error {
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), key, string(b))
	return nil
}

// takeCeremony removes and returns a ceremony's session data: each
// challenge is answered at most once.
func (s *Server) takeCeremony(r *http.Request, key string) (*webauthn.SessionData, bool) {
	raw := s.sessions.PopString(r.Context(), key)
	if raw == "" {
		return nil, false
	}
	var sd webauthn.SessionData
	if json.Unmarshal([]byte(raw), &sd) != nil {
		return nil, false
	}
	return &sd, true
}

func (s *Server) handlePasskeyRegisterOptions(w http.ResponseWriter, r *http.Request, p app.Principal) {
	wa, err := s.webAuthn(r)
	if err != nil {
		s.passkeyJSON(w, r, nil, err)
		return
	}
	opts, sd, err := s.app.BeginPasskeyRegistration(r.Context(), wa, p)
	if err == nil {
		err = s.keepCeremony(r, passkeyRegKey, sd)
	}
	s.passkeyJSON(w, r, opts, err)
}

func (s *Server) handlePasskeyRegister(w http.ResponseWriter, r *http.Request, p app.Principal) {
	sd, ok := s.takeCeremony(r, passkeyRegKey)
	if !ok {
		s.accountError(w, r, p, isms.Errorf(isms.EINVALID, "passkey: no registration was started in this session; press Add a passkey again"))
		return
	}
	wa, err := s.webAuthn(r)
	if err != nil {
		s.accountError(w, r, p, err)
		return
	}
	resp, err := protocol.ParseCredentialCreationResponseBytes([]byte(r.PostFormValue("credential")))
	if err != nil {
		s.accountError(w, r, p, isms.Errorf(isms.EINVALID, "passkey: the browser's answer is malformed; press Add a passkey again"))
		return
	}
	if err := s.app.FinishPasskeyRegistration(r.Context(), wa, p, *sd, resp, r.PostFormValue("name")); err != nil {
		s.accountError(w, r, p, err)
		return
	}
	s.flash(r, "The passkey was added: it is your second factor when you sign in.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) handlePasskeyRemove(w http.ResponseWriter, r *http.Request, p app.Principal) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.accountError(w, r, p, isms.Errorf(isms.ENOTFOUND, "no such passkey"))
		return
	}
	if err := s.app.RemovePasskey(r.Context(), p, id, r.PostFormValue("password"), clientAddress(r)); err != nil {
		s.accountError(w, r, p, err)
		return
	}
	s.flash(r, "The passkey was removed.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) handlePasskeySigninOptions(w http.ResponseWriter, r *http.Request) {
	id := s.pendingSecondFactor(r)
	if id == 0 {
		s.passkeyJSON(w, r, nil, isms.Errorf(isms.EUNAUTHORIZED, "the sign-in took too long; enter your password again"))
		return
	}
	wa, err := s.webAuthn(r)
	if err != nil {
		s.passkeyJSON(w, r, nil, err)
		return
	}
	opts, sd, err := s.app.BeginPasskeySignIn(r.Context(), wa, id)
	if err == nil {
		err = s.keepCeremony(r, passkeyLoginKey, sd)
	}
	s.passkeyJSON(w, r, opts, err)
}

func (s *Server) handlePasskeySignin(w http.ResponseWriter, r *http.Request) {
	id := s.pendingSecondFactor(r)
	if id == 0 {
		s.signinExpired(w, r)
		return
	}
	fail := func(err error) {
		pg := s.signinCodePage(r, id)
		pg.Error = s.errorMessage(r, err)
		setRetryAfter(w, err)
		s.renderStatus(w, r, ErrorStatus(err), "signin_code", pg)
	}
	sd, ok := s.takeCeremony(r, passkeyLoginKey)
	if !ok {
		fail(isms.Errorf(isms.EINVALID, "passkey: no passkey sign-in was started in this session; press Use a passkey again"))
		return
	}
	wa, err := s.webAuthn(r)
	if err != nil {
		fail(err)
		return
	}
	resp, err := protocol.ParseCredentialRequestResponseBytes([]byte(strings.TrimSpace(r.PostFormValue("assertion"))))
	if err != nil {
		fail(isms.Errorf(isms.EINVALID, "passkey: the browser's answer is malformed; press Use a passkey again"))
		return
	}
	in, err := s.app.VerifyPasskey(r.Context(), wa, id, *sd, resp, clientAddress(r))
	if err != nil {
		fail(err)
		return
	}
	s.startSession(w, r, in, safeNext(s.sessions.GetString(r.Context(), mfaNextKey)))
}

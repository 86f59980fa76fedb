package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/pdca/pdca/internal/isms"
)

// OIDCConfig configures OpenID Connect single sign-on.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.example.com
	ClientID     string
	ClientSecret string
	RedirectURL  string // e.g. https://pdca.example.com/auth/oidc/callback
	Name         string // shown on the button, e.g. "Company SSO"
}

type oidcProvider struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newOIDCProvider(ctx context.Context, c OIDCConfig) (*oidcProvider, error) {
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: discover %s: %w", c.Issuer, err)
	}
	if c.Name == "" {
		c.Name = "single sign-on"
	}
	return &oidcProvider{
		cfg: c,
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
		verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
	}, nil
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// handleOIDCStart sends the browser to the identity provider with state,
// nonce and a PKCE S256 challenge, all kept in the session.
func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "single sign-on is not configured"))
		return
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	ctx := r.Context()
	s.sessions.Put(ctx, "oidc_state", state)
	s.sessions.Put(ctx, "oidc_nonce", nonce)
	s.sessions.Put(ctx, "oidc_verifier", verifier)
	s.sessions.Put(ctx, "oidc_next", safeNext(r.URL.Query().Get("next")))
	http.Redirect(w, r, s.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// handleOIDCCallback checks state, exchanges the code with the PKCE
// verifier, verifies the ID token and its nonce, and signs the person in.
func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "single sign-on is not configured"))
		return
	}
	ctx := r.Context()
	state := s.sessions.PopString(ctx, "oidc_state")
	nonce := s.sessions.PopString(ctx, "oidc_nonce")
	verifier := s.sessions.PopString(ctx, "oidc_verifier")
	next := safeNext(s.sessions.PopString(ctx, "oidc_next"))
	if msg := r.URL.Query().Get("error"); msg != "" {
		s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "the identity provider refused the sign-in: %s", msg))
		return
	}
	if state == "" || r.URL.Query().Get("state") != state {
		s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "the sign-in expired or did not start here; start again"))
		return
	}
	tok, err := s.oidc.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.log.Warn("oidc exchange failed", "request_id", requestID(ctx), "err", err.Error())
		s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "the identity provider did not accept the sign-in; start again"))
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "the identity provider sent no ID token"))
		return
	}
	idt, err := s.oidc.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != nonce {
		s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "the ID token could not be verified; start again"))
		return
	}
	var claims struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "the ID token has unreadable claims"))
		return
	}
	in, err := s.app.SignInOIDC(ctx, idt.Issuer, idt.Subject, claims.Email, claims.Verified, clientAddress(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.startSession(w, r, in, next)
}

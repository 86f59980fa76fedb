package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/store"
)

// mfaPendingFor is how long a sign-in whose password was right waits for
// its second factor.
const mfaPendingFor = 5 * time.Minute

// startSecondFactor keeps a sign-in whose password was right, pending
// its code: the session holds who and since when, but no signed-in
// person.
func (s *Server) startSecondFactor(w http.ResponseWriter, r *http.Request, in *app.SignedIn, next string) {
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Remove(ctx, sessionUserKey)
	s.sessions.Put(ctx, mfaUserKey, in.User.ID)
	s.sessions.Put(ctx, mfaSinceKey, time.Now().Unix())
	s.sessions.Put(ctx, mfaNextKey, next)
	http.Redirect(w, r, "/signin/code", http.StatusSeeOther)
}

// pendingSecondFactor returns the person whose sign-in waits for a code.
func (s *Server) pendingSecondFactor(r *http.Request) int64 {
	ctx := r.Context()
	id := s.sessions.GetInt64(ctx, mfaUserKey)
	since := time.Unix(s.sessions.GetInt64(ctx, mfaSinceKey), 0)
	if id == 0 || time.Since(since) > mfaPendingFor {
		return 0
	}
	return id
}

type signinCodePage struct {
	Page
	TOTP, Passkey bool // which second factors the person has
}

// signinCodePage offers the second factors the person has: a code (TOTP
// or recovery code) and a passkey.
func (s *Server) signinCodePage(r *http.Request, userID int64) *signinCodePage {
	pg := &signinCodePage{Page: s.page(r, nil, "Second factor"), TOTP: true}
	if totp, passkey, err := s.app.SecondFactors(r.Context(), userID); err == nil {
		pg.TOTP, pg.Passkey = totp, passkey
	}
	return pg
}

func (s *Server) handleSigninCodeForm(w http.ResponseWriter, r *http.Request) {
	id := s.pendingSecondFactor(r)
	if id == 0 {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.render(w, r, "signin_code", s.signinCodePage(r, id))
}

// signinExpired answers a second step whose pending sign-in is gone:
// the password form again, 401.
func (s *Server) signinExpired(w http.ResponseWriter, r *http.Request) {
	pg := &signinPage{Page: s.page(r, nil, "Sign in"), Next: "/", OIDC: s.oidc != nil}
	pg.Error = "the sign-in took too long; enter your password again"
	s.renderStatus(w, r, http.StatusUnauthorized, "signin", pg)
}

func (s *Server) handleSigninCode(w http.ResponseWriter, r *http.Request) {
	id := s.pendingSecondFactor(r)
	if id == 0 {
		s.signinExpired(w, r)
		return
	}
	in, err := s.app.VerifySecondFactor(r.Context(), id, r.PostFormValue("code"), clientAddress(r))
	if err != nil {
		pg := s.signinCodePage(r, id)
		pg.Error = s.errorMessage(r, err)
		setRetryAfter(w, err)
		s.renderStatus(w, r, ErrorStatus(err), "signin_code", pg)
		return
	}
	s.startSession(w, r, in, safeNext(s.sessions.GetString(r.Context(), mfaNextKey)))
}

type accountPage struct {
	Page
	MFA      *app.MFAStatus
	Passkeys []store.Passkey
	// Enrolment, on /account/mfa: the new secret to confirm.
	Enrol *app.TOTPEnrolment
	QR    template.URL // data: URI of the QR code
	// RecoveryCodes, once, after enrolment.
	RecoveryCodes []string
	Next          string
	Required      bool // sent here by an organisation that requires it
	// The time zone form: the value shown and the error beside it.
	TimeZone string
}

func (s *Server) accountPage(r *http.Request, p app.Principal) (*accountPage, error) {
	st, err := s.app.SecondFactorStatus(r.Context(), p)
	if err != nil {
		return nil, err
	}
	keys, err := s.app.Passkeys(r.Context(), p)
	pg := &accountPage{Page: s.page(r, nil, "Your account"), MFA: st, Passkeys: keys}
	if pg.User != nil {
		pg.TimeZone = pg.User.TimeZone
	}
	return pg, err
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, p app.Principal) {
	pg, err := s.accountPage(r, p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "account", pg)
}

// accountError shows the account page again with the error: beside the
// field for a form's problem (forms.go), at the top otherwise (too many
// attempts, with Retry-After).
func (s *Server) accountError(w http.ResponseWriter, r *http.Request, p app.Principal, err error) {
	if formProblemCode(err) {
		s.accountFormError(w, r, p, err, s.handleAccount)
		return
	}
	pg, perr := s.accountPage(r, p)
	if perr != nil {
		s.pageError(w, r, perr)
		return
	}
	pg.Error = s.errorMessage(r, err)
	setRetryAfter(w, err)
	s.renderStatus(w, r, ErrorStatus(err), "account", pg)
}

// handleMFAForm starts enrolment: a new secret, shown as text, URI and
// QR code, with a form to confirm a code from the app.
func (s *Server) handleMFAForm(w http.ResponseWriter, r *http.Request, p app.Principal) {
	pg, err := s.accountPage(r, p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Title, pg.Next = "Second factor", safeNext(r.URL.Query().Get("next"))
	pg.Required = r.URL.Query().Get("next") != ""
	if pg.MFA.Enabled || !pg.MFA.PasswordAccount {
		s.render(w, r, "account_mfa", pg)
		return
	}
	if pg.Enrol, err = s.app.NewTOTP(p); err != nil {
		s.pageError(w, r, err)
		return
	}
	// The secret being set up stays on the server, in the session: the
	// confirming form does not carry it, so no one can choose their own.
	s.sessions.Put(r.Context(), mfaEnrolKey, pg.Enrol.Secret)
	s.setQR(pg)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "account_mfa", pg)
}

func (s *Server) setQR(pg *accountPage) {
	if pg.Enrol != nil && len(pg.Enrol.QRPNG) > 0 {
		pg.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(pg.Enrol.QRPNG))
	}
}

func (s *Server) handleMFAEnable(w http.ResponseWriter, r *http.Request, p app.Principal) {
	secret := s.sessions.GetString(r.Context(), mfaEnrolKey)
	codes, err := s.app.EnableTOTP(r.Context(), p, secret, r.PostFormValue("code"))
	if err == nil {
		s.sessions.Remove(r.Context(), mfaEnrolKey)
	}
	pg, perr := s.accountPage(r, p)
	if perr != nil {
		s.pageError(w, r, perr)
		return
	}
	pg.Title, pg.Next = "Second factor", safeNext(r.PostFormValue("next"))
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		// Show the same secret again, so the app need not be set up twice.
		if !pg.MFA.Enabled && pg.MFA.PasswordAccount {
			pg.Enrol = &app.TOTPEnrolment{Secret: secret, URI: (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/pdca:" + p.Label,
				RawQuery: url.Values{"secret": {secret}, "issuer": {"pdca"}}.Encode()}).String()}
		}
		if !formProblemCode(err) {
			pg.Error = s.errorMessage(r, err)
			s.renderStatus(w, r, ErrorStatus(err), "account_mfa", pg)
			return
		}
		s.accountFormError(w, r, p, err, func(w http.ResponseWriter, r *http.Request, _ app.Principal) { s.render(w, r, "account_mfa", pg) })
		return
	}
	pg.RecoveryCodes = codes
	s.render(w, r, "account_mfa", pg)
}

func (s *Server) handleMFADisable(w http.ResponseWriter, r *http.Request, p app.Principal) {
	if err := s.app.DisableTOTP(r.Context(), p, r.PostFormValue("password"), r.PostFormValue("code"), clientAddress(r)); err != nil {
		s.accountError(w, r, p, err)
		return
	}
	s.flash(r, "The second factor is off.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

type orgSecurityPage struct {
	Page
	RequireMFA bool
}

func (s *Server) handleOrgSecurity(w http.ResponseWriter, r *http.Request, m *app.Member) {
	on, err := s.app.RequireMFA(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &orgSecurityPage{Page: s.page(r, m, "Sign-in security"), RequireMFA: on}
	pg.Nav = "people"
	s.render(w, r, "org_security", pg)
}

func (s *Server) handleOrgRequireMFA(w http.ResponseWriter, r *http.Request, m *app.Member) {
	on := r.PostFormValue("require_mfa") == "on"
	if err := s.app.SetRequireMFA(r.Context(), m.Principal, m.Org.Slug, on); err != nil {
		s.formError(w, r, m, err, s.handleOrgSecurity)
		return
	}
	if on {
		s.flash(r, "Members who sign in with a password now need a second factor.")
	} else {
		s.flash(r, "A second factor is no longer required.")
	}
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/security", http.StatusSeeOther)
}

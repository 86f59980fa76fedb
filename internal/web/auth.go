package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Session keys. A signed-in session holds the person, when they signed
// in (on the database's clock, Unix microseconds: a password change voids
// sessions begun before it) and how. A sign-in waiting for its second
// factor holds only mfaUserKey and friends: it is not signed in.
const (
	sessionUserKey     = "user_id"
	sessionSignedInKey = "signed_in_at"
	sessionMethodKey   = "auth_method"
	mfaUserKey         = "mfa_user"
	mfaSinceKey        = "mfa_since"
	mfaNextKey         = "mfa_next"
	mfaEnrolKey        = "mfa_enrol_secret"
)

// principalFrom returns the principal the authenticate middleware found.
func principalFrom(r *http.Request) (app.Principal, bool) {
	p, ok := r.Context().Value(principalKey).(app.Principal)
	return p, ok
}

// viewerFrom returns the signed-in person and their memberships, read by
// authenticate for a session (nil for API tokens).
func viewerFrom(r *http.Request) *app.Viewer {
	v, _ := r.Context().Value(viewerKey).(*app.Viewer)
	return v
}

// authenticate resolves the caller from an API bearer token or the session
// cookie and puts the principal in the request context. It does not refuse
// anyone: pages and API operations decide.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.apiProblem(w, r, isms.Errorf(isms.EUNAUTHORIZED, "use Authorization: Bearer <token>"))
				return
			}
			slug, _ := apiOrg(r.URL.Path)
			p, err := s.app.AuthenticateTokenIn(ctx, strings.TrimSpace(secret), slug)
			if err != nil {
				s.apiProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, principalKey, p)))
			return
		}
		if id := s.sessions.GetInt64(ctx, sessionUserKey); id != 0 {
			v, err := s.app.ViewerByID(ctx, id)
			switch {
			case err == nil && sessionCurrent(v, s.sessions.GetInt64(ctx, sessionSignedInKey)):
				ctx = context.WithValue(ctx, principalKey, v.Principal)
				ctx = context.WithValue(ctx, viewerKey, v)
				if slug, ok := apiOrg(r.URL.Path); ok && s.needsSecondFactor(r, v, slug) {
					s.apiProblem(w, r, errSecondFactorRequired)
					return
				}
			case err != nil && isms.ErrorCode(err) != isms.ENOTFOUND:
				// Not "signed out": the database failed, or the client
				// went away (pageError logs that as 499, not 500).
				s.serverError(w, r, err)
				return
			case err == nil:
				// Begun before a password change: over.
				if err := s.sessions.Destroy(ctx); err != nil {
					s.serverError(w, r, err)
					return
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// signedIn wraps a page handler that needs a signed-in person; others are
// sent to the sign-in page and come back afterwards.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, app.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := principalFrom(r)
		if !ok || p.Token != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.pageError(w, r, isms.Errorf(isms.EUNAUTHORIZED, "sign in first"))
			return
		}
		h(w, r, p)
	}
}

// inOrg wraps a page handler inside an organisation: the caller must be a
// signed-in member with the right to perform act; a non-member gets 404.
func (s *Server) inOrg(act isms.Action, h func(http.ResponseWriter, *http.Request, *app.Member)) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request, p app.Principal) {
		var m *app.Member
		var err error
		if v := viewerFrom(r); v != nil {
			m, err = v.Member(r.PathValue("org"), act) // read with the session, this request
		} else {
			m, err = s.app.Authorize(r.Context(), p, r.PathValue("org"), act)
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		if v := viewerFrom(r); v != nil && s.needsSecondFactor(r, v, m.Org.Slug) {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/account/mfa?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.pageError(w, r, errSecondFactorRequired)
			return
		}
		h(w, r, m)
	})
}

var errSecondFactorRequired = isms.Errorf(isms.EFORBIDDEN, "this organisation requires a second factor: set one up on your account page (/account/mfa)")

// needsSecondFactor reports whether the viewer must enrol a second factor
// before using the organisation: it requires one, they signed in with a
// password (single sign-on is exempt: the identity provider asks) and
// have none.
func (s *Server) needsSecondFactor(r *http.Request, v *app.Viewer, slug string) bool {
	if v.User.SecondFactor || s.sessions.GetString(r.Context(), sessionMethodKey) == "oidc" {
		return false
	}
	for _, ms := range v.Orgs {
		if ms.OrgSlug == slug {
			return ms.OrgRequiresMFA
		}
	}
	return false
}

// apiOrg returns the organisation of an API path (/api/v1/orgs/{org}/...).
func apiOrg(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, apiPrefix+"orgs/")
	if !ok {
		return "", false
	}
	slug, _, _ := strings.Cut(rest, "/")
	return slug, slug != ""
}

// sessionCurrent reports whether a session begun at signedIn (Unix
// microseconds) is still valid: not begun before the person's last
// password change.
func sessionCurrent(v *app.Viewer, signedIn int64) bool {
	since := v.User.SessionsValidSince
	return since.IsZero() || signedIn >= since.UnixMicro()
}

// safeNext keeps redirects after sign-in on this site: only a path that
// starts with one slash, without control characters or backslashes
// (browsers drop tabs and newlines and read \ as /, so "/\t/evil" and
// "/\evil" lead elsewhere), in which url.Parse finds no scheme or host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

type signinPage struct {
	Page
	Email string
	Next  string
	OIDC  bool
}

func (s *Server) handleSigninForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "signin", &signinPage{Page: s.page(r, nil, "Sign in"), Next: safeNext(r.URL.Query().Get("next")), OIDC: s.oidc != nil})
}

func (s *Server) handleSignin(w http.ResponseWriter, r *http.Request) {
	email, password, next := r.PostFormValue("email"), r.PostFormValue("password"), safeNext(r.PostFormValue("next"))
	in, err := s.app.SignIn(r.Context(), email, password, clientAddress(r))
	if err != nil {
		pg := &signinPage{Page: s.page(r, nil, "Sign in"), Email: email, Next: next, OIDC: s.oidc != nil}
		pg.Error = s.errorMessage(r, err)
		setRetryAfter(w, err)
		s.renderStatus(w, r, ErrorStatus(err), "signin", pg)
		return
	}
	if in.NeedsCode {
		s.startSecondFactor(w, r, in, next)
		return
	}
	s.startSession(w, r, in, next)
}

// setRetryAfter tells a throttled client when to come back.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d := app.RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
	}
}

// startSession renews the session token (against fixation) and signs in.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, in *app.SignedIn, next string) {
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, k := range []string{mfaUserKey, mfaSinceKey, mfaNextKey} {
		s.sessions.Remove(ctx, k)
	}
	s.sessions.Put(ctx, sessionUserKey, in.User.ID)
	s.sessions.Put(ctx, sessionSignedInKey, in.At.UnixMicro())
	s.sessions.Put(ctx, sessionMethodKey, in.Method)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleSignout(w http.ResponseWriter, r *http.Request) {
	if p, ok := principalFrom(r); ok && p.Token == nil {
		if err := s.app.SignOut(r.Context(), p); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (s *Server) handleAccountPassword(w http.ResponseWriter, r *http.Request, p app.Principal) {
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		s.accountError(w, r, p, isms.Errorf(isms.EINVALID, "confirm: the new password and its confirmation differ; type the new password twice"))
		return
	}
	at, err := s.app.ChangePassword(r.Context(), p, r.PostFormValue("current"), r.PostFormValue("new"), clientAddress(r))
	if err != nil {
		s.accountError(w, r, p, err)
		return
	}
	// Every other session of the person is over; this one goes on with a
	// new token.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionSignedInKey, at.UnixMicro())
	s.flash(r, "Your password was changed. Your other sessions are signed out.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

const sessionUserKey = "user_id"

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
			p, err := s.app.AuthenticateToken(ctx, strings.TrimSpace(secret))
			if err != nil {
				s.apiProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, principalKey, p)))
			return
		}
		if id := s.sessions.GetInt64(ctx, sessionUserKey); id != 0 {
			v, err := s.app.ViewerByID(ctx, id)
			if err == nil {
				ctx = context.WithValue(ctx, principalKey, v.Principal)
				ctx = context.WithValue(ctx, viewerKey, v)
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
		h(w, r, m)
	})
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
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
	u, err := s.app.SignIn(r.Context(), email, password, clientAddress(r))
	if err != nil {
		pg := &signinPage{Page: s.page(r, nil, "Sign in"), Email: email, Next: next, OIDC: s.oidc != nil}
		pg.Error = s.errorMessage(r, err)
		s.renderStatus(w, r, ErrorStatus(err), "signin", pg)
		return
	}
	s.startSession(w, r, u.ID, next)
}

// startSession renews the session token (against fixation) and signs in.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64, next string) {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionUserKey, userID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleSignout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

type accountPage struct {
	Page
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, p app.Principal) {
	s.render(w, r, "account", &accountPage{Page: s.page(r, nil, "Your account")})
}

func (s *Server) handleAccountPassword(w http.ResponseWriter, r *http.Request, p app.Principal) {
	if r.PostFormValue("new") != r.PostFormValue("confirm") {
		pg := &accountPage{Page: s.page(r, nil, "Your account")}
		pg.Error = "the new password and its confirmation differ"
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "account", pg)
		return
	}
	if err := s.app.ChangePassword(r.Context(), p, r.PostFormValue("current"), r.PostFormValue("new")); err != nil {
		pg := &accountPage{Page: s.page(r, nil, "Your account")}
		pg.Error = s.errorMessage(r, err)
		s.renderStatus(w, r, ErrorStatus(err), "account", pg)
		return
	}
	s.flash(r, "Your password was changed.")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

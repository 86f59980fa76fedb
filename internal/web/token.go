package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

type tokensPage struct {
	Page
	Tokens []*isms.Token
	Secret string // shown once, right after creation
	Now    time.Time
}

func init() {
	funcs["expired"] = func(t *isms.Token, now time.Time) bool { return t.Expired(now) }
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, m *app.Member, secret string) {
	tokens, err := s.app.Tokens(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &tokensPage{Page: s.page(r, m, "API tokens"), Tokens: tokens, Secret: secret, Now: s.app.DB.Now()}
	pg.Nav = "tokens"
	s.render(w, r, "tokens", pg)
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request, m *app.Member) {
	s.tokensPage(w, r, m, "")
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_, secret, err := s.app.CreateTokenExpiring(r.Context(), m.Principal, m.Org.Slug, "", r.PostFormValue("name"),
		isms.TokenScope(r.PostFormValue("scope")), r.PostFormValue("expires"))
	if err != nil {
		s.formError(w, r, m, err, s.handleTokens)
		return
	}
	// The secret is rendered once in this response and never again.
	s.tokensPage(w, r, m, secret)
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "token not found"))
		return
	}
	if err := s.app.RevokeToken(r.Context(), m.Principal, m.Org.Slug, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Token revoked.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/tokens", http.StatusSeeOther)
}

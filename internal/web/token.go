package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type tokensPage struct {
	Page
	Tokens []*isms.Token
	Secret string // shown once, right after creation
	Now    time.Time
	// The state filter, the list's position and pages, and an invalid
	// filter's message.
	State   string
	Pager   pager
	Problem string
}

func init() {
	funcs["expired"] = func(t *isms.Token, now time.Time) bool { return t.Expired(now) }
	funcs["tokenStates"] = func() []string { return []string{store.TokenActive, store.TokenRevoked, store.TokenExpired} }
}

// tokensPage shows one page of tokens (50, in the order created), filtered
// by state; an invalid state is a problem beside the filter (422).
func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, m *app.Member, secret string) {
	q := r.URL.Query()
	f := app.TokenFilter{State: q.Get("state"), Page: app.Page{Limit: listPage, Offset: pageOffset(q), Count: true}}
	pg := &tokensPage{Page: s.page(r, m, "API tokens"), Secret: secret, Now: s.app.DB.Now(), State: f.State}
	status := http.StatusOK
	list, err := s.app.TokenList(r.Context(), m.Principal, m.Org.Slug, f)
	switch {
	case isms.ErrorCode(err) == isms.EINVALID:
		status, pg.Problem = http.StatusUnprocessableEntity, s.errorMessage(r, err)
	case err != nil:
		s.pageError(w, r, err)
		return
	default:
		pg.Tokens, pg.Pager = list.Items, pagerOf(q, list, "token")
	}
	pg.Nav = "tokens"
	s.renderStatus(w, r, status, "tokens", pg)
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

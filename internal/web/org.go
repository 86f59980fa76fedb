package web

import (
	"net/http"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	p, ok := principalFrom(r)
	if !ok {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	orgs, err := s.app.Orgs(r.Context(), p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(orgs) == 1 {
		// Issue 18: My work is the landing page of anyone who owes
		// something due within the lead time or late; the dashboard of
		// everyone else.
		dest := "/o/" + orgs[0].OrgSlug + "/"
		owes, err := s.app.OwesSomething(r.Context(), p, orgs[0].OrgSlug)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if owes {
			dest += "my-work"
		}
		http.Redirect(w, r, dest, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/orgs", http.StatusSeeOther)
}

type orgsPage struct {
	Page
	Invitations []isms.Invitation // pending, to accept or decline (issue 13)
	CanCreate   bool              // may create organisations here (issue 18)
}

func (s *Server) handleOrgs(w http.ResponseWriter, r *http.Request, p app.Principal) {
	invs, err := s.app.Invitations(r.Context(), p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	canCreate, err := s.app.CanCreateOrg(r.Context(), p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "orgs", &orgsPage{Page: s.page(r, nil, "Your organisations"), Invitations: invs, CanCreate: canCreate})
}

type homePage struct {
	Page
	D       *app.Dashboard
	OwnerUp bool // show the caller's own processes first
}

// handleHome is the one-page dashboard: metric statuses with trends,
// processes missing deadlines, deviations, what is due next. Process
// owners see their own processes first; everyone else the organisation.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ctx := r.Context()
	d, err := s.app.Dashboard(ctx, m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &homePage{Page: s.page(r, m, m.Org.Name), D: d, OwnerUp: m.Role == isms.RoleProcessOwner && len(d.Mine) > 0}
	pg.Nav = "home"
	s.render(w, r, "home", pg)
}

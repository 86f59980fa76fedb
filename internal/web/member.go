package web

import (
	"net/http"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

type peoplePage struct {
	Page
	Members     []isms.Membership
	Invitations []isms.Invitation // pending; admins only
}

func (s *Server) peoplePage(r *http.Request, m *app.Member) (*peoplePage, error) {
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	pg := &peoplePage{Page: s.page(r, m, "People and roles"), Members: members}
	pg.Nav = "people"
	if err == nil && m.Role.Can(isms.ActManageMembers) {
		pg.Invitations, err = s.app.OrgInvitations(r.Context(), m.Principal, m.Org.Slug)
	}
	return pg, err
}

func (s *Server) handlePeople(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg, err := s.peoplePage(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "people", pg)
}

func (s *Server) handleMemberAdd(w http.ResponseWriter, r *http.Request, m *app.Member) {
	// The answer is the same whether or not the email has a pdca account.
	inv, err := s.app.Invite(r.Context(), m.Principal, m.Org.Slug, r.PostFormValue("email"), isms.Role(r.PostFormValue("role")))
	if err != nil {
		s.formError(w, r, m, err, s.handlePeople)
		return
	}
	s.flash(r, "An invitation was recorded for "+inv.Email+"; they become a member when they accept it after signing in (within 14 days).")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/people", http.StatusSeeOther)
}

func (s *Server) handleMemberRole(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "member not found"))
		return
	}
	if err := s.app.SetRole(r.Context(), m.Principal, m.Org.Slug, id, isms.Role(r.PostFormValue("role"))); err != nil {
		s.formError(w, r, m, err, s.handlePeople)
		return
	}
	s.flash(r, "Role changed.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/people", http.StatusSeeOther)
}

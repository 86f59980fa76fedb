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
	// The list's filters as typed, its position and pages, and an invalid
	// filter's message.
	Filter  app.MemberFilter
	Pager   pager
	Problem string
	// Sent is an invitation just made or resent whose link was not
	// emailed: shown once, to pass on (issue 18).
	Sent *app.InvitationSent
}

// peoplePage reads one page of members (by name, 50 a page, filtered by
// role and part of the name or email) and, for admins, the pending
// invitations. An invalid filter is a problem shown beside the filter
// bar (422), not an error page.
func (s *Server) peoplePage(r *http.Request, m *app.Member) (*peoplePage, int, error) {
	q := r.URL.Query()
	f := app.MemberFilter{Role: isms.Role(q.Get("role")), Query: q.Get("q"), Page: app.Page{Limit: listPage, Offset: pageOffset(q), Count: true}}
	pg := &peoplePage{Page: s.page(r, m, "People and roles"), Filter: f}
	pg.Nav = "people"
	status := http.StatusOK
	list, err := s.app.MemberList(r.Context(), m.Principal, m.Org.Slug, f)
	switch {
	case isms.ErrorCode(err) == isms.EINVALID:
		status, pg.Problem, err = http.StatusUnprocessableEntity, s.errorMessage(r, err), nil
	case err == nil:
		pg.Members, pg.Pager = list.Items, pagerOf(q, list, "member")
	}
	if err == nil && m.Role.Can(isms.ActManageMembers) {
		pg.Invitations, err = s.app.OrgInvitations(r.Context(), m.Principal, m.Org.Slug)
	}
	return pg, status, err
}

func (s *Server) handlePeople(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg, status, err := s.peoplePage(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "people", pg)
}

func (s *Server) handleMemberAdd(w http.ResponseWriter, r *http.Request, m *app.Member) {
	// The answer is the same whether or not the email has a pdca account.
	// Issue 18: the invitation's link is emailed, or shown once.
	sent, err := s.app.InviteByLink(r.Context(), m.Principal, m.Org.Slug, r.PostFormValue("email"), isms.Role(r.PostFormValue("role")), s.absoluteURL(r, ""))
	if err != nil {
		s.formError(w, r, m, err, s.handlePeople)
		return
	}
	s.invitationSent(w, r, m, sent, "sent")
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

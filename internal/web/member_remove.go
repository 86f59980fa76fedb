package web

import (
	"net/http"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// memberRemovePage asks an admin to confirm removing a member.
type memberRemovePage struct {
	Page
	Target isms.Membership
}

// removeTarget reads the member named by the path's {user}; ENOTFOUND.
func (s *Server) removeTarget(r *http.Request, m *app.Member) (*isms.Membership, error) {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return nil, isms.Errorf(isms.ENOTFOUND, "member not found")
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		return nil, err
	}
	for i := range members {
		if members[i].UserID == id {
			return &members[i], nil
		}
	}
	return nil, isms.Errorf(isms.ENOTFOUND, "member not found")
}

// handleMemberRemoveConfirm shows what removing the member does, with the
// button that does it.
func (s *Server) handleMemberRemoveConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	target, err := s.removeTarget(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &memberRemovePage{Page: s.page(r, m, "Remove "+target.Email), Target: *target}
	pg.Nav = "people"
	s.render(w, r, "member_remove", pg)
}

// handleMemberRemove removes the member when the form confirms it
// (confirm=yes, the confirmation page's button); without it the
// confirmation page is shown again.
func (s *Server) handleMemberRemove(w http.ResponseWriter, r *http.Request, m *app.Member) {
	if r.PostFormValue("confirm") != "yes" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "confirm: confirm the removal with the button below"), s.handleMemberRemoveConfirm)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "member not found"))
		return
	}
	if err := s.app.RemoveMember(r.Context(), m.Principal, m.Org.Slug, id); err != nil {
		s.formError(w, r, m, err, s.handleMemberRemoveConfirm)
		return
	}
	s.flash(r, "Member removed; their API tokens for this organisation are revoked.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/people", http.StatusSeeOther)
}

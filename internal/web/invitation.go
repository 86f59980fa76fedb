package web

import (
	"net/http"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// handleInvitationAnswer accepts or declines one of the signed-in person's
// invitations and goes to the organisation (accepted) or back to the list.
func (s *Server) handleInvitationAnswer(accept bool) func(http.ResponseWriter, *http.Request, app.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p app.Principal) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "invitation not found"))
			return
		}
		inv, err := s.app.AnswerInvitation(r.Context(), p, id, accept)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		if accept {
			s.flash(r, "Welcome to "+inv.OrgName+": you are "+string(inv.Role)+" here.")
			http.Redirect(w, r, "/o/"+inv.OrgSlug+"/", http.StatusSeeOther)
			return
		}
		s.flash(r, "Invitation to "+inv.OrgName+" declined.")
		http.Redirect(w, r, "/orgs", http.StatusSeeOther)
	}
}

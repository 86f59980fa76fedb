package web

import (
	"net/http"
	"strconv"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 18: invitation links, resending and revoking invitations, and
// password reset by email.

// invitationSent answers an invitation made or resent: a flash when it
// was emailed, else the people page with the link to pass on, shown once
// (rendered, not redirected to, so the link is never stored in the
// session).
func (s *Server) invitationSent(w http.ResponseWriter, r *http.Request, m *app.Member, sent *app.InvitationSent, verb string) {
	if sent.Emailed {
		s.flash(r, "Invitation "+verb+" to "+sent.Invitation.Email+" by email; the link works once, within 14 days.")
		http.Redirect(w, r, "/o/"+m.Org.Slug+"/people", http.StatusSeeOther)
		return
	}
	pg, _, err := s.peoplePage(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg.Sent = sent
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "people", pg)
}

// invitationID reads the path's {id}; ENOTFOUND.
func invitationID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, isms.Errorf(isms.ENOTFOUND, "invitation not found")
	}
	return id, nil
}

func (s *Server) handleInvitationResend(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := invitationID(r)
	if err == nil {
		var sent *app.InvitationSent
		if sent, err = s.app.ResendInvitation(r.Context(), m.Principal, m.Org.Slug, id, s.absoluteURL(r, "")); err == nil {
			s.invitationSent(w, r, m, sent, "sent again")
			return
		}
	}
	s.formError(w, r, m, err, s.handlePeople)
}

// invitationRevokePage asks an admin to confirm revoking an invitation.
type invitationRevokePage struct {
	Page
	Invitation *isms.Invitation
}

func (s *Server) handleInvitationRevokeConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := invitationID(r)
	var inv *isms.Invitation
	if err == nil {
		inv, err = s.app.OrgInvitation(r.Context(), m.Principal, m.Org.Slug, id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &invitationRevokePage{Page: s.page(r, m, "Revoke the invitation of "+inv.Email), Invitation: inv}
	pg.Nav = "people"
	s.render(w, r, "invitation_revoke", pg)
}

func (s *Server) handleInvitationRevoke(w http.ResponseWriter, r *http.Request, m *app.Member) {
	if r.PostFormValue("confirm") != "yes" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "confirm: confirm with the button below"), s.handleInvitationRevokeConfirm)
		return
	}
	id, err := invitationID(r)
	if err == nil {
		err = s.app.RevokeInvitation(r.Context(), m.Principal, m.Org.Slug, id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Invitation revoked: its link no longer works.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/people", http.StatusSeeOther)
}

// invitationLinkPage is what following an invitation link shows.
type invitationLinkPage struct {
	Page
	Token string
	Link  *app.InvitationLink
	// Problem says why the link cannot be used (State not valid).
	Problem string
	// Signed-in: whether as the invited email.
	SignedIn, SameEmail bool
	OIDC                bool
}

// handleInvitationLink shows an invitation link (public): the
// organisation, the role and what to do: create an account, sign in, or
// accept as the signed-in person.
func (s *Server) handleInvitationLink(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	link, err := s.app.FollowInvitation(r.Context(), token)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &invitationLinkPage{Page: s.page(r, nil, "Invitation"), Token: token, Link: link, OIDC: s.oidc != nil}
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if link.State != app.LinkValid {
		pg.Problem = s.errorMessage(r, app.LinkError(link.State))
		status = http.StatusNotFound
		if link.State == app.LinkExpired {
			status = http.StatusGone
		}
	} else {
		pg.Title = "Invitation to " + link.Invitation.OrgName
		if p, ok := principalFrom(r); ok && p.Token == nil {
			pg.SignedIn = true
			if v := viewerFrom(r); v != nil {
				pg.SameEmail = v.User.Email == link.Invitation.Email
			}
		}
	}
	s.renderStatus(w, r, status, "invitation_link", pg)
}

// handleInvitationJoin creates the account of an invited person who has
// none, makes them a member and signs them in.
func (s *Server) handleInvitationJoin(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if r.PostFormValue("password") != r.PostFormValue("confirm") {
		s.formAgain(w, r, isms.Errorf(isms.EINVALID, "confirm: the password and its confirmation differ; type the password twice"), s.handleInvitationLink)
		return
	}
	in, err := s.app.JoinByInvitation(r.Context(), token, r.PostFormValue("name"), r.PostFormValue("password"))
	if err != nil {
		s.formAgain(w, r, err, s.handleInvitationLink)
		return
	}
	link := "/orgs"
	if inv := in.Invitation; inv != nil {
		link = "/o/" + inv.OrgSlug + "/"
		s.flash(r, "Welcome to "+inv.OrgName+": you are "+isms.Label(string(inv.Role))+" here.")
	}
	s.startSession(w, r, &in.SignedIn, link)
}

// handleInvitationLinkAnswer accepts or declines the invitation of a link
// as the signed-in person (answer=accept or decline).
func (s *Server) handleInvitationLinkAnswer(w http.ResponseWriter, r *http.Request, p app.Principal) {
	accept := r.PostFormValue("answer") != "decline"
	inv, err := s.app.AcceptInvitationLink(r.Context(), p, r.PathValue("token"), accept)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if accept {
		s.flash(r, "Welcome to "+inv.OrgName+": you are "+isms.Label(string(inv.Role))+" here.")
		http.Redirect(w, r, "/o/"+inv.OrgSlug+"/", http.StatusSeeOther)
		return
	}
	s.flash(r, "Invitation to "+inv.OrgName+" declined.")
	http.Redirect(w, r, "/orgs", http.StatusSeeOther)
}

// forgotPage asks for the email to send a reset link to.
type forgotPage struct {
	Page
	Available bool
	Sent      bool
}

func (s *Server) handleForgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "forgot", &forgotPage{Page: s.page(r, nil, "Forgot your password?"), Available: s.app.PasswordResetAvailable()})
}

// handleForgot sends a reset link when the email has an account; the
// answer is the same either way.
func (s *Server) handleForgot(w http.ResponseWriter, r *http.Request) {
	if err := s.app.RequestPasswordReset(r.Context(), r.PostFormValue("email"), clientAddress(r)); err != nil {
		setRetryAfter(w, err)
		s.formAgain(w, r, err, s.handleForgotForm)
		return
	}
	pg := &forgotPage{Page: s.page(r, nil, "Check your email"), Available: true, Sent: true}
	s.render(w, r, "forgot", pg)
}

// resetPage sets a new password through a reset link.
type resetPage struct {
	Page
	Token string
	Valid bool
}

func (s *Server) handleResetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ok, err := s.app.PasswordResetValid(r.Context(), token)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
	}
	s.renderStatus(w, r, status, "reset", &resetPage{Page: s.page(r, nil, "Choose a new password"), Token: token, Valid: ok})
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("password") != r.PostFormValue("confirm") {
		s.formAgain(w, r, isms.Errorf(isms.EINVALID, "confirm: the password and its confirmation differ; type the password twice"), s.handleResetForm)
		return
	}
	if err := s.app.ResetPassword(r.Context(), r.PathValue("token"), r.PostFormValue("password")); err != nil {
		s.formAgain(w, r, err, s.handleResetForm)
		return
	}
	// This browser's session, if any, ended with the others.
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Your password was changed and every session of yours signed out: sign in with the new password.")
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

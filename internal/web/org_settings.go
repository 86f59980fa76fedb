package web

import (
	"net/http"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 18: the organisation's settings on one page: name and time zone,
// with the other settings (date order, reminders, second factor, the
// public report link, webhooks) linked or repeated.

type orgSettingsPage struct {
	Page
	RequireMFA bool
}

func (s *Server) handleOrgSettings(w http.ResponseWriter, r *http.Request, m *app.Member) {
	on, err := s.app.RequireMFA(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &orgSettingsPage{Page: s.page(r, m, "Organisation settings"), RequireMFA: on}
	pg.Nav = "people"
	s.render(w, r, "org_settings", pg)
}

func (s *Server) handleOrgSettingsUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	o, err := s.app.UpdateOrgSettings(r.Context(), m.Principal, m.Org.Slug, app.OrgSettings{Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone")})
	if err != nil {
		s.formError(w, r, m, err, s.handleOrgSettings)
		return
	}
	s.flash(r, "Settings saved: "+o.Name+", time zone "+o.TimeZone+".")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/settings", http.StatusSeeOther)
}

// orgNewPage is the form to create an organisation (issue 18).
type orgNewPage struct {
	Page
}

func (s *Server) handleOrgNew(w http.ResponseWriter, r *http.Request, p app.Principal) {
	ok, err := s.app.CanCreateOrg(r.Context(), p)
	if err == nil && !ok {
		err = isms.Errorf(isms.EFORBIDDEN, "this server does not let you create organisations; ask its operator")
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, "org_new", &orgNewPage{Page: s.page(r, nil, "Create an organisation")})
}

func (s *Server) handleOrgCreate(w http.ResponseWriter, r *http.Request, p app.Principal) {
	o := &isms.Organization{Slug: r.PostFormValue("slug"), Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone")}
	if err := s.app.CreateOrgAsMember(r.Context(), p, o); err != nil {
		s.accountFormError(w, r, p, err, s.handleOrgNew)
		return
	}
	s.flash(r, o.Name+" is created and you are its admin: invite people from People and roles.")
	http.Redirect(w, r, "/o/"+o.Slug+"/", http.StatusSeeOther)
}

package app_test

import (
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// TestViewerMember checks the authorisation a page makes from the
// memberships read with the session: the same answers as Authorize.
func TestViewerMember(t *testing.T) {
	v := &app.Viewer{Principal: app.Principal{UserID: 7, Label: "v@acme.example"}, Orgs: []isms.Membership{
		{OrgID: 1, UserID: 7, Role: isms.RoleViewer, OrgSlug: "acme", OrgName: "Acme Oy", OrgTimeZone: "Europe/Helsinki"},
		{OrgID: 2, UserID: 7, Role: isms.RoleAdmin, OrgSlug: "beta", OrgName: "Beta Oy", OrgTimeZone: "UTC"},
	}}
	for _, c := range []struct {
		slug string
		act  isms.Action
		code string
	}{
		{"acme", isms.ActRead, ""},
		{"acme", isms.ActWriteRecords, isms.EFORBIDDEN},
		{"beta", isms.ActManageMembers, ""},
		{"gamma", isms.ActRead, isms.ENOTFOUND},
		{"", isms.ActRead, isms.ENOTFOUND},
	} {
		m, err := v.Member(c.slug, c.act)
		if isms.ErrorCode(err) != c.code {
			t.Errorf("Member(%q, %s) error %v, want %q", c.slug, c.act, err, c.code)
			continue
		}
		if err == nil && (m.Org.Slug != c.slug || m.UserID != 7 || m.Org.ID == 0) {
			t.Errorf("Member(%q) = %+v", c.slug, m)
		}
	}
	m, _ := v.Member("acme", isms.ActRead)
	if m.Org.Location().String() != "Europe/Helsinki" || m.Role != isms.RoleViewer || m.Org.Name != "Acme Oy" {
		t.Errorf("member of acme: %+v, zone %s", m, m.Org.Location())
	}
}

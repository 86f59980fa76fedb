package app

import (
	"context"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// OrgSettings are an organisation's name and time zone (issue 18).
type OrgSettings struct {
	Name     string
	TimeZone string // an IANA name, e.g. Europe/Helsinki
}

// UpdateOrgSettings renames the organisation and sets its time zone (an
// IANA name; reminders, periods and pages of people without a zone of
// their own follow it). Requires manage_org (admins); audited as
// org.settings with what changed. EINVALID.
func (a *App) UpdateOrgSettings(ctx context.Context, p Principal, slug string, in OrgSettings) (*isms.Organization, error) {
	var out *isms.Organization
	err := a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		o := *m.Org
		o.Name, o.TimeZone = strings.TrimSpace(in.Name), strings.TrimSpace(in.TimeZone)
		if o.TimeZone == "" {
			return isms.Errorf(isms.EINVALID, "time_zone: choose a time zone, e.g. Europe/Helsinki")
		}
		if err := o.Validate(); err != nil {
			return err
		}
		out = &o
		if o.Name == m.Org.Name && o.TimeZone == m.Org.TimeZone {
			return nil
		}
		if err := tx.SetOrgNameZone(ctx, o.ID, o.Name, o.TimeZone); err != nil {
			return err
		}
		before, after := map[string]any{}, map[string]any{}
		if o.Name != m.Org.Name {
			before["name"], after["name"] = m.Org.Name, o.Name
		}
		if o.TimeZone != m.Org.TimeZone {
			before["time_zone"], after["time_zone"] = m.Org.TimeZone, o.TimeZone
		}
		return audit(ctx, tx, o.ID, p, "org.settings", "organization", o.ID, before, after)
	})
	return out, err
}

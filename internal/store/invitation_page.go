package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// invitationColumns and invitationFrom are invitationSelect split for
// readPage.
const (
	invitationColumns = `i.id, i.org_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, o.slug, o.name`
	invitationFrom    = ` FROM invitations i JOIN organizations o ON o.id = i.org_id`
)

// OrgInvitationPage returns one page of the organisation's invitations
// that have not expired at now, by email (unique per organisation; the
// index invitations_org_email_key reads them in this order), paged and
// counted by the database.
func (tx *Tx) OrgInvitationPage(ctx context.Context, orgID int64, now time.Time, p PageSpec) (*Page[isms.Invitation], error) {
	w := whereOrg(orgID, "i.org_id")
	w.and(`i.expires_at > %s`, tx.ts(now))
	return readPage(ctx, tx, "invitations", invitationColumns, invitationFrom, ` FROM invitations i`, w, `i.email, i.id`, p,
		func(rows *sql.Rows) (isms.Invitation, error) {
			inv, err := scanInvitation(rows)
			if err != nil {
				return isms.Invitation{}, err
			}
			return *inv, nil
		})
}

// OrgInvitation returns one of the organisation's invitations by id,
// expired or not; ENOTFOUND when the organisation has none with that id.
func (tx *Tx) OrgInvitation(ctx context.Context, orgID, id int64) (*isms.Invitation, error) {
	inv, err := scanInvitation(tx.queryRow(ctx, invitationSelect+` WHERE i.org_id = $1 AND i.id = $2`, orgID, id))
	return inv, notFound(err, "invitation")
}

package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pdca/pdca/internal/isms"
)

// CreateOrg inserts an organisation and sets its ID and CreatedAt.
// ECONFLICT if the slug is taken.
func (tx *Tx) CreateOrg(ctx context.Context, o *isms.Organization) error {
	o.CreatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO organizations (slug, name, time_zone, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, o.Slug, o.Name, o.TimeZone, tx.ts(o.CreatedAt)).Scan(&o.ID)
	if err != nil {
		return conflict(err, fmt.Sprintf("an organisation with slug %q already exists", o.Slug))
	}
	return tx.enableDefaultFrameworks(ctx, o.ID)
}

const orgColumns = `id, slug, name, time_zone, date_order, created_at`

// scanOrg reads orgColumns, then the extra columns into extra.
func scanOrg(row interface{ Scan(...any) error }, extra ...any) (*isms.Organization, error) {
	var o isms.Organization
	if err := row.Scan(append([]any{&o.ID, &o.Slug, &o.Name, &o.TimeZone, &o.DateOrder, tm(&o.CreatedAt)}, extra...)...); err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

// OrgBySlug returns the organisation with the slug; ENOTFOUND if none.
func (tx *Tx) OrgBySlug(ctx context.Context, slug string) (*isms.Organization, error) {
	o, err := scanOrg(tx.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations WHERE slug = $1`, slug))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("organisation %q", slug))
	}
	return o, nil
}

// OrgAndRole returns the organisation with the slug and the user's role
// in it, "" when the user is not a member, in one query: every request
// inside an organisation asks this. ENOTFOUND if there is no such
// organisation.
func (tx *Tx) OrgAndRole(ctx context.Context, slug string, userID int64) (*isms.Organization, isms.Role, error) {
	var role string
	o, err := scanOrg(tx.queryRow(ctx, `SELECT o.id, o.slug, o.name, o.time_zone, o.date_order, o.created_at, COALESCE(m.role, '')
		FROM organizations o LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = $2 WHERE o.slug = $1`, slug, userID), &role)
	if err != nil {
		return nil, "", notFound(err, fmt.Sprintf("organisation %q", slug))
	}
	return o, isms.Role(role), nil
}

// OrgAccess is OrgAndRole and DataVersion in one statement: the
// organisation with the slug, the user's role in it ("" if none) and the
// organisation's data version. ENOTFOUND if there is no such organisation.
func (tx *Tx) OrgAccess(ctx context.Context, slug string, userID int64) (*isms.Organization, isms.Role, string, error) {
	var role string
	var seq int64
	var computed sql.NullString
	o, err := scanOrg(tx.queryRow(ctx, `SELECT o.id, o.slug, o.name, o.time_zone, o.date_order, o.created_at, COALESCE(m.role, ''),
		COALESCE((SELECT seq FROM audit_heads WHERE org_id = o.id), 0),
		(SELECT MAX(computed_at) FROM measurements WHERE org_id = o.id)
		FROM organizations o LEFT JOIN memberships m ON m.org_id = o.id AND m.user_id = $2 WHERE o.slug = $1`, slug, userID),
		&role, &seq, &computed)
	if err != nil {
		return nil, "", "", notFound(err, fmt.Sprintf("organisation %q", slug))
	}
	return o, isms.Role(role), dataVersion(seq, computed), nil
}

// OrgByID returns the organisation with the id; ENOTFOUND if none.
func (tx *Tx) OrgByID(ctx context.Context, id int64) (*isms.Organization, error) {
	o, err := scanOrg(tx.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "organisation")
	}
	return o, nil
}

// CountOrgs returns the number of organisations (to tell an empty database).
func (tx *Tx) CountOrgs(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&n)
	return n, err
}

// ListOrgs returns every organisation, by slug.
func (tx *Tx) ListOrgs(ctx context.Context) ([]*isms.Organization, error) {
	rows, err := tx.query(ctx, `SELECT `+orgColumns+` FROM organizations ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []*isms.Organization
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetOrgDateOrder stores how the organisation's imports read slashed
// dates ("", "dmy" or "mdy").
func (tx *Tx) SetOrgDateOrder(ctx context.Context, orgID int64, order string) error {
	_, err := tx.exec(ctx, `UPDATE organizations SET date_order = $1 WHERE id = $2`, order, orgID)
	if err != nil {
		return fmt.Errorf("set date order: %w", err)
	}
	return nil
}

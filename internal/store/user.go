package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pdca/pdca/internal/isms"
)

// CreateUser inserts a user with an optional password hash (argon2id PHC
// string). ECONFLICT if the email is taken.
func (tx *Tx) CreateUser(ctx context.Context, u *isms.User, passwordHash string) error {
	u.CreatedAt = tx.Now
	var ph any
	if passwordHash != "" {
		ph = passwordHash
	}
	err := tx.queryRow(ctx, `INSERT INTO users (email, name, password_hash, created_at, password_changed_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, u.Email, u.Name, ph, tx.ts(u.CreatedAt)).Scan(&u.ID)
	if err != nil {
		return conflict(err, fmt.Sprintf("a person with email %s already exists", u.Email))
	}
	return nil
}

// UserCredentials is what sign-in needs to know about a user.
type UserCredentials struct {
	User         isms.User
	PasswordHash string
	// TOTP is whether the user has TOTP enrolled, Passkey whether they
	// have at least one passkey: either is a second factor.
	TOTP    bool
	Passkey bool
}

// UserByEmail returns the user and password hash; ENOTFOUND if none.
func (tx *Tx) UserByEmail(ctx context.Context, email string) (*UserCredentials, error) {
	var c UserCredentials
	var ph sql.NullString
	err := tx.queryRow(ctx, `SELECT id, email, name, created_at, password_hash, totp_enabled_at IS NOT NULL,
		EXISTS (SELECT 1 FROM user_passkeys k WHERE k.user_id = users.id) FROM users WHERE email = $1`, email).
		Scan(&c.User.ID, &c.User.Email, &c.User.Name, tm(&c.User.CreatedAt), &ph, &c.TOTP, &c.Passkey)
	if err != nil {
		return nil, notFound(err, "person")
	}
	c.PasswordHash = ph.String
	return &c, nil
}

// UserByID returns the user; ENOTFOUND if none.
func (tx *Tx) UserByID(ctx context.Context, id int64) (*UserCredentials, error) {
	var c UserCredentials
	var ph sql.NullString
	err := tx.queryRow(ctx, `SELECT id, email, name, created_at, password_hash, totp_enabled_at IS NOT NULL,
		EXISTS (SELECT 1 FROM user_passkeys k WHERE k.user_id = users.id) FROM users WHERE id = $1`, id).
		Scan(&c.User.ID, &c.User.Email, &c.User.Name, tm(&c.User.CreatedAt), &ph, &c.TOTP, &c.Passkey)
	if err != nil {
		return nil, notFound(err, "person")
	}
	c.PasswordHash = ph.String
	return &c, nil
}

// UserByOIDC returns the user linked to an OpenID subject; ENOTFOUND if none.
func (tx *Tx) UserByOIDC(ctx context.Context, issuer, subject string) (*isms.User, error) {
	var u isms.User
	err := tx.queryRow(ctx, `SELECT id, email, name, created_at FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2`,
		issuer, subject).Scan(&u.ID, &u.Email, &u.Name, tm(&u.CreatedAt))
	if err != nil {
		return nil, notFound(err, "person")
	}
	return &u, nil
}

// LinkOIDC links a user to an OpenID issuer and subject.
func (tx *Tx) LinkOIDC(ctx context.Context, userID int64, issuer, subject string) error {
	_, err := tx.exec(ctx, `UPDATE users SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1`, userID, issuer, subject)
	return conflict(err, "this single sign-on account is already linked to another person")
}

// SetPassword replaces a user's password hash and voids every session
// begun before (EndSessions).
func (tx *Tx) SetPassword(ctx context.Context, userID int64, hash string) error {
	_, err := tx.exec(ctx, `UPDATE users SET password_hash = $2, password_changed_at = $3, sessions_valid_since = $3 WHERE id = $1`, userID, hash, tx.ts(tx.Now))
	return err
}

// UserTimeZone returns the zone a person chose ("" for none); ENOTFOUND
// when there is no such person.
func (tx *Tx) UserTimeZone(ctx context.Context, userID int64) (string, error) {
	var zone string
	err := tx.queryRow(ctx, `SELECT time_zone FROM users WHERE id = $1`, userID).Scan(&zone)
	if errors.Is(err, sql.ErrNoRows) {
		return "", isms.Errorf(isms.ENOTFOUND, "person not found")
	}
	return zone, err
}

// SetUserTimeZone stores the zone a person reads times in (empty: each
// organisation's own).
func (tx *Tx) SetUserTimeZone(ctx context.Context, userID int64, zone string) error {
	_, err := tx.exec(ctx, `UPDATE users SET time_zone = $2 WHERE id = $1`, userID, zone)
	if err != nil {
		return fmt.Errorf("set time zone of user %d: %w", userID, err)
	}
	return nil
}

// AddMembership gives a user a role in an organisation; ECONFLICT if the
// user is already a member.
func (tx *Tx) AddMembership(ctx context.Context, m *isms.Membership) error {
	m.CreatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		m.OrgID, m.UserID, string(m.Role), tx.ts(m.CreatedAt))
	return conflict(err, "this person is already a member of the organisation")
}

// SetRole changes a member's role; ENOTFOUND if not a member.
func (tx *Tx) SetRole(ctx context.Context, orgID, userID int64, role isms.Role) error {
	res, err := tx.exec(ctx, `UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2`, orgID, userID, string(role))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.ENOTFOUND, "member not found")
	}
	return nil
}

// RemoveMembership removes a member; ENOTFOUND if not a member.
func (tx *Tx) RemoveMembership(ctx context.Context, orgID, userID int64) error {
	res, err := tx.exec(ctx, `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.ENOTFOUND, "member not found")
	}
	return nil
}

const membershipSelect = `SELECT m.org_id, m.user_id, m.role, m.created_at, u.email, u.name, o.slug, o.name, o.time_zone, u.time_zone
	FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id`

func scanMemberships(rows *sql.Rows) ([]isms.Membership, error) {
	defer rows.Close()
	var out []isms.Membership
	for rows.Next() {
		var m isms.Membership
		var role string
		if err := rows.Scan(&m.OrgID, &m.UserID, &role, tm(&m.CreatedAt), &m.Email, &m.Name, &m.OrgSlug, &m.OrgName, &m.OrgTimeZone, &m.UserTimeZone); err != nil {
			return nil, fmt.Errorf("scan membership: %w", err)
		}
		m.Role = isms.Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Membership returns a user's membership of an organisation; ENOTFOUND if
// the user is not a member.
func (tx *Tx) Membership(ctx context.Context, orgID, userID int64) (*isms.Membership, error) {
	rows, err := tx.query(ctx, membershipSelect+` WHERE m.org_id = $1 AND m.user_id = $2`, orgID, userID)
	if err != nil {
		return nil, err
	}
	ms, err := scanMemberships(rows)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, isms.Errorf(isms.ENOTFOUND, "not a member")
	}
	return &ms[0], nil
}

// Members lists an organisation's members by name.
func (tx *Tx) Members(ctx context.Context, orgID int64) ([]isms.Membership, error) {
	rows, err := tx.query(ctx, membershipSelect+` WHERE m.org_id = $1 ORDER BY u.name, u.email`, orgID)
	if err != nil {
		return nil, err
	}
	return scanMemberships(rows)
}

// UserMemberships lists the organisations a user belongs to, by slug.
func (tx *Tx) UserMemberships(ctx context.Context, userID int64) ([]isms.Membership, error) {
	rows, err := tx.query(ctx, membershipSelect+` WHERE m.user_id = $1 ORDER BY o.slug`, userID)
	if err != nil {
		return nil, err
	}
	return scanMemberships(rows)
}

// UserAndMemberships returns the user with the id and every membership of
// theirs (by organisation slug), in one statement; ENOTFOUND if there is
// no such user.
func (tx *Tx) UserAndMemberships(ctx context.Context, userID int64) (*isms.User, []isms.Membership, error) {
	rows, err := tx.query(ctx, `SELECT u.id, u.email, u.name, u.created_at, u.sessions_valid_since, u.time_zone,
		(u.totp_enabled_at IS NOT NULL OR EXISTS (SELECT 1 FROM user_passkeys k WHERE k.user_id = u.id)),
		m.org_id, m.role, m.created_at, o.slug, o.name, o.time_zone, o.require_mfa, o.date_order
		FROM users u LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN organizations o ON o.id = m.org_id
		WHERE u.id = $1 ORDER BY o.slug`, userID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var u *isms.User
	var out []isms.Membership
	for rows.Next() {
		var row isms.User
		var orgID sql.NullInt64
		var role, slug, name, zone, dateOrder sql.NullString
		var created, since nullTime
		var requireMFA sql.NullBool
		if err := rows.Scan(&row.ID, &row.Email, &row.Name, tm(&row.CreatedAt), &since, &row.TimeZone, &row.SecondFactor,
			&orgID, &role, &created, &slug, &name, &zone, &requireMFA, &dateOrder); err != nil {
			return nil, nil, fmt.Errorf("scan membership: %w", err)
		}
		if u == nil {
			u = &row
			if since.Valid {
				u.SessionsValidSince = since.Time.UTC()
			}
		}
		if orgID.Valid {
			out = append(out, isms.Membership{OrgID: orgID.Int64, UserID: row.ID, Role: isms.Role(role.String),
				CreatedAt: created.Time, Email: row.Email, Name: row.Name, OrgSlug: slug.String, OrgName: name.String,
				OrgTimeZone: zone.String, OrgRequiresMFA: requireMFA.Bool, OrgDateOrder: dateOrder.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, isms.Errorf(isms.ENOTFOUND, "person not found")
	}
	return u, out, nil
}

// CountAdmins returns how many admins an organisation has.
func (tx *Tx) CountAdmins(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = $2`, orgID, string(isms.RoleAdmin)).Scan(&n)
	return n, err
}

// CountMembers counts the organisation's members.
func (tx *Tx) CountMembers(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1`, orgID).Scan(&n)
	return n, err
}

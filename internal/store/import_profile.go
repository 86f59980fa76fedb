package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// StoredProfile is an import profile as kept for an organisation.
type StoredProfile struct {
	ID        int64
	Profile   isms.ImportProfile
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy int64
}

// MaxProfiles bounds the import profiles of one organisation.
const MaxProfiles = 200

func profileNameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

const profileSelect = `SELECT id, spec, created_at, updated_at, updated_by FROM import_profiles`

func scanProfile(row interface{ Scan(...any) error }) (*StoredProfile, error) {
	var p StoredProfile
	var spec string
	if err := row.Scan(&p.ID, &spec, tm(&p.CreatedAt), tm(&p.UpdatedAt), &p.UpdatedBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(spec), &p.Profile); err != nil {
		return nil, fmt.Errorf("import profile %d: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// ImportProfiles lists the organisation's import profiles by name.
func (tx *Tx) ImportProfiles(ctx context.Context, orgID int64) ([]StoredProfile, error) {
	rows, err := tx.query(ctx, profileSelect+` WHERE org_id = $1 ORDER BY name_key LIMIT $2`, orgID, MaxProfiles)
	if err != nil {
		return nil, fmt.Errorf("import profiles: %w", err)
	}
	defer rows.Close()
	var out []StoredProfile
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// ImportProfile returns the organisation's profile called name (in any
// case); ENOTFOUND when there is none.
func (tx *Tx) ImportProfile(ctx context.Context, orgID int64, name string) (*StoredProfile, error) {
	p, err := scanProfile(tx.queryRow(ctx, profileSelect+` WHERE org_id = $1 AND name_key = $2`, orgID, profileNameKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, isms.Errorf(isms.ENOTFOUND, "profile %q: no import profile has this name; see the Import profiles page or `pdca profile list`", name)
	}
	return p, err
}

// PutImportProfile stores p under its name, replacing the profile of that
// name (any case) if there is one, and reports whether it created one and
// the new profile's id. ECONFLICT when the organisation has MaxProfiles
// already.
func (tx *Tx) PutImportProfile(ctx context.Context, orgID, by int64, p isms.ImportProfile) (id int64, created bool, err error) {
	spec, err := json.Marshal(p)
	if err != nil {
		return 0, false, err
	}
	res, err := tx.exec(ctx, `UPDATE import_profiles SET name = $3, kind = $4, file_pattern = $5, spec = $6, updated_at = $7, updated_by = $8
		WHERE org_id = $1 AND name_key = $2`, orgID, profileNameKey(p.Name), p.Name, string(p.Kind), p.FilePattern, string(spec), tx.ts(tx.Now), by)
	if err != nil {
		return 0, false, fmt.Errorf("update import profile: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return 0, false, nil
	}
	var count int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM import_profiles WHERE org_id = $1`, orgID).Scan(&count); err != nil {
		return 0, false, err
	}
	if count >= MaxProfiles {
		return 0, false, isms.Errorf(isms.ECONFLICT, "name: the organisation has %d import profiles, the most it keeps; delete one first", count)
	}
	err = tx.queryRow(ctx, `INSERT INTO import_profiles (org_id, name, name_key, kind, file_pattern, spec, created_at, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id`, orgID, p.Name, profileNameKey(p.Name), string(p.Kind), p.FilePattern, string(spec), tx.ts(tx.Now), by).Scan(&id)
	if err != nil {
		return 0, false, conflict(fmt.Errorf("insert import profile: %w", err), fmt.Sprintf("name: a profile called %q was saved at the same moment; try again", p.Name))
	}
	return id, true, nil
}

// DeleteImportProfile removes the organisation's profile called name;
// ENOTFOUND when there is none.
func (tx *Tx) DeleteImportProfile(ctx context.Context, orgID int64, name string) error {
	res, err := tx.exec(ctx, `DELETE FROM import_profiles WHERE org_id = $1 AND name_key = $2`, orgID, profileNameKey(name))
	if err != nil {
		return fmt.Errorf("delete import profile: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.ENOTFOUND, "profile %q: no import profile has this name", name)
	}
	return nil
}

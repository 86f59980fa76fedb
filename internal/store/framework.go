package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// Frameworks (issue 19, migration 0039): catalogues of requirements per
// instance (org_id NULL) or private to the organisation that imported
// them, enabled per organisation.

// FrameworkRow is a stored framework as one organisation sees it.
type FrameworkRow struct {
	isms.Framework
	Enabled bool // enabled in the organisation asked about
}

const frameworkColumns = `f.id, COALESCE(f.org_id, 0), f.key, f.title, f.version, f.source, f.origin, f.sha256, f.builtin, f.requirements, f.imported_at, f.imported_by`

func scanFramework(row interface{ Scan(...any) error }, extra ...any) (*FrameworkRow, error) {
	var f FrameworkRow
	dest := append([]any{&f.ID, &f.OrgID, &f.Key, &f.Title, &f.Version, &f.Source, &f.Origin, &f.SHA256, &f.Builtin, &f.Requirements,
		tm(&f.ImportedAt), &f.ImportedBy}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	f.ImportedAt = f.ImportedAt.UTC()
	return &f, nil
}

// Frameworks lists the frameworks the organisation may use (every
// instance-wide one and its own imports), built-in first, then by title,
// each saying whether the organisation has enabled it. orgID 0 lists the
// instance-wide frameworks only.
func (tx *Tx) Frameworks(ctx context.Context, orgID int64) ([]*FrameworkRow, error) {
	rows, err := tx.query(ctx, `SELECT `+frameworkColumns+`, EXISTS (SELECT 1 FROM org_frameworks o WHERE o.org_id = $1 AND o.framework_id = f.id)
		FROM frameworks f WHERE f.org_id IS NULL OR f.org_id = $1 ORDER BY f.builtin DESC, f.title, f.version, f.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list frameworks: %w", err)
	}
	defer rows.Close()
	var out []*FrameworkRow
	for rows.Next() {
		var enabled bool
		f, err := scanFramework(rows, &enabled)
		if err != nil {
			return nil, fmt.Errorf("scan framework: %w", err)
		}
		f.Enabled = enabled
		out = append(out, f)
	}
	return out, rows.Err()
}

// FrameworkByKey returns the framework with the key that the organisation
// may use (orgID 0: an instance-wide one), or ENOTFOUND.
func (tx *Tx) FrameworkByKey(ctx context.Context, orgID int64, key string) (*FrameworkRow, error) {
	var enabled bool
	f, err := scanFramework(tx.queryRow(ctx, `SELECT `+frameworkColumns+`, EXISTS (SELECT 1 FROM org_frameworks o WHERE o.org_id = $1 AND o.framework_id = f.id)
		FROM frameworks f WHERE f.key = $2 AND (f.org_id IS NULL OR f.org_id = $1) ORDER BY f.org_id IS NULL LIMIT 1`, orgID, key), &enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, isms.Errorf(isms.ENOTFOUND, "framework %q not found; `pdca framework list` shows the keys", key)
	}
	if err != nil {
		return nil, fmt.Errorf("read framework %s: %w", key, err)
	}
	f.Enabled = enabled
	return f, nil
}

// SaveFramework stores a validated catalogue under its key in the scope
// of c.OrgID (0: instance-wide): a new framework, or a new version of the
// text of an existing one (its requirements are replaced; decisions,
// which are keyed by framework key and requirement identifier, stay).
// It sets c.ID and c.ImportedAt. replaced says whether one existed.
func (tx *Tx) SaveFramework(ctx context.Context, c *isms.FrameworkCatalogue) (replaced bool, err error) {
	c.ImportedAt = tx.Now
	var id int64
	if c.OrgID == 0 {
		err = tx.queryRow(ctx, `SELECT id FROM frameworks WHERE key = $1 AND org_id IS NULL`, c.Key).Scan(&id)
	} else {
		err = tx.queryRow(ctx, `SELECT id FROM frameworks WHERE key = $1 AND org_id = $2`, c.Key, c.OrgID).Scan(&id)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = tx.queryRow(ctx, `INSERT INTO frameworks (org_id, key, title, version, source, origin, sha256, builtin, requirements, imported_at, imported_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			nullID(c.OrgID), c.Key, c.Title, c.Version, c.Source, c.Origin, c.SHA256, c.Builtin, c.Requirements, tx.ts(c.ImportedAt), c.ImportedBy).Scan(&c.ID)
		if err != nil {
			return false, conflict(err, fmt.Sprintf("a framework with key %q already exists", c.Key))
		}
	case err != nil:
		return false, fmt.Errorf("read framework %s: %w", c.Key, err)
	default:
		c.ID, replaced = id, true
		if _, err := tx.exec(ctx, `UPDATE frameworks SET title = $1, version = $2, source = $3, origin = $4, sha256 = $5, builtin = $6,
			requirements = $7, imported_at = $8, imported_by = $9 WHERE id = $10`,
			c.Title, c.Version, c.Source, c.Origin, c.SHA256, c.Builtin, c.Requirements, tx.ts(c.ImportedAt), c.ImportedBy, id); err != nil {
			return false, fmt.Errorf("update framework %s: %w", c.Key, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM framework_requirements WHERE framework_id = $1`, id); err != nil {
			return false, fmt.Errorf("replace requirements of %s: %w", c.Key, err)
		}
	}
	// Many rows per statement: a 20,000-requirement catalogue is 100
	// round trips, not 20,000.
	const cols, batch = 11, 200
	for start := 0; start < len(c.Items); start += batch {
		items := c.Items[start:min(start+batch, len(c.Items))]
		var q strings.Builder
		q.WriteString(`INSERT INTO framework_requirements (framework_id, req_id, parent_id, kind, class, label, title, statement, guidance, withdrawn, position) VALUES `)
		args := make([]any, 0, len(items)*cols)
		for i, r := range items {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j := range cols {
				if j > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "$%d", i*cols+j+1)
			}
			q.WriteString(")")
			args = append(args, c.ID, r.ID, r.ParentID, string(r.Kind), r.Class, r.Label, r.Title, r.Statement, r.Guidance, r.Withdrawn, r.Position)
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return false, fmt.Errorf("store requirements of %s: %w", c.Key, err)
		}
	}
	return replaced, nil
}

const requirementColumns = `req_id, parent_id, kind, class, label, title, statement, guidance, withdrawn, position`

func scanRequirement(row interface{ Scan(...any) error }) (isms.Requirement, error) {
	var r isms.Requirement
	var kind string
	err := row.Scan(&r.ID, &r.ParentID, &kind, &r.Class, &r.Label, &r.Title, &r.Statement, &r.Guidance, &r.Withdrawn, &r.Position)
	r.Kind = isms.RequirementKind(kind)
	return r, err
}

// FrameworkRequirements returns every requirement of the framework (groups
// included, withdrawn ones too) in document order.
func (tx *Tx) FrameworkRequirements(ctx context.Context, frameworkID int64) ([]isms.Requirement, error) {
	rows, err := tx.query(ctx, `SELECT `+requirementColumns+` FROM framework_requirements WHERE framework_id = $1 ORDER BY position`, frameworkID)
	if err != nil {
		return nil, fmt.Errorf("list requirements: %w", err)
	}
	defer rows.Close()
	var out []isms.Requirement
	for rows.Next() {
		r, err := scanRequirement(rows)
		if err != nil {
			return nil, fmt.Errorf("scan requirement: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FrameworkRequirement returns one requirement, or ENOTFOUND.
func (tx *Tx) FrameworkRequirement(ctx context.Context, frameworkID int64, reqID string) (isms.Requirement, error) {
	r, err := scanRequirement(tx.queryRow(ctx, `SELECT `+requirementColumns+` FROM framework_requirements WHERE framework_id = $1 AND req_id = $2`, frameworkID, reqID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, isms.Errorf(isms.ENOTFOUND, "requirement %q is not in this framework", reqID)
	}
	if err != nil {
		return r, fmt.Errorf("read requirement %s: %w", reqID, err)
	}
	return r, nil
}

// EnableFramework enables a framework in the organisation (no change if
// it is enabled already). The app checks that the organisation may use it.
func (tx *Tx) EnableFramework(ctx context.Context, orgID, frameworkID int64, by string) error {
	_, err := tx.exec(ctx, `INSERT INTO org_frameworks (org_id, framework_id, enabled_at, enabled_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, framework_id) DO NOTHING`, orgID, frameworkID, tx.ts(tx.Now), by)
	if err != nil {
		return fmt.Errorf("enable framework: %w", err)
	}
	return nil
}

// DisableFramework disables a framework in the organisation; its
// decisions stay stored and come back when it is enabled again.
func (tx *Tx) DisableFramework(ctx context.Context, orgID, frameworkID int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM org_frameworks WHERE org_id = $1 AND framework_id = $2`, orgID, frameworkID); err != nil {
		return fmt.Errorf("disable framework: %w", err)
	}
	return nil
}

// Mapping is a stored requirement-to-requirement mapping, with the keys
// of both frameworks.
type Mapping struct {
	ID                int64
	OrgID             int64 // 0: every organisation sees it
	SourceFrameworkID int64
	SourceKey         string
	SourceReq         string
	TargetFrameworkID int64
	TargetKey         string
	TargetReq         string
	Relation          isms.MappingRelation
	Origin            string
}

// SaveMappings stores mappings in the scope of orgID (0: instance-wide),
// skipping any that is stored already (same scope, both ends and
// relation). It returns how many were new.
func (tx *Tx) SaveMappings(ctx context.Context, orgID int64, ms []Mapping) (int, error) {
	added := 0
	for _, m := range ms {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM framework_mappings WHERE COALESCE(org_id, 0) = $1 AND source_framework_id = $2 AND source_req = $3
			AND target_framework_id = $4 AND target_req = $5 AND relation = $6`,
			orgID, m.SourceFrameworkID, m.SourceReq, m.TargetFrameworkID, m.TargetReq, string(m.Relation)).Scan(&n); err != nil {
			return added, fmt.Errorf("read mapping: %w", err)
		}
		if n > 0 {
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO framework_mappings (org_id, source_framework_id, source_req, target_framework_id, target_req, relation, origin, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, nullID(orgID), m.SourceFrameworkID, m.SourceReq, m.TargetFrameworkID, m.TargetReq,
			string(m.Relation), m.Origin, tx.ts(tx.Now)); err != nil {
			return added, fmt.Errorf("store mapping: %w", err)
		}
		added++
	}
	return added, nil
}

// MappingsOf returns the mappings the organisation sees that have the
// requirement at either end, the requirement's end first (a mapping
// read from the other end has its relation inverted: subset becomes
// superset).
func (tx *Tx) MappingsOf(ctx context.Context, orgID, frameworkID int64, reqID string) ([]Mapping, error) {
	rows, err := tx.query(ctx, `SELECT m.id, COALESCE(m.org_id, 0), m.source_framework_id, s.key, m.source_req, m.target_framework_id, t.key, m.target_req, m.relation, m.origin
		FROM framework_mappings m JOIN frameworks s ON s.id = m.source_framework_id JOIN frameworks t ON t.id = m.target_framework_id
		WHERE (m.org_id IS NULL OR m.org_id = $1)
			AND ((m.source_framework_id = $2 AND m.source_req = $3) OR (m.target_framework_id = $2 AND m.target_req = $3))
		ORDER BY m.id`, orgID, frameworkID, reqID)
	if err != nil {
		return nil, fmt.Errorf("list mappings: %w", err)
	}
	defer rows.Close()
	var out []Mapping
	for rows.Next() {
		var m Mapping
		var rel string
		if err := rows.Scan(&m.ID, &m.OrgID, &m.SourceFrameworkID, &m.SourceKey, &m.SourceReq, &m.TargetFrameworkID, &m.TargetKey, &m.TargetReq, &rel, &m.Origin); err != nil {
			return nil, fmt.Errorf("scan mapping: %w", err)
		}
		m.Relation = isms.MappingRelation(rel)
		if m.SourceFrameworkID != frameworkID || m.SourceReq != reqID {
			m.SourceFrameworkID, m.TargetFrameworkID = m.TargetFrameworkID, m.SourceFrameworkID
			m.SourceKey, m.TargetKey = m.TargetKey, m.SourceKey
			m.SourceReq, m.TargetReq = m.TargetReq, m.SourceReq
			m.Relation = m.Relation.Inverse()
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// seedFrameworks stores the built-in catalogues when they are missing or
// their text changed (a new pdca release), and enables Annex A in every
// organisation the first time it is stored (so organisations that existed
// before frameworks keep their Statement of Applicability).
func (db *DB) seedFrameworks(ctx context.Context) error {
	// Most starts find the catalogues as this binary carries them: their
	// hashes are compared before anything is parsed (issue 16 item 5).
	stored := map[string]string{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT key, sha256 FROM frameworks WHERE org_id IS NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, sum string
			if err := rows.Scan(&k, &sum); err != nil {
				return err
			}
			stored[k] = sum
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("read built-in frameworks: %w", err)
	}
	current := true
	for _, s := range isms.BuiltinFrameworkSums() {
		current = current && stored[s.Key] == s.SHA256
	}
	if current {
		return nil
	}
	builtins, err := isms.BuiltinFrameworks()
	if err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		for _, b := range builtins {
			var sum string
			err := tx.queryRow(ctx, `SELECT sha256 FROM frameworks WHERE key = $1 AND org_id IS NULL`, b.Key).Scan(&sum)
			if err == nil && sum == b.SHA256 {
				continue
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read framework %s: %w", b.Key, err)
			}
			first := errors.Is(err, sql.ErrNoRows)
			c := *b
			c.ImportedBy = "pdca"
			if _, err := tx.SaveFramework(ctx, &c); err != nil {
				return err
			}
			if first && b.Key == isms.FrameworkAnnexA {
				if _, err := tx.exec(ctx, `INSERT INTO org_frameworks (org_id, framework_id, enabled_at, enabled_by)
					SELECT id, $1, $2, 'pdca' FROM organizations`, c.ID, tx.ts(tx.Now)); err != nil {
					return fmt.Errorf("enable Annex A: %w", err)
				}
			}
		}
		return nil
	})
}

// enableDefaultFrameworks enables Annex A in a new organisation.
func (tx *Tx) enableDefaultFrameworks(ctx context.Context, orgID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO org_frameworks (org_id, framework_id, enabled_at, enabled_by)
		SELECT $1, id, $2, 'pdca' FROM frameworks WHERE key = $3 AND org_id IS NULL`, orgID, tx.ts(tx.Now), isms.FrameworkAnnexA)
	if err != nil {
		return fmt.Errorf("enable Annex A: %w", err)
	}
	return nil
}

// Issue 19: importing frameworks.

// FrameworkKeyOwners returns the slugs of the organisations that have a
// private framework with the key (at most 5), so an instance-wide import
// under that key can be refused rather than hidden behind theirs.
func (tx *Tx) FrameworkKeyOwners(ctx context.Context, key string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT o.slug FROM frameworks f JOIN organizations o ON o.id = f.org_id
		WHERE f.key = $1 AND f.org_id IS NOT NULL ORDER BY o.slug LIMIT 5`, key)
	if err != nil {
		return nil, fmt.Errorf("read framework key owners: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("scan organisation: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FrameworkRequirementIDs returns the identifiers of the framework's
// requirements (groups included), to check the ends of mappings.
func (tx *Tx) FrameworkRequirementIDs(ctx context.Context, frameworkID int64) (map[string]isms.RequirementKind, error) {
	rows, err := tx.query(ctx, `SELECT req_id, kind FROM framework_requirements WHERE framework_id = $1`, frameworkID)
	if err != nil {
		return nil, fmt.Errorf("list requirement ids: %w", err)
	}
	defer rows.Close()
	out := map[string]isms.RequirementKind{}
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return nil, fmt.Errorf("scan requirement id: %w", err)
		}
		out[id] = isms.RequirementKind(kind)
	}
	return out, rows.Err()
}

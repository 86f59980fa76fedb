package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: standards as tags (migration 0040). An entity's tags are the
// management-system standards it serves; no row means ISO/IEC 27001
// (isms.DefaultStandard). entity_id is text: metric definitions are
// identified by their key, the others by their id in decimal.

// StandardTags returns the standards an entity is tagged with, in
// isms.StandardKeys order; empty when untagged.
func (tx *Tx) StandardTags(ctx context.Context, orgID int64, entity, id string) ([]string, error) {
	m, err := tx.StandardTagsOf(ctx, orgID, entity, []string{id})
	if err != nil {
		return nil, err
	}
	return m[id], nil
}

// StandardTagsOf returns the tags of several entities of one type, keyed
// by entity id (untagged ones are absent), in one query per 500 ids.
func (tx *Tx) StandardTagsOf(ctx context.Context, orgID int64, entity string, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := []any{orgID, entity}
		ph := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		rows, err := tx.query(ctx, `SELECT entity_id, standard FROM standard_tags WHERE org_id = $1 AND entity = $2 AND entity_id IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read standard tags: %w", err)
		}
		for rows.Next() {
			var id, std string
			if err := rows.Scan(&id, &std); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = append(out[id], std)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	for id, tags := range out {
		out[id], _ = isms.NormalizeStandards(tags)
	}
	return out, nil
}

// SetStandardTags replaces an entity's tags (already normalised); an
// empty list removes them all (the entity serves ISO/IEC 27001 again).
func (tx *Tx) SetStandardTags(ctx context.Context, orgID int64, entity, id string, standards []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM standard_tags WHERE org_id = $1 AND entity = $2 AND entity_id = $3`, orgID, entity, id); err != nil {
		return fmt.Errorf("clear standard tags: %w", err)
	}
	for _, s := range standards {
		if _, err := tx.exec(ctx, `INSERT INTO standard_tags (org_id, entity, entity_id, standard) VALUES ($1, $2, $3, $4)`, orgID, entity, id, s); err != nil {
			return fmt.Errorf("tag %s %s: %w", entity, id, err)
		}
	}
	return nil
}

// StandardsInUse returns the standards any entity of the organisation is
// tagged with, in isms.StandardKeys order, always with ISO/IEC 27001
// first when something is untagged or nothing is tagged at all.
func (tx *Tx) StandardsInUse(ctx context.Context, orgID int64) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT standard FROM standard_tags WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("read standards in use: %w", err)
	}
	defer rows.Close()
	var tags []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		tags = append(tags, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return isms.NormalizeStandards(append(tags, isms.DefaultStandard))
}

// standardCond is the SQL condition "the entity serves std": tagged with
// it, or, for ISO/IEC 27001, not tagged at all. orgCol and idExpr name
// the entity's organisation and id (a text expression); the single %s is
// the placeholder of std (whereOrg's and).
func standardCond(entity, orgCol, idExpr, std string) string {
	tagged := `EXISTS (SELECT 1 FROM standard_tags st WHERE st.org_id = ` + orgCol + ` AND st.entity = '` + entity + `' AND st.entity_id = ` + idExpr + ` AND st.standard = %s)`
	if std != isms.DefaultStandard {
		return tagged
	}
	return `(` + tagged + ` OR NOT EXISTS (SELECT 1 FROM standard_tags su WHERE su.org_id = ` + orgCol + ` AND su.entity = '` + entity + `' AND su.entity_id = ` + idExpr + `))`
}

// idString is an id as standard_tags keys it.
func idString(id int64) string { return strconv.FormatInt(id, 10) }

// idText is an integer id column as the text standard_tags keys it by.
func idText(col string) string { return `CAST(` + col + ` AS TEXT)` }

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: record kinds of an organisation's own (migration 0041). A
// custom kind's definition is a row of record_kinds; its records are rows
// of rec_custom with their values in one JSON object (vals). The record
// functions of record.go take a custom kind's key like a built-in kind's:
// Tx.statements resolves it in the organisation and builds the kind's
// statements over rec_custom, scoped to its id.

// RecordKindRow is a stored custom kind.
type RecordKindRow struct {
	isms.CustomKind
	OrgID     int64
	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
}

func scanRecordKind(row interface{ Scan(...any) error }) (*RecordKindRow, error) {
	var k RecordKindRow
	var fields string
	if err := row.Scan(&k.ID, &k.OrgID, &k.Key, &k.Title, &fields, tm(&k.CreatedAt), &k.CreatedBy, tm(&k.UpdatedAt)); err != nil {
		return nil, err
	}
	var defs []isms.FieldDef
	if err := json.Unmarshal([]byte(fields), &defs); err != nil {
		return nil, fmt.Errorf("record kind %d: fields: %w", k.ID, err)
	}
	for _, d := range defs {
		k.Fields = append(k.Fields, isms.Field{Name: d.Name, Type: d.Type, Key: d.Key, Enum: d.Values})
	}
	k.CreatedAt, k.UpdatedAt = k.CreatedAt.UTC(), k.UpdatedAt.UTC()
	return &k, nil
}

const recordKindColumns = `id, org_id, key, title, fields, created_at, created_by, updated_at`

// RecordKinds returns the organisation's custom kinds by key.
func (tx *Tx) RecordKinds(ctx context.Context, orgID int64) ([]*RecordKindRow, error) {
	rows, err := tx.query(ctx, `SELECT `+recordKindColumns+` FROM record_kinds WHERE org_id = $1 ORDER BY key`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list record kinds: %w", err)
	}
	defer rows.Close()
	var out []*RecordKindRow
	for rows.Next() {
		k, err := scanRecordKind(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RecordKindByKey returns the organisation's custom kind called key;
// ENOTFOUND if it has none.
func (tx *Tx) RecordKindByKey(ctx context.Context, orgID int64, key string) (*RecordKindRow, error) {
	k, err := scanRecordKind(tx.queryRow(ctx, `SELECT `+recordKindColumns+` FROM record_kinds WHERE org_id = $1 AND key = $2`, orgID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, isms.Errorf(isms.ENOTFOUND, "record kind %q not found", key)
	}
	return k, err
}

func fieldsJSON(c isms.CustomKind) string {
	b, _ := json.Marshal(c.FieldDefs())
	return string(b)
}

// CreateRecordKind stores a new custom kind and sets its ID. ECONFLICT if
// the organisation has one with that key.
func (tx *Tx) CreateRecordKind(ctx context.Context, k *RecordKindRow) error {
	clear(tx.custom)
	k.CreatedAt, k.UpdatedAt = tx.Now, tx.Now
	err := tx.queryRow(ctx, `INSERT INTO record_kinds (org_id, key, title, fields, created_at, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $5) RETURNING id`, k.OrgID, k.Key, k.Title, fieldsJSON(k.CustomKind), tx.ts(tx.Now), k.CreatedBy).Scan(&k.ID)
	return conflict(err, fmt.Sprintf("a record kind with key %q exists; choose another key", k.Key))
}

// UpdateRecordKind replaces a custom kind's title and columns.
func (tx *Tx) UpdateRecordKind(ctx context.Context, k *RecordKindRow) error {
	clear(tx.custom)
	k.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE record_kinds SET title = $3, fields = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
		k.OrgID, k.ID, k.Title, fieldsJSON(k.CustomKind), tx.ts(tx.Now))
	if err != nil {
		return fmt.Errorf("update record kind: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "record kind %q not found", k.Key)
	}
	return nil
}

// DeleteRecordKind deletes a custom kind and every record of it, and
// returns how many records it deleted.
func (tx *Tx) DeleteRecordKind(ctx context.Context, orgID, id int64) (int64, error) {
	clear(tx.custom)
	res, err := tx.exec(ctx, `DELETE FROM rec_custom WHERE org_id = $1 AND kind_id = $2`, orgID, id)
	if err != nil {
		return 0, fmt.Errorf("delete records of kind %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.exec(ctx, `DELETE FROM record_kinds WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
		return n, fmt.Errorf("delete record kind %d: %w", id, err)
	}
	return n, nil
}

// CountCustomRecords returns how many records of a custom kind the
// organisation has.
func (tx *Tx) CountCustomRecords(ctx context.Context, orgID, kindID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM rec_custom WHERE org_id = $1 AND kind_id = $2 AND `+visible, orgID, kindID).Scan(&n)
	return n, err
}

// customStatements caches the statements of custom kinds by id and
// definition (a changed definition builds new ones).
var customStatements sync.Map

// statements returns the statements of a kind: a built-in kind's, or
// those of the organisation's custom kind of that key. EINVALID if the
// organisation has no such kind.
func (tx *Tx) statements(ctx context.Context, orgID int64, kind isms.RecordKind) (*recordSQL, error) {
	if s, ok := recordStatements[kind]; ok {
		return s, nil
	}
	ck := fmt.Sprintf("%d|%s", orgID, kind)
	if s, ok := tx.custom[ck]; ok {
		return s, nil
	}
	k, err := tx.RecordKindByKey(ctx, orgID, string(kind))
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return nil, isms.Errorf(isms.EINVALID, "unknown record kind %q", string(kind))
	} else if err != nil {
		return nil, err
	}
	if tx.custom == nil {
		tx.custom = map[string]*recordSQL{}
	}
	s := customSQL(k.CustomKind)
	tx.custom[ck] = s
	return s, nil
}

// customSQL builds the statements of a custom kind: those of a built-in
// kind with one value column (vals) in rec_custom, scoped to the kind's id
// (a number, written into the statement).
func customSQL(c isms.CustomKind) *recordSQL {
	cacheKey := fmt.Sprintf("%d|%s", c.ID, fieldsJSON(c))
	if s, ok := customStatements.Load(cacheKey); ok {
		return s.(*recordSQL)
	}
	s := buildRecordSQL(c.Spec(), "rec_custom", []string{"vals"}, c.ID)
	customStatements.Store(cacheKey, s)
	return s
}

// customArgs returns a custom record's values as the JSON object stored
// in vals: times as RFC 3339 in UTC, numbers as JSON numbers, bools, text.
func (s *recordSQL) customArgs(r *isms.Record) []any {
	vals := map[string]any{}
	for _, f := range s.spec.Fields {
		switch f.Type {
		case isms.FieldTime:
			if t, ok := r.Times[f.Name]; ok {
				vals[f.Name] = t.UTC().Format(time.RFC3339Nano)
			}
		case isms.FieldBool:
			if b, ok := r.Bools[f.Name]; ok {
				vals[f.Name] = b
			}
		case isms.FieldNumber:
			if v, ok := r.Texts[f.Name]; ok {
				vals[f.Name] = json.Number(v)
			}
		default:
			if v, ok := r.Texts[f.Name]; ok {
				vals[f.Name] = v
			}
		}
	}
	b, _ := json.Marshal(vals)
	return []any{string(b)}
}

// decodeVals fills r from a stored vals object, reading only the
// columns of the kind (a column removed from the definition is ignored)
// and, when only is not nil, only those named there.
func (s *recordSQL) decodeVals(r *isms.Record, vals string, only []string) error {
	var m map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(vals))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return fmt.Errorf("record %d: values: %w", r.ID, err)
	}
	for _, f := range s.spec.Fields {
		raw, ok := m[f.Name]
		if !ok || (only != nil && !slices.Contains(only, f.Name)) {
			continue
		}
		switch f.Type {
		case isms.FieldTime:
			var v string
			if json.Unmarshal(raw, &v) == nil {
				if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
					r.Times[f.Name] = t.UTC()
				}
			}
		case isms.FieldBool:
			var v bool
			if json.Unmarshal(raw, &v) == nil {
				r.Bools[f.Name] = v
			}
		case isms.FieldNumber:
			var v json.Number
			if json.Unmarshal(raw, &v) == nil {
				if n, err := v.Float64(); err == nil {
					r.Texts[f.Name] = isms.FormatNumber(n)
				}
			}
		default:
			var v string
			if json.Unmarshal(raw, &v) == nil {
				r.Texts[f.Name] = v
			}
		}
	}
	return nil
}

// streamCustom is StreamRecords for a custom kind: rows are read in id
// order and the window is applied to the decoded values (the values are
// one JSON column, which the two engines index differently).
func (tx *Tx) streamCustom(ctx context.Context, orgID int64, s *recordSQL, fields []string, w Window, fn func(*isms.Record) error) error {
	for _, name := range []string{w.Field, w.Done} {
		if _, ok := s.spec.Field(name); name != "" && !ok {
			return fmt.Errorf("window column %q is not a column of %s", name, s.spec.Kind)
		}
	}
	need := slices.Clone(fields)
	need = append(need, w.Field, w.Done)
	rows, err := tx.query(ctx, `SELECT id, natural_key, vals FROM rec_custom WHERE org_id = $1`+s.scope+` AND `+visible+` ORDER BY id`, orgID)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.spec.Kind, err)
	}
	defer rows.Close()
	r := isms.Record{Kind: s.spec.Kind, Times: map[string]time.Time{}, Bools: map[string]bool{}, Texts: map[string]string{}}
	for rows.Next() {
		var vals string
		if err := rows.Scan(&r.ID, &r.Key, &vals); err != nil {
			return fmt.Errorf("scan %s: %w", s.spec.Kind, err)
		}
		clear(r.Times)
		clear(r.Bools)
		clear(r.Texts)
		if err := s.decodeVals(&r, vals, need); err != nil {
			return err
		}
		if !w.selects(&r) {
			continue
		}
		for _, name := range []string{w.Field, w.Done} {
			if name != "" && !slices.Contains(fields, name) {
				delete(r.Times, name)
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// selects applies the window to a record, as the SQL of StreamRecords
// does to a built-in kind's row.
func (w Window) selects(r *isms.Record) bool {
	switch w.Mode {
	case WindowRange:
		t, ok := r.Times[w.Field]
		return ok && !t.Before(w.From) && t.Before(w.To)
	case WindowOpen:
		start, hasStart := r.Times[w.Field]
		done, hasDone := r.Times[w.Done]
		startedBefore := hasStart && start.Before(w.To)
		if hasDone {
			return !done.Before(w.From) && (done.Before(w.To) || startedBefore)
		}
		return startedBefore
	}
	return true
}

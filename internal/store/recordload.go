package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// WindowMode says which records a metric computation needs.
type WindowMode int

// The window modes.
const (
	// WindowAll loads every record of the kind.
	WindowAll WindowMode = iota
	// WindowRange loads records whose Field is in [From, To).
	WindowRange
	// WindowOpen loads records that may be open or done within [From, To):
	// Field (the start) before To and Done empty or not before From, plus
	// those done within [From, To).
	WindowOpen
)

// Window limits the records a metric loads to those that can count.
type Window struct {
	Mode     WindowMode
	Field    string // WindowRange: the time column; WindowOpen: the start column
	Done     string // WindowOpen: the done column
	From, To time.Time
}

var windowSQL sync.Map // statement text by kind, fields and window shape

// EachRecordFields calls fn for the records of a kind that the window
// selects, reading only the named fields (and id, natural key). It is the
// fast path of metric computation; field names are checked against the
// kind's specification, never taken as they are.
func (tx *Tx) EachRecordFields(ctx context.Context, orgID int64, kind isms.RecordKind, fields []string, w Window, fn func(isms.Record) error) error {
	s, err := statements(kind)
	if err != nil {
		return err
	}
	var cols []isms.Field
	for _, f := range s.spec.Fields {
		if slices.Contains(fields, f.Name) {
			cols = append(cols, f)
		}
	}
	for _, name := range []string{w.Field, w.Done} {
		if name != "" && !slices.Contains(s.columns, name) {
			return fmt.Errorf("window column %q is not a column of %s", name, kind)
		}
	}
	key := fmt.Sprintf("%s|%v|%d|%s|%s", kind, fields, w.Mode, w.Field, w.Done)
	q, ok := windowSQL.Load(key)
	if !ok {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		sel := "SELECT id, natural_key"
		if len(names) > 0 {
			sel += ", " + strings.Join(names, ", ")
		}
		where := "TRUE"
		switch w.Mode {
		case WindowRange:
			where = fmt.Sprintf("%[1]s >= $2 AND %[1]s < $3", w.Field)
		case WindowOpen:
			where = fmt.Sprintf("((%[2]s >= $2 AND %[2]s < $3) OR (%[1]s < $3 AND (%[2]s IS NULL OR %[2]s >= $2)))", w.Field, w.Done)
		}
		q = fmt.Sprintf("%s FROM %s WHERE org_id = $1 AND %s AND %s ORDER BY id", sel, s.table, where, visible)
		windowSQL.Store(key, q)
	}
	args := []any{orgID, tx.ts(w.From), tx.ts(w.To)}
	if w.Mode == WindowAll {
		args = args[:1]
	}
	rows, err := tx.query(ctx, q.(string), args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", kind, err)
	}
	defer rows.Close()
	sub := &recordSQL{spec: isms.KindSpec{Kind: kind, Fields: cols}}
	for rows.Next() {
		r, err := sub.scanNoAttributes(rows)
		if err != nil {
			return fmt.Errorf("scan %s: %w", kind, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanNoAttributes reads id, natural key and the spec's fields, with maps
// sized to the fields.
func (s *recordSQL) scanNoAttributes(rows interface{ Scan(...any) error }) (isms.Record, error) {
	r := isms.Record{Kind: s.spec.Kind}
	dest := make([]any, 0, len(s.spec.Fields)+2)
	dest = append(dest, &r.ID, &r.Key)
	vals := make([]scanVal, len(s.spec.Fields))
	for i, f := range s.spec.Fields {
		switch f.Type {
		case isms.FieldTime:
			dest = append(dest, &vals[i].t)
		case isms.FieldBool:
			dest = append(dest, &vals[i].b)
		default:
			dest = append(dest, &vals[i].s)
		}
	}
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	for i, f := range s.spec.Fields {
		v := &vals[i]
		switch {
		case f.Type == isms.FieldTime && v.t.Valid:
			if r.Times == nil {
				r.Times = make(map[string]time.Time, 2)
			}
			r.Times[f.Name] = v.t.Time.UTC()
		case f.Type == isms.FieldBool && v.b.Valid:
			if r.Bools == nil {
				r.Bools = make(map[string]bool, 1)
			}
			r.Bools[f.Name] = v.b.Bool
		case (f.Type == isms.FieldText || f.Type == isms.FieldEnum) && v.s.Valid:
			if r.Texts == nil {
				r.Texts = make(map[string]string, 1)
			}
			r.Texts[f.Name] = v.s.String
		}
	}
	return r, nil
}

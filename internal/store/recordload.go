package store

import (
	"context"
	"fmt"
	"maps"
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
// selects, reading only the named fields (and id, natural key), in id
// order. Field names are checked against the kind's specification, never
// taken as they are.
func (tx *Tx) EachRecordFields(ctx context.Context, orgID int64, kind isms.RecordKind, fields []string, w Window, fn func(isms.Record) error) error {
	return tx.StreamRecords(ctx, orgID, kind, fields, w, true, func(r *isms.Record) error {
		c := *r
		c.Times, c.Bools, c.Texts = maps.Clone(r.Times), maps.Clone(r.Bools), maps.Clone(r.Texts)
		return fn(c)
	})
}

// StreamRecords is the fast path of metric computation: it calls fn for
// the records of a kind that the window selects, reading only the named
// fields and id, plus the natural key and id order when keyed is set. fn
// gets the same *isms.Record each time, refilled: it must not keep it (or
// its maps). Without keyed the rows come in the order the index gives,
// read from an index that covers them where migration 0032 made one.
func (tx *Tx) StreamRecords(ctx context.Context, orgID int64, kind isms.RecordKind, fields []string, w Window, keyed bool, fn func(*isms.Record) error) error {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return err
	}
	if s.kindID != 0 {
		return tx.streamCustom(ctx, orgID, s, fields, w, fn)
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
	key := fmt.Sprintf("%s|%v|%d|%s|%s|%t", kind, fields, w.Mode, w.Field, w.Done, keyed)
	q, ok := windowSQL.Load(key)
	if !ok {
		names := make([]string, 0, len(cols)+2)
		names = append(names, "id")
		if keyed {
			names = append(names, "natural_key")
		}
		for _, c := range cols {
			names = append(names, c.Name)
		}
		where := "TRUE"
		switch w.Mode {
		case WindowRange:
			where = fmt.Sprintf("%[1]s >= $2 AND %[1]s < $3", w.Field)
		case WindowOpen:
			// Done within or after [From, To) and started before To, or
			// done within it whenever started, or never done and started
			// before To: two ranges of the done column's index.
			where = fmt.Sprintf("((%[2]s >= $2 AND (%[2]s < $3 OR %[1]s < $3)) OR (%[2]s IS NULL AND %[1]s < $3))", w.Field, w.Done)
		}
		order := ""
		if keyed {
			order = " ORDER BY id"
		}
		q = fmt.Sprintf("SELECT %s FROM %s WHERE org_id = $1 AND %s AND %s%s", strings.Join(names, ", "), s.table, where, visible, order)
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
	sc := newRecordScanner(kind, cols, keyed)
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return fmt.Errorf("scan %s: %w", kind, err)
		}
		if err := fn(&sc.rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

// recordScanner reads rows of (id, [natural key], fields...) into one record
// it refills, so that streaming a register allocates per row only what the
// driver does.
type recordScanner struct {
	cols  []isms.Field
	rec   isms.Record
	vals  []scanVal
	dest  []any
	keyed bool
}

func newRecordScanner(kind isms.RecordKind, cols []isms.Field, keyed bool) *recordScanner {
	sc := &recordScanner{cols: cols, keyed: keyed, vals: make([]scanVal, len(cols))}
	sc.rec = isms.Record{Kind: kind, Times: map[string]time.Time{}, Bools: map[string]bool{}, Texts: map[string]string{}}
	sc.dest = append(sc.dest, &sc.rec.ID)
	if keyed {
		sc.dest = append(sc.dest, &sc.rec.Key)
	}
	for i, f := range cols {
		switch f.Type {
		case isms.FieldTime:
			sc.dest = append(sc.dest, &sc.vals[i].t)
		case isms.FieldBool:
			sc.dest = append(sc.dest, &sc.vals[i].b)
		default:
			sc.dest = append(sc.dest, &sc.vals[i].s)
		}
	}
	return sc
}

func (sc *recordScanner) scan(rows interface{ Scan(...any) error }) error {
	if err := rows.Scan(sc.dest...); err != nil {
		return err
	}
	r := &sc.rec
	clear(r.Times)
	clear(r.Bools)
	clear(r.Texts)
	for i, f := range sc.cols {
		v := &sc.vals[i]
		switch {
		case f.Type == isms.FieldTime && v.t.Valid:
			r.Times[f.Name] = v.t.Time.UTC()
		case f.Type == isms.FieldBool && v.b.Valid:
			r.Bools[f.Name] = v.b.Bool
		case (f.Type == isms.FieldText || f.Type == isms.FieldEnum) && v.s.Valid:
			r.Texts[f.Name] = v.s.String
		}
	}
	return nil
}

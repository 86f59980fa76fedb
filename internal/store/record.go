package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// recordSQL holds the statements of one record kind. They are built once
// from the kind's specification (isms.Kinds, compile-time data, never user
// input), so the ten kinds share one code path; a test checks that every
// table's columns match its specification on both engines.
type recordSQL struct {
	spec       isms.KindSpec
	table      string
	columns    []string // the kind's fields, in specification order
	insert     string
	insertMany string // InsertBatch rows, ids not returned
	// insertManyQ is insertMany with ? placeholders, for SQLite: its driver
	// looks up the name of every numbered parameter in a list of all of
	// them, which made a statement of hundreds of $N quadratic.
	insertManyQ string
	update      string
	selectAll   string
	selectByID  string
	selectByKey string
	// selectByKeys looks up KeyBatch natural keys at once (SQLite);
	// selectByKeyArray any number, given as one array (PostgreSQL, whose
	// generic plan for a long IN list of parameters scans the table).
	selectByKeys, selectByKeyArray string
	// Issue 19: record kinds of an organisation's own. kindID is a custom
	// kind's id (0 for a built-in kind) and scope the condition on it
	// (" AND kind_id = N") that follows every "org_id = $1".
	kindID int64
	scope  string
}

// KeyBatch is how many natural keys RecordsByKeys asks for in one query.
// Shorter lists are padded to this length, so each kind has one statement.
const KeyBatch = 200

var recordStatements = func() map[isms.RecordKind]*recordSQL {
	m := map[isms.RecordKind]*recordSQL{}
	for _, spec := range isms.Kinds() {
		var cols []string
		for _, f := range spec.Fields {
			cols = append(cols, f.Name)
		}
		m[spec.Kind] = buildRecordSQL(spec, "rec_"+string(spec.Kind), cols, 0)
	}
	return m
}()

// buildRecordSQL builds the statements of a kind over table, whose value
// columns are cols: a built-in kind's fields, or the one vals column of a
// custom kind (kindID not 0), whose rows are then scoped to kind_id.
func buildRecordSQL(spec isms.KindSpec, table string, cols []string, kindID int64) *recordSQL {
	s := &recordSQL{spec: spec, table: table, columns: cols, kindID: kindID}
	extraCol, extraVal := "", ""
	if kindID != 0 {
		s.scope = fmt.Sprintf(" AND kind_id = %d", kindID)
		extraCol, extraVal = ", kind_id", fmt.Sprintf(", %d", kindID)
	}
	var ph []string
	var sets []string
	for i, c := range cols {
		ph = append(ph, fmt.Sprintf("$%d", i+3))
		sets = append(sets, fmt.Sprintf("%s = $%d", c, i+3))
	}
	n := len(cols)
	colList := strings.Join(cols, ", ")
	s.insert = fmt.Sprintf(`INSERT INTO %s (org_id, natural_key, %s, attributes, import_id, created_at, updated_at%s)
			VALUES ($1, $2, %s, $%d, $%d, $%d, $%d%s) RETURNING id`, s.table, colList, extraCol, strings.Join(ph, ", "), n+3, n+4, n+5, n+5, extraVal)
	var rows, rowsQ []string
	for k := range InsertBatch {
		base := k * (n + 5)
		row := make([]string, n+6)
		for j := range n + 5 {
			row[j] = fmt.Sprintf("$%d", base+j+1)
		}
		row[n+5] = row[n+4] // created_at and updated_at are one moment
		rows = append(rows, "("+strings.Join(row, ", ")+extraVal+")")
		rowsQ = append(rowsQ, "("+strings.Repeat("?, ", n+5)+"?"+extraVal+")")
	}
	many := `INSERT INTO %s (org_id, natural_key, %s, attributes, import_id, created_at, updated_at%s) VALUES %s`
	s.insertMany = fmt.Sprintf(many, s.table, colList, extraCol, strings.Join(rows, ", "))
	s.insertManyQ = fmt.Sprintf(many, s.table, colList, extraCol, strings.Join(rowsQ, ", "))
	s.update = fmt.Sprintf(`UPDATE %s SET natural_key = $2, %s, attributes = $%d, updated_at = $%d WHERE org_id = $1 AND id = $%d%s`,
		s.table, strings.Join(sets, ", "), n+3, n+4, n+5, s.scope)
	sel := fmt.Sprintf(`SELECT id, natural_key, %s, attributes FROM %s`, colList, s.table)
	org := ` WHERE org_id = $1` + s.scope + ` AND `
	s.selectAll = sel + org + visible + ` ORDER BY id`
	s.selectByID = sel + org + `id = $2 AND ` + visible
	s.selectByKey = sel + org + `natural_key = $2 AND ` + visible
	marks := make([]string, KeyBatch)
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	s.selectByKeys = sel + org + `natural_key IN (` + strings.Join(marks, ", ") + `) AND ` + visible
	s.selectByKeyArray = sel + org + `natural_key = ANY($2) AND ` + visible
	return s
}

// visible is the condition every read of records adds: the rows of an
// import still being written (its id in import_pending) are hidden until
// its final transaction. Nearly every row passes the first or second test;
// the subqueries do not depend on the row, so each runs once per
// statement. Every statement using it has the organisation's id as $1.
const visible = `(import_id IS NULL
	OR import_id < COALESCE((SELECT MIN(p.import_id) FROM import_pending p WHERE p.org_id = $1), 9223372036854775807)
	OR import_id NOT IN (SELECT p.import_id FROM import_pending p WHERE p.org_id = $1))`

// args returns the field values of r in column order for binding.
func (s *recordSQL) args(tx *Tx, r *isms.Record) []any {
	if s.kindID != 0 {
		return s.customArgs(r)
	}
	out := make([]any, 0, len(s.spec.Fields))
	for _, f := range s.spec.Fields {
		switch f.Type {
		case isms.FieldTime:
			if t, ok := r.Times[f.Name]; ok {
				out = append(out, tx.ts(t))
			} else {
				out = append(out, nil)
			}
		case isms.FieldBool:
			if b, ok := r.Bools[f.Name]; ok {
				out = append(out, b)
			} else {
				out = append(out, nil)
			}
		default:
			if v, ok := r.Texts[f.Name]; ok {
				out = append(out, v)
			} else {
				out = append(out, nil)
			}
		}
	}
	return out
}

func attributesJSON(r *isms.Record) string {
	if len(r.Attributes) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(r.Attributes)
	return string(b)
}

// InsertRecord stores a new record and sets its ID. ECONFLICT if its
// natural key exists.
func (tx *Tx) InsertRecord(ctx context.Context, orgID int64, r *isms.Record, importID int64) error {
	s, err := tx.statements(ctx, orgID, r.Kind)
	if err != nil {
		return err
	}
	var imp any
	if importID != 0 {
		imp = importID
	}
	a := append([]any{orgID, r.Key}, s.args(tx, r)...)
	a = append(a, attributesJSON(r), imp, tx.ts(tx.Now))
	st, err := tx.prepared(ctx, s.insert)
	if err != nil {
		return fmt.Errorf("prepare insert %s: %w", r.Kind, err)
	}
	if err := st.QueryRowContext(ctx, a...).Scan(&r.ID); err != nil {
		return conflict(err, fmt.Sprintf("a %s record with key %q already exists", r.Kind, r.Key))
	}
	return nil
}

// InsertBatch is how many records InsertRecords stores with one statement:
// per-statement overhead was most of a large import's write.
const InsertBatch = 50

// InsertRecords stores new records of one kind, InsertBatch at a time;
// their IDs are not read back. ECONFLICT if a natural key exists.
func (tx *Tx) InsertRecords(ctx context.Context, orgID int64, recs []isms.Record, importID int64) error {
	if len(recs) == 0 {
		return nil
	}
	s, err := tx.statements(ctx, orgID, recs[0].Kind)
	if err != nil {
		return err
	}
	var imp any
	if importID != 0 {
		imp = importID
	}
	q := s.insertMany
	if tx.db.Engine == SQLite {
		q = s.insertManyQ
	}
	args := make([]any, 0, InsertBatch*(len(s.columns)+6))
	for len(recs) >= InsertBatch {
		args = args[:0]
		for i := range InsertBatch {
			r := &recs[i]
			args = append(args, orgID, r.Key)
			args = append(args, s.args(tx, r)...)
			args = append(args, attributesJSON(r), imp, tx.ts(tx.Now))
			if q == s.insertManyQ {
				args = append(args, tx.ts(tx.Now)) // ? placeholders are not reused
			}
		}
		st, err := tx.prepared(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare insert %s: %w", s.spec.Kind, err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return conflict(err, fmt.Sprintf("a %s record with one of the keys %s … %s already exists", s.spec.Kind, recs[0].Key, recs[InsertBatch-1].Key))
		}
		recs = recs[InsertBatch:]
	}
	for i := range recs {
		if err := tx.InsertRecord(ctx, orgID, &recs[i], importID); err != nil {
			return err
		}
	}
	return nil
}

// UpdateRecord replaces the values of an existing record (by ID).
func (tx *Tx) UpdateRecord(ctx context.Context, orgID int64, r *isms.Record) error {
	s, err := tx.statements(ctx, orgID, r.Kind)
	if err != nil {
		return err
	}
	a := append([]any{orgID, r.Key}, s.args(tx, r)...)
	a = append(a, attributesJSON(r), tx.ts(tx.Now), r.ID)
	st, err := tx.prepared(ctx, s.update)
	if err != nil {
		return fmt.Errorf("prepare update %s: %w", r.Kind, err)
	}
	res, err := st.ExecContext(ctx, a...)
	if err != nil {
		return conflict(err, fmt.Sprintf("a %s record with key %q already exists", r.Kind, r.Key))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "record %d not found", r.ID)
	}
	return nil
}

// scanRecord reads one row of a select built above.
func (s *recordSQL) scan(rows interface{ Scan(...any) error }) (isms.Record, error) {
	r := isms.Record{Kind: s.spec.Kind, Times: map[string]time.Time{}, Bools: map[string]bool{}, Texts: map[string]string{}}
	if s.kindID != 0 {
		var vals, attrs string
		if err := rows.Scan(&r.ID, &r.Key, &vals, &attrs); err != nil {
			return r, err
		}
		if attrs != "" && attrs != "{}" {
			_ = json.Unmarshal([]byte(attrs), &r.Attributes)
		}
		return r, s.decodeVals(&r, vals, nil)
	}
	dest := make([]any, 0, len(s.spec.Fields)+3)
	dest = append(dest, &r.ID, &r.Key)
	times := make([]nullTime, len(s.spec.Fields))
	bools := make([]sql.NullBool, len(s.spec.Fields))
	texts := make([]sql.NullString, len(s.spec.Fields))
	for i, f := range s.spec.Fields {
		switch f.Type {
		case isms.FieldTime:
			dest = append(dest, &times[i])
		case isms.FieldBool:
			dest = append(dest, &bools[i])
		default:
			dest = append(dest, &texts[i])
		}
	}
	var attrs string
	dest = append(dest, &attrs)
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	for i, f := range s.spec.Fields {
		switch f.Type {
		case isms.FieldTime:
			if times[i].Valid {
				r.Times[f.Name] = times[i].Time.UTC()
			}
		case isms.FieldBool:
			if bools[i].Valid {
				r.Bools[f.Name] = bools[i].Bool
			}
		default:
			if texts[i].Valid {
				r.Texts[f.Name] = texts[i].String
			}
		}
	}
	if attrs != "" && attrs != "{}" {
		_ = json.Unmarshal([]byte(attrs), &r.Attributes)
	}
	return r, nil
}

// EachRecord calls fn for every record of a kind of the organisation, in
// id order, without holding them all in memory.
func (tx *Tx) EachRecord(ctx context.Context, orgID int64, kind isms.RecordKind, fn func(isms.Record) error) error {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return err
	}
	return tx.eachRecord(ctx, s, fn, s.selectAll, orgID)
}

func (tx *Tx) eachRecord(ctx context.Context, s *recordSQL, fn func(isms.Record) error, q string, args ...any) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.spec.Kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return fmt.Errorf("scan %s: %w", s.spec.Kind, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Records returns every record of a kind of the organisation.
func (tx *Tx) Records(ctx context.Context, orgID int64, kind isms.RecordKind) ([]isms.Record, error) {
	var out []isms.Record
	err := tx.EachRecord(ctx, orgID, kind, func(r isms.Record) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// RecordByID returns one record; ENOTFOUND if the organisation has none
// with that id.
func (tx *Tx) RecordByID(ctx context.Context, orgID int64, kind isms.RecordKind, id int64) (isms.Record, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return isms.Record{}, err
	}
	r, err := s.scan(tx.queryRow(ctx, s.selectByID, orgID, id))
	return r, notFound(err, "record")
}

// RecordsByKeys calls fn for each stored record of a kind whose natural
// key is among keys, in no particular order: one query per KeyBatch keys,
// for imports that must tell new rows from changed ones.
func (tx *Tx) RecordsByKeys(ctx context.Context, orgID int64, kind isms.RecordKind, keys []string, fn func(isms.Record) error) error {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return err
	}
	if tx.db.Engine == Postgres {
		for len(keys) > 0 {
			n := min(len(keys), KeyBatch)
			if err := tx.eachRecord(ctx, s, fn, s.selectByKeyArray, orgID, keys[:n]); err != nil {
				return err
			}
			keys = keys[n:]
		}
		return nil
	}
	args := make([]any, 1+KeyBatch)
	args[0] = orgID
	for len(keys) > 0 {
		n := min(len(keys), KeyBatch)
		for i := range KeyBatch {
			args[1+i] = keys[min(i, n-1)] // pad with the last key
		}
		if err := tx.eachRecord(ctx, s, fn, s.selectByKeys, args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// RecordByKey returns one record by natural key; ENOTFOUND if none.
func (tx *Tx) RecordByKey(ctx context.Context, orgID int64, kind isms.RecordKind, key string) (isms.Record, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return isms.Record{}, err
	}
	r, err := s.scan(tx.queryRow(ctx, s.selectByKey, orgID, key))
	return r, notFound(err, "record")
}

// RecordColumns returns a kind's table name and field columns (for the
// schema test).
func RecordColumns(kind isms.RecordKind) (string, []string, error) {
	s, ok := recordStatements[kind]
	if !ok {
		return "", nil, isms.Errorf(isms.EINVALID, "unknown record kind %q", string(kind))
	}
	return s.table, s.columns, nil
}

// Import is one stored import run.
type Import struct {
	ID                          int64
	OrgID                       int64
	Kind                        isms.RecordKind
	Format, FileName, SHA256    string
	Rows                        int
	Created, Updated, Unchanged int
	ActorID                     int64
	Actor                       string
	At                          time.Time
}

// CreateImport stores the summary of an import run and sets its ID.
func (tx *Tx) CreateImport(ctx context.Context, im *Import) error {
	im.At = tx.Now
	return tx.queryRow(ctx, `INSERT INTO imports (org_id, kind, format, file_name, file_sha256, rows_total, created, updated, unchanged, actor_id, actor, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		im.OrgID, string(im.Kind), im.Format, im.FileName, im.SHA256, im.Rows, im.Created, im.Updated, im.Unchanged, im.ActorID, im.Actor, tx.ts(im.At)).Scan(&im.ID)
}

// FinishImport records the final counts of an import run.
func (tx *Tx) FinishImport(ctx context.Context, im *Import) error {
	_, err := tx.exec(ctx, `UPDATE imports SET rows_total = $3, created = $4, updated = $5, unchanged = $6, file_sha256 = $7 WHERE org_id = $1 AND id = $2`,
		im.OrgID, im.ID, im.Rows, im.Created, im.Updated, im.Unchanged, im.SHA256)
	return err
}

// RecordFilter selects and orders a page of records.
type RecordFilter struct {
	Query string // case-insensitive substring of the natural key
	// Sort is a column of the kind, or "id"; empty (or anything else)
	// sorts newest first by the kind's main time (isms.ListSpec), ties
	// and kinds without one by id, descending; Desc is then ignored.
	Sort string
	Desc bool
	// Period is a month ("2026-10") or quarter ("2026-Q4"); app reads it
	// in the organisation's zone into From and To, which ListRecords
	// applies half-open [From, To) to the main time column (zero: no
	// bound).
	Period   string
	From, To time.Time
	// Status is open or closed (kinds with a closing column: open means
	// it is empty) or pass or fail (results); Severity a value of the
	// severity column; Owner a person (case-insensitive, exact). The app
	// checks them against the kind (isms.KindSpec.CheckListFilter).
	Status, Severity, Owner string
	Limit                   int
	Offset                  int
	// NoCount skips counting the matching records (see uncounted).
	NoCount bool
	// After, when set, starts the page right after this record in the
	// list's order (a keyset page: its cost does not grow with how deep
	// into the register it is). Only for the default order and sort=id,
	// with NoCount; Offset is then ignored.
	After *RecordKey
}

// RecordKey is a record's place in a list's order: its main time (nil
// when empty, or for kinds listed by id) and its id.
type RecordKey struct {
	Time *time.Time
	ID   int64
}

// RecordKeyOf is r's place in the order of its kind's list.
func RecordKeyOf(kind isms.RecordKind, r isms.Record) RecordKey {
	k := RecordKey{ID: r.ID}
	if t := (isms.KindSpec{Kind: kind}).List().Time; t != "" {
		if v, ok := r.Times[t]; ok {
			k.Time = &v
		}
	}
	return k
}

// recordWhere returns the conditions of a filtered list of records and
// their arguments after the organisation's id ($1). Column names come
// from the kind's specification, never from input.
func (s *recordSQL) recordWhere(tx *Tx, f RecordFilter) (string, []any) {
	l := s.spec.List()
	where := ` WHERE org_id = $1` + s.scope + ` AND ` + visible
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args)+1)
	}
	if f.Query != "" {
		where += ` AND LOWER(natural_key) LIKE ` + arg("%"+strings.ToLower(f.Query)+"%")
	}
	if l.Time != "" && !f.From.IsZero() {
		where += ` AND ` + l.Time + ` >= ` + arg(tx.ts(f.From))
	}
	if l.Time != "" && !f.To.IsZero() {
		where += ` AND ` + l.Time + ` < ` + arg(tx.ts(f.To))
	}
	switch {
	case l.Closed != "" && f.Status == "open":
		where += ` AND ` + l.Closed + ` IS NULL`
	case l.Closed != "" && f.Status == "closed":
		where += ` AND ` + l.Closed + ` IS NOT NULL`
	case l.Result != "" && f.Status != "":
		where += ` AND ` + l.Result + ` = ` + arg(f.Status)
	}
	if l.Severity != "" && f.Severity != "" {
		where += ` AND ` + l.Severity + ` = ` + arg(f.Severity)
	}
	if l.Person != "" && f.Owner != "" {
		where += ` AND LOWER(` + l.Person + `) = ` + arg(strings.ToLower(strings.TrimSpace(f.Owner)))
	}
	return where, args
}

// recordOrder returns the ORDER BY of a list: the chosen column (empty
// values last in either direction, on both engines) or the main time
// newest first; ties by id in the same direction.
func (s *recordSQL) recordOrder(f RecordFilter) string {
	for _, c := range s.columns {
		if s.kindID != 0 {
			break // a custom kind's values are one JSON column: by id only
		}
		if c == f.Sort {
			dir := "ASC"
			if f.Desc {
				dir = "DESC"
			}
			return fmt.Sprintf(` ORDER BY %s %s NULLS LAST, id %s`, c, dir, dir)
		}
	}
	if f.Sort == "id" {
		if f.Desc {
			return ` ORDER BY id DESC`
		}
		return ` ORDER BY id`
	}
	if t := s.spec.List().Time; t != "" {
		return ` ORDER BY ` + t + ` DESC NULLS LAST, id DESC`
	}
	return ` ORDER BY id DESC`
}

// recordsAfter is ListRecords' keyset page: the records after f.After in
// the list's order. The default order (main time newest first, empty
// times last, ties by id) is read in up to two statements, each from an
// index: the rows with a time at or before the key's (those at the same
// time only with a lower id), then, when the page is not full, the rows
// without a time by id. Sort by id is one statement.
func (tx *Tx) recordsAfter(ctx context.Context, s *recordSQL, where string, args []any, f RecordFilter) ([]isms.Record, int, error) {
	if f.Sort != "" && f.Sort != "id" {
		return nil, 0, isms.Errorf(isms.EINVALID, "after: pages by key follow the list's own order or sort=id; sorted by %s, page by offset", f.Sort)
	}
	if !f.NoCount {
		return nil, 0, isms.Errorf(isms.EINVALID, "count: a page after a cursor is not counted; ask for the count on the first page")
	}
	var out []isms.Record
	// read appends the records matching where and cond (each %s in cond
	// a placeholder for the next of vals) in order, at most limit.
	read := func(cond, order string, limit int, vals ...any) error {
		a := slices.Clone(args)
		ph := make([]any, len(vals))
		for i, v := range vals {
			a = append(a, v)
			ph[i] = fmt.Sprintf("$%d", len(a))
		}
		a = append(a, limit)
		q := s.listSelect() + where + ` AND ` + fmt.Sprintf(cond, ph...) + order + fmt.Sprintf(` LIMIT $%d`, len(a))
		return tx.eachRecord(ctx, s, func(r isms.Record) error { out = append(out, r); return nil }, q, a...)
	}
	n, t := f.Limit, s.spec.List().Time
	var err error
	switch {
	case f.Sort == "id" && !f.Desc:
		err = read(`id > %s`, ` ORDER BY id`, n+1, f.After.ID)
	case f.Sort == "id" || t == "":
		err = read(`id < %s`, ` ORDER BY id DESC`, n+1, f.After.ID)
	default:
		if f.After.Time != nil {
			at := tx.ts(*f.After.Time)
			err = read(t+` <= %s AND (`+t+` < %s OR id < %s)`, s.recordOrder(f), n+1, at, at, f.After.ID)
		}
		if err == nil && len(out) <= n {
			if f.After.Time == nil {
				err = read(t+` IS NULL AND id < %s`, ` ORDER BY id DESC`, n+1-len(out), f.After.ID)
			} else {
				err = read(t+` IS NULL`, ` ORDER BY id DESC`, n+1-len(out))
			}
		}
	}
	if err != nil {
		return nil, 0, err
	}
	more := len(out) > n
	if more {
		out = out[:n]
	}
	return out, uncounted(0, len(out), more), nil
}

// pageQuery is the statement of a page of a list: the limit and offset
// are the arguments after the conditions' n.
func (s *recordSQL) pageQuery(where string, f RecordFilter, n int) string {
	return s.listSelect() + where + s.recordOrder(f) + fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2)
}

// listSelect is the head of a list's statements: what a list reads of a
// record, from the kind's table.
func (s *recordSQL) listSelect() string {
	return `SELECT id, natural_key, ` + strings.Join(s.columns, ", ") + `, attributes FROM ` + s.table
}

// ListRecords returns a page of records of a kind and the number matching
// (uncounted's with NoCount), filtered, sorted and paged by the database. The sort column is checked
// against the kind's specification, never taken from input as is.
func (tx *Tx) ListRecords(ctx context.Context, orgID int64, kind isms.RecordKind, f RecordFilter) ([]isms.Record, int, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where, args := s.recordWhere(tx, f)
	args = append([]any{orgID}, args...)
	if f.After != nil {
		return tx.recordsAfter(ctx, s, where, args, f)
	}
	var total int
	if !f.NoCount {
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+s.table+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count %s: %w", kind, err)
		}
	}
	rows, err := tx.query(ctx, s.pageQuery(where, f, len(args)), append(args, f.Limit+1, max(0, f.Offset))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []isms.Record
	more := false
	for rows.Next() {
		if len(out) == f.Limit {
			more = true
			break
		}
		r, err := s.scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	if f.NoCount {
		total = uncounted(max(0, f.Offset), len(out), more)
	}
	return out, total, rows.Err()
}

// CountRecords returns how many records of each kind the organisation has.
func (tx *Tx) CountRecords(ctx context.Context, orgID int64) (map[isms.RecordKind]int, error) {
	out := map[isms.RecordKind]int{}
	for _, spec := range isms.Kinds() {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM rec_`+string(spec.Kind)+` WHERE org_id = $1 AND `+visible, orgID).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", spec.Kind, err)
		}
		out[spec.Kind] = n
	}
	// Issue 19: and of each kind of its own.
	rows, err := tx.query(ctx, `SELECT k.key, (SELECT COUNT(*) FROM rec_custom r WHERE r.org_id = $1 AND r.kind_id = k.id AND `+visible+`)
		FROM record_kinds k WHERE k.org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("count custom records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[isms.RecordKind(key)] = n
	}
	return out, rows.Err()
}

// RecordImportID returns the import that created a record (0 if none).
func (tx *Tx) RecordImportID(ctx context.Context, orgID int64, kind isms.RecordKind, id int64) (int64, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return 0, err
	}
	var imp sql.NullInt64
	err = tx.queryRow(ctx, `SELECT import_id FROM `+s.table+` WHERE org_id = $1`+s.scope+` AND id = $2 AND `+visible, orgID, id).Scan(&imp)
	return imp.Int64, notFound(err, "record")
}

// scanVal holds one scanned nullable column of any field type.
type scanVal struct {
	t nullTime
	b sql.NullBool
	s sql.NullString
}

// CountRecordsOfUpTo counts the organisation's records of one kind,
// stopping at limit+1: enough to tell whether a register is larger than
// limit without counting all of it.
func (tx *Tx) CountRecordsOfUpTo(ctx context.Context, orgID int64, kind isms.RecordKind, limit int) (int, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return 0, err
	}
	var n int
	err = tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+s.table+` WHERE org_id = $1`+s.scope+` AND `+visible+` LIMIT $2) r`, orgID, limit+1).Scan(&n)
	return n, err
}

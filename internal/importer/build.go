package importer

import (
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pdca/pdca/internal/isms"
)

// Column indexes that are not fields of the kind.
const (
	attributeColumn = -1 // an extra column, kept as an attribute
	unnamedColumn   = -2 // a column with an empty header name
	ignoredColumn   = -3 // a column the profile leaves out
)

// column is one named column of a file (a CSV/XLSX header cell or a JSON
// object key).
type column struct {
	name  string // the field's name, or as written (trimmed) for other columns
	src   string // as written, trimmed
	field int    // index into KindSpec.Fields, or attributeColumn / unnamedColumn / ignoredColumn
}

// valueKind says where a value came from, which decides the types accepted.
type valueKind uint8

const (
	valText   valueKind = iota // a CSV field or a JSON string
	valCell                    // an XLSX cell (raw: a date may be a serial number)
	valNumber                  // a JSON number
	valBool                    // a JSON boolean
	valNull                    // JSON null
	valObject                  // a JSON object (never valid as a value)
	valArray                   // a JSON array (never valid as a value)
)

// value is one cell of a row.
type value struct {
	s    string
	kind valueKind
}

// keySeed seeds the hashes of natural keys.
var keySeed = maphash.MakeSeed()

// builder turns the cells of a row into a record of one kind and remembers
// the natural keys seen so far, to reject a key repeated in one file.
type builder struct {
	spec     isms.KindSpec
	byName   map[string]int // normalised field name (headerKey) → index into spec.Fields
	loc      *time.Location
	order    DayOrder
	known    func(string) bool
	date1904 bool
	seen     map[uint64]int32 // hash of a natural key → line of its first occurrence
	present  []bool           // scratch: which fields a row names
	// From the import profile, if any:
	profile *isms.ImportProfile
	values  []map[string]string // per field: ValueKey(source value) → value
	consts  []constant
	peek    bool // Peek: any header goes, no key columns required
}

// constant is a field a profile gives every row.
type constant struct {
	field int
	value string
}

func newBuilder(spec isms.KindSpec, opts Options) *builder {
	b := &builder{
		spec:    spec,
		byName:  make(map[string]int, len(spec.Fields)),
		loc:     opts.Location,
		order:   opts.DayOrder,
		known:   opts.KnownSuppliers,
		seen:    make(map[uint64]int32),
		present: make([]bool, len(spec.Fields)),
	}
	if b.loc == nil {
		b.loc = time.UTC
	}
	for i, f := range spec.Fields {
		b.byName[headerKey(f.Name)] = i
	}
	if p := opts.Profile; p != nil {
		b.profile = p
		b.values = make([]map[string]string, len(spec.Fields))
		for i, f := range spec.Fields {
			if m := p.Values[f.Name]; len(m) > 0 {
				b.values[i] = make(map[string]string, len(m))
				for from, to := range m {
					// Also as written, so the usual cell, spelt as in the
					// profile, is found without lower-casing it (an
					// allocation per cell).
					b.values[i][from] = to
					b.values[i][isms.ValueKey(from)] = to
				}
			}
			if v, ok := p.Constants[f.Name]; ok {
				b.consts = append(b.consts, constant{field: i, value: v})
			}
		}
	}
	return b
}

// constantField reports whether the profile gives field i to every row.
func (b *builder) constantField(i int) bool {
	return slices.ContainsFunc(b.consts, func(c constant) bool { return c.field == i })
}

// headerKey normalises a header name for matching (isms.HeaderKey): case,
// spaces, underscores and hyphens do not count.
func headerKey(name string) string { return isms.HeaderKey(name) }

// resolve maps a header name to a column.
func (b *builder) resolve(name string) column {
	name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
	if name == "" {
		return column{name: name, src: name, field: unnamedColumn}
	}
	if b.profile != nil {
		if f, ok := b.profile.Field(name); ok {
			if f == isms.Ignore {
				return column{name: name, src: name, field: ignoredColumn}
			}
			if i, ok := b.byName[headerKey(f)]; ok {
				return column{name: b.spec.Fields[i].Name, src: name, field: i}
			}
		}
	}
	if i, ok := b.byName[headerKey(name)]; ok {
		return column{name: b.spec.Fields[i].Name, src: name, field: i}
	}
	return column{name: name, src: name, field: attributeColumn}
}

// header resolves a CSV or XLSX header row found on line: names match the
// kind's columns ignoring case, spaces, underscores and hyphens; every key
// column must be present (a missing one names the nearest header found) and
// no name may appear twice.
func (b *builder) header(line int, names []string) ([]column, *Error) {
	cols := make([]column, len(names))
	var errs []RowError
	first := make(map[string]int, len(names))
	for i, n := range names {
		cols[i] = b.resolve(n)
		if cols[i].field == unnamedColumn || cols[i].field == ignoredColumn {
			continue
		}
		if f := cols[i].field; f >= 0 && b.constantField(f) {
			errs = append(errs, RowError{Line: line, Column: cols[i].name, Reason: fmt.Sprintf(
				"column %q gives %s, which profile %q sets to %q in every row; remove the column from the file or the constant from the profile",
				cols[i].src, cols[i].name, b.profile.Name, b.profile.Constants[cols[i].name])})
			continue
		}
		low := headerKey(cols[i].name)
		if j, dup := first[low]; dup {
			reason := fmt.Sprintf("column %q appears twice in the header (columns %d and %d); remove or rename one",
				cols[i].name, j+1, i+1)
			if a, c := cols[j].src, cols[i].src; headerKey(a) != headerKey(c) {
				reason = fmt.Sprintf("columns %q and %q (columns %d and %d) both give %s; remove one, or map one elsewhere in the profile",
					a, c, j+1, i+1, cols[i].name)
			}
			errs = append(errs, RowError{Line: line, Column: cols[i].name, Reason: reason})
			continue
		}
		first[low] = i
	}
	for i, f := range b.spec.Fields {
		if _, ok := first[headerKey(f.Name)]; ok || !f.Key || b.constantField(i) {
			continue
		}
		reason := fmt.Sprintf("missing required column %q", f.Name)
		if near := nearestHeader(f.Name, cols); near != "" {
			reason += fmt.Sprintf("; did you mean %q?", near)
		}
		how := "; the header must name the key columns %s (case, spaces, underscores and hyphens do not matter)"
		if b.profile != nil {
			how += fmt.Sprintf(", or profile %q must map a column or give a constant to each", b.profile.Name)
		}
		errs = append(errs, RowError{Line: line, Column: f.Name, Reason: reason + fmt.Sprintf(how, keyNames(b.spec))})
	}
	if errs != nil && !b.peek {
		return nil, &Error{Errors: errs}
	}
	return cols, nil
}

// nearestHeader returns the header name, among those that name no column
// of the kind, closest to field: within a small edit distance of it (after
// normalising both as headerKey does), or containing it. "" if none is.
func nearestHeader(field string, cols []column) string {
	want := headerKey(field)
	best, bestDist := "", 0
	for _, c := range cols {
		if c.field != attributeColumn {
			continue
		}
		got := headerKey(c.name)
		d := editDistance(want, got, 3)
		if d > max(1, min(3, len(want)/3)) {
			if !strings.Contains(got, want) || len(got) > 3*len(want) {
				continue
			}
			d = len(got) - len(want)
		}
		if best == "" || d < bestDist {
			best, bestDist = c.name, d
		}
	}
	return best
}

// editDistance returns the Levenshtein distance of a and b, or limit+1
// when it is above limit (header names are short; longer ones are cut).
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return limit + 1
	}
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

// keyNames lists the key columns of a kind for messages.
func keyNames(spec isms.KindSpec) string {
	var names []string
	for _, f := range spec.KeyFields() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// problems collects the problems of one row.
type problems struct {
	line int
	errs []RowError
}

// add records a problem; a column that already has one keeps only the
// first, so each bad row lists each column at most once.
func (p *problems) add(col, val, reason string) {
	if col != "" && hasError(p.errs, col) {
		return
	}
	p.errs = append(p.errs, RowError{Line: p.line, Column: col, Value: val, Reason: reason})
}

// build turns one row into a record, or returns every problem it has.
func (b *builder) build(line int, cols []column, vals []value) (isms.Record, []RowError) {
	rec := isms.Record{
		Kind:       b.spec.Kind,
		Times:      make(map[string]time.Time),
		Bools:      make(map[string]bool),
		Texts:      make(map[string]string),
		Attributes: make(map[string]string),
	}
	p := &problems{line: line}
	b.fill(&rec, p, cols, vals)
	for _, c := range b.consts {
		b.present[c.field] = true
		if reason := b.set(&rec, b.spec.Fields[c.field], valText, c.value); reason != "" {
			p.add(b.spec.Fields[c.field].Name, c.value, reason+fmt.Sprintf(" (the constant of profile %q)", b.profile.Name))
		}
	}
	if name, ok := rec.Texts["supplier"]; ok && b.spec.Kind == isms.KindSupplierAssessments &&
		b.known != nil && !b.known(name) {
		p.add("supplier", name, "unknown supplier; import it as a supplier first, or check the spelling")
	}
	if b.spec.Graded() {
		sev := rec.Texts["severity"]
		if col, why := isms.SettleGrade(rec.Texts); why != "" {
			p.add(col, sev, why)
		}
	}
	if b.checkKey(&rec, p) {
		rec.Key = b.spec.NaturalKey(rec)
		// Keys are remembered by a 64-bit hash (12 bytes a row instead of
		// the key): two different keys of a million-row file share one
		// with a probability of about 3 in 100 million.
		h := maphash.String(keySeed, rec.Key)
		if first, dup := b.seen[h]; dup {
			p.add("", rec.Key, fmt.Sprintf("the same key (%s) already appears on line %d; each record may appear only once in a file",
				keyNames(b.spec), first))
		} else {
			b.seen[h] = int32(min(line, math.MaxInt32))
		}
	}
	if p.errs != nil {
		return isms.Record{}, p.errs
	}
	return rec, nil
}

// fill stores the row's non-empty values in rec.
func (b *builder) fill(rec *isms.Record, p *problems, cols []column, vals []value) {
	clear(b.present)
	unnamed := false
	for i, c := range cols {
		if c.field == ignoredColumn {
			continue
		}
		v := vals[i]
		s := strings.TrimSpace(v.s)
		if b.repeated(rec, c) {
			// Only a JSON object can name a column twice; a header cannot.
			p.add(c.name, "", fmt.Sprintf("key %q appears twice in this object; remove one", c.name))
			continue
		}
		switch {
		case v.kind == valObject || v.kind == valArray:
			p.add(c.name, "", fmt.Sprintf("expected a string, number, boolean or null, found %s", kindName(v.kind)))
			continue
		case v.kind == valNull || s == "":
			continue
		case !utf8.ValidString(s):
			p.add(c.name, strings.ToValidUTF8(s, "?"), "not valid UTF-8 text; save the file with UTF-8 encoding")
			continue
		}
		if c.field >= 0 && b.consts != nil && b.constantField(c.field) { // a few constants at most
			// Only a JSON object gets here: a header is checked once.
			p.add(c.name, s, fmt.Sprintf("profile %q sets %s to %q in every row; leave the key out", b.profile.Name, c.name, b.profile.Constants[c.name]))
			continue
		}
		if c.field >= 0 && b.values != nil && b.values[c.field] != nil {
			if to, ok := b.values[c.field][s]; ok {
				s = to
			} else if to, ok := b.values[c.field][isms.ValueKey(s)]; ok {
				s = to
			}
		}
		switch c.field {
		case unnamedColumn:
			if unnamed {
				continue // one such problem a row says enough
			}
			unnamed = true
			p.add("", s, fmt.Sprintf("value in column %d, which has no name in the header; name the column or remove the value", i+1))
		case attributeColumn:
			rec.Attributes[c.name] = s
		default:
			if reason := b.set(rec, b.spec.Fields[c.field], v.kind, s); reason != "" {
				p.add(c.name, s, reason)
			}
		}
	}
}

// checkKey reports whether rec has every key value, adding a problem for
// each missing one that has no problem yet.
func (b *builder) checkKey(rec *isms.Record, p *problems) bool {
	ok := true
	for i, f := range b.spec.Fields {
		if !f.Key {
			continue
		}
		_, isTime := rec.Times[f.Name]
		_, isText := rec.Texts[f.Name]
		if isTime || isText {
			continue
		}
		ok = false
		switch {
		case !b.present[i]:
			p.add(f.Name, "", fmt.Sprintf("missing required key %q; every %s record needs %s", f.Name, b.spec.Kind, keyNames(b.spec)))
		case !hasError(p.errs, f.Name):
			p.add(f.Name, "", "a value is required: this column is part of the record's key")
		}
	}
	return ok
}

// repeated reports whether the row already had column c, and marks it seen.
func (b *builder) repeated(rec *isms.Record, c column) bool {
	switch {
	case c.field >= 0:
		if b.present[c.field] {
			return true
		}
		b.present[c.field] = true
	case c.field == attributeColumn:
		_, ok := rec.Attributes[c.name]
		return ok
	}
	return false
}

// hasError reports whether errs already holds a problem with column col.
func hasError(errs []RowError, col string) bool {
	return slices.ContainsFunc(errs, func(e RowError) bool { return e.Column == col })
}

// set stores the non-empty value s of field f in rec, or returns why it cannot.
func (b *builder) set(rec *isms.Record, f isms.Field, kind valueKind, s string) string {
	switch f.Type {
	case isms.FieldTime:
		if kind != valText && kind != valCell {
			return fmt.Sprintf("expected a timestamp as a JSON string, found %s", kindName(kind))
		}
		t, err := ParseTimeOrder(s, b.loc, b.order)
		if err != nil && kind == valCell {
			if st, ok, serr := excelSerial(s, b.date1904, b.loc); ok {
				t, err = st, serr
			}
		}
		if err != nil {
			return err.Error()
		}
		rec.Times[f.Name] = t
	case isms.FieldBool:
		v, err := ParseBool(s)
		if err != nil {
			return err.Error()
		}
		rec.Bools[f.Name] = v
	case isms.FieldEnum:
		if kind == valBool {
			return fmt.Sprintf("expected a string, found %s", kindName(kind))
		}
		low, ok := f.Parse(s)
		if !ok && f.Name == "severity" && b.spec.Graded() {
			// A grade in the severity column; SettleGrade moves it.
			low, ok = isms.ParseGrade(s)
		}
		if !ok {
			return enumReason(b.spec, f)
		}
		rec.Texts[f.Name] = low
	case isms.FieldNumber: // Issue 19: record kinds of an organisation's own
		if kind == valBool || kind == valObject || kind == valArray {
			return fmt.Sprintf("expected a number, found %s", kindName(kind))
		}
		v, err := isms.ParseNumber(s)
		if err != nil {
			return err.Error()
		}
		rec.Texts[f.Name] = v
	default:
		if kind == valBool {
			return fmt.Sprintf("expected a string, found %s", kindName(kind))
		}
		rec.Texts[f.Name] = s
	}
	return ""
}

// enumReason says why a value of enum field f is refused and what is
// accepted.
func enumReason(spec isms.KindSpec, f isms.Field) string {
	switch {
	case f.Name == "grade":
		return "unknown grade; expected major (major nonconformity), minor (minor nonconformity), observation, or opportunity (opportunity for improvement, OFI)"
	case f.Name == "severity" && spec.Graded():
		return fmt.Sprintf("unknown severity; expected one of %s, P1 to P4, or a grade (major, minor, observation, OFI)", strings.Join(f.Enum, ", "))
	case f.Name == "severity":
		return fmt.Sprintf("unknown severity; expected one of %s, or P1 to P4", strings.Join(f.Enum, ", "))
	}
	return fmt.Sprintf("unknown %s; expected one of %s", f.Name, strings.Join(f.Enum, ", "))
}

// kindName names a JSON value kind for messages.
func kindName(k valueKind) string {
	switch k {
	case valNumber:
		return "a number"
	case valBool:
		return "a boolean"
	case valNull:
		return "null"
	case valObject:
		return "an object"
	case valArray:
		return "an array"
	}
	return "a string"
}

// blank reports whether every value of a row is empty (a spacer row).
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

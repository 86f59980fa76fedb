package isms

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Issue 19: record kinds of an organisation's own.

// FieldNumber is a column holding a decimal number. Only record kinds an
// organisation defines have number columns; a record holds the number in
// Texts, in canonical form (FormatNumber).
const FieldNumber FieldType = "number"

// Limits of a custom record kind's definition.
const (
	MaxKindFields     = 40 // columns per kind
	MaxEnumValues     = 50 // values of one enum column
	MaxFieldName      = 60 // characters of a column name or a kind's key
	MaxCustomKinds    = 50 // custom kinds per organisation
	MaxCustomKindRows = 1_000_000
)

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reservedKindKeys are names a custom kind may not take besides the
// built-in kinds: the acknowledgement rate's pseudo kind and words the
// record pages use.
var reservedKindKeys = []string{"acknowledgements", "custom", "kinds", "record_kinds", "import", "imports"}

// reservedFieldNames are column names with a meaning of their own in
// every record.
var reservedFieldNames = []string{"id", "natural_key", "attributes", "key", "kind"}

// CustomKind is a record kind an organisation defined: customer
// complaints, on-time deliveries. Its key never names a built-in kind.
type CustomKind struct {
	ID     int64
	Key    string
	Title  string
	Fields []Field
}

// Spec returns the kind as a KindSpec, so that the importer, the metric
// engine and the record pages treat it like a built-in kind.
func (c CustomKind) Spec() KindSpec {
	return KindSpec{Kind: RecordKind(c.Key), Title: c.Title, Fields: slices.Clone(c.Fields)}
}

// FieldDef is the exchanged form of one column of a custom kind (API,
// JSON stored in record_kinds.fields).
type FieldDef struct {
	Name   string    `json:"name"`
	Type   FieldType `json:"type"`
	Key    bool      `json:"key,omitempty"`
	Values []string  `json:"values,omitempty"`
}

// FieldDefs returns the kind's columns in their exchanged form.
func (c CustomKind) FieldDefs() []FieldDef {
	out := make([]FieldDef, len(c.Fields))
	for i, f := range c.Fields {
		out[i] = FieldDef{Name: f.Name, Type: f.Type, Key: f.Key, Values: slices.Clone(f.Enum)}
	}
	return out
}

// IsBuiltinKind reports whether name is one of the ten built-in kinds.
func IsBuiltinKind(name string) bool {
	_, ok := LookupKind(name)
	return ok
}

// NewCustomKind checks a definition and returns the kind with its names
// and enum values normalised (trimmed, lower-case). EINVALID names the
// first problem: where (key, title, fields[i].name ...) and how to fix it.
func NewCustomKind(key, title string, defs []FieldDef) (CustomKind, error) {
	key = strings.ToLower(strings.TrimSpace(key))
	title = strings.TrimSpace(title)
	c := CustomKind{Key: key, Title: title}
	switch {
	case key == "":
		return c, Errorf(EINVALID, "key: required; give a lower-case name such as customer_complaints")
	case len(key) > MaxFieldName || !identRE.MatchString(key):
		return c, Errorf(EINVALID, "key %q: use at most %d lower-case letters, digits and underscores, starting with a letter (e.g. customer_complaints)", key, MaxFieldName)
	case IsBuiltinKind(key) || slices.Contains(reservedKindKeys, key):
		return c, Errorf(EINVALID, "key %q: is the name of a built-in record kind or reserved; choose another, e.g. %s_custom", key, key)
	}
	if title == "" {
		return c, Errorf(EINVALID, "title: required; give the name people see, e.g. Customer complaints")
	}
	if err := CheckLength("title", title, MaxName); err != nil {
		return c, err
	}
	if len(defs) == 0 {
		return c, Errorf(EINVALID, "fields: a kind needs at least one column, and one of them a key")
	}
	if len(defs) > MaxKindFields {
		return c, Errorf(EINVALID, "fields: at most %d columns (this definition has %d)", MaxKindFields, len(defs))
	}
	seen := map[string]bool{}
	keys := 0
	for i, d := range defs {
		f, err := newField(i, d)
		if err != nil {
			return c, err
		}
		if seen[f.Name] {
			return c, Errorf(EINVALID, "fields[%d].name: %q is used twice; give each column its own name", i, f.Name)
		}
		seen[f.Name] = true
		if f.Key {
			keys++
		}
		c.Fields = append(c.Fields, f)
	}
	if keys == 0 {
		return c, Errorf(EINVALID, "fields: no key column; mark the column (or columns) that identify a record with key: true, e.g. complaint_id")
	}
	return c, nil
}

func newField(i int, d FieldDef) (Field, error) {
	name := strings.ToLower(strings.TrimSpace(d.Name))
	where := fmt.Sprintf("fields[%d]", i)
	switch {
	case name == "":
		return Field{}, Errorf(EINVALID, "%s.name: required", where)
	case len(name) > MaxFieldName || !identRE.MatchString(name):
		return Field{}, Errorf(EINVALID, "%s.name %q: use at most %d lower-case letters, digits and underscores, starting with a letter (e.g. received_at)", where, name, MaxFieldName)
	case slices.Contains(reservedFieldNames, name):
		return Field{}, Errorf(EINVALID, "%s.name %q: reserved; choose another name", where, name)
	}
	f := Field{Name: name, Type: FieldType(strings.ToLower(strings.TrimSpace(string(d.Type)))), Key: d.Key}
	switch f.Type {
	case FieldText, FieldTime, FieldBool, FieldNumber:
		if len(d.Values) > 0 {
			return Field{}, Errorf(EINVALID, "%s.values: only an enum column has values; remove them or make %s an enum", where, name)
		}
	case FieldEnum:
		if len(d.Values) == 0 {
			return Field{}, Errorf(EINVALID, "%s.values: an enum column needs its allowed values, e.g. [\"low\", \"high\"]", where)
		}
		if len(d.Values) > MaxEnumValues {
			return Field{}, Errorf(EINVALID, "%s.values: at most %d values (this one has %d)", where, MaxEnumValues, len(d.Values))
		}
		for j, v := range d.Values {
			v = strings.ToLower(strings.TrimSpace(v))
			switch {
			case v == "":
				return Field{}, Errorf(EINVALID, "%s.values[%d]: empty; remove it", where, j)
			case len(v) > MaxShort:
				return Field{}, Errorf(EINVALID, "%s.values[%d]: at most %d characters", where, j, MaxShort)
			case slices.Contains(f.Enum, v):
				return Field{}, Errorf(EINVALID, "%s.values[%d]: %q is listed twice (values are compared in lower case)", where, j, v)
			}
			f.Enum = append(f.Enum, v)
		}
	default:
		return Field{}, Errorf(EINVALID, "%s.type %q: unknown type; use text, enum, bool, time or number", where, d.Type)
	}
	if f.Key && f.Type == FieldBool {
		return Field{}, Errorf(EINVALID, "%s.key: a bool column cannot be part of the key; use a text, enum, time or number column", where)
	}
	return f, nil
}

// CheckChange reports whether the definition next may replace c while c
// has records: key columns must stay as they are, and a column kept must
// keep its type (an enum may gain values, not lose them). Columns may be
// added or removed. EINVALID says which column and why.
func (c CustomKind) CheckChange(next CustomKind) error {
	if next.Key != c.Key {
		return Errorf(EINVALID, "key: a kind's key cannot change (it is %q); create a new kind instead", c.Key)
	}
	if !slices.EqualFunc(c.KeyFieldsOf(), next.KeyFieldsOf(), func(a, b Field) bool { return a.Name == b.Name && a.Type == b.Type }) {
		return Errorf(EINVALID, "fields: the key columns cannot change once the kind has records; create a new kind instead")
	}
	for _, f := range next.Fields {
		old, ok := c.Spec().Field(f.Name)
		if !ok {
			continue
		}
		if old.Type != f.Type {
			return Errorf(EINVALID, "fields: column %q is %s; its type cannot change once the kind has records (add a column with another name)", f.Name, old.Type)
		}
		for _, v := range old.Enum {
			if !slices.Contains(f.Enum, v) {
				return Errorf(EINVALID, "fields: column %q: value %q cannot be removed once the kind has records", f.Name, v)
			}
		}
	}
	return nil
}

// KeyFieldsOf returns the key columns of c in column order.
func (c CustomKind) KeyFieldsOf() []Field { return c.Spec().KeyFields() }

// ParseNumber reads a number column's value: digits with an optional
// sign, decimal point and exponent ("12", "-3.5", "1e3"); a comma is taken
// as the decimal separator when there is no point ("12,5"). It returns
// the canonical form stored (FormatNumber).
func ParseNumber(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ",") && !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return "", Errorf(EINVALID, "not a number; write digits with a decimal point, e.g. 12.50")
	}
	return FormatNumber(v), nil
}

// FormatNumber is the canonical text of a number value: the shortest
// decimal that reads back as v, without exponent.
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ColumnUse is a column a metric definition reads: its role (for the
// message), name and the type it must have ("" for any).
type ColumnUse struct {
	Role string
	Name string
	Type FieldType
}

// CheckMetricColumns reports the first column a metric reads that the
// kind does not have, or has with another type.
func CheckMetricColumns(k KindSpec, uses []ColumnUse) error {
	for _, u := range uses {
		f, ok := k.Field(u.Name)
		if !ok {
			var names []string
			for _, f := range k.Fields {
				names = append(names, f.Name)
			}
			return Errorf(EINVALID, "%s %q: %s has no such column; its columns are %s", u.Role, u.Name, k.Kind, strings.Join(names, ", "))
		}
		if u.Type != "" && f.Type != u.Type {
			return Errorf(EINVALID, "%s %q: is a %s column of %s; the measure needs a %s column", u.Role, u.Name, f.Type, k.Kind, u.Type)
		}
	}
	return nil
}

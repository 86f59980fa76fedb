package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// BuildRecord reads one record entered by hand (a form or an API call):
// values holds the kind's columns by name, attributes any extra columns.
// Each value is read exactly as the same cell of a CSV file would be (the
// same parsing, checks and messages: timestamps without an offset in
// opts.Location, booleans, enum values in any case, the key required, a
// supplier assessment's supplier known), so a value means the same
// whether it was typed or imported. A name that is not a column of the
// kind is a problem. Problems carry Line 0 and the column's name.
func BuildRecord(values, attributes map[string]string, opts Options) (isms.Record, []RowError) {
	spec, ok := isms.LookupKind(string(opts.Kind))
	if !ok {
		return isms.Record{}, []RowError{{Value: string(opts.Kind), Reason: "unknown record kind; expected one of " + kindList()}}
	}
	b := newBuilder(spec, opts)
	var cols []column
	var vals []value
	var unknown []RowError
	for i, f := range spec.Fields {
		if v, ok := values[f.Name]; ok {
			cols = append(cols, column{name: f.Name, field: i})
			vals = append(vals, value{s: v})
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := spec.Field(name); !ok {
			unknown = append(unknown, RowError{Column: name, Value: shorten(values[name]),
				Reason: fmt.Sprintf("not a column of %s; the columns are %s (send other values as attributes)", spec.Kind, fieldNames(spec))})
		}
	}
	attrNames := make([]string, 0, len(attributes))
	for name := range attributes {
		attrNames = append(attrNames, name)
	}
	sort.Strings(attrNames)
	for _, name := range attrNames {
		if _, ok := spec.Field(strings.ToLower(strings.TrimSpace(name))); ok {
			unknown = append(unknown, RowError{Column: name, Reason: "a column of the kind, not an attribute; send it among the values"})
			continue
		}
		cols = append(cols, column{name: strings.TrimSpace(name), field: attributeColumn})
		if cols[len(cols)-1].name == "" {
			cols[len(cols)-1].field = unnamedColumn
		}
		vals = append(vals, value{s: attributes[name]})
	}
	rec, errs := b.build(0, cols, vals)
	errs = append(errs, unknown...)
	if len(errs) > 0 {
		return isms.Record{}, errs
	}
	return rec, nil
}

// fieldNames lists a kind's columns for messages.
func fieldNames(spec isms.KindSpec) string {
	names := make([]string, len(spec.Fields))
	for i, f := range spec.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

package isms

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// RecordKind names a kind of operational record (the "Do" of the loop):
// what an import file holds and what a metric counts.
type RecordKind string

// The record kinds, in the order the product brief lists them.
const (
	KindAccessRemovals      RecordKind = "access_removals"
	KindIncidents           RecordKind = "incidents"
	KindRestoreTests        RecordKind = "restore_tests"
	KindSuppliers           RecordKind = "suppliers"
	KindSupplierAssessments RecordKind = "supplier_assessments"
	KindChanges             RecordKind = "changes"
	KindVulnerabilities     RecordKind = "vulnerabilities"
	KindTraining            RecordKind = "training"
	KindDeviations          RecordKind = "deviations"
	KindAuditFindings       RecordKind = "audit_findings"
)

// FieldType is the type of one column of a record kind.
type FieldType string

// The column types. Time values are instants (stored in UTC); enum values are
// text restricted to Field.Enum and stored lower-case.
const (
	FieldText FieldType = "text"
	FieldTime FieldType = "time"
	FieldBool FieldType = "bool"
	FieldEnum FieldType = "enum"
)

// Field is one column of a record kind. Key fields are required and together
// form the record's natural key; every other field may be empty, meaning
// unknown or not yet.
type Field struct {
	Name string
	Type FieldType
	Key  bool
	// Enum lists the allowed lower-case values of an enum field; matching is
	// case-insensitive.
	Enum []string
}

// Parse reads a non-empty value of an enum field, in any case, and
// returns the stored value, or false when it is not one of the field's
// values. A severity also accepts priority numbers (P1 to P4, Sev1 to
// Sev4, S1 to S4: ParseSeverity) and a grade the words audit reports use
// (ParseGrade).
func (f Field) Parse(s string) (string, bool) {
	switch f.Name {
	case "severity":
		return ParseSeverity(s, f.Enum)
	case "grade":
		return ParseGrade(s)
	}
	low := strings.ToLower(strings.TrimSpace(s))
	return low, slices.Contains(f.Enum, low)
}

// Graded reports whether records of the kind carry a grade (deviations
// and audit findings), whose severity column may then hold the grade.
func (k KindSpec) Graded() bool {
	_, ok := k.Field("grade")
	return ok
}

// KindSpec describes a record kind: its name, a title for people, and its
// columns in the documented order.
type KindSpec struct {
	Kind   RecordKind
	Title  string
	Fields []Field
}

// Severity vocabularies. Scanners use a wider one than incidents and
// deviations do.
var (
	severityLevels     = []string{"critical", "high", "medium", "low"}
	scannerSeverities  = []string{"critical", "high", "medium", "low", "negligible", "unknown"}
	restoreTestResults = []string{"pass", "fail"}
)

// Kinds returns the specification of every record kind, in the product
// brief's order. The result is a fresh copy that the caller may modify.
func Kinds() []KindSpec {
	key := func(name string, t FieldType) Field { return Field{Name: name, Type: t, Key: true} }
	text := func(name string) Field { return Field{Name: name, Type: FieldText} }
	at := func(name string) Field { return Field{Name: name, Type: FieldTime} }
	flag := func(name string) Field { return Field{Name: name, Type: FieldBool} }
	enum := func(name string, values []string) Field {
		return Field{Name: name, Type: FieldEnum, Enum: slices.Clone(values)}
	}
	return []KindSpec{
		{KindAccessRemovals, "Access removals", []Field{
			key("person", FieldText), key("system", FieldText), key("employment_ended_at", FieldTime),
			at("access_removed_at"),
		}},
		{KindIncidents, "Incidents", []Field{
			key("ref", FieldText), text("title"), enum("severity", severityLevels),
			at("detected_at"), at("action_started_at"), at("resolved_at"), text("root_cause"),
		}},
		{KindRestoreTests, "Restore tests", []Field{
			key("system", FieldText), key("tested_at", FieldTime),
			enum("result", restoreTestResults), text("notes"),
		}},
		{KindSuppliers, "Suppliers", []Field{
			key("name", FieldText), flag("critical"),
		}},
		{KindSupplierAssessments, "Supplier assessments", []Field{
			key("supplier", FieldText), key("assessed_at", FieldTime), text("result"),
		}},
		{KindChanges, "Changes", []Field{
			key("ref", FieldText), text("system"), at("implemented_at"),
			flag("documented"), flag("approved"),
		}},
		{KindVulnerabilities, "Vulnerabilities", []Field{
			key("ref", FieldText), key("asset", FieldText), enum("severity", scannerSeverities),
			at("found_at"), at("fixed_at"),
		}},
		{KindTraining, "Training assignments", []Field{
			key("person", FieldText), key("course", FieldText), key("due_at", FieldTime),
			at("completed_at"),
		}},
		{KindDeviations, "Deviations", []Field{
			key("ref", FieldText), text("title"), text("source"), enum("severity", severityLevels),
			at("detected_at"), at("closed_at"), enum("grade", Grades),
		}},
		{KindAuditFindings, "Audit findings", []Field{
			key("ref", FieldText), text("audit"), text("title"), at("raised_at"), at("closed_at"),
			enum("grade", Grades), enum("severity", severityLevels),
		}},
	}
}

// LookupKind returns the specification of the kind called name (as written
// in the brief, e.g. "access_removals"; surrounding spaces and case are
// ignored), and false if there is no such kind.
func LookupKind(name string) (KindSpec, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, k := range Kinds() {
		if string(k.Kind) == name {
			return k, true
		}
	}
	return KindSpec{}, false
}

// KeyFields returns the fields forming the natural key, in column order.
func (k KindSpec) KeyFields() []Field {
	var keys []Field
	for _, f := range k.Fields {
		if f.Key {
			keys = append(keys, f)
		}
	}
	return keys
}

// Field returns the field called name (exact, lower-case), and false if the
// kind has no such column.
func (k KindSpec) Field(name string) (Field, bool) {
	for _, f := range k.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Record is one operational record of any kind. Each value lives in the map
// for its field type; an empty (unknown) value is absent from the maps.
type Record struct {
	ID   int64
	Kind RecordKind
	// Key is the canonical natural key, as computed by KindSpec.NaturalKey.
	Key string
	// Times holds time fields, in UTC.
	Times map[string]time.Time
	// Bools holds bool fields.
	Bools map[string]bool
	// Texts holds text and enum fields; enum values are lower-case.
	Texts map[string]string
	// Attributes holds columns of an imported file that are not fields of the
	// kind, by column name.
	Attributes map[string]string
}

// NaturalKey returns r's canonical natural key: the key field values in
// column order joined with " / ", time values formatted as RFC 3339 in UTC,
// e.g. "alice / github / 2026-10-01T09:00:00Z". A missing key value yields
// an empty part.
func (k KindSpec) NaturalKey(r Record) string {
	var b strings.Builder
	for i, f := range k.KeyFields() {
		if i > 0 {
			b.WriteString(" / ")
		}
		if f.Type == FieldTime {
			if t, ok := r.Times[f.Name]; ok {
				b.WriteString(t.UTC().Format(time.RFC3339Nano))
			}
			continue
		}
		b.WriteString(r.Texts[f.Name])
	}
	return b.String()
}

// Equal reports whether r and o hold the same values, ignoring ID; it tells
// an unchanged re-imported record from an updated one. Times compare as
// instants, and a nil map equals an empty one.
func (r Record) Equal(o Record) bool {
	return r.Kind == o.Kind && r.Key == o.Key &&
		maps.EqualFunc(r.Times, o.Times, time.Time.Equal) &&
		maps.Equal(r.Bools, o.Bools) &&
		maps.Equal(r.Texts, o.Texts) &&
		maps.Equal(r.Attributes, o.Attributes)
}

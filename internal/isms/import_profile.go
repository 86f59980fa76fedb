package isms

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ImportProfile is a saved mapping for the files of one source (an HR
// system's export, a ticket tool's CSV): which of its columns give which
// field of a record kind, how its words translate to pdca's values, what
// every row of its files shares, how its slashed dates read, and which file
// names it is for. An organisation keeps its profiles by name; an import
// applies one by name, or the one whose file pattern matches the file's
// name.
//
// The JSON form (ProfileJSON, ParseProfileJSON) is what is exported and
// imported, so a profile can be versioned beside the scripts that write
// the files.
type ImportProfile struct {
	Name string     `json:"name"`
	Kind RecordKind `json:"kind"`
	// FilePattern picks the profile for a file whose name (without its
	// folder, any case) matches it: a shell pattern such as "hr-leavers-*.csv".
	// Empty: only used when named.
	FilePattern string `json:"file_pattern,omitempty"`
	// DateOrder reads slashed dates: "dmy", "mdy" or "" (the import's or
	// the organisation's order).
	DateOrder string `json:"date_order,omitempty"`
	// Columns maps a source column (as its header names it; case, spaces,
	// underscores and hyphens do not matter) to a field of the kind, or to
	// "" to leave the column out. Columns it does not name are read as
	// without a profile: by their own name, others kept as attributes.
	Columns map[string]string `json:"columns,omitempty"`
	// Values maps, per field, a value as the source writes it (any case)
	// to the value pdca stores: "P1" → "critical", "Yes" → "true".
	Values map[string]map[string]string `json:"values,omitempty"`
	// Constants gives fields the same value in every row ("system" →
	// "github"); the file must not have a column for them.
	Constants map[string]string `json:"constants,omitempty"`
}

// Bounds of a profile, so a stored or uploaded profile stays small.
const (
	MaxProfileName    = 64
	MaxProfilePattern = 200
	MaxProfileEntries = 500 // columns, values of one field, constants
	MaxProfileText    = 200 // a column name, a value, a constant
	MaxProfileJSON    = 256 << 10
)

// Ignore is the field a profile maps a column to when the column is to be
// left out.
const Ignore = ""

// ProfileFormat names the JSON export format and its version.
const ProfileFormat = "pdca-import-profile/1"

// HeaderKey normalises a column name for matching: case, spaces,
// underscores and hyphens do not count, so "Employment Ended At",
// "employment-ended-at" and "employment_ended_at" name one column.
func HeaderKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range strings.ToLower(name) {
		switch r {
		case ' ', '_', '-', '\u00a0', '\t':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ValueKey normalises a source value for matching a profile's value map:
// surrounding spaces and case do not count.
func ValueKey(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// Normalize trims the profile's names and values, lower-cases its kind,
// and drops empty value maps.
func (p *ImportProfile) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Kind = RecordKind(strings.ToLower(strings.TrimSpace(string(p.Kind))))
	p.FilePattern = strings.TrimSpace(p.FilePattern)
	p.DateOrder = strings.ToLower(strings.TrimSpace(p.DateOrder))
	trimMap := func(m map[string]string) map[string]string {
		if len(m) == 0 {
			return nil
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		return out
	}
	p.Columns = trimMap(p.Columns)
	p.Constants = trimMap(p.Constants)
	values := map[string]map[string]string{}
	for f, m := range p.Values {
		if m = trimMap(m); len(m) > 0 {
			values[strings.TrimSpace(f)] = m
		}
	}
	p.Values = values
	if len(values) == 0 {
		p.Values = nil
	}
}

// Check returns EINVALID naming the first thing wrong with the profile:
// a name of 1 to 64 letters, digits, spaces, dots, hyphens or underscores;
// a known kind; a valid file pattern; a date order; columns, value maps and
// constants that name fields of the kind, each field given by at most one
// column or constant, value maps only for fields that are not times and
// whose values are values of the field (enum values, true/false). A
// constant's value is checked by the importer, which reads it as a cell.
func (p ImportProfile) Check() error {
	if err := CheckProfileName(p.Name); err != nil {
		return err
	}
	spec, ok := LookupKind(string(p.Kind))
	if !ok {
		return Errorf(EINVALID, "kind %q: use one of %s", p.Kind, strings.Join(kindNames(), ", "))
	}
	if len(p.FilePattern) > MaxProfilePattern {
		return Errorf(EINVALID, "file pattern: at most %d characters", MaxProfilePattern)
	}
	if _, err := path.Match(strings.ToLower(p.FilePattern), ""); err != nil || strings.Contains(p.FilePattern, "/") {
		return Errorf(EINVALID, "file pattern %q: write a file name with * for any text and ? for one character, e.g. hr-leavers-*.csv", p.FilePattern)
	}
	if err := CheckDateOrder(p.DateOrder); err != nil {
		return err
	}
	if len(p.Columns) > MaxProfileEntries || len(p.Constants) > MaxProfileEntries {
		return Errorf(EINVALID, "columns: at most %d columns and %d constants", MaxProfileEntries, MaxProfileEntries)
	}
	given := map[string]string{} // field → what gives it, for messages
	sources := map[string]string{}
	for _, src := range slices.Sorted(maps.Keys(p.Columns)) {
		field := p.Columns[src]
		if src == "" || len(src) > MaxProfileText || !utf8.ValidString(src) {
			return Errorf(EINVALID, "columns: a source column needs a name of 1 to %d characters", MaxProfileText)
		}
		k := HeaderKey(src)
		if prev, dup := sources[k]; dup {
			return Errorf(EINVALID, "columns: %q and %q are the same column (case, spaces, underscores and hyphens do not matter); keep one", prev, src)
		}
		sources[k] = src
		if field == Ignore {
			continue
		}
		if _, ok := spec.Field(field); !ok {
			return Errorf(EINVALID, "columns: %q maps to %q, which is not a field of %s; use one of %s, or nothing to leave the column out", src, field, spec.Kind, fieldNames(spec))
		}
		if prev, dup := given[field]; dup {
			return Errorf(EINVALID, "columns: %q and %s both give %s; map one of them to another field or leave it out", src, prev, field)
		}
		given[field] = fmt.Sprintf("%q", src)
	}
	for _, field := range slices.Sorted(maps.Keys(p.Constants)) {
		v := p.Constants[field]
		if _, ok := spec.Field(field); !ok {
			return Errorf(EINVALID, "constants: %q is not a field of %s; use one of %s", field, spec.Kind, fieldNames(spec))
		}
		if prev, dup := given[field]; dup {
			return Errorf(EINVALID, "constants: %s is given by column %s and a constant; keep one", field, prev)
		}
		if v == "" || len(v) > MaxProfileText || !utf8.ValidString(v) {
			return Errorf(EINVALID, "constants: %s needs a value of 1 to %d characters", field, MaxProfileText)
		}
		given[field] = "the constant"
	}
	for _, field := range slices.Sorted(maps.Keys(p.Values)) {
		m := p.Values[field]
		f, ok := spec.Field(field)
		if !ok {
			return Errorf(EINVALID, "values: %q is not a field of %s; use one of %s", field, spec.Kind, fieldNames(spec))
		}
		if f.Type == FieldTime {
			return Errorf(EINVALID, "values: %s is a time; times are read as dates, not mapped", field)
		}
		if len(m) > MaxProfileEntries {
			return Errorf(EINVALID, "values: at most %d values for %s", MaxProfileEntries, field)
		}
		seen := map[string]string{}
		for _, from := range slices.Sorted(maps.Keys(m)) {
			to := m[from]
			if from == "" || len(from) > MaxProfileText || len(to) > MaxProfileText || !utf8.ValidString(from+to) {
				return Errorf(EINVALID, "values: each value of %s needs 1 to %d characters", field, MaxProfileText)
			}
			if prev, dup := seen[ValueKey(from)]; dup {
				return Errorf(EINVALID, "values: %q and %q of %s are the same value (case does not matter); keep one", prev, from, field)
			}
			seen[ValueKey(from)] = from
			switch f.Type {
			case FieldEnum:
				if _, ok := f.Parse(to); !ok {
					return Errorf(EINVALID, "values: %s %q becomes %q, which is not a %s; use one of %s", field, from, to, field, strings.Join(f.Enum, ", "))
				}
			case FieldBool:
				switch ValueKey(to) {
				case "true", "false":
				default:
					return Errorf(EINVALID, "values: %s %q becomes %q; use true or false", field, from, to)
				}
			default:
				if to == "" {
					return Errorf(EINVALID, "values: %s %q becomes nothing; give the value to store", field, from)
				}
			}
		}
	}
	return nil
}

// CheckProfileName returns EINVALID unless name is 1 to 64 letters, digits,
// spaces, dots, hyphens or underscores, starting with a letter or digit.
func CheckProfileName(name string) error {
	bad := name == "" || utf8.RuneCountInString(name) > MaxProfileName || name != strings.TrimSpace(name)
	for i, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && (i == 0 || !strings.ContainsRune(" .-_", r)) {
			bad = true
		}
	}
	if bad {
		return Errorf(EINVALID, "name %q: give 1 to %d letters, digits, spaces, dots, hyphens or underscores, starting with a letter or digit", name, MaxProfileName)
	}
	return nil
}

// Matches reports whether the profile's file pattern matches the file
// name (its last path element, any case). A profile without a pattern
// matches no file.
func (p ImportProfile) Matches(fileName string) bool {
	if p.FilePattern == "" {
		return false
	}
	base := fileName
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	ok, err := path.Match(strings.ToLower(p.FilePattern), strings.ToLower(base))
	return err == nil && ok
}

// Field returns the field a source column gives under the profile:
// (field, true) when the profile maps it (field is Ignore when it leaves
// the column out), ("", false) when the profile does not name it.
func (p ImportProfile) Field(column string) (string, bool) {
	k := HeaderKey(column)
	for src, f := range p.Columns {
		if HeaderKey(src) == k {
			return f, true
		}
	}
	return "", false
}

// profileFile is the JSON export: the profile with its format named first.
type profileFile struct {
	// Schema is ignored: the JSON API's answer names its schema, and that
	// answer saved as a file is a profile file too.
	Schema string `json:"$schema,omitempty"`
	Format string `json:"format"`
	ImportProfile
}

// ProfileJSON returns the profile as the indented JSON file that
// ParseProfileJSON reads back.
func ProfileJSON(p ImportProfile) ([]byte, error) {
	return json.MarshalIndent(profileFile{Format: ProfileFormat, ImportProfile: p}, "", "  ")
}

// ParseProfileJSON reads an exported profile. Unknown keys, another format
// or more than MaxProfileJSON bytes are EINVALID, as is a profile that
// fails Check; the message names the JSON line and column where the
// decoder stopped.
func ParseProfileJSON(data []byte) (ImportProfile, error) {
	if len(data) > MaxProfileJSON {
		return ImportProfile{}, Errorf(EINVALID, "file: a profile is at most %d KiB of JSON", MaxProfileJSON>>10)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var f profileFile
	if err := dec.Decode(&f); err != nil {
		off := dec.InputOffset()
		// An unknown key is reported when its object ends; point at the
		// key itself (its first appearance up to there).
		if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if i := strings.LastIndex(string(data[:min(off, int64(len(data)))]), key); i >= 0 {
				off = int64(i)
			}
		}
		line, col := jsonPosition(data, off)
		return ImportProfile{}, Errorf(EINVALID, "file: line %d, column %d: %s; export a profile from pdca to see the expected form", line, col, strings.TrimPrefix(err.Error(), "json: "))
	}
	if f.Format != ProfileFormat {
		return ImportProfile{}, Errorf(EINVALID, "file: format %q: expected %q (a profile exported by pdca)", f.Format, ProfileFormat)
	}
	p := f.ImportProfile
	p.Normalize()
	if err := p.Check(); err != nil {
		return ImportProfile{}, err
	}
	return p, nil
}

// jsonPosition turns a byte offset into a 1-based line and column.
func jsonPosition(data []byte, off int64) (line, col int) {
	off = min(off, int64(len(data)))
	line, col = 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func kindNames() []string {
	var out []string
	for _, k := range Kinds() {
		out = append(out, string(k.Kind))
	}
	return out
}

func fieldNames(spec KindSpec) string {
	var out []string
	for _, f := range spec.Fields {
		out = append(out, f.Name)
	}
	return strings.Join(out, ", ")
}

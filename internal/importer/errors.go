package importer

import (
	"fmt"
	"strings"
)

// RowError is one problem in an import file, written for the person who
// has to fix the file.
type RowError struct {
	// Line is the 1-based line of the file where the record starts (CSV: the
	// physical line, so multi-line quoted fields count; XLSX: the sheet row
	// number; JSON: the line of the object's opening brace). Zero means the
	// problem is not tied to a line (some scanner report problems).
	Line int
	// Column is the header name the problem is in, or "" for a problem with
	// the whole row (or whole file).
	Column string
	// Value is the offending value as found in the file, if any.
	Value string
	// Reason says what is wrong and how to fix it.
	Reason string
}

// String formats the problem as "line 3, column detected_at, value "x": reason".
func (e RowError) String() string {
	var parts []string
	if e.Line > 0 {
		parts = append(parts, fmt.Sprintf("line %d", e.Line))
	}
	if e.Column != "" {
		parts = append(parts, "column "+e.Column)
	}
	if e.Value != "" {
		parts = append(parts, fmt.Sprintf("value %q", e.Value))
	}
	if len(parts) == 0 {
		return e.Reason
	}
	return strings.Join(parts, ", ") + ": " + e.Reason
}

// Error lists the problems that make a file (or one row of it) unusable.
// ReadAll returns one Error listing every bad row of the file.
type Error struct {
	Errors []RowError
}

// maxSummarised bounds the problems spelled out by Error.Error; the full list
// stays in Errors.
const maxSummarised = 5

// Error summarises the problems: the first few in full and a count of the rest.
func (e *Error) Error() string {
	switch len(e.Errors) {
	case 0:
		return "import: invalid file"
	case 1:
		return "import: " + e.Errors[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "import: %d problems", len(e.Errors))
	for i, re := range e.Errors {
		if i == maxSummarised {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-i)
			break
		}
		b.WriteString("; ")
		b.WriteString(re.String())
	}
	return b.String()
}

// fileError is an *Error holding one problem.
func fileError(line int, column, value, reason string) *Error {
	return &Error{Errors: []RowError{{Line: line, Column: column, Value: value, Reason: reason}}}
}

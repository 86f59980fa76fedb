package importer

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pdca/pdca/internal/isms"
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
// ReadAll returns one Error listing the bad rows of the file: the first
// MaxErrors problems in full and the count of all of them.
type Error struct {
	// Errors holds the first MaxErrors problems, in file order.
	Errors []RowError
	// Total counts every problem found, including those beyond Errors; zero
	// means len(Errors) (an Error built by hand).
	Total int
	// Rows counts the rows (lines) with problems, listed or not, as Add
	// found them; zero for an Error built by hand.
	Rows int

	listedRows int  // rows whose problems are in Errors
	lastLine   int  // line of the last problem added
	full       bool // a row did not fit: later rows are only counted
}

// MaxErrors is how many problems an Error keeps in full. A file in which
// every row is bad would otherwise make an answer as large as the file (and
// many times its size in memory); after the first thousand, the rest are
// only counted.
const MaxErrors = 1000

// maxValue bounds the offending value kept with a problem, in bytes.
const maxValue = 200

// Count returns the number of problems found, kept in full or not.
func (e *Error) Count() int {
	return max(e.Total, len(e.Errors))
}

// Truncated reports whether problems were found beyond those in Errors.
func (e *Error) Truncated() bool { return e.Count() > len(e.Errors) }

// Add appends problems in file order, grouped by row: the problems of a
// row are kept whole (each value cut to a couple of hundred bytes) while
// they fit in MaxErrors; from the first row that does not fit, rows and
// problems are only counted.
func (e *Error) Add(errs ...RowError) {
	if e.Total < len(e.Errors) {
		e.Total = len(e.Errors)
	}
	for start := 0; start < len(errs); {
		end := start + 1
		for end < len(errs) && errs[end].Line == errs[start].Line {
			end++
		}
		group := errs[start:end]
		start = end
		e.Total += len(group)
		newRow := e.Rows == 0 || group[0].Line != e.lastLine
		if newRow {
			e.Rows++
			e.lastLine = group[0].Line
		}
		if e.full {
			continue
		}
		if len(e.Errors)+len(group) > MaxErrors {
			e.full = true
			if len(e.Errors) > 0 {
				continue
			}
			group = group[:MaxErrors] // one row with more problems than the cap
		}
		if newRow {
			e.listedRows++
		}
		for _, re := range group {
			re.Value = shorten(re.Value)
			e.Errors = append(e.Errors, re)
		}
	}
}

// More says what Errors leaves out, e.g. "… and 12,345 more problems in
// 4,000 rows", or "" when it lists every problem.
func (e *Error) More() string {
	if !e.Truncated() {
		return ""
	}
	more := e.Count() - len(e.Errors)
	s := "… and " + plural(more, "more problem", "more problems")
	if rows := e.Rows - e.listedRows; e.Rows > 0 && rows > 0 {
		s += " in " + plural(rows, "row", "rows")
	}
	return s
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Thousands(n) + " " + many
}

// shorten cuts a value to maxValue bytes on a character boundary, marking
// the cut with an ellipsis.
func shorten(v string) string {
	if len(v) <= maxValue {
		return v
	}
	cut := maxValue
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

// maxSummarised bounds the problems spelled out by Error.Error; the full list
// stays in Errors.
const maxSummarised = 5

// Error summarises the problems: the first few in full and a count of the rest.
func (e *Error) Error() string {
	switch {
	case len(e.Errors) == 0:
		return "import: invalid file"
	case e.Count() == 1:
		return "import: " + e.Errors[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "import: %d problems", e.Count())
	for i, re := range e.Errors {
		if i == maxSummarised {
			fmt.Fprintf(&b, "; and %d more", e.Count()-i)
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

// Summary says how many problems there are and how many are listed, e.g.
// "3 problems" or "the first 1,000 of 605,536 problems".
func (e *Error) Summary() string {
	n := e.Count()
	if n == 1 {
		return "1 problem"
	}
	if !e.Truncated() {
		return Thousands(n) + " problems"
	}
	return "the first " + Thousands(len(e.Errors)) + " of " + Thousands(n) + " problems"
}

// Thousands formats n with commas between groups of three digits.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// MaxRecord bounds one record of a CSV or JSON file (a CSV row with its
// quoted line breaks, a JSON object), in bytes: the parsers hold a record
// whole, so a file that is one 200 MB line would otherwise be read into
// memory.
const MaxRecord = 1 << 20

// budgetReader refuses to deliver bytes beyond end, which the source moves
// forward at the start of each record: a record longer than the budget
// fails with ETOOLARGE instead of growing the parser's buffer.
type budgetReader struct {
	r    io.Reader
	n    int64 // bytes delivered
	end  int64
	what string // "a line", "a JSON object"
}

// allow lets the record starting at offset from take MaxRecord bytes.
func (b *budgetReader) allow(from int64) { b.end = from + MaxRecord }

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.n >= b.end {
		return 0, isms.Errorf(isms.ETOOLARGE, "%s of the file is longer than %d MiB; records are at most that large (check the file's format and quoting)", b.what, MaxRecord>>20)
	}
	if rem := b.end - b.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

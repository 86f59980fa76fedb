package importer

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// CheckProfile returns EINVALID naming what is wrong with an import
// profile: what isms.ImportProfile.Check finds, and a constant that the
// importer would refuse in every row (a time that does not read as a
// date, an unknown severity).
func CheckProfile(p isms.ImportProfile) error {
	if err := p.Check(); err != nil {
		return err
	}
	spec, _ := isms.LookupKind(string(p.Kind))
	order, _ := ParseDayOrder(p.DateOrder)
	b := newBuilder(spec, Options{Kind: p.Kind, DayOrder: order})
	rec := isms.Record{Times: map[string]time.Time{}, Bools: map[string]bool{}, Texts: map[string]string{}}
	for _, f := range spec.Fields {
		v, ok := p.Constants[f.Name]
		if !ok {
			continue
		}
		if reason := b.set(&rec, f, valText, v); reason != "" {
			return isms.Errorf(isms.EINVALID, "constants: %s %q: %s", f.Name, v, reason)
		}
	}
	return nil
}

// Sample is the start of a file as written, for building a profile: its
// column names in file order and the first rows' cells, before any
// mapping or parsing.
type Sample struct {
	// Layout says how a CSV file was read (empty for XLSX and JSON).
	Layout Layout
	// Columns are the header names as written (trimmed); for JSON, the
	// keys of the sampled objects in the order first seen.
	Columns []string
	// Rows hold the first rows' cells, one per column ("" when absent).
	Rows [][]string
}

// MaxSampleColumns bounds the columns Peek returns: a profile form with
// more dropdowns than this is not one a person fills in.
const MaxSampleColumns = 200

// Peek reads the header and the first n rows of a file of opts.Kind as
// written, with no column required and no value parsed, so a profile can
// be built from a file the importer would refuse as it is. Errors are
// those of a file that cannot be read at all (empty, not CSV/XLSX/JSON,
// damaged, too large a line).
func Peek(r io.Reader, opts Options, n int) (Sample, error) {
	spec, ok := isms.LookupKind(string(opts.Kind))
	if !ok {
		return Sample{}, fileError(1, "", string(opts.Kind), "unknown record kind; expected one of "+kindList())
	}
	opts.Profile = nil
	b := newBuilder(spec, opts)
	b.peek = true
	src, err := openSource(r, b, opts)
	if err != nil {
		return Sample{}, err
	}
	defer src.close()
	var s Sample
	if c, ok := src.(*csvSource); ok {
		s.Layout = c.layout
		for _, col := range c.cols {
			s.Columns = append(s.Columns, col.src)
		}
	}
	if x, ok := src.(*xlsxSource); ok {
		for _, col := range x.cols {
			s.Columns = append(s.Columns, col.src)
		}
	}
	for len(s.Rows) < n {
		_, cols, vals, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *Error
		if errors.As(err, &rowErr) && opts.Format != FormatJSON {
			continue // a row that cannot be split: the sample skips it
		}
		if err != nil {
			return Sample{}, err
		}
		row := make([]string, len(s.Columns), max(len(s.Columns), len(cols)))
		for i, c := range cols {
			j := slices.Index(s.Columns, c.src)
			if j < 0 {
				if len(s.Columns) >= MaxSampleColumns {
					continue
				}
				s.Columns = append(s.Columns, c.src)
				row = append(row, "")
				j = len(s.Columns) - 1
			}
			row[j] = vals[i].s
		}
		s.Rows = append(s.Rows, row)
	}
	if len(s.Columns) > MaxSampleColumns {
		return Sample{}, fileError(1, "", "", fmt.Sprintf("the file has %d columns; a profile maps at most %d", len(s.Columns), MaxSampleColumns))
	}
	for i := range s.Rows {
		for len(s.Rows[i]) < len(s.Columns) {
			s.Rows[i] = append(s.Rows[i], "")
		}
	}
	return s, nil
}

// Package importer turns import files (CSV, XLSX, JSON) and scanner reports
// (Trivy, Grype) into isms records, following the column contract of the
// product brief. It is pure: it reads an io.Reader and returns records or
// row errors written for the person who fixes the file; it knows no SQL and
// no HTTP.
//
// Files are read as a stream: the Reader holds one row at a time plus the
// set of natural keys seen, so a 100,000-row file needs little memory.
package importer

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Format is the format of an import file.
type Format string

// The formats. Trivy and Grype are scanner reports, read with ParseScan.
const (
	FormatCSV   Format = "csv"
	FormatXLSX  Format = "xlsx"
	FormatJSON  Format = "json"
	FormatTrivy Format = "trivy"
	FormatGrype Format = "grype"
)

// FormatFromName guesses a file format (csv, xlsx or json) from a file name's
// extension, and reports false when the extension is none of them. A .tsv
// or .txt file (Excel's "Text" and "Unicode text") is read as CSV, whose
// reader finds the delimiter.
func FormatFromName(name string) (Format, bool) {
	switch f := Format(strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))); f {
	case FormatCSV, FormatXLSX, FormatJSON:
		return f, true
	case "tsv", "txt":
		return FormatCSV, true
	}
	return "", false
}

// Options says what a file holds and how to read it.
type Options struct {
	// Kind is the record kind of every row.
	Kind isms.RecordKind
	// Format is csv, xlsx or json.
	Format Format
	// Location is the organisation's time zone, in which timestamps without
	// an offset are read; nil means UTC.
	Location *time.Location
	// DayOrder says how to read slashed dates (05/10/2026); unset, every
	// slashed date is a row error that says how to give the order.
	DayOrder DayOrder
	// Profile, if not nil, maps the file's columns and values (a saved
	// import profile). It must pass isms.ImportProfile.Check and be of
	// Kind. Its date order is not read here: the caller decides DayOrder.
	Profile *isms.ImportProfile
	// KnownSuppliers reports whether a supplier exists; a supplier
	// assessment of any other supplier is a row error. Nil skips the check.
	KnownSuppliers func(name string) bool
	// XLSX bounds what a workbook may unpack to; zero fields take
	// DefaultXLSXLimits.
	XLSX XLSXLimits
	// Spec, if not nil, is the specification of Kind when Kind is a record
	// kind the organisation defined (issue 19); built-in kinds leave it nil.
	Spec *isms.KindSpec
	// ScannedAt is the scan time to use for a scanner report that has none;
	// NewReader ignores it, the caller passes it on to ParseScan.
	ScannedAt *time.Time
}

// Row is one good row of a file.
type Row struct {
	// Line is where the row starts in the file (see RowError.Line).
	Line   int
	Record isms.Record
}

// source yields the cells of a file's rows. A *Error reports a row it could
// not split into values; any other error is fatal.
type source interface {
	next() (line int, cols []column, vals []value, err error)
	offset() int64
	close() error
}

// Reader reads the rows of one import file in order.
type Reader struct {
	src  source
	b    *builder
	rows int
}

// MaxRows bounds the rows of one file (good and bad): the reader
// remembers each row's key, and a register of a million records is ten
// times the largest pdca is built for. Larger files are refused with
// ETOOLARGE: split them.
const MaxRows = 1_000_000

// NewReader checks opts, reads the start of the file (the header row of CSV
// and XLSX, the opening bracket of JSON) and returns a Reader positioned at
// the first row. An unknown kind or format, an empty file, a header without
// a key column or with a repeated column name, or JSON that is not an array
// is returned as *Error, on line 1 or the header's line. A scanner format is
// rejected too: scanner reports go through ParseScan and Reconcile.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	spec, ok := isms.LookupKind(string(opts.Kind))
	if !ok && opts.Spec != nil && opts.Spec.Kind == opts.Kind {
		spec, ok = *opts.Spec, true
	}
	if !ok {
		return nil, fileError(1, "", string(opts.Kind), "unknown record kind; expected one of "+kindList())
	}
	b := newBuilder(spec, opts)
	src, err := openSource(r, b, opts)
	if err != nil {
		return nil, err
	}
	return &Reader{src: src, b: b}, nil
}

// openSource reads the start of a CSV, XLSX or JSON file for b and returns
// its rows' source; a scanner format or an unknown one is an *Error.
func openSource(r io.Reader, b *builder, opts Options) (source, error) {
	switch opts.Format {
	case FormatCSV:
		return newCSV(r, b)
	case FormatXLSX:
		return newXLSX(r, b, opts.XLSX)
	case FormatJSON:
		return newJSON(r, b)
	case FormatTrivy, FormatGrype:
		return nil, fileError(1, "", string(opts.Format),
			"a scanner report is not a table of records; import it as a scan (ParseScan and Reconcile)")
	}
	return nil, fileError(1, "", string(opts.Format), "unknown file format; expected csv, xlsx, json, trivy or grype")
}

// kindList names every record kind for messages.
func kindList() string {
	var names []string
	for _, k := range isms.Kinds() {
		names = append(names, string(k.Kind))
	}
	return strings.Join(names, ", ")
}

// Next returns the next row. At the end it returns io.EOF (and releases the
// file, as Close does). A bad row returns *Error listing its problems, with
// Row.Line set; the reader then carries on with the next row. Malformed
// JSON or a damaged workbook is reported the same way but ends the file.
// Any other error comes from the underlying reader.
func (r *Reader) Next() (Row, error) {
	line, cols, vals, err := r.src.next()
	if err != nil {
		if err == io.EOF {
			if cerr := r.Close(); cerr != nil {
				return Row{}, fmt.Errorf("close import file: %w", cerr)
			}
		}
		return Row{Line: line}, err
	}
	if r.rows++; r.rows > MaxRows {
		return Row{Line: line}, isms.Errorf(isms.ETOOLARGE, "the file has more than %s rows, the most one import takes; split it into smaller files", Thousands(MaxRows))
	}
	rec, errs := r.b.build(line, cols, vals)
	if errs != nil {
		return Row{Line: line}, &Error{Errors: errs}
	}
	return Row{Line: line, Record: rec}, nil
}

// Layout says how a CSV file was read (its delimiter and encoding); it is
// empty for XLSX and JSON.
func (r *Reader) Layout() Layout {
	if c, ok := r.src.(*csvSource); ok {
		return c.layout
	}
	return Layout{}
}

// Offset returns how far the reader has got, for a progress bar: bytes
// consumed for CSV and JSON, sheet rows read for XLSX.
func (r *Reader) Offset() int64 { return r.src.offset() }

// Close releases what the reader holds (an XLSX workbook keeps temporary
// files for large sheets). It is safe to call more than once; Next calls it
// at the end of the file.
func (r *Reader) Close() error { return r.src.close() }

// ReadAll reads every row of a file. If any row is bad it returns no rows
// and an *Error listing the bad rows in file order (the first MaxErrors
// problems, and the count of all), since a file is accepted or rejected
// whole. Other errors come from the underlying reader.
func ReadAll(r io.Reader, opts Options) ([]Row, error) {
	rd, err := NewReader(r, opts)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var rows []Row
	var bad Error
	for {
		row, err := rd.Next()
		var rowErr *Error
		switch {
		case err == io.EOF:
			if bad.Count() > 0 {
				return nil, &bad
			}
			return rows, nil
		case errors.As(err, &rowErr):
			bad.Add(rowErr.Errors...)
			rows = nil // the file is rejected: keep only the problems
		case err != nil:
			return nil, err
		default:
			if bad.Count() == 0 {
				rows = append(rows, row)
			}
		}
	}
}

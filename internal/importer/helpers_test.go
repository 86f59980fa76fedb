package importer_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// MustLoadLocation loads a time zone or stops the test.
func MustLoadLocation(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// MustCSV renders a header and rows as CSV.
func MustCSV(tb testing.TB, header []string, rows [][]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		tb.Fatal(err)
	}
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustJSON renders rows as a JSON array of objects, one object per line.
// Empty cells become null and the cells of bool columns JSON booleans, to
// exercise the JSON types.
func MustJSON(tb testing.TB, kind isms.RecordKind, header []string, rows [][]string) []byte {
	tb.Helper()
	spec, _ := isms.LookupKind(string(kind))
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, row := range rows {
		buf.WriteString("  {")
		for j, cell := range row {
			if j > 0 {
				buf.WriteString(", ")
			}
			name, _ := json.Marshal(header[j])
			buf.Write(name)
			buf.WriteString(": ")
			var v any = cell
			f, _ := spec.Field(strings.ToLower(strings.TrimSpace(header[j])))
			switch {
			case cell == "":
				v = nil
			case f.Type == isms.FieldBool:
				b, err := importer.ParseBool(cell)
				if err != nil {
					tb.Fatal(err)
				}
				v = b
			}
			data, err := json.Marshal(v)
			if err != nil {
				tb.Fatal(err)
			}
			buf.Write(data)
		}
		buf.WriteString("}")
		if i < len(rows)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n")
	return buf.Bytes()
}

// MustXLSX writes rows (header included) to the first sheet of a new
// workbook, starting at row 1; nil rows stay empty.
func MustXLSX(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			tb.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxRows turns a string header and rows into MustXLSX input.
func xlsxRows(header []string, rows [][]string) [][]any {
	out := [][]any{toAny(header)}
	for _, r := range rows {
		out = append(out, toAny(r))
	}
	return out
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// rowErrors returns the row errors of an *Error, or fails the test.
func rowErrors(tb testing.TB, err error) []importer.RowError {
	tb.Helper()
	var ie *importer.Error
	if !errors.As(err, &ie) {
		tb.Fatalf("error = %v (%T), want *importer.Error", err, err)
	}
	return ie.Errors
}

// wantErr is an expected RowError whose Reason need only contain Reason.
type wantErr = importer.RowError

// checkErrors compares row errors; a wanted Reason matches any reason that
// contains it.
func checkErrors(tb testing.TB, got, want []importer.RowError) {
	tb.Helper()
	reasonContains := cmp.Comparer(func(a, b importer.RowError) bool {
		if a.Line != b.Line || a.Column != b.Column || a.Value != b.Value {
			return false
		}
		return strings.Contains(a.Reason, b.Reason) || strings.Contains(b.Reason, a.Reason)
	})
	if diff := cmp.Diff(want, got, reasonContains); diff != "" {
		tb.Errorf("row errors (-want +got):\n%s", diff)
	}
}

// utc builds a UTC time.
func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

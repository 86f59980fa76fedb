// Package export writes registers as CSV and XLSX and packs evidence
// bundles: a zip of files with a manifest of their SHA-256 hashes in the
// format of sha256sum, so an auditor can check the bundle offline with
// "sha256sum -c MANIFEST.sha256". It knows nothing of pdca's storage.
package export

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Table is a register as rows of text, first row the column names.
type Table struct {
	Name    string // file base name, e.g. "processes"
	Title   string // sheet title, e.g. "Processes"
	Columns []string
	Rows    [][]string
	// Types gives a column's type by name, for XLSX cells; a column not
	// named is Text. CSV is text whatever the type.
	Types map[string]Type
}

// Type is how a column's cells are written to a workbook.
type Type int

// The column types. A cell that does not parse as its column's type, e.g.
// a note in a number column, is written as text; an empty cell is left
// empty.
const (
	// Text cells are strings, never formulas, whatever they begin with.
	Text Type = iota
	// Number cells are plain numbers (see IsNumber): -3, 1.5, 2e3.
	Number
	// Time cells are RFC 3339 timestamps, written as date-time cells in
	// UTC (format yyyy-mm-dd hh:mm:ss), or dates (2026-11-24), written as
	// date cells (yyyy-mm-dd).
	Time
	// Bool cells are true or false.
	Bool
)

// Type returns the type of the named column: Text unless Types says.
func (t *Table) Type(column string) Type { return t.Types[column] }

// WriteCSV writes the table as CSV with a header row, every field passed
// through Neutralize so that no cell starts a formula in a spreadsheet.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	rec := make([]string, 0, len(t.Columns))
	write := func(vals []string) error {
		rec = rec[:0]
		for _, v := range vals {
			rec = append(rec, Neutralize(v))
		}
		return cw.Write(rec)
	}
	if err := write(t.Columns); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Neutralize returns a CSV field that no spreadsheet reads as a formula
// (OWASP, CSV injection): a value beginning with =, +, -, @, a tab or a
// carriage return gets a single quote in front, unless it is a plain
// number (IsNumber: -3 and +1.5 stay numbers). A value that already begins
// with a single quote gets one more, so the rule reverses exactly:
// Restore removes one leading quote from any field that has one.
func Neutralize(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '\'':
		return "'" + v
	case '=', '+', '-', '@', '\t', '\r':
		if IsNumber(v) {
			return v
		}
		return "'" + v
	}
	return v
}

// Restore undoes Neutralize: it removes one leading single quote. Apply it
// to every field of a pdca CSV export to get the stored text back, e.g.
// before recomputing the audit trail's hashes.
func Restore(field string) string { return strings.TrimPrefix(field, "'") }

// IsNumber reports whether v is a plain decimal number: an optional sign,
// digits with an optional decimal point, an optional exponent (-3, +1.5,
// .5, -0.25e3). Nothing else: no spaces, no thousands separators, no hex,
// no formula (-1+2 is not a number).
func IsNumber(v string) bool {
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	digits := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(v) && v[i] == '.' {
		i++
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		exp := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(v)
}

// sheetName shortens a title to Excel's 31-character limit.
func sheetName(title string) string {
	r := []rune(strings.NewReplacer("/", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")", ":", "-").Replace(title))
	if len(r) > 31 {
		r = r[:31]
	}
	if len(r) == 0 {
		return "Sheet1"
	}
	return string(r)
}

// WriteXLSX writes the table as a workbook of one sheet, header in bold
// and frozen, streamed row by row, each cell typed by its column (Types):
// numbers, dates and booleans as such, everything else as a string (never
// a formula).
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(t.Title)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	dateTimeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt})
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.Columns))
	types := make([]Type, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{Value: c, StyleID: bold}
		types[i] = t.Type(c)
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	out := make([]any, len(t.Columns))
	for i, r := range t.Rows {
		out = out[:0]
		for j, v := range r {
			typ := Text
			if j < len(types) {
				typ = types[j]
			}
			out = append(out, typedCell(v, typ, dateStyle, dateTimeStyle))
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, out); err != nil {
			return fmt.Errorf("xlsx row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// typedCell is the workbook cell of one value of a column of type typ.
func typedCell(v string, typ Type, dateStyle, dateTimeStyle int) any {
	if v == "" {
		return nil
	}
	switch typ {
	case Number:
		if IsNumber(v) {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				return n
			}
		}
	case Time:
		if ts, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return excelize.Cell{Value: ts.UTC(), StyleID: dateTimeStyle}
		}
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return excelize.Cell{Value: d, StyleID: dateStyle}
		}
	case Bool:
		if b, err := strconv.ParseBool(v); err == nil && (v == "true" || v == "false") {
			return b
		}
	}
	return v
}

// File is one file of a bundle.
type File struct {
	Name string
	Data []byte
}

// ManifestName is the manifest's file name inside a bundle.
const ManifestName = "MANIFEST.sha256"

// Manifest returns the sha256sum-format manifest of the files, sorted by
// name: "<hex>  <name>" per line.
func Manifest(files []File) string {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var b strings.Builder
	for _, f := range sorted {
		sum := sha256.Sum256(f.Data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), f.Name)
	}
	return b.String()
}

// WriteBundle writes a zip of the files and their manifest, every entry
// stamped with the same moment so the bundle is reproducible.
func WriteBundle(w io.Writer, files []File, at time.Time) error {
	zw := zip.NewWriter(w)
	all := append(append([]File(nil), files...), File{Name: ManifestName, Data: []byte(Manifest(files))})
	for _, f := range all {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: at.UTC()}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/export"
)

// TestCSVNeutralizesFormulas: every dangerous first character gets a
// single quote, plain numbers stay numbers, and Restore gives the text
// back. Before issue 13 the cells were written unchanged.
func TestCSVNeutralizesFormulas(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example","x")`, `'=HYPERLINK("http://evil.example","x")`},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-", "'-"},
		{"+", "'+"},
		{"'already quoted", "''already quoted"},
		{"'=x", "''=x"},
		// Plain numbers stay numbers.
		{"-3", "-3"}, {"+1.5", "+1.5"}, {"-0.25e3", "-0.25e3"}, {"-.5", "-.5"}, {"1E-3", "1E-3"}, {"42", "42"},
		// Not numbers: neutralised.
		{"-1e", "'-1e"}, {"-0x10", "'-0x10"}, {"- 3", "'- 3"}, {"-3 ", "'-3 "}, {"-1,5", "'-1,5"}, {"+-1", "'+-1"},
		// Harmless first characters are untouched.
		{"plain", "plain"}, {" =1", " =1"}, {"", ""}, {"a=1", "a=1"}, {`{"json":1}`, `{"json":1}`},
	}
	tbl := &export.Table{Columns: []string{"v", "w"}}
	for _, c := range cases {
		tbl.Rows = append(tbl.Rows, []string{c.in, "x"})
		if got := export.Neutralize(c.in); got != c.want {
			t.Errorf("Neutralize(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := export.Restore(export.Neutralize(c.in)); back != c.in {
			t.Errorf("Restore(Neutralize(%q)) = %q", c.in, back)
		}
	}
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, tbl); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != len(cases)+1 {
		t.Fatalf("read back %d records, %v", len(recs), err)
	}
	for i, c := range cases {
		got := recs[i+1][0]
		if got != strings.ReplaceAll(c.want, "\r", "\n") && got != c.want { // encoding/csv reads \r in a quoted field as is
			t.Errorf("CSV field %d = %q, want %q", i, got, c.want)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) && !export.IsNumber(got) {
			t.Errorf("CSV field %q starts a formula", got)
		}
	}
}

// TestXLSXTypedCells reads the workbook back with excelize: numbers,
// dates, date-times and booleans are typed cells, text is text, and a
// string beginning with = is never a formula. Before issue 13 every cell
// was a string.
func TestXLSXTypedCells(t *testing.T) {
	t.Parallel()
	tbl := &export.Table{Name: "t", Title: "Typed", Columns: []string{"id", "score", "at", "day", "done", "note"},
		Types: map[string]export.Type{"id": export.Number, "score": export.Number, "at": export.Time, "day": export.Time, "done": export.Bool},
		Rows: [][]string{
			{"7", "-3.5", "2026-11-24T10:30:00Z", "2026-12-31", "true", "=HYPERLINK(\"http://evil.example\")"},
			{"8", "n/a", "2026-11-24T12:00:00+02:00", "", "false", "@SUM(1)"},
		}}
	var x bytes.Buffer
	if err := export.WriteXLSX(&x, tbl); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	numeric := func(cell string) bool {
		typ, err := f.GetCellType(sheet, cell)
		return err == nil && (typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber) // "n" is the default type
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	shown := func(cell string) string {
		v, err := f.GetCellValue(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for cell, want := range map[string]string{"A2": "7", "B2": "-3.5", "A3": "8"} {
		if !numeric(cell) || raw(cell) != want {
			t.Errorf("%s: numeric %v, value %q, want the number %s", cell, numeric(cell), raw(cell), want)
		}
	}
	// 2026-11-24 10:30 UTC is Excel day 46350 plus 10.5 hours.
	if !numeric("C2") || raw("C2") != "46350.4375" || shown("C2") != "2026-11-24 10:30:00" {
		t.Errorf("C2: %q shown as %q", raw("C2"), shown("C2"))
	}
	if !numeric("C3") || shown("C3") != "2026-11-24 10:00:00" { // in UTC
		t.Errorf("C3: shown as %q", shown("C3"))
	}
	if !numeric("D2") || raw("D2") != "46387" || shown("D2") != "2026-12-31" {
		t.Errorf("D2: %q shown as %q", raw("D2"), shown("D2"))
	}
	for cell, want := range map[string]string{"E2": "TRUE", "E3": "FALSE"} {
		if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeBool || shown(cell) != want {
			t.Errorf("%s: type %v, shown %q, want the boolean %s", cell, typ, shown(cell), want)
		}
	}
	// Text, and a value that does not parse as its column's type, is text.
	for cell, want := range map[string]string{"F2": `=HYPERLINK("http://evil.example")`, "F3": "@SUM(1)", "B3": "n/a", "A1": "id"} {
		typ, _ := f.GetCellType(sheet, cell)
		formula, _ := f.GetCellFormula(sheet, cell)
		if typ != excelize.CellTypeInlineString || formula != "" || shown(cell) != want {
			t.Errorf("%s: type %v, formula %q, shown %q, want the string %q", cell, typ, formula, shown(cell), want)
		}
	}
	if typ, _ := f.GetCellType(sheet, "D3"); typ != excelize.CellTypeUnset || shown("D3") != "" {
		t.Errorf("an empty date is not empty: %q", shown("D3"))
	}
}

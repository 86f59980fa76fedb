package importer_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// XLSXWithPart returns a valid suppliers workbook whose part name (e.g.
// xl/worksheets/sheet1.xml) is replaced by what write writes.
func XLSXWithPart(tb testing.TB, name string, write func(w io.Writer)) []byte {
	tb.Helper()
	base := MustXLSX(tb, [][]any{{"name", "critical"}, {"Acme", true}})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	replaced := false
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if f.Name == name {
			write(w)
			replaced = true
			continue
		}
		rc, _ := f.Open()
		_, _ = io.Copy(w, rc)
		rc.Close()
	}
	if !replaced {
		w, _ := zw.Create(name)
		write(w)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// sheetRows writes a sheet of the header row and n rows of cell.
func sheetRows(n int, cell string) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>critical</t></is></c></row>`)
		for i := range n {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>`, i+2, i+2, cell)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
}

// Workbooks beyond the limits are refused with ETOOLARGE before excelize
// holds them: a zip bomb gets a clear 413 instead of gigabytes of memory.
func TestXLSXLimits(t *testing.T) {
	small := importer.XLSXLimits{Total: 1 << 20, Strings: 10, Entries: 20}
	tests := []struct {
		name string
		data []byte
		lim  importer.XLSXLimits
		want string
	}{
		{"a cell of 2 MiB", XLSXWithPart(t, "xl/worksheets/sheet1.xml", sheetRows(1, strings.Repeat("A", 2<<20))), importer.XLSXLimits{}, "larger than 1 MiB"},
		{"a sheet beyond the total", XLSXWithPart(t, "xl/worksheets/sheet1.xml", sheetRows(30000, "Acme")), small, "unpacks to more than 1 MiB"},
		{"too many shared strings", XLSXWithPart(t, "xl/sharedStrings.xml", func(w io.Writer) {
			io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			for range 11 {
				io.WriteString(w, `<si><t>x</t></si>`)
			}
			io.WriteString(w, `</sst>`)
		}), small, "more than 10 entries"},
		{"too many files", func() []byte {
			data := MustXLSX(t, [][]any{{"name"}, {"Acme"}})
			for i := range 20 {
				data = appendPart(t, data, fmt.Sprintf("xl/extra%d.xml", i))
			}
			return data
		}(), small, "more than 20 files"},
		{"a large styles part", XLSXWithPart(t, "xl/styles.xml", func(w io.Writer) { io.WriteString(w, strings.Repeat(" ", 17<<20)) }), importer.XLSXLimits{}, "xl/styles.xml unpacks to more than 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importer.ReadAll(bytes.NewReader(tt.data), importer.Options{Kind: isms.KindSuppliers, Format: importer.FormatXLSX, XLSX: tt.lim})
			if isms.ErrorCode(err) != isms.ETOOLARGE || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ETOOLARGE saying %q", err, tt.want)
			}
		})
	}
	// Within the limits, the same shapes read.
	rows, err := importer.ReadAll(bytes.NewReader(XLSXWithPart(t, "xl/worksheets/sheet1.xml", sheetRows(1, "Acme"))),
		importer.Options{Kind: isms.KindSuppliers, Format: importer.FormatXLSX, XLSX: small})
	if err != nil || len(rows) != 1 {
		t.Fatalf("within limits: rows %d, err %v", len(rows), err)
	}
}

// appendPart copies a workbook and adds an empty part.
func appendPart(tb testing.TB, data []byte, name string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := zw.Create(name); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// An all-bad file lists the first MaxErrors problems and counts all.
func TestReadAllKeepsFirstThousandProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,critical\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "s%d,perhaps\n", i)
	}
	_, err := importer.ReadAll(strings.NewReader(b.String()), importer.Options{Kind: isms.KindSuppliers, Format: importer.FormatCSV})
	ie, ok := err.(*importer.Error)
	if !ok || len(ie.Errors) != importer.MaxErrors || ie.Count() != 2500 {
		t.Fatalf("err = %T %v", err, err)
	}
	if !strings.HasPrefix(ie.Error(), "import: 2500 problems") {
		t.Errorf("message = %.60q", ie.Error())
	}
	long := strings.Repeat("é", 500)
	_, err = importer.ReadAll(strings.NewReader("name,critical\nx,"+long+"\n"), importer.Options{Kind: isms.KindSuppliers, Format: importer.FormatCSV})
	if ie, ok := err.(*importer.Error); !ok || len(ie.Errors[0].Value) > 210 || !strings.HasSuffix(ie.Errors[0].Value, "…") {
		t.Errorf("a long value is kept as %q", ie.Errors[0].Value)
	}
}

// A CSV or JSON record larger than MaxRecord is refused with ETOOLARGE:
// the parsers hold a record whole, so a file of one 200 MB line used to be
// read into memory.
func TestRecordLimit(t *testing.T) {
	big := strings.Repeat("x", importer.MaxRecord+64<<10) // the parsers read ahead a few KiB
	tests := []struct {
		name   string
		format importer.Format
		data   string
	}{
		{"a long CSV header", importer.FormatCSV, big + "\n"},
		{"a long CSV line", importer.FormatCSV, "name,critical\nAcme," + big + "\n"},
		{"a quoted CSV value across lines", importer.FormatCSV, "name,critical\n\"Acme" + strings.Repeat("\nline", importer.MaxRecord/4) + "\",yes\n"},
		{"a long JSON string", importer.FormatJSON, `[{"name": "Acme", "critical": true}, {"name": "` + big + `"}]`},
		{"a JSON object of many keys", importer.FormatJSON, `[{"name": "Acme"` + strings.Repeat(`, "k": 1`, importer.MaxRecord/7) + `}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importer.ReadAll(strings.NewReader(tt.data), importer.Options{Kind: isms.KindSuppliers, Format: tt.format})
			if isms.ErrorCode(err) != isms.ETOOLARGE || !strings.Contains(err.Error(), "longer than 1 MiB") {
				t.Fatalf("err = %.200v, want ETOOLARGE", err)
			}
		})
	}
	// A file of many records, each within the limit, reads.
	var b strings.Builder
	b.WriteString("name,critical\n")
	for i := range 3 {
		fmt.Fprintf(&b, "%s%d,yes\n", strings.Repeat("n", importer.MaxRecord/2), i)
	}
	if rows, err := importer.ReadAll(strings.NewReader(b.String()), importer.Options{Kind: isms.KindSuppliers, Format: importer.FormatCSV}); err != nil || len(rows) != 3 {
		t.Fatalf("records within the limit: %d rows, %.200v", len(rows), err)
	}
}

package importer_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// TestReaderStreams reads row by row: a bad row is returned as *Error and
// the reader carries on; Offset grows; the end is io.EOF, repeatedly.
func TestReaderStreams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format importer.Format
		input  []byte
	}{
		{importer.FormatCSV, []byte("\ufeffname,critical\nAcme,yes\nBeta,perhaps\nGamma,no\n")},
		{importer.FormatJSON, []byte("\ufeff[\n{\"name\":\"Acme\",\"critical\":true},\n{\"name\":\"Beta\",\"critical\":\"perhaps\"},\n{\"name\":\"Gamma\",\"critical\":0}\n]")},
		{importer.FormatXLSX, MustXLSX(t, [][]any{{"name", "critical"}, {"Acme", true}, {"Beta", "perhaps"}, {"Gamma", false}})},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			t.Parallel()
			rd, err := importer.NewReader(bytes.NewReader(tt.input), importer.Options{Kind: isms.KindSuppliers, Format: tt.format})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			defer rd.Close()
			var got []string
			last := rd.Offset()
			for {
				row, err := rd.Next()
				if err == io.EOF {
					break
				}
				var ie *importer.Error
				switch {
				case errors.As(err, &ie):
					got = append(got, ie.Errors[0].String())
				case err != nil:
					t.Fatalf("Next: %v", err)
				default:
					got = append(got, row.Record.Key)
				}
				if row.Line == 0 {
					t.Errorf("row without a line: %+v", row)
				}
				if off := rd.Offset(); off <= last {
					t.Errorf("Offset %d after %d", off, last)
				} else {
					last = off
				}
			}
			want := []string{"Acme", `line 3, column critical, value "perhaps": expected true/false, yes/no or 1/0`, "Gamma"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if _, err := rd.Next(); err != io.EOF {
				t.Errorf("Next after the end = %v, want io.EOF", err)
			}
			if err := rd.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

// TestReadXLSXCellTypes: dates typed into a spreadsheet are serial numbers
// read as wall clock time in the organisation's zone; booleans and numbers
// are accepted; blank rows are skipped and lines are sheet row numbers.
func TestReadXLSXCellTypes(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	data := MustXLSX(t, [][]any{
		{"ref", "system", "implemented_at", "documented", "approved"},
		nil,
		{"CHG-1", 42, time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), true, false},
		{"CHG-2", "erp", 46296.5, "yes", 1},
		{1001, "", "2026-10-01T09:00:00Z", "", ""},
	})
	rows, err := importer.ReadAll(bytes.NewReader(data), importer.Options{Kind: isms.KindChanges, Format: importer.FormatXLSX, Location: hel})
	if err != nil {
		t.Fatal(err)
	}
	want := []importer.Row{
		{Line: 3, Record: rec("changes", "CHG-1", texts{"ref": "CHG-1", "system": "42"},
			times{"implemented_at": utc(2026, 10, 1, 6, 0)}, bools{"documented": true, "approved": false})},
		{Line: 4, Record: rec("changes", "CHG-2", texts{"ref": "CHG-2", "system": "erp"},
			times{"implemented_at": utc(2026, 10, 1, 9, 0)}, bools{"documented": true, "approved": true})},
		{Line: 5, Record: rec("changes", "1001", texts{"ref": "1001"},
			times{"implemented_at": utc(2026, 10, 1, 9, 0)}, nil)},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// A serial date in the repeated hour is as ambiguous as a typed one.
	data = MustXLSX(t, [][]any{{"ref", "implemented_at"}, {"CHG-3", time.Date(2026, 10, 25, 3, 30, 0, 0, time.UTC)}})
	_, err = importer.ReadAll(bytes.NewReader(data), importer.Options{Kind: isms.KindChanges, Format: importer.FormatXLSX, Location: hel})
	checkErrors(t, rowErrors(t, err), []wantErr{{Line: 2, Column: "implemented_at", Value: "46320.145833333336", Reason: "2026-10-25 03:30 happens twice"}})
}

func TestFormatFromName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want importer.Format
		ok   bool
	}{
		{"incidents.csv", importer.FormatCSV, true},
		{"/tmp/Export.XLSX", importer.FormatXLSX, true},
		{"records.json", importer.FormatJSON, true},
		{"old.xls", "", false},
		{"noext", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := importer.FormatFromName(tt.name)
			if got != tt.want || ok != tt.ok {
				t.Errorf("FormatFromName(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	many := &importer.Error{}
	for i := range 7 {
		many.Errors = append(many.Errors, importer.RowError{Line: i + 2, Column: "ref", Reason: "a value is required"})
	}
	tests := []struct {
		name string
		err  *importer.Error
		want string
	}{
		{"none", &importer.Error{}, "import: invalid file"},
		{"one", &importer.Error{Errors: []importer.RowError{{Line: 1, Reason: "the file is empty"}}}, "import: line 1: the file is empty"},
		{"value", &importer.Error{Errors: []importer.RowError{{Line: 4, Column: "severity", Value: "x", Reason: "unknown severity"}}},
			`import: line 4, column severity, value "x": unknown severity`},
		{"many", many, "import: 7 problems; line 2, column ref: a value is required; line 3, column ref: a value is required; " +
			"line 4, column ref: a value is required; line 5, column ref: a value is required; line 6, column ref: a value is required; and 2 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	if got := (importer.RowError{Reason: "no line"}).String(); !strings.HasPrefix(got, "no line") {
		t.Errorf("String() = %q", got)
	}
}

package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// readSpreadsheetFile reads a file of testdata/spreadsheets (written by
// LibreOffice, see the README there) as access removals in Helsinki time.
func readSpreadsheetFile(t *testing.T, name string, order importer.DayOrder) ([]importer.Row, importer.Layout, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "spreadsheets", name))
	if err != nil {
		t.Fatal(err)
	}
	format, ok := importer.FormatFromName(name)
	if !ok {
		t.Fatalf("FormatFromName(%q) reports no format", name)
	}
	opts := importer.Options{Kind: isms.KindAccessRemovals, Format: format, Location: MustLoadLocation(t, "Europe/Helsinki"), DayOrder: order}
	rd, err := importer.NewReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, importer.Layout{}, err
	}
	layout := rd.Layout()
	_ = rd.Close()
	rows, err := importer.ReadAll(bytes.NewReader(data), opts)
	return rows, layout, err
}

// removal describes an access removal row: person, system, the two times
// in UTC (zero for none), the Ticket attribute.
func removal(r importer.Row) string {
	f := func(t time.Time, ok bool) string {
		if !ok {
			return "-"
		}
		return t.Format("2006-01-02T15:04:05Z")
	}
	ended, okE := r.Record.Times["employment_ended_at"]
	removed, okR := r.Record.Times["access_removed_at"]
	return fmt.Sprintf("%s|%s|%s|%s|%s", r.Record.Texts["person"], r.Record.Texts["system"], f(ended, okE), f(removed, okR), r.Record.Attributes["Ticket"])
}

// TestSpreadsheetFiles reads files as LibreOffice saves them in the forms
// Excel users send: a Finnish-locale semicolon CSV with a byte order mark,
// tab-separated text in UTF-8 and in UTF-16 ("Unicode text"), a workbook
// with typed dates, ISO timestamps with seconds or a T, each with headers
// written with spaces and capitals.
func TestSpreadsheetFiles(t *testing.T) {
	t.Parallel()
	finnish := []string{ // Helsinki is UTC+3 in October, +3 on 28 September
		"Aino Virtanen|github|2026-10-05T13:00:00Z|2026-10-06T06:30:00Z|HR-1",
		"Jari Mäkinen|aws|2026-10-04T21:00:00Z|2026-10-05T14:15:00Z|HR-2",
		`Liisa Järvi|okta|2026-09-28T05:00:00Z|-|HR-3; needs "review"`,
	}
	tests := []struct {
		file   string
		layout importer.Layout
		want   []string
	}{
		{"access_removals_fi_semicolon.csv", importer.Layout{Delimiter: "semicolon", Encoding: "UTF-8 with BOM"}, finnish},
		{"access_removals_fi.tsv", importer.Layout{Delimiter: "tab", Encoding: "UTF-8"}, finnish},
		{"access_removals_fi_unicode.txt", importer.Layout{Delimiter: "tab", Encoding: "UTF-16 LE"}, finnish},
		{"access_removals_fi.xlsx", importer.Layout{}, finnish},
		{"access_removals_iso_seconds.csv", importer.Layout{Delimiter: "comma", Encoding: "UTF-8"}, []string{
			"Aino Virtanen|github|2026-10-05T13:40:00Z|2026-10-06T06:30:15Z|HR-1",
			"Jari Mäkinen|aws|2026-10-04T21:00:00Z|2026-10-05T13:00:00Z|HR-2",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			rows, layout, err := readSpreadsheetFile(t, tt.file, importer.DayOrderUnset)
			if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
			if layout != tt.layout {
				t.Errorf("Layout() = %+v, want %+v", layout, tt.layout)
			}
			var got []string
			for _, r := range rows {
				got = append(got, removal(r))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestSpreadsheetSlashedDates: slashed dates are read only in the order
// the import gives; without one, every slashed date is a problem naming
// the options, the unambiguous 25/10/2026 included.
func TestSpreadsheetSlashedDates(t *testing.T) {
	t.Parallel()
	rows, _, err := readSpreadsheetFile(t, "access_removals_slashed.csv", importer.DayFirst)
	if err != nil {
		t.Fatalf("day first: %v", err)
	}
	want := "Aino Virtanen|github|2026-10-05T13:00:00Z|2026-10-06T06:30:00Z|HR-1\nJari Mäkinen|aws|2026-10-24T21:00:00Z|-|HR-2"
	var got []string
	for _, r := range rows {
		got = append(got, removal(r))
	}
	if strings.Join(got, "\n") != want {
		t.Errorf("day first rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}

	_, _, err = readSpreadsheetFile(t, "access_removals_slashed.csv", importer.DayOrderUnset)
	checkErrors(t, rowErrors(t, err), []importer.RowError{
		{Line: 2, Column: "employment_ended_at", Value: "05/10/2026 16:00", Reason: "could be day first or month first; say which order the file uses (pdca import --day-first or --month-first"},
		{Line: 2, Column: "access_removed_at", Value: "06/10/2026 09:30", Reason: "could be day first or month first"},
		{Line: 3, Column: "employment_ended_at", Value: "25/10/2026", Reason: "can only be day first, but pdca reads every slashed date of a file in one order"},
	})

	// Month first, 25/10/2026 has no month 25: the row is refused, never
	// read day first instead.
	_, _, err = readSpreadsheetFile(t, "access_removals_slashed.csv", importer.MonthFirst)
	var ie *importer.Error
	if !errors.As(err, &ie) || ie.Count() != 1 || ie.Errors[0].Line != 3 {
		t.Errorf("month first: error %v, want one problem on line 3", err)
	}
}

package importer_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// TestDelimiterDetection: the delimiter is the one that splits the header
// into columns and the first lines into as many values; delimiters inside
// quotes do not count.
func TestDelimiterDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, want string
		rows              int
	}{
		{"comma", "person,system,employment_ended_at\nalice,github,2026-10-01\n", "comma", 1},
		{"semicolon with decimal commas in values", "person;system;employment_ended_at;score\nalice;github;2026-10-01;1,5\nbob;aws;2026-10-01;2,25\n", "semicolon", 2},
		{"comma with semicolons in quoted values", "person,system,employment_ended_at,note\nalice,github,2026-10-01,\"a; b; c\"\nbob,aws,2026-10-01,\"d;e\"\n", "comma", 2},
		{"comma with unquoted semicolons in values", "person,system,employment_ended_at,note\nalice,github,2026-10-01,a;b\n", "comma", 1},
		{"semicolon header with a quoted comma", "person;system;\"ended, at\";employment_ended_at\nalice;github;x, y;2026-10-01\nbob;aws;z;2026-10-01\n", "semicolon", 2},
		{"tab", "person\tsystem\temployment_ended_at\nalice\tgithub\t2026-10-01\n", "tab", 1},
		{"pipe", "person|system|employment_ended_at\nalice|github|2026-10-01\n", "pipe", 1},
		{"blank lines first", "\n\nperson;system;employment_ended_at\nalice;github;2026-10-01\n", "semicolon", 1},
		{"crlf and quoted line break", "person;system;employment_ended_at;note\r\nalice;github;2026-10-01;\"two\r\nlines, one; value\"\r\n", "semicolon", 1},
		{"header only, no final newline", "person;system;employment_ended_at", "semicolon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rd, err := importer.NewReader(strings.NewReader(tt.input), importer.Options{Kind: isms.KindAccessRemovals, Format: importer.FormatCSV})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			if got := rd.Layout().Delimiter; got != tt.want {
				t.Errorf("Delimiter = %q, want %q", got, tt.want)
			}
			_ = rd.Close()
			rows, err := importer.ReadAll(strings.NewReader(tt.input), importer.Options{Kind: isms.KindAccessRemovals, Format: importer.FormatCSV})
			if err != nil || len(rows) != tt.rows {
				t.Errorf("ReadAll: %d rows, %v; want %d rows", len(rows), err, tt.rows)
			}
		})
	}
}

// TestFieldCountMessageNamesDelimiter: a row with too few values names the
// delimiter the file was read with.
func TestFieldCountMessageNamesDelimiter(t *testing.T) {
	t.Parallel()
	_, err := importer.ReadAll(strings.NewReader("person;system;employment_ended_at\nalice;github;2026-10-01\nbob;aws\n"),
		importer.Options{Kind: isms.KindAccessRemovals, Format: importer.FormatCSV})
	checkErrors(t, rowErrors(t, err), []importer.RowError{{Line: 3,
		Reason: "found 2 values but the header has 3 columns (the file is semicolon-separated); check for missing or extra semicolons"}})
}

// TestFormatFromNameText: .tsv and .txt files are read as delimited text.
func TestFormatFromNameText(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]importer.Format{"a.tsv": importer.FormatCSV, "B.TXT": importer.FormatCSV, "c.csv": importer.FormatCSV, "d.xlsx": importer.FormatXLSX} {
		if got, ok := importer.FormatFromName(name); !ok || got != want {
			t.Errorf("FormatFromName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := importer.FormatFromName("e.ods"); ok {
		t.Error("FormatFromName(e.ods) reports a format")
	}
}

// TestHeaderSpellings: case, spaces, underscores and hyphens do not count
// in header names, and no two columns of any kind become one name so.
func TestHeaderSpellings(t *testing.T) {
	t.Parallel()
	for _, header := range []string{
		"Person,System,Employment Ended At", "PERSON,system,employment-ended-at", " person , System ,EmploymentEndedAt",
	} {
		rows, err := importer.ReadAll(strings.NewReader(header+"\nalice,github,2026-10-01\n"), importer.Options{Kind: isms.KindAccessRemovals, Format: importer.FormatCSV})
		if err != nil || len(rows) != 1 || rows[0].Record.Times["employment_ended_at"].IsZero() {
			t.Errorf("header %q: %d rows, %v", header, len(rows), err)
		}
	}
	for _, k := range isms.Kinds() {
		seen := map[string]string{}
		for _, f := range k.Fields {
			n := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(f.Name))
			if other, dup := seen[n]; dup {
				t.Errorf("%s: columns %s and %s read as one", k.Kind, other, f.Name)
			}
			seen[n] = f.Name
		}
	}
}

// TestErrorsGroupedByRow: the problems kept are whole rows, at most
// MaxErrors, one per column of a row, and More counts the rest with their
// rows.
func TestErrorsGroupedByRow(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("person,system,employment_ended_at,access_removed_at\n")
	const rows = 1500 // each with two bad dates: 3,000 problems
	for i := range rows {
		b.WriteString("p" + strings.Repeat("x", i%3) + strconv.Itoa(i) + ",github,05.10.26,tomorrow\n")
	}
	_, err := importer.ReadAll(strings.NewReader(b.String()), importer.Options{Kind: isms.KindAccessRemovals, Format: importer.FormatCSV})
	var ie *importer.Error
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v", err)
	}
	if ie.Count() != 2*rows || len(ie.Errors) != importer.MaxErrors || ie.Rows != rows {
		t.Errorf("Count %d, kept %d, Rows %d; want %d, %d, %d", ie.Count(), len(ie.Errors), ie.Rows, 2*rows, importer.MaxErrors, rows)
	}
	if last := ie.Errors[len(ie.Errors)-1]; last.Line != 501 || last.Column != "access_removed_at" {
		t.Errorf("last kept problem %+v, want line 501's second", last)
	}
	if got, want := ie.More(), "… and 2,000 more problems in 1,000 rows"; got != want {
		t.Errorf("More() = %q, want %q", got, want)
	}

	// A row with three problems does not fit after 999: it is left out whole.
	var e importer.Error
	for i := range importer.MaxErrors - 1 {
		e.Add(importer.RowError{Line: i + 2, Reason: "x"})
	}
	e.Add(importer.RowError{Line: 5000, Column: "a", Reason: "x"}, importer.RowError{Line: 5000, Column: "b", Reason: "x"})
	e.Add(importer.RowError{Line: 5001, Reason: "x"})
	if len(e.Errors) != importer.MaxErrors-1 || e.More() != "… and 3 more problems in 2 rows" {
		t.Errorf("kept %d, More %q", len(e.Errors), e.More())
	}
	var none importer.Error
	none.Add(importer.RowError{Line: 2, Reason: "x"})
	if none.More() != "" {
		t.Errorf("More() of a whole list = %q", none.More())
	}
}

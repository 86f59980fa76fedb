package importer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

func TestReadAllErrors(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	const arHeader = "person,system,employment_ended_at,access_removed_at\n"
	tests := []struct {
		name   string
		kind   isms.RecordKind // access_removals when empty
		format importer.Format // csv when empty
		input  string
		want   []wantErr
	}{
		{name: "missing key column", input: "person,employment_ended_at\nalice,2026-10-01\n",
			want: []wantErr{{Line: 1, Column: "system", Reason: `missing required column "system"; the header must name the key columns person, system, employment_ended_at`}}},
		{name: "missing key columns after blank lines", kind: "training", input: "\n\nperson,Due_At\n",
			want: []wantErr{{Line: 3, Column: "course", Reason: `missing required column "course"`}}},
		{name: "duplicate column", kind: "incidents", input: "ref,Title, REF \nINC-1,x,y\n",
			want: []wantErr{{Line: 1, Column: "ref", Reason: `column "ref" appears twice in the header (columns 1 and 3)`}}},
		{name: "duplicate extra column", kind: "incidents", input: "ref,Team,team\n",
			want: []wantErr{{Line: 1, Column: "team", Reason: `column "team" appears twice`}}},
		{name: "empty csv", input: "",
			want: []wantErr{{Line: 1, Reason: "the file is empty; expected a header row with at least the columns person, system, employment_ended_at"}}},
		{name: "empty json", format: "json", input: " \n ",
			want: []wantErr{{Line: 1, Reason: "the file is empty; expected a JSON array of objects"}}},
		{name: "unknown kind", kind: "incident", input: arHeader,
			want: []wantErr{{Line: 1, Value: "incident", Reason: "unknown record kind; expected one of access_removals, incidents,"}}},
		{name: "unknown format", format: "ods", input: arHeader,
			want: []wantErr{{Line: 1, Value: "ods", Reason: "unknown file format; expected csv, xlsx, json, trivy or grype"}}},
		{name: "scanner format", kind: "vulnerabilities", format: "trivy", input: "{}",
			want: []wantErr{{Line: 1, Value: "trivy", Reason: "ParseScan"}}},
		{name: "empty key value", input: arHeader + "alice,,2026-10-01,\n , github , 2026-10-01,\n",
			want: []wantErr{
				{Line: 2, Column: "system", Reason: "a value is required: this column is part of the record's key"},
				{Line: 3, Column: "person", Reason: "a value is required"},
			}},
		{name: "unparseable timestamp", input: arHeader + "alice,github,01.10.26,\nbob,github,2026-10-01,1 Oct 2026\n",
			want: []wantErr{
				{Line: 2, Column: "employment_ended_at", Value: "01.10.26", Reason: "the year must have four digits"},
				{Line: 3, Column: "access_removed_at", Value: "1 Oct 2026", Reason: "expected a date such as 2026-10-05 or 05.10.2026"},
			}},
		{name: "slashed date without a day order", input: arHeader + "alice,github,05/10/2026,\nbob,github,25/10/2026,\n",
			want: []wantErr{
				{Line: 2, Column: "employment_ended_at", Value: "05/10/2026", Reason: "05/10/2026 could be day first or month first; say which order the file uses (pdca import --day-first or --month-first"},
				{Line: 3, Column: "employment_ended_at", Value: "25/10/2026", Reason: "25/10/2026 can only be day first, but pdca reads every slashed date of a file in one order"},
			}},
		{name: "header names the nearest column", input: "Persons,system,employment_ended_at\n",
			want: []wantErr{{Line: 1, Column: "person", Reason: `missing required column "person"; did you mean "Persons"?`}}},
		{name: "header suggests nothing far", input: "who,system,employment_ended_at\n",
			want: []wantErr{{Line: 1, Column: "person", Reason: `missing required column "person"; the header must name`}}},
		{name: "header spelt two ways is a repeat", input: "person,system,Employment Ended At,employment_ended_at\n",
			want: []wantErr{{Line: 1, Column: "employment_ended_at", Reason: `column "employment_ended_at" appears twice in the header (columns 3 and 4)`}}},
		{name: "dst ambiguous", input: arHeader + "alice,github,2026-10-25 03:30,\n",
			want: []wantErr{{Line: 2, Column: "employment_ended_at", Value: "2026-10-25 03:30",
				Reason: "2026-10-25 03:30 happens twice in Europe/Helsinki because the clocks go back; give an RFC 3339 offset, e.g. 2026-10-25T03:30:00+03:00 or 2026-10-25T03:30:00+02:00"}}},
		{name: "dst non-existent", input: arHeader + "alice,github,2026-10-01,2026-03-29 03:30\n",
			want: []wantErr{{Line: 2, Column: "access_removed_at", Value: "2026-03-29 03:30",
				Reason: "2026-03-29 03:30 does not exist in Europe/Helsinki because the clocks go forward over it; check the time or give an RFC 3339 offset"}}},
		{name: "unknown severity", kind: "incidents", input: "ref,severity\nINC-1,urgent\nINC-2,High\n",
			want: []wantErr{{Line: 2, Column: "severity", Value: "urgent", Reason: "unknown severity; expected one of critical, high, medium, low"}}},
		{name: "scanner severity outside incidents", kind: "deviations", input: "ref,severity\nDEV-1,negligible\n",
			want: []wantErr{{Line: 2, Column: "severity", Value: "negligible", Reason: "unknown severity"}}},
		{name: "unknown vulnerability severity", kind: "vulnerabilities", input: "ref,asset,severity\nCVE-1,web,important\n",
			want: []wantErr{{Line: 2, Column: "severity", Value: "important", Reason: "expected one of critical, high, medium, low, negligible, unknown"}}},
		{name: "unknown restore result", kind: "restore_tests", input: "system,tested_at,result\nerp,2026-10-01,ok\n",
			want: []wantErr{{Line: 2, Column: "result", Value: "ok", Reason: "unknown result; expected one of pass, fail"}}},
		{name: "bad bool", kind: "suppliers", input: "name,critical\nAcme,maybe\nBeta,Y\n",
			want: []wantErr{
				{Line: 2, Column: "critical", Value: "maybe", Reason: "expected true/false, yes/no or 1/0"},
				{Line: 3, Column: "critical", Value: "Y", Reason: "expected true/false, yes/no or 1/0"},
			}},
		{name: "unknown supplier", kind: "supplier_assessments", input: "supplier,assessed_at\nAcme,2026-10-01\nBeta Oy,2026-10-01\n",
			want: []wantErr{{Line: 3, Column: "supplier", Value: "Beta Oy", Reason: "unknown supplier"}}},
		{name: "duplicate key", input: arHeader + "alice,github,2026-10-01 09:00,\nbob,github,2026-10-01,\nalice,github,2026-10-01T06:00:00Z,2026-10-02\n",
			want: []wantErr{{Line: 4, Value: "alice / github / 2026-10-01T06:00:00Z",
				Reason: "the same key (person, system, employment_ended_at) already appears on line 2; each record may appear only once in a file"}}},
		{name: "duplicate key, case of enum irrelevant", kind: "incidents", input: "ref\nINC-1\nINC-2\nINC-1\nINC-1\n",
			want: []wantErr{
				{Line: 4, Value: "INC-1", Reason: "already appears on line 2"},
				{Line: 5, Value: "INC-1", Reason: "already appears on line 2"},
			}},
		{name: "csv wrong field count", input: arHeader + "alice,github\nbob,github,2026-10-01,,extra\nbob,vpn,2026-10-01,,,\n",
			want: []wantErr{
				{Line: 2, Reason: "found 2 values but the header has 4 columns"},
				{Line: 3, Reason: "found 5 values but the header has 4 columns"},
			}},
		{name: "csv bad quote", input: arHeader + "alice,git\"hub,2026-10-01,\nbob,github,2026-10-01,\n",
			want: []wantErr{{Line: 2, Reason: "malformed CSV"}}},
		{name: "csv unnamed column", input: "person,system,,employment_ended_at\nalice,github,x,2026-10-01\nbob,github,,2026-10-01\n",
			want: []wantErr{{Line: 2, Value: "x", Reason: "value in column 3, which has no name in the header"}}},
		{name: "invalid utf-8", input: arHeader + "J\xe4rvinen,github,2026-10-01,\nM\xe4ki,github,2026-10-01,\n",
			want: []wantErr{{Line: 2, Column: "person", Value: "J?rvinen", Reason: "the file is not UTF-8 text: this line holds the byte 0xE4"}}},
		{name: "invalid utf-8 in the header", input: "person,system,employment_ended_at,p\xe4iv\xe4\n",
			want: []wantErr{{Line: 1, Value: "p?iv?", Reason: "save it as \"CSV UTF-8\""}}},
		{name: "utf-16 without a byte order mark", input: "p\x00e\x00r\x00s\x00o\x00n\x00,\x00s\x00\n\x00",
			want: []wantErr{{Line: 1, Reason: "the file looks like UTF-16 text without a byte order mark"}}},
		{name: "one-column header", input: "person system employment_ended_at\n",
			want: []wantErr{{Line: 1, Column: "person"}, {Line: 1, Column: "system"},
				{Line: 1, Column: "employment_ended_at", Reason: "the header has one column only: separate the columns with commas, semicolons, tabs or pipes"}}},
		{name: "json not an array", format: "json", input: `{"person": "alice"}`,
			want: []wantErr{{Line: 1, Reason: "expected a JSON array of objects, [{...}, {...}], found an object"}}},
		{name: "json element not an object", format: "json",
			input: "[\n\"alice\",\n[1, 2],\n{\"person\": \"bob\", \"system\": \"vpn\", \"employment_ended_at\": \"2026-10-01\"}\n]",
			want: []wantErr{
				{Line: 2, Reason: `expected an object {"column": value, ...}, found a string`},
				{Line: 3, Reason: "found an array"},
			}},
		{name: "json wrong type", format: "json", input: `[
{"person": "alice", "system": "github", "employment_ended_at": 20261001},
{"person": "bob", "system": {"name": "vpn"}, "employment_ended_at": "2026-10-01"},
{"person": "carol", "system": "vpn", "employment_ended_at": true},
{"person": false, "system": "vpn", "employment_ended_at": "2026-10-01", "tags": ["a"]}
]`,
			want: []wantErr{
				{Line: 2, Column: "employment_ended_at", Value: "20261001", Reason: "expected a timestamp as a JSON string, found a number"},
				{Line: 3, Column: "system", Reason: "expected a string, number, boolean or null, found an object"},
				{Line: 4, Column: "employment_ended_at", Value: "true", Reason: "found a boolean"},
				{Line: 5, Column: "person", Value: "false", Reason: "expected a string, found a boolean"},
				{Line: 5, Column: "tags", Reason: "found an array"},
			}},
		{name: "json missing key", format: "json", input: "[\n  {\"person\": \"alice\", \"employment_ended_at\": \"2026-10-01\"}\n]",
			want: []wantErr{{Line: 2, Column: "system", Reason: `missing required key "system"`}}},
		{name: "json repeated key", format: "json", input: `[{"person": "a", "Person": "b", "system": "s", "employment_ended_at": "2026-10-01"}]`,
			want: []wantErr{{Line: 1, Column: "person", Reason: `key "person" appears twice in this object`}}},
		{name: "json syntax error ends the file", format: "json", input: "[\n{\"person\": \"a\"},\n{\"person\" \"b\"},\n{\"person\": \"c\"}\n]",
			want: []wantErr{
				{Line: 2, Column: "system", Reason: "missing required key"},
				{Line: 2, Column: "employment_ended_at", Reason: "missing required key"},
				{Line: 3, Reason: "invalid JSON: invalid character"},
			}},
		{name: "json truncated", format: "json", input: "[\n{\"person\": \"a\", \"system\": \"b\", \"employment_ended_at\": \"2026-10-01\"},\n{\"person\":",
			want: []wantErr{{Line: 3, Reason: "the JSON ends too early"}}},
		{name: "json trailing data", format: "json", input: "[]\n[]",
			want: []wantErr{{Line: 2, Reason: "unexpected data after the closing ]"}}},
		{name: "xlsx not a workbook", format: "xlsx", input: "person,system\n",
			want: []wantErr{{Line: 1, Reason: "not a readable XLSX workbook"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := importer.Options{Kind: tt.kind, Format: tt.format, Location: hel,
				KnownSuppliers: func(name string) bool { return name == "Acme" }}
			if opts.Kind == "" {
				opts.Kind = isms.KindAccessRemovals
			}
			if opts.Format == "" {
				opts.Format = importer.FormatCSV
			}
			rows, err := importer.ReadAll(strings.NewReader(tt.input), opts)
			if rows != nil {
				t.Errorf("ReadAll returned %d rows with the error", len(rows))
			}
			checkErrors(t, rowErrors(t, err), tt.want)
			if msg := err.Error(); !strings.HasPrefix(msg, "import: ") {
				t.Errorf("Error() = %q", msg)
			}
		})
	}
}

func TestReadAllXLSXErrors(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	tests := []struct {
		name string
		kind isms.RecordKind
		rows [][]any
		want []wantErr
	}{
		{"empty sheet", isms.KindSuppliers, nil,
			[]wantErr{{Line: 1, Reason: `sheet "Sheet1" is empty`}}},
		{"missing key column", isms.KindSuppliers, [][]any{{"critical"}},
			[]wantErr{{Line: 1, Column: "name", Reason: `missing required column "name"`}}},
		{"bad rows by sheet row number", isms.KindSuppliers, [][]any{
			nil,
			{"Name", "Critical"},
			{"Acme", "yes"},
			nil,
			{"Beta", "perhaps"},
			{"", "no"},
			{"Gamma", "no", "", "stray"},
		}, []wantErr{
			{Line: 5, Column: "critical", Value: "perhaps", Reason: "expected true/false"},
			{Line: 6, Column: "name", Reason: "a value is required"},
			{Line: 7, Reason: "value in column 4, right of the last column named in the header"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := MustXLSX(t, tt.rows)
			_, err := importer.ReadAll(bytes.NewReader(data), importer.Options{Kind: tt.kind, Format: importer.FormatXLSX, Location: hel})
			checkErrors(t, rowErrors(t, err), tt.want)
		})
	}
}

// TestReadAllEveryBadRow checks that every bad row is reported with the
// line where its record starts, also after multi-line quoted fields.
func TestReadAllEveryBadRow(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	csvInput := "ref,title,severity,detected_at,root_cause\r\n" + // line 1
		"INC-1,\"Phishing\nwave, part 1\",high,2026-10-01 09:00,\"long\r\n\r\nanalysis\"\r\n" + // lines 2-5
		"INC-2,Outage,severe,2026-10-02,\r\n" + // line 6: bad severity
		"\r\n" + // line 7: blank
		"INC-3,\"Lost\nlaptop\",low,yesterday,\r\n" + // lines 8-9: bad time
		"INC-4,ok,low,2026-10-03,\r\n" + // line 10
		",\"no\nref\",low,,\r\n" + // lines 11-12: no key
		"INC-1,again,low,2026-10-25 03:15,\r\n" // line 13: duplicate and ambiguous
	jsonInput := `[
  {"ref": "INC-1",
   "title": "Phishing",
   "severity": "high"},
  {"ref": "INC-2", "severity": "severe"},

  {
    "ref": "INC-3",
    "detected_at": "yesterday"
  },
  {"ref": "INC-4"}, {"ref": null},
  {"ref": "INC-1", "detected_at": "2026-10-25 03:15"}
]`
	tests := []struct {
		name   string
		format importer.Format
		input  string
	}{
		{"csv", importer.FormatCSV, csvInput},
		{"json", importer.FormatJSON, jsonInput},
	}
	wants := map[importer.Format][]wantErr{
		importer.FormatCSV: {
			{Line: 6, Column: "severity", Value: "severe", Reason: "unknown severity"},
			{Line: 8, Column: "detected_at", Value: "yesterday", Reason: "expected a date such as"},
			{Line: 11, Column: "ref", Reason: "a value is required"},
			{Line: 13, Column: "detected_at", Value: "2026-10-25 03:15", Reason: "happens twice"},
			{Line: 13, Value: "INC-1", Reason: "already appears on line 2"},
		},
		importer.FormatJSON: {
			{Line: 5, Column: "severity", Value: "severe", Reason: "unknown severity"},
			{Line: 7, Column: "detected_at", Value: "yesterday", Reason: "expected a date such as"},
			{Line: 11, Column: "ref", Reason: "a value is required"},
			{Line: 12, Column: "detected_at", Value: "2026-10-25 03:15", Reason: "happens twice"},
			{Line: 12, Value: "INC-1", Reason: "already appears on line 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := importer.ReadAll(strings.NewReader(tt.input), importer.Options{Kind: isms.KindIncidents, Format: tt.format, Location: hel})
			checkErrors(t, rowErrors(t, err), wants[tt.format])
		})
	}
}

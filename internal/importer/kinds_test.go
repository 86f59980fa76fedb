package importer_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// kindCase is one kind's sample file and the records it must yield, read
// in Europe/Helsinki (UTC+3 until 25 October 2026, UTC+2 after).
type kindCase struct {
	kind   isms.RecordKind
	header []string
	rows   [][]string
	want   []isms.Record
}

// rec builds an expected record; maps left nil compare equal to empty ones.
func rec(kind isms.RecordKind, key string, texts map[string]string, times map[string]time.Time, bools map[string]bool) isms.Record {
	return isms.Record{Kind: kind, Key: key, Texts: texts, Times: times, Bools: bools}
}

type texts = map[string]string
type times = map[string]time.Time
type bools = map[string]bool

func kindCases() []kindCase {
	return []kindCase{
		{isms.KindAccessRemovals,
			[]string{"person", "system", "employment_ended_at", "access_removed_at"},
			[][]string{
				{"alice", "github", "2026-10-01 09:00", "2026-10-01T10:00:00+03:00"},
				{"bob", "vpn", "2026-10-02", ""},
			},
			[]isms.Record{
				rec("access_removals", "alice / github / 2026-10-01T06:00:00Z",
					texts{"person": "alice", "system": "github"},
					times{"employment_ended_at": utc(2026, 10, 1, 6, 0), "access_removed_at": utc(2026, 10, 1, 7, 0)}, nil),
				rec("access_removals", "bob / vpn / 2026-10-01T21:00:00Z",
					texts{"person": "bob", "system": "vpn"}, times{"employment_ended_at": utc(2026, 10, 1, 21, 0)}, nil),
			}},
		{isms.KindIncidents,
			[]string{"ref", "title", "severity", "detected_at", "action_started_at", "resolved_at", "root_cause"},
			[][]string{
				{"INC-1", "Phishing", "HIGH", "2026-10-01 08:00", "2026-10-01 09:30", "", ""},
				{"INC-2", "Outage", "critical", "2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z", "2026-10-26 10:00", "expired certificate"},
			},
			[]isms.Record{
				rec("incidents", "INC-1", texts{"ref": "INC-1", "title": "Phishing", "severity": "high"},
					times{"detected_at": utc(2026, 10, 1, 5, 0), "action_started_at": utc(2026, 10, 1, 6, 30)}, nil),
				rec("incidents", "INC-2", texts{"ref": "INC-2", "title": "Outage", "severity": "critical", "root_cause": "expired certificate"},
					times{"detected_at": utc(2026, 10, 5, 10, 0), "action_started_at": utc(2026, 10, 5, 11, 0), "resolved_at": utc(2026, 10, 26, 8, 0)}, nil),
			}},
		{isms.KindRestoreTests,
			[]string{"system", "tested_at", "result", "notes"},
			[][]string{
				{"erp", "2026-10-03 14:00", "Pass", "full restore"},
				{"crm", "2026-10-04", "fail", ""},
				{"wiki", "2026-10-05", "", ""},
			},
			[]isms.Record{
				rec("restore_tests", "erp / 2026-10-03T11:00:00Z", texts{"system": "erp", "result": "pass", "notes": "full restore"},
					times{"tested_at": utc(2026, 10, 3, 11, 0)}, nil),
				rec("restore_tests", "crm / 2026-10-03T21:00:00Z", texts{"system": "crm", "result": "fail"},
					times{"tested_at": utc(2026, 10, 3, 21, 0)}, nil),
				rec("restore_tests", "wiki / 2026-10-04T21:00:00Z", texts{"system": "wiki"},
					times{"tested_at": utc(2026, 10, 4, 21, 0)}, nil),
			}},
		{isms.KindSuppliers,
			[]string{"name", "critical"},
			[][]string{{"Acme Cloud", "yes"}, {"Printer Co", "0"}, {"Unknown Ltd", ""}},
			[]isms.Record{
				rec("suppliers", "Acme Cloud", texts{"name": "Acme Cloud"}, nil, bools{"critical": true}),
				rec("suppliers", "Printer Co", texts{"name": "Printer Co"}, nil, bools{"critical": false}),
				rec("suppliers", "Unknown Ltd", texts{"name": "Unknown Ltd"}, nil, nil),
			}},
		{isms.KindSupplierAssessments,
			[]string{"supplier", "assessed_at", "result"},
			[][]string{{"Acme Cloud", "2026-09-15", "Acceptable with remarks"}, {"Acme Cloud", "2026-10-15", ""}},
			[]isms.Record{
				rec("supplier_assessments", "Acme Cloud / 2026-09-14T21:00:00Z",
					texts{"supplier": "Acme Cloud", "result": "Acceptable with remarks"}, times{"assessed_at": utc(2026, 9, 14, 21, 0)}, nil),
				rec("supplier_assessments", "Acme Cloud / 2026-10-14T21:00:00Z",
					texts{"supplier": "Acme Cloud"}, times{"assessed_at": utc(2026, 10, 14, 21, 0)}, nil),
			}},
		{isms.KindChanges,
			[]string{"ref", "system", "implemented_at", "documented", "approved"},
			[][]string{{"CHG-1", "erp", "2026-10-02 18:00", "TRUE", "no"}, {"CHG-2", "", "", "", ""}},
			[]isms.Record{
				rec("changes", "CHG-1", texts{"ref": "CHG-1", "system": "erp"}, times{"implemented_at": utc(2026, 10, 2, 15, 0)},
					bools{"documented": true, "approved": false}),
				rec("changes", "CHG-2", texts{"ref": "CHG-2"}, nil, nil),
			}},
		{isms.KindVulnerabilities,
			[]string{"ref", "asset", "severity", "found_at", "fixed_at"},
			[][]string{
				{"CVE-2026-0001", "web:1.2", "Critical", "2026-10-01", "2026-10-09 12:00"},
				{"CVE-2026-0001", "api:3", "negligible", "2026-10-01", ""},
			},
			[]isms.Record{
				rec("vulnerabilities", "CVE-2026-0001 / web:1.2", texts{"ref": "CVE-2026-0001", "asset": "web:1.2", "severity": "critical"},
					times{"found_at": utc(2026, 9, 30, 21, 0), "fixed_at": utc(2026, 10, 9, 9, 0)}, nil),
				rec("vulnerabilities", "CVE-2026-0001 / api:3", texts{"ref": "CVE-2026-0001", "asset": "api:3", "severity": "negligible"},
					times{"found_at": utc(2026, 9, 30, 21, 0)}, nil),
			}},
		{isms.KindTraining,
			[]string{"person", "course", "due_at", "completed_at"},
			[][]string{{"alice", "Security basics", "2026-10-31", "2026-10-20 12:00"}},
			[]isms.Record{
				rec("training", "alice / Security basics / 2026-10-30T22:00:00Z", texts{"person": "alice", "course": "Security basics"},
					times{"due_at": utc(2026, 10, 30, 22, 0), "completed_at": utc(2026, 10, 20, 9, 0)}, nil),
			}},
		{isms.KindDeviations,
			[]string{"ref", "title", "source", "severity", "detected_at", "closed_at"},
			[][]string{{"DEV-1", "Late access removal", "metric access-removal", "Medium", "2026-10-05", ""}},
			[]isms.Record{
				rec("deviations", "DEV-1", texts{"ref": "DEV-1", "title": "Late access removal", "source": "metric access-removal", "severity": "medium"},
					times{"detected_at": utc(2026, 10, 4, 21, 0)}, nil),
			}},
		{isms.KindAuditFindings,
			[]string{"ref", "audit", "title", "raised_at", "closed_at"},
			[][]string{{"AF-1", "IA-2026", "No restore test for CRM", "2026-09-01", "2026-10-01T12:00:00Z"}},
			[]isms.Record{
				rec("audit_findings", "AF-1", texts{"ref": "AF-1", "audit": "IA-2026", "title": "No restore test for CRM"},
					times{"raised_at": utc(2026, 8, 31, 21, 0), "closed_at": utc(2026, 10, 1, 12, 0)}, nil),
			}},
	}
}

// encode renders a kind case in a format.
func encode(tb testing.TB, f importer.Format, kind isms.RecordKind, header []string, rows [][]string) []byte {
	tb.Helper()
	switch f {
	case importer.FormatCSV:
		return MustCSV(tb, header, rows)
	case importer.FormatJSON:
		return MustJSON(tb, kind, header, rows)
	case importer.FormatXLSX:
		return MustXLSX(tb, xlsxRows(header, rows))
	}
	tb.Fatalf("no encoder for %s", f)
	return nil
}

// recordsOf returns the records of rows, checking that line numbers follow
// the layout of the encoders (header or "[" on line 1, one row per line).
func recordsOf(tb testing.TB, rows []importer.Row) []isms.Record {
	tb.Helper()
	var out []isms.Record
	for i, r := range rows {
		if r.Line != i+2 {
			tb.Errorf("row %d: line %d, want %d", i, r.Line, i+2)
		}
		out = append(out, r.Record)
	}
	return out
}

func TestReadAllKinds(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	cases := kindCases()
	if len(cases) != len(isms.Kinds()) {
		t.Fatalf("%d kind cases for %d kinds", len(cases), len(isms.Kinds()))
	}
	for _, f := range []importer.Format{importer.FormatCSV, importer.FormatJSON, importer.FormatXLSX} {
		for _, kc := range cases {
			t.Run(string(f)+"/"+string(kc.kind), func(t *testing.T) {
				t.Parallel()
				data := encode(t, f, kc.kind, kc.header, kc.rows)
				rows, err := importer.ReadAll(bytes.NewReader(data), importer.Options{
					Kind: kc.kind, Format: f, Location: hel,
					KnownSuppliers: func(name string) bool { return name == "Acme Cloud" },
				})
				if err != nil {
					t.Fatalf("ReadAll: %v", err)
				}
				if diff := cmp.Diff(kc.want, recordsOf(t, rows)); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestReadAllColumnOrder reverses the columns, changes their case and
// spacing and adds extra columns, which become attributes.
func TestReadAllColumnOrder(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	for _, f := range []importer.Format{importer.FormatCSV, importer.FormatJSON, importer.FormatXLSX} {
		for _, kc := range kindCases() {
			t.Run(string(f)+"/"+string(kc.kind), func(t *testing.T) {
				t.Parallel()
				header := append([]string{"Ticket"}, kc.header...)
				header = append(header, " Owner Team ")
				for i := range header {
					if i%2 == 1 {
						header[i] = " " + toUpper(header[i]) + " "
					}
				}
				slices.Reverse(header)
				var rows [][]string
				want := slices.Clone(kc.want)
				for i, r := range kc.rows {
					row := append([]string{"T-" + string(rune('1'+i))}, r...)
					row = append(row, "")
					slices.Reverse(row)
					rows = append(rows, row)
					want[i].Attributes = map[string]string{"Ticket": "T-" + string(rune('1'+i))}
				}
				data := encode(t, f, kc.kind, header, rows)
				got, err := importer.ReadAll(bytes.NewReader(data), importer.Options{Kind: kc.kind, Format: f, Location: hel})
				if err != nil {
					t.Fatalf("ReadAll: %v", err)
				}
				if diff := cmp.Diff(want, recordsOf(t, got)); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func toUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

package importer_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// MustOpen opens a testdata file.
func MustOpen(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func TestParseScan(t *testing.T) {
	t.Parallel()
	flag := utc(2026, 10, 7, 12, 0)
	tests := []struct {
		file      string
		format    importer.Format
		scannedAt *time.Time
		want      importer.Scan
	}{
		{"trivy.json", importer.FormatTrivy, &flag, importer.Scan{
			Asset:     "registry.example.com/shop/web:1.4.2",
			ScannedAt: time.Date(2026, 10, 5, 5, 15, 30, 123456789, time.UTC),
			Findings: map[string]string{
				"CVE-2026-1001":       "critical", // HIGH in debian, CRITICAL in npm: highest wins
				"CVE-2026-1002":       "low",
				"CVE-2026-1003":       "unknown",
				"GHSA-xxxx-yyyy-zzzz": "medium",
			},
		}},
		{"trivy-no-time.json", importer.FormatTrivy, &flag, importer.Scan{
			Asset: "web", ScannedAt: flag, Findings: map[string]string{"GO-2026-0001": "medium"},
		}},
		{"trivy-clean.json", importer.FormatTrivy, nil, importer.Scan{
			Asset: "registry.example.com/shop/web:1.4.2", ScannedAt: utc(2026, 10, 12, 6, 0), Findings: map[string]string{},
		}},
		{"grype.json", importer.FormatGrype, nil, importer.Scan{
			Asset:     "registry.example.com/shop/api:2.0.0",
			ScannedAt: time.Date(2026, 10, 6, 18, 0, 0, 500000000, time.UTC),
			Findings: map[string]string{
				"CVE-2026-2001":       "medium", // Negligible and Medium: Medium wins; related NVD ratings are not used
				"GHSA-aaaa-bbbb-cccc": "high",
				"CVE-2026-2002":       "critical",
				"CVE-2026-2003":       "unknown",
			},
		}},
		{"grype-directory.json", importer.FormatGrype, &flag, importer.Scan{
			Asset: "/src/billing", ScannedAt: flag, Findings: map[string]string{"GHSA-dddd-eeee-ffff": "low"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := importer.ParseScan(MustOpen(t, tt.file), tt.format, tt.scannedAt)
			if err != nil {
				t.Fatalf("ParseScan: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseScanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format importer.Format
		input  string
		want   []wantErr
	}{
		{"trivy without time", importer.FormatTrivy, `{"SchemaVersion": 2, "ArtifactName": "web", "Results": []}`,
			[]wantErr{{Line: 1, Column: "CreatedAt", Reason: "the report does not say when it was made; give the scan's time"}}},
		{"grype without time", importer.FormatGrype, `{"matches": [], "source": {"target": {"userInput": "x"}}}`,
			[]wantErr{{Line: 1, Column: "descriptor.timestamp", Reason: "--scanned-at"}}},
		{"bad time", importer.FormatTrivy, `{"SchemaVersion": 2, "ArtifactName": "web", "CreatedAt": "yesterday"}`,
			[]wantErr{{Line: 1, Column: "CreatedAt", Value: "yesterday", Reason: "expected an RFC 3339 timestamp"}}},
		{"trivy schema 1", importer.FormatTrivy, "[\n{\"Target\": \"x\", \"Vulnerabilities\": null}\n]",
			[]wantErr{{Line: 1, Reason: "before SchemaVersion 2"}}},
		{"grype report read as trivy", importer.FormatTrivy, `{"matches": [], "descriptor": {"timestamp": "2026-10-01T00:00:00Z"}}`,
			[]wantErr{{Line: 1, Column: "SchemaVersion", Value: "0", Reason: "expected a Trivy JSON report with SchemaVersion 2"}}},
		{"trivy report read as grype", importer.FormatGrype, `{"SchemaVersion": 2, "CreatedAt": "2026-10-01T00:00:00Z"}`,
			[]wantErr{{Line: 1, Column: "matches", Reason: "expected a Grype JSON report"}}},
		{"no asset", importer.FormatTrivy, `{"SchemaVersion": 2, "CreatedAt": "2026-10-01T00:00:00Z", "Results": []}`,
			[]wantErr{{Line: 1, Column: "ArtifactName", Reason: "names no scanned artifact"}}},
		{"bad findings", importer.FormatTrivy, `{"SchemaVersion": 2, "CreatedAt": "2026-10-01T00:00:00Z", "ArtifactName": "web",
			"Results": [{"Vulnerabilities": [{"VulnerabilityID": "", "Severity": "HIGH"}, {"VulnerabilityID": "CVE-1", "Severity": "SEVERE"}]}]}`,
			[]wantErr{
				{Column: "Results[0].Vulnerabilities[0].VulnerabilityID", Reason: "a finding without a vulnerability id"},
				{Column: "Results[0].Vulnerabilities[1].Severity", Value: "SEVERE", Reason: "unknown severity"},
			}},
		{"wrong json type", importer.FormatGrype, "{\n\"matches\": [\n{\"vulnerability\": {\"id\": 7}}\n]\n}",
			[]wantErr{{Line: 3, Column: "matches.vulnerability.id", Reason: "expected a JSON string here, found number"}}},
		{"syntax error", importer.FormatGrype, "{\n\"matches\": [,]\n}",
			[]wantErr{{Line: 2, Reason: "invalid JSON"}}},
		{"empty", importer.FormatGrype, "",
			[]wantErr{{Line: 1, Reason: "expected a grype JSON report"}}},
		{"unknown format", importer.FormatCSV, "{}",
			[]wantErr{{Line: 1, Value: "csv", Reason: "unknown scanner format"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := importer.ParseScan(strings.NewReader(tt.input), tt.format, nil)
			checkErrors(t, rowErrors(t, err), tt.want)
		})
	}
}

// vuln builds a vulnerability record of asset "web".
func vuln(id int64, ref, severity string, found, fixed *time.Time) isms.Record {
	r := isms.Record{ID: id, Kind: isms.KindVulnerabilities, Key: ref + " / web",
		Texts: texts{"ref": ref, "asset": "web", "severity": severity}, Times: times{}}
	if found != nil {
		r.Times["found_at"] = *found
	}
	if fixed != nil {
		r.Times["fixed_at"] = *fixed
	}
	return r
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	sep1, oct1, oct5, oct10 := utc(2026, 9, 1, 0, 0), utc(2026, 10, 1, 0, 0), utc(2026, 10, 5, 0, 0), utc(2026, 10, 10, 0, 0)
	scan := func(findings map[string]string) importer.Scan {
		return importer.Scan{Asset: "web", ScannedAt: oct5, Findings: findings}
	}
	tests := []struct {
		name     string
		scan     importer.Scan
		existing []isms.Record
		want     []isms.Record
	}{
		{"new findings", scan(map[string]string{"CVE-2": "high", "CVE-1": "critical"}), nil,
			[]isms.Record{vuln(0, "CVE-1", "critical", &oct5, nil), vuln(0, "CVE-2", "high", &oct5, nil)}},
		{"still reported keeps found_at, takes severity", scan(map[string]string{"CVE-1": "critical"}),
			[]isms.Record{vuln(7, "CVE-1", "high", &oct1, nil)},
			[]isms.Record{vuln(7, "CVE-1", "critical", &oct1, nil)}},
		{"still reported unchanged is returned as is", scan(map[string]string{"CVE-1": "high"}),
			[]isms.Record{vuln(7, "CVE-1", "high", &oct1, nil)},
			[]isms.Record{vuln(7, "CVE-1", "high", &oct1, nil)}},
		{"no longer reported is fixed", scan(map[string]string{}),
			[]isms.Record{vuln(7, "CVE-1", "high", &oct1, nil)},
			[]isms.Record{vuln(7, "CVE-1", "high", &oct1, &oct5)}},
		{"already fixed and absent is left alone", scan(map[string]string{}),
			[]isms.Record{vuln(7, "CVE-1", "high", &sep1, &oct1)},
			nil},
		{"fixed and reported again is reopened", scan(map[string]string{"CVE-1": "medium"}),
			[]isms.Record{vuln(7, "CVE-1", "high", &sep1, &oct1)},
			[]isms.Record{vuln(7, "CVE-1", "medium", &sep1, nil)}},
		{"older scan does not reopen a later fix", scan(map[string]string{"CVE-1": "high"}),
			[]isms.Record{vuln(7, "CVE-1", "high", &sep1, &oct10)},
			[]isms.Record{vuln(7, "CVE-1", "high", &sep1, &oct10)}},
		{"older scan moves found_at earlier", scan(map[string]string{"CVE-1": "high"}),
			[]isms.Record{vuln(7, "CVE-1", "high", &oct10, nil)},
			[]isms.Record{vuln(7, "CVE-1", "high", &oct5, nil)}},
		{"older scan does not fix a later finding", scan(map[string]string{}),
			[]isms.Record{vuln(7, "CVE-1", "high", &oct10, nil)},
			nil},
		{"missing found_at is filled", scan(map[string]string{"CVE-1": "low"}),
			[]isms.Record{vuln(7, "CVE-1", "low", nil, nil)},
			[]isms.Record{vuln(7, "CVE-1", "low", &oct5, nil)}},
		{"open without found_at is fixed", scan(map[string]string{}),
			[]isms.Record{vuln(7, "CVE-1", "low", nil, nil)},
			[]isms.Record{vuln(7, "CVE-1", "low", nil, &oct5)}},
		{"other assets are ignored", scan(map[string]string{}),
			[]isms.Record{func() isms.Record {
				r := vuln(8, "CVE-1", "high", &oct1, nil)
				r.Texts["asset"], r.Key = "api", "CVE-1 / api"
				return r
			}()},
			nil},
		{"mixed", scan(map[string]string{"CVE-1": "high", "CVE-3": "low"}),
			[]isms.Record{vuln(1, "CVE-1", "high", &oct1, nil), vuln(2, "CVE-2", "critical", &oct1, nil), vuln(4, "CVE-4", "low", &sep1, &oct1)},
			[]isms.Record{vuln(1, "CVE-1", "high", &oct1, nil), vuln(2, "CVE-2", "critical", &oct1, &oct5), vuln(0, "CVE-3", "low", &oct5, nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := cloneRecords(tt.existing)
			got := importer.Reconcile(tt.scan, tt.existing)
			// cmp would use Record.Equal, which ignores IDs; compare them too.
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b isms.Record) bool { return a.ID == b.ID && a.Equal(b) })); diff != "" {
				t.Errorf("upserts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tt.existing, cmp.Comparer(func(a, b isms.Record) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("existing records modified (-before +after):\n%s", diff)
			}
		})
	}
}

// cloneRecords deep-copies records.
func cloneRecords(rs []isms.Record) []isms.Record {
	var out []isms.Record
	for _, r := range rs {
		r.Times, r.Bools = maps.Clone(r.Times), maps.Clone(r.Bools)
		r.Texts, r.Attributes = maps.Clone(r.Texts), maps.Clone(r.Attributes)
		out = append(out, r)
	}
	return out
}

// TestScanThenReconcile runs the testdata scans one after the other.
func TestScanThenReconcile(t *testing.T) {
	t.Parallel()
	first, err := importer.ParseScan(MustOpen(t, "trivy.json"), importer.FormatTrivy, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored := importer.Reconcile(first, nil)
	if len(stored) != 4 {
		t.Fatalf("first scan: %d records, want 4", len(stored))
	}
	if again := importer.Reconcile(first, stored); !cmp.Equal(stored, again) {
		t.Errorf("re-importing the same scan changed records:\n%s", cmp.Diff(stored, again))
	}
	clean, err := importer.ParseScan(MustOpen(t, "trivy-clean.json"), importer.FormatTrivy, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range importer.Reconcile(clean, stored) {
		if got := r.Times["fixed_at"]; !got.Equal(clean.ScannedAt) {
			t.Errorf("%s: fixed_at %v, want %v", r.Key, got, clean.ScannedAt)
		}
		if got := r.Times["found_at"]; !got.Equal(first.ScannedAt) {
			t.Errorf("%s: found_at %v, want %v", r.Key, got, first.ScannedAt)
		}
	}
}

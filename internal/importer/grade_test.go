package importer_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// TestReadGradesAndSeverities: grades and priority numbers as audit
// reports and ticketing tools write them.
func TestReadGradesAndSeverities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  isms.RecordKind
		input string
		want  []map[string]string // texts besides the key
		errs  []wantErr
	}{
		{name: "deviation grade in the severity column", kind: isms.KindDeviations,
			input: "ref,severity\nDEV-1,Major\nDEV-2,minor\nDEV-3,OFI\nDEV-4,Observation\n",
			want: []map[string]string{{"grade": "major", "severity": "high"}, {"grade": "minor", "severity": "medium"},
				{"grade": "opportunity", "severity": "low"}, {"grade": "observation", "severity": "low"}}},
		{name: "deviation grade column, severity derived or kept", kind: isms.KindDeviations,
			input: "ref,grade,severity\nDEV-1,Major nonconformity,\nDEV-2,minor NC,critical\nDEV-3,opportunity for improvement,P2\nDEV-4,,high\n",
			want: []map[string]string{{"grade": "major", "severity": "high"}, {"grade": "minor", "severity": "critical"},
				{"grade": "opportunity", "severity": "high"}, {"severity": "high"}}},
		{name: "audit finding grade and severity", kind: isms.KindAuditFindings,
			input: "ref,audit,severity\nAF-1,ext,Minor\nAF-2,ext,Low\nAF-3,ext,\n",
			want:  []map[string]string{{"audit": "ext", "grade": "minor", "severity": "medium"}, {"audit": "ext", "severity": "low"}, {"audit": "ext"}}},
		{name: "priority numbers", kind: isms.KindIncidents,
			input: "ref,severity\nINC-1,P1\nINC-2,sev2\nINC-3,S3\nINC-4,p4\n",
			want:  []map[string]string{{"severity": "critical"}, {"severity": "high"}, {"severity": "medium"}, {"severity": "low"}}},
		{name: "priority numbers for scanners' kind", kind: isms.KindVulnerabilities,
			input: "ref,asset,severity\nCVE-1,web,P1\nCVE-2,web,negligible\n",
			want:  []map[string]string{{"asset": "web", "severity": "critical"}, {"asset": "web", "severity": "negligible"}}},
		{name: "a grade is no incident severity", kind: isms.KindIncidents, input: "ref,severity\nINC-1,major\nINC-2,P5\n",
			errs: []wantErr{
				{Line: 2, Column: "severity", Value: "major", Reason: "unknown severity; expected one of critical, high, medium, low, or P1 to P4"},
				{Line: 3, Column: "severity", Value: "P5", Reason: "unknown severity"},
			}},
		{name: "unknown grade", kind: isms.KindDeviations, input: "ref,grade,severity\nDEV-1,serious,\nDEV-2,,urgent\n",
			errs: []wantErr{
				{Line: 2, Column: "grade", Value: "serious", Reason: "unknown grade; expected major (major nonconformity), minor"},
				{Line: 3, Column: "severity", Value: "urgent", Reason: "P1 to P4, or a grade (major, minor, observation, OFI)"},
			}},
		{name: "grades disagree", kind: isms.KindAuditFindings, input: "ref,grade,severity\nAF-1,minor,major\n",
			errs: []wantErr{{Line: 2, Column: "severity", Value: "major",
				Reason: "the severity column holds the grade major nonconformity but the grade column says minor nonconformity"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rows, err := importer.ReadAll(strings.NewReader(tt.input), importer.Options{Kind: tt.kind, Format: importer.FormatCSV})
			if tt.errs != nil {
				checkErrors(t, rowErrors(t, err), tt.errs)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.want) {
				t.Fatalf("%d rows, want %d", len(rows), len(tt.want))
			}
			for i, r := range rows {
				got := maps.Clone(r.Record.Texts)
				delete(got, "ref")
				if !maps.Equal(got, tt.want[i]) {
					t.Errorf("row %d: %v, want %v", i+1, got, tt.want[i])
				}
			}
		})
	}
}

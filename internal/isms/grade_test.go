package isms_test

import (
	"maps"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestParseGrade(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"major", "major", true},
		{"Major nonconformity", "major", true},
		{"MAJOR NC", "major", true},
		{"major-non-conformity", "major", true},
		{"minor", "minor", true},
		{"Minor Nonconformance", "minor", true},
		{"NC minor", "minor", true},
		{"Observation", "observation", true},
		{"obs.", "observation", true},
		{"OFI", "opportunity", true},
		{"opportunity for improvement", "opportunity", true},
		{"Opportunity", "opportunity", true},
		{"high", "", false},
		{"nonconformity", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := isms.ParseGrade(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseGrade(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGradeWordsAndSeverity(t *testing.T) {
	t.Parallel()
	tests := []struct{ grade, words, severity string }{
		{"major", "major nonconformity", "high"},
		{"minor", "minor nonconformity", "medium"},
		{"observation", "observation", "low"},
		{"opportunity", "opportunity for improvement", "low"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := isms.GradeWords(tt.grade); got != tt.words {
			t.Errorf("GradeWords(%q) = %q, want %q", tt.grade, got, tt.words)
		}
		if got := isms.SeverityOfGrade(tt.grade); got != tt.severity {
			t.Errorf("SeverityOfGrade(%q) = %q, want %q", tt.grade, got, tt.severity)
		}
		if got := isms.IsNonconformity(tt.grade); got != (tt.grade == "major" || tt.grade == "minor") {
			t.Errorf("IsNonconformity(%q) = %v", tt.grade, got)
		}
	}
}

func TestParseSeverity(t *testing.T) {
	t.Parallel()
	levels := []string{"critical", "high", "medium", "low"}
	scanner := []string{"critical", "high", "medium", "low", "negligible", "unknown"}
	tests := []struct {
		in      string
		allowed []string
		want    string
		ok      bool
	}{
		{"High", levels, "high", true},
		{" critical ", levels, "critical", true},
		{"P1", levels, "critical", true},
		{"p2", levels, "high", true},
		{"P3", levels, "medium", true},
		{"P4", levels, "low", true},
		{"Sev1", levels, "critical", true},
		{"SEV 2", levels, "high", true},
		{"sev-3", levels, "medium", true},
		{"S4", levels, "low", true},
		{"P5", levels, "", false},
		{"P0", levels, "", false},
		{"negligible", levels, "", false},
		{"negligible", scanner, "negligible", true},
		{"P1", scanner, "critical", true},
		{"urgent", levels, "", false},
	}
	for _, tt := range tests {
		got, ok := isms.ParseSeverity(tt.in, tt.allowed)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseSeverity(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSettleGrade(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in, want  map[string]string
		faultyCol string
	}{
		{"grade in severity column", map[string]string{"severity": "major"}, map[string]string{"grade": "major", "severity": "high"}, ""},
		{"minor in severity column", map[string]string{"severity": "minor"}, map[string]string{"grade": "minor", "severity": "medium"}, ""},
		{"opportunity in severity column", map[string]string{"severity": "opportunity"}, map[string]string{"grade": "opportunity", "severity": "low"}, ""},
		{"grade only", map[string]string{"grade": "observation"}, map[string]string{"grade": "observation", "severity": "low"}, ""},
		{"explicit severity wins", map[string]string{"grade": "major", "severity": "critical"}, map[string]string{"grade": "major", "severity": "critical"}, ""},
		{"same grade twice", map[string]string{"grade": "minor", "severity": "minor"}, map[string]string{"grade": "minor", "severity": "medium"}, ""},
		{"grades disagree", map[string]string{"grade": "minor", "severity": "major"}, map[string]string{"grade": "minor", "severity": "major"}, "severity"},
		{"severity only", map[string]string{"severity": "low"}, map[string]string{"severity": "low"}, ""},
		{"neither", map[string]string{}, map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col, why := isms.SettleGrade(tt.in)
			if col != tt.faultyCol || (why != "") != (tt.faultyCol != "") {
				t.Errorf("fault %q (%s), want %q", col, why, tt.faultyCol)
			}
			if !maps.Equal(tt.in, tt.want) {
				t.Errorf("texts %v, want %v", tt.in, tt.want)
			}
		})
	}
}

func TestDeviationGradeAndSeverity(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, kind, severity   string
		wantKind, wantSeverity string
		code                   string
	}{
		{"as stored", "minor", "medium", "minor", "medium", ""},
		{"words", "Major nonconformity", "High", "major", "high", ""},
		{"OFI, no severity", "OFI", "", "opportunity", "low", ""},
		{"major, no severity", "major", "", "major", "high", ""},
		{"priority number", "minor", "P1", "minor", "critical", ""},
		{"Sev number", "observation", "sev4", "observation", "low", ""},
		{"grade given as severity", "", "Major", "major", "high", ""},
		{"no grade", "", "", "", "", isms.EINVALID},
		{"unknown grade", "serious", "high", "", "", isms.EINVALID},
		{"unknown severity", "minor", "urgent", "", "", isms.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := isms.Deviation{Title: "x", Kind: tt.kind, Source: "complaint", Severity: tt.severity, DetectedAt: now}
			err := d.Validate()
			if isms.ErrorCode(err) != tt.code {
				t.Fatalf("Validate: %v, want code %q", err, tt.code)
			}
			if err == nil && (d.Kind != tt.wantKind || d.Severity != tt.wantSeverity) {
				t.Errorf("kind %q severity %q, want %q %q", d.Kind, d.Severity, tt.wantKind, tt.wantSeverity)
			}
		})
	}
}

func TestFindingGrade(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"OFI": "opportunity", "Minor NC": "minor", "major": "major", "Observation": "observation"} {
		f := isms.Finding{Title: "x", Kind: in}
		if err := f.Validate(); err != nil || f.Kind != want {
			t.Errorf("%q: kind %q, %v; want %q", in, f.Kind, err, want)
		}
	}
	f := isms.Finding{Title: "x", Kind: "critical"}
	if err := f.Validate(); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("grade critical: %v, want EINVALID", err)
	}
	if (isms.Finding{Kind: "opportunity"}).OpensDeviation() || !(isms.Finding{Kind: "minor"}).OpensDeviation() {
		t.Error("only major and minor findings open deviations")
	}
}

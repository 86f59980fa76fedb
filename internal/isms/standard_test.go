package isms_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestParseClause(t *testing.T) {
	tests := []struct {
		in, std, number, err string
	}{
		{"9.2", isms.StdISO27001, "9.2", ""},            // unprefixed: ISO/IEC 27001, as before standards
		{"6.1.3", isms.StdISO27001, "6.1.3", ""},        // two levels of sub-clauses
		{"8.9", isms.StdISO27001, "8.9", ""},            // 27001 keeps its permissive pattern (existing data)
		{"27001:10.2", isms.StdISO27001, "10.2", ""},    // explicit prefix
		{"9001:8.4", isms.StdISO9001, "8.4", ""},        // ISO 9001
		{"ISO9001:8.7.1", isms.StdISO9001, "8.7.1", ""}, // key as prefix, any case
		{" 9001 : 10.3 ", isms.StdISO9001, "10.3", ""},
		{"9001:4", isms.StdISO9001, "4", ""},
		{"9001:8.8", "", "", "ISO 9001 has no clause 8.8"}, // not in the skeleton
		{"9001:10.4", "", "", "has no clause 10.4"},
		{"9001:11", "", "", "is not a clause of ISO 9001"},
		{"11.1", "", "", "is not a clause of ISO/IEC 27001"},
		{"A.5.15", "", "", "is not a clause"},
		{"42001:6.1", "", "", "names no standard with clauses"},
		{"", "", "", "is not a clause"},
	}
	for _, tt := range tests {
		std, n, err := isms.ParseClause(tt.in)
		if tt.err != "" {
			if err == nil || isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want EINVALID with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || std != tt.std || n != tt.number {
			t.Errorf("%q: %s %s %v, want %s %s", tt.in, std, n, err, tt.std, tt.number)
		}
	}
}

func TestAuditClausesPrefixed(t *testing.T) {
	planned := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a := isms.InternalAudit{Title: "QMS and ISMS", Clauses: []string{"9.2", "27001:10.2", "iso9001:8.4", "9001:9.2"}, PlannedOn: planned, LeadID: 1}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	// Stored normalised: unprefixed for ISO/IEC 27001, "9001:" for ISO 9001.
	if want := []string{"9.2", "10.2", "9001:8.4", "9001:9.2"}; !slices.Equal(a.Clauses, want) {
		t.Errorf("clauses %v, want %v", a.Clauses, want)
	}
	if got := isms.AuditStandards(a); !slices.Equal(got, []string{isms.StdISO27001, isms.StdISO9001}) {
		t.Errorf("standards %v", got)
	}
	b := isms.InternalAudit{Title: "x", Clauses: []string{"9001:8.8"}, PlannedOn: planned, LeadID: 1}
	if err := b.Validate(); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("9001:8.8: %v, want EINVALID", err)
	}
}

func TestISO9001Skeleton(t *testing.T) {
	sk := isms.ClauseSkeleton(isms.StdISO9001)
	want := map[string]int{"4": 4, "5": 3, "6": 3, "7": 5, "8": 7, "9": 3, "10": 3} // sub-clauses per clause
	got := map[string]int{}
	seen := map[string]bool{}
	for _, c := range sk {
		if seen[c.Number] {
			t.Errorf("clause %s twice", c.Number)
		}
		seen[c.Number] = true
		if strings.TrimSpace(c.Title) == "" || len(c.Title) > 80 {
			t.Errorf("clause %s: description %q should be short and present", c.Number, c.Title)
		}
		if top, _, ok := strings.Cut(c.Number, "."); ok {
			got[top]++
			if !seen[top] {
				t.Errorf("sub-clause %s before its clause", c.Number)
			}
		}
		if _, n, err := isms.ParseClause("9001:" + c.Number); err != nil || n != c.Number {
			t.Errorf("skeleton clause %s does not parse: %v", c.Number, err)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("clause %s has %d sub-clauses, want %d", k, got[k], n)
		}
	}
	if tops := isms.TopClauses(isms.StdISO9001); len(tops) != 7 || tops[0].Number != "4" || tops[6].Number != "10" {
		t.Errorf("top clauses %v", tops)
	}
	if len(isms.TopClauses(isms.StdISO27001)) != 7 || isms.HasClauseSkeleton(isms.StdISO42001) {
		t.Error("ISO/IEC 27001 has clauses 4 to 10; ISO/IEC 42001 has no skeleton yet")
	}
}

func TestCoverageOf(t *testing.T) {
	as := []isms.InternalAudit{
		{Title: "ISMS", Clauses: []string{"9.2", "10"}},
		{Title: "QMS", Clauses: []string{"9001:8.4", "9001:8.7", "9001:10.2"}},
		{Title: "Old", Clauses: []string{"garbage"}}, // an unparseable stored clause is ignored
	}
	covered := func(cov []isms.ClauseCoverage) map[string]string {
		out := map[string]string{}
		for _, c := range cov {
			out[c.Clause] = strings.Join(c.Audits, ",")
		}
		return out
	}
	iso27 := covered(isms.CoverageOf(isms.StdISO27001, as))
	if iso27["9"] != "ISMS" || iso27["10"] != "ISMS" || iso27["8"] != "" || len(iso27) != 7 {
		t.Errorf("27001 coverage %v", iso27)
	}
	iso9 := covered(isms.CoverageOf(isms.StdISO9001, as))
	if iso9["8"] != "QMS" || iso9["10"] != "QMS" || iso9["9"] != "" || len(iso9) != 7 {
		t.Errorf("9001 coverage %v", iso9)
	}
}

func TestNormalizeStandards(t *testing.T) {
	got, err := isms.NormalizeStandards([]string{" ISO9001", "iso27001", "iso9001", ""})
	if err != nil || !slices.Equal(got, []string{isms.StdISO27001, isms.StdISO9001}) {
		t.Errorf("%v %v", got, err)
	}
	if got, err := isms.NormalizeStandards(nil); err != nil || len(got) != 0 {
		t.Errorf("none: %v %v", got, err)
	}
	if _, err := isms.NormalizeStandards([]string{"iso9999"}); isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), "iso27001, iso9001") {
		t.Errorf("unknown: %v", err)
	}
	// Nothing tagged means ISO/IEC 27001: existing data keeps its meaning.
	if got := isms.EffectiveStandards(nil); !slices.Equal(got, []string{isms.StdISO27001}) {
		t.Errorf("effective of none: %v", got)
	}
	for _, k := range isms.StandardKeys {
		if isms.StandardLabel(k) == k || !strings.HasPrefix(isms.StandardLabel(k), "ISO") {
			t.Errorf("standard %s has no label", k)
		}
	}
}

package isms

import (
	"os"
	"strings"
	"testing"
)

func TestBuiltinFrameworks(t *testing.T) {
	fws, err := BuiltinFrameworks()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{FrameworkAnnexA: 93, FrameworkCSF2: 128}
	if len(fws) != len(want) {
		t.Fatalf("got %d built-in frameworks, want %d", len(fws), len(want))
	}
	for _, f := range fws {
		if f.Requirements != want[f.Key] {
			t.Errorf("%s: %d requirements, want %d", f.Key, f.Requirements, want[f.Key])
		}
		if !f.Builtin || f.SHA256 == "" || f.Title == "" || f.Version == "" {
			t.Errorf("%s: incomplete description %+v", f.Key, f.Framework)
		}
	}
	csf := fws[1]
	byID := map[string]Requirement{}
	for _, r := range csf.Items {
		byID[r.ID] = r
	}
	gv := byID["GV.OC-01"]
	if gv.Kind != KindEnhancement || gv.ParentID != "GV.OC" || gv.Class != "subcategory" || gv.Statement != "The organizational mission is understood and informs cybersecurity risk management" {
		t.Errorf("GV.OC-01 = %+v", gv)
	}
	if g := byID["GV"]; g.Kind != KindGroup || g.Title != "GOVERN" {
		t.Errorf("GV = %+v", g)
	}
	if c := byID["GV.OC"]; c.Kind != KindControl || c.Title != "Organizational Context" {
		t.Errorf("GV.OC = %+v", c)
	}
	a := fws[0]
	if r := a.Items[0]; r.ID != "A.5" || r.Kind != KindGroup {
		t.Errorf("Annex A starts with %+v, want the group A.5", r)
	}
}

// The SP 800-53 rev5 LOW baseline (a resolved profile, so a catalog):
// 131 controls and 18 enhancements.
func TestParseOSCALCatalogSP80053Low(t *testing.T) {
	data, err := os.ReadFile("testdata/nist_sp800-53r5_low_baseline_catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseOSCALCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	controls, enh, groups := 0, 0, 0
	var ac2 Requirement
	for _, r := range c.Items {
		switch r.Kind {
		case KindControl:
			controls++
		case KindEnhancement:
			enh++
		case KindGroup:
			groups++
		}
		if r.ID == "ac-2" {
			ac2 = r
		}
	}
	if controls != 131 || enh != 18 || groups != 18 || c.Requirements != 149 {
		t.Errorf("controls %d enhancements %d groups %d requirements %d; want 131, 18, 18, 149", controls, enh, groups, c.Requirements)
	}
	if !strings.HasPrefix(c.Key, "nist-special-publication-800-53") {
		t.Errorf("key %q", c.Key)
	}
	if ac2.Label != "AC-2" || ac2.Title != "Account Management" || ac2.ParentID != "ac" || ac2.Statement == "" || ac2.Guidance == "" {
		t.Errorf("ac-2 = %+v", ac2)
	}
	t.Logf("key %s; ac-2 statement:\n%s", c.Key, ac2.Statement)
}

func TestFrameworkCatalogueValidate(t *testing.T) {
	ok := func() *FrameworkCatalogue {
		return &FrameworkCatalogue{Framework: Framework{Key: "soc2-tsc-2017", Title: "SOC 2", Version: "2017"},
			Items: []Requirement{{ID: "CC1", Kind: KindGroup, Title: "Control environment"}, {ID: "CC1.1", ParentID: "CC1", Kind: KindControl, Title: "Integrity"}}}
	}
	tests := []struct {
		name string
		edit func(c *FrameworkCatalogue)
		want string
	}{
		{"valid", func(*FrameworkCatalogue) {}, ""},
		{"bad key", func(c *FrameworkCatalogue) { c.Key = "SOC 2" }, "key"},
		{"no title", func(c *FrameworkCatalogue) { c.Title = " " }, "title"},
		{"duplicate", func(c *FrameworkCatalogue) { c.Items[1].ID = "CC1" }, "twice"},
		{"unknown parent", func(c *FrameworkCatalogue) { c.Items[1].ParentID = "CC9" }, "parent"},
		{"only groups", func(c *FrameworkCatalogue) { c.Items = c.Items[:1] }, "no requirements"},
		{"withdrawn only", func(c *FrameworkCatalogue) { c.Items[1].Withdrawn = true }, "no requirements"},
		{"slash in id", func(c *FrameworkCatalogue) { c.Items[1].ID = "CC1/1" }, "identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok()
			tt.edit(c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil || c.Requirements != 1 {
					t.Fatalf("err %v, requirements %d", err, c.Requirements)
				}
				return
			}
			if err == nil || !strings.Contains(ErrorMessage(err), tt.want) {
				t.Fatalf("err %v, want one that mentions %q", err, tt.want)
			}
		})
	}
}

func TestFrameworkKey(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"SOC 2 Trust Services Criteria", "2017"}: "soc-2-trust-services-criteria-2017",
		{"  ISO/IEC 42001 Annex A ", ""}:          "iso-iec-42001-annex-a",
	} {
		if got := FrameworkKey(in[0], in[1]); got != want {
			t.Errorf("FrameworkKey(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// TestBuiltinFrameworkSums checks that the hashes compared at start,
// without parsing, are the ones the parsed catalogues carry: a difference
// would rewrite the built-in catalogues on every start, or never.
func TestBuiltinFrameworkSums(t *testing.T) {
	fws, err := BuiltinFrameworks()
	if err != nil {
		t.Fatal(err)
	}
	sums := BuiltinFrameworkSums()
	if len(sums) != len(fws) {
		t.Fatalf("%d sums for %d catalogues", len(sums), len(fws))
	}
	for i, f := range fws {
		if sums[i].Key != f.Key || sums[i].SHA256 != f.SHA256 || len(f.SHA256) != 64 {
			t.Errorf("sum %d = %+v, catalogue %s %s", i, sums[i], f.Key, f.SHA256)
		}
	}
}

package isms_test

import (
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

func TestAnnexACatalogue(t *testing.T) {
	t.Parallel()
	c := isms.AnnexA()
	if c.Name != isms.CatalogueAnnexA2022 {
		t.Errorf("name %q", c.Name)
	}
	if len(c.Controls) != 93 {
		t.Fatalf("%d controls, want 93", len(c.Controls))
	}
	perTheme := map[string]int{}
	seen := map[string]bool{}
	news := 0
	for _, ctl := range c.Controls {
		perTheme[ctl.Theme]++
		if seen[ctl.ID] {
			t.Errorf("duplicate id %s", ctl.ID)
		}
		seen[ctl.ID] = true
		if ctl.Title == "" || ctl.Catalogue != c.Name {
			t.Errorf("control %+v", ctl)
		}
		if ctl.New {
			news++
			if len(ctl.Sources) != 0 {
				t.Errorf("%s is new in 2022 but has 2013 sources %v", ctl.ID, ctl.Sources)
			}
		}
	}
	want := map[string]int{"Organizational": 37, "People": 8, "Physical": 14, "Technological": 34}
	for theme, n := range want {
		if perTheme[theme] != n {
			t.Errorf("%s: %d controls, want %d", theme, perTheme[theme], n)
		}
	}
	if len(perTheme) != 4 || news != 11 {
		t.Errorf("themes %v, %d new; want 4 themes and 11 new controls", perTheme, news)
	}
	if th := c.Themes(); len(th) != 4 || th[0] != "Organizational" || th[3] != "Technological" {
		t.Errorf("themes in order: %v", th)
	}
	if ctl, err := c.Control("A.8.13"); err != nil || ctl.Title != "Information backup" {
		t.Errorf("A.8.13 = %+v, %v", ctl, err)
	}
	if _, err := c.Control("A.18.1.1"); isms.ErrorCode(err) != isms.ENOTFOUND {
		t.Errorf("a 2013 identifier: %v, want ENOTFOUND", err)
	}
	if _, err := isms.LookupCatalogue("iso9001"); isms.ErrorCode(err) != isms.ENOTFOUND {
		t.Errorf("unknown catalogue: %v", err)
	}
}

func TestSoAEntryValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    isms.SoAEntry
		ok   bool
	}{
		{"applicable with reason and status", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "risk R-001", Status: isms.StatusPlanned}, true},
		{"every status", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "contract", Status: isms.StatusImplemented}, true},
		{"excluded with reason", isms.SoAEntry{ControlID: "A.7.4", Applicable: false, Justification: "no premises of our own"}, true},
		{"applicable without reason", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "  ", Status: isms.StatusPlanned}, false},
		{"excluded without reason", isms.SoAEntry{ControlID: "A.7.4"}, false},
		{"applicable without status", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "law"}, false},
		{"unknown status", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "law", Status: "done"}, false},
		{"excluded with a status", isms.SoAEntry{ControlID: "A.7.4", Justification: "none", Status: isms.StatusImplemented}, false},
		{"unknown control", isms.SoAEntry{ControlID: "A.9.9", Applicable: true, Justification: "law", Status: isms.StatusPlanned}, false},
		{"unknown catalogue", isms.SoAEntry{Catalogue: "iso9001", ControlID: "A.5.1", Applicable: true, Justification: "law", Status: isms.StatusPlanned}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			if e.Catalogue == "" {
				e.Catalogue = isms.CatalogueAnnexA2022
			}
			err := e.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			if !tt.ok && isms.ErrorCode(err) != isms.EINVALID {
				t.Errorf("Validate() = %v, want EINVALID", err)
			}
		})
	}
}

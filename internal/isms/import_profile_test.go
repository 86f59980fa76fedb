package isms_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

func validProfile() isms.ImportProfile {
	return isms.ImportProfile{
		Name: "HR leavers", Kind: isms.KindAccessRemovals, FilePattern: "hr-leavers-*.csv", DateOrder: "dmy",
		Columns:   map[string]string{"Login": "person", "Left on": "employment_ended_at", "Manager": isms.Ignore},
		Values:    map[string]map[string]string{},
		Constants: map[string]string{"system": "github"},
	}
}

func TestImportProfileCheck(t *testing.T) {
	t.Parallel()
	if p := validProfile(); p.Check() != nil {
		t.Fatal(p.Check())
	}
	tests := []struct {
		name string
		edit func(p *isms.ImportProfile)
		want string
	}{
		{"empty name", func(p *isms.ImportProfile) { p.Name = "" }, "name"},
		{"name with slash", func(p *isms.ImportProfile) { p.Name = "a/b" }, `name "a/b"`},
		{"name too long", func(p *isms.ImportProfile) { p.Name = strings.Repeat("a", 65) }, "name"},
		{"unknown kind", func(p *isms.ImportProfile) { p.Kind = "leavers" }, `kind "leavers"`},
		{"bad pattern", func(p *isms.ImportProfile) { p.FilePattern = "hr-[.csv" }, "file pattern"},
		{"pattern with folder", func(p *isms.ImportProfile) { p.FilePattern = "exports/*.csv" }, "file pattern"},
		{"date order", func(p *isms.ImportProfile) { p.DateOrder = "ymd" }, `date order "ymd"`},
		{"column to unknown field", func(p *isms.ImportProfile) { p.Columns["Login"] = "user" }, `"Login" maps to "user", which is not a field of access_removals`},
		{"two columns one field", func(p *isms.ImportProfile) { p.Columns["Username"] = "person" }, "both give person"},
		{"same column twice", func(p *isms.ImportProfile) { p.Columns["left_on"] = "access_removed_at" }, "are the same column"},
		{"constant and column", func(p *isms.ImportProfile) { p.Constants["person"] = "x" }, "person is given by column"},
		{"constant unknown field", func(p *isms.ImportProfile) { p.Constants["team"] = "x" }, `"team" is not a field`},
		{"empty constant", func(p *isms.ImportProfile) { p.Constants["system"] = "" }, "system needs a value"},
		{"value map of a time", func(p *isms.ImportProfile) {
			p.Values["employment_ended_at"] = map[string]string{"x": "y"}
		}, "employment_ended_at is a time"},
		{"enum value map to unknown", func(p *isms.ImportProfile) {
			p.Kind = isms.KindIncidents
			p.Columns, p.Constants = nil, nil
			p.Values["severity"] = map[string]string{"P0": "catastrophic"}
		}, `severity "P0" becomes "catastrophic"`},
		{"bool value map", func(p *isms.ImportProfile) {
			p.Kind = isms.KindSuppliers
			p.Columns, p.Constants = nil, nil
			p.Values["critical"] = map[string]string{"Tier 1": "maybe"}
		}, "use true or false"},
		{"value repeated in another case", func(p *isms.ImportProfile) {
			p.Values["system"] = map[string]string{"GH": "github", "gh": "github"}
		}, "are the same value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := validProfile()
			tt.edit(&p)
			err := p.Check()
			if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check: %v, want EINVALID with %q", err, tt.want)
			}
		})
	}
}

func TestImportProfileJSON(t *testing.T) {
	t.Parallel()
	p := validProfile()
	p.Values = map[string]map[string]string{"system": {"GH": "github"}}
	data, err := isms.ProfileJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "{\n  \"format\": \"pdca-import-profile/1\",\n  \"name\": \"HR leavers\"") {
		t.Errorf("export starts %q", data[:min(80, len(data))])
	}
	back, err := isms.ParseProfileJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, p)
	}
	if _, err := isms.ParseProfileJSON([]byte(`{"$schema":"https://pdca.example/schemas/Profile.json","format":"pdca-import-profile/1","name":"x","kind":"incidents"}`)); err != nil {
		t.Errorf("the API's answer, with its $schema, as a file: %v", err)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"format":"pdca-import-profile/1","name":"x","kind":"incidents","colums":{}}`, `line 1, column 65: unknown field "colums"`},
		{"{\"format\":\"pdca-import-profile/1\",\n  \"name\":\"x\",\"kind\":\"incidents\",\n  \"colour\": \"red\"\n}", `line 3, column 3: unknown field "colour"`},
		{"{\"format\":\"pdca-import-profile/1\",\n\"name\": 3}", "line 2, column"},
		{`{"format":"other/1","name":"x","kind":"incidents"}`, `format "other/1"`},
		{`{"format":"pdca-import-profile/1","name":"x","kind":"risks"}`, `kind "risks"`},
		{strings.Repeat(" ", isms.MaxProfileJSON+1), "at most 256 KiB"},
	} {
		_, err := isms.ParseProfileJSON([]byte(tt.in))
		if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseProfileJSON(%.60q): %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestImportProfileMatches(t *testing.T) {
	t.Parallel()
	p := validProfile()
	for name, want := range map[string]bool{
		"hr-leavers-2026-10.csv":            true,
		"HR-Leavers-Oct.CSV":                true,
		`C:\exports\hr-leavers-2026-10.csv`: true,
		"/tmp/x/hr-leavers-1.csv":           true,
		"hr-leavers.xlsx":                   false,
		"incidents.csv":                     false,
	} {
		if got := p.Matches(name); got != want {
			t.Errorf("Matches(%q) = %v, want %v", name, got, want)
		}
	}
	p.FilePattern = ""
	if p.Matches("anything.csv") {
		t.Error("a profile without a pattern matched a file")
	}
	if f, ok := validProfile().Field("LEFT ON"); !ok || f != "employment_ended_at" {
		t.Errorf("Field(LEFT ON) = %q %v", f, ok)
	}
	if f, ok := validProfile().Field("manager"); !ok || f != isms.Ignore {
		t.Errorf("Field(manager) = %q %v, want left out", f, ok)
	}
	if _, ok := validProfile().Field("Department"); ok {
		t.Error("Field(Department) mapped")
	}
}

package isms_test

import (
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: record kinds of an organisation's own.

func TestNewCustomKind(t *testing.T) {
	t.Parallel()
	key := isms.FieldDef{Name: "complaint_id", Type: isms.FieldText, Key: true}
	tests := []struct {
		name, key, title string
		fields           []isms.FieldDef
		want             string // part of the error; "" for valid
	}{
		{"valid", " Customer_Complaints ", "Customer complaints", []isms.FieldDef{key,
			{Name: "received_at", Type: "TIME"}, {Name: "severity", Type: isms.FieldEnum, Values: []string{" Low", "HIGH"}},
			{Name: "refund", Type: isms.FieldNumber}, {Name: "escalated", Type: isms.FieldBool}}, ""},
		{"number key", "orders", "Orders", []isms.FieldDef{{Name: "number", Type: isms.FieldNumber, Key: true}}, ""},
		{"no key", "", "X", []isms.FieldDef{key}, "key: required"},
		{"bad key", "Customer complaints", "X", []isms.FieldDef{key}, "lower-case letters"},
		{"built-in key", "incidents", "X", []isms.FieldDef{key}, "built-in"},
		{"reserved key", "acknowledgements", "X", []isms.FieldDef{key}, "reserved"},
		{"no title", "k", " ", []isms.FieldDef{key}, "title: required"},
		{"long title", "k", strings.Repeat("x", isms.MaxName+1), []isms.FieldDef{key}, "title: at most"},
		{"no fields", "k", "K", nil, "at least one column"},
		{"no key column", "k", "K", []isms.FieldDef{{Name: "a", Type: isms.FieldText}}, "no key column"},
		{"unnamed column", "k", "K", []isms.FieldDef{key, {Type: isms.FieldText}}, "fields[1].name: required"},
		{"bad column name", "k", "K", []isms.FieldDef{key, {Name: "closed at", Type: isms.FieldTime}}, "fields[1].name"},
		{"reserved column", "k", "K", []isms.FieldDef{key, {Name: "attributes", Type: isms.FieldText}}, "reserved"},
		{"repeated column", "k", "K", []isms.FieldDef{key, {Name: "Complaint_ID", Type: isms.FieldText}}, "used twice"},
		{"unknown type", "k", "K", []isms.FieldDef{key, {Name: "a", Type: "float"}}, `fields[1].type "float": unknown type; use text, enum, bool, time or number`},
		{"enum without values", "k", "K", []isms.FieldDef{key, {Name: "a", Type: isms.FieldEnum}}, "needs its allowed values"},
		{"values on text", "k", "K", []isms.FieldDef{key, {Name: "a", Type: isms.FieldText, Values: []string{"x"}}}, "only an enum column has values"},
		{"repeated value", "k", "K", []isms.FieldDef{key, {Name: "a", Type: isms.FieldEnum, Values: []string{"x", "X"}}}, "listed twice"},
		{"empty value", "k", "K", []isms.FieldDef{key, {Name: "a", Type: isms.FieldEnum, Values: []string{"x", " "}}}, "values[1]: empty"},
		{"bool key", "k", "K", []isms.FieldDef{{Name: "a", Type: isms.FieldBool, Key: true}}, "bool column cannot be part of the key"},
		{"too many columns", "k", "K", make([]isms.FieldDef, isms.MaxKindFields+1), "at most 40 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := isms.NewCustomKind(tt.key, tt.title, tt.fields)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Key != strings.ToLower(strings.TrimSpace(tt.key)) || c.Spec().Kind != isms.RecordKind(c.Key) {
					t.Errorf("kind = %+v", c)
				}
				return
			}
			if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
	c, _ := isms.NewCustomKind("k", "K", tests[0].fields)
	if f, _ := c.Spec().Field("severity"); strings.Join(f.Enum, ",") != "low,high" {
		t.Errorf("enum values not normalised: %v", f.Enum)
	}
	if f, _ := c.Spec().Field("received_at"); f.Type != isms.FieldTime {
		t.Errorf("type not normalised: %v", f.Type)
	}
}

func TestCustomKindCheckChange(t *testing.T) {
	t.Parallel()
	base := []isms.FieldDef{{Name: "id_", Type: isms.FieldText, Key: true}, {Name: "at", Type: isms.FieldTime},
		{Name: "sev", Type: isms.FieldEnum, Values: []string{"low", "high"}}}
	cur, err := isms.NewCustomKind("k", "K", base)
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func([]isms.FieldDef) []isms.FieldDef) isms.CustomKind {
		fs := edit(append([]isms.FieldDef{}, base...))
		c, err := isms.NewCustomKind("k", "K2", fs)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name string
		next isms.CustomKind
		want string
	}{
		{"add column", with(func(f []isms.FieldDef) []isms.FieldDef {
			return append(f, isms.FieldDef{Name: "n", Type: isms.FieldNumber})
		}), ""},
		{"drop column", with(func(f []isms.FieldDef) []isms.FieldDef { return f[:2] }), ""},
		{"add value", with(func(f []isms.FieldDef) []isms.FieldDef {
			f[2].Values = []string{"low", "high", "medium"}
			return f
		}), ""},
		{"remove value", with(func(f []isms.FieldDef) []isms.FieldDef {
			f[2].Values = []string{"low"}
			return f
		}), `value "high" cannot be removed`},
		{"change type", with(func(f []isms.FieldDef) []isms.FieldDef {
			f[1].Type = isms.FieldText
			return f
		}), `column "at" is time`},
		{"change key", with(func(f []isms.FieldDef) []isms.FieldDef {
			f[1].Key = true
			return f
		}), "key columns cannot change"},
	}
	for _, tt := range tests {
		err := cur.CheckChange(tt.next)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"12": "12", " -3.50 ": "-3.5", "12,5": "12.5", "1e3": "1000", "0": "0", "+7": "7"} {
		if got, err := isms.ParseNumber(in); err != nil || got != want {
			t.Errorf("ParseNumber(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"ten", "1,000.5", "1,2,3", "NaN", "Inf", "1e999", ""} {
		if _, err := isms.ParseNumber(in); err == nil || !strings.Contains(err.Error(), "decimal point") {
			t.Errorf("ParseNumber(%q) = %v, want an error saying how to write it", in, err)
		}
	}
}

func TestCheckMetricColumns(t *testing.T) {
	t.Parallel()
	c, _ := isms.NewCustomKind("k", "K", []isms.FieldDef{{Name: "ref", Type: isms.FieldText, Key: true}, {Name: "at", Type: isms.FieldTime}})
	if err := isms.CheckMetricColumns(c.Spec(), []isms.ColumnUse{{Role: "period field", Name: "at", Type: isms.FieldTime}, {Role: "filter 1", Name: "ref"}}); err != nil {
		t.Fatal(err)
	}
	err := isms.CheckMetricColumns(c.Spec(), []isms.ColumnUse{{Role: "done field", Name: "closed_at", Type: isms.FieldTime}})
	if err == nil || !strings.Contains(err.Error(), `done field "closed_at": k has no such column; its columns are ref, at`) {
		t.Fatalf("missing column: %v", err)
	}
	err = isms.CheckMetricColumns(c.Spec(), []isms.ColumnUse{{Role: "bool field", Name: "ref", Type: isms.FieldBool}})
	if err == nil || !strings.Contains(err.Error(), "is a text column of k; the measure needs a bool column") {
		t.Fatalf("wrong type: %v", err)
	}
}

package isms_test

import (
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

// TestEveryFieldHasALabel: every field of every record kind, every kind,
// role, permission, deviation and implementation status has an entry in
// the dictionary, so no page falls back to a column name.
func TestEveryFieldHasALabel(t *testing.T) {
	var ids []string
	for _, k := range isms.Kinds() {
		ids = append(ids, string(k.Kind))
		for _, f := range k.Fields {
			ids = append(ids, f.Name)
			ids = append(ids, f.Enum...)
		}
		if got := isms.KindSingular(k.Kind); got == "" || got == isms.Humanize(string(k.Kind)) {
			t.Errorf("KindSingular(%s) = %q: give one record of the kind a name", k.Kind, got)
		}
	}
	for _, r := range isms.Roles() {
		ids = append(ids, string(r))
	}
	for _, a := range isms.Actions() {
		ids = append(ids, string(a))
	}
	for _, s := range isms.DeviationStatuses() {
		ids = append(ids, string(s))
	}
	for _, s := range isms.ImplementationStatuses() {
		ids = append(ids, string(s))
	}
	for _, l := range [][]string{isms.DeviationKinds, isms.DeviationSources, isms.CauseCategories, isms.DeviationLevels} {
		ids = append(ids, l...)
	}
	ids = append(ids, isms.VerdictEffective, isms.VerdictNotEffective, string(isms.DecisionAction), string(isms.DecisionChange))
	for _, id := range ids {
		if !isms.HasLabel(id) {
			t.Errorf("no label for %q: add it to the dictionary in labels.go", id)
		}
	}
}

func TestLabel(t *testing.T) {
	tests := []struct{ id, label, lower string }{
		{"employment_ended_at", "Employment ended", "employment ended"},
		{"isms_manager", "ISMS manager", "ISMS manager"},
		{"actions_planned", "Actions planned", "actions planned"},
		{"isms_change", "Change to the ISMS", "change to the ISMS"},
		{"cost_centre", "Cost centre", "cost centre"}, // not in the dictionary: its words
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := isms.Label(tt.id); got != tt.label {
			t.Errorf("Label(%q) = %q, want %q", tt.id, got, tt.label)
		}
		if got := isms.Lower(tt.id); got != tt.lower {
			t.Errorf("Lower(%q) = %q, want %q", tt.id, got, tt.lower)
		}
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n      int
		noun   string
		plural []string
		want   string
	}{
		{0, "row", nil, "0 rows"},
		{1, "row", nil, "1 row"},
		{2, "member", nil, "2 members"},
		{1, "entry", []string{"entries"}, "1 entry"},
		{3, "entry", []string{"entries"}, "3 entries"},
	}
	for _, tt := range tests {
		if got := isms.Plural(tt.n, tt.noun, tt.plural...); got != tt.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

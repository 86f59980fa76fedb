package isms_test

import (
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

func TestRequirementDecisionValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		d    isms.RequirementDecision
		code string
	}{
		{"applicable", isms.RequirementDecision{ReqID: "PR.AA-01", Applicable: true, Justification: " law ", Status: isms.StatusPlanned}, ""},
		{"excluded", isms.RequirementDecision{ReqID: "PR.AA-01", Justification: "no premises"}, ""},
		{"no justification", isms.RequirementDecision{ReqID: "PR.AA-01", Applicable: true, Justification: "  ", Status: isms.StatusPlanned}, isms.EINVALID},
		{"excluded without reason", isms.RequirementDecision{ReqID: "PR.AA-01"}, isms.EINVALID},
		{"excluded with a status", isms.RequirementDecision{ReqID: "PR.AA-01", Justification: "x", Status: isms.StatusPlanned}, isms.EINVALID},
		{"applicable without status", isms.RequirementDecision{ReqID: "PR.AA-01", Applicable: true, Justification: "x"}, isms.EINVALID},
		{"unknown status", isms.RequirementDecision{ReqID: "PR.AA-01", Applicable: true, Justification: "x", Status: "done"}, isms.EINVALID},
		{"evidence too long", isms.RequirementDecision{ReqID: "PR.AA-01", Applicable: true, Justification: "x", Status: isms.StatusPlanned, Evidence: strings.Repeat("e", isms.MaxText+1)}, isms.EINVALID},
	} {
		d := tt.d
		if got := isms.ErrorCode(d.Validate()); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.code)
		}
		if tt.code == "" && d.Justification != strings.TrimSpace(tt.d.Justification) {
			t.Errorf("%s: justification not trimmed: %q", tt.name, d.Justification)
		}
	}
}

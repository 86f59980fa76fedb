package isms_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestInternalAuditValidate(t *testing.T) {
	planned := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    isms.InternalAudit
		code string
	}{
		{"ok", isms.InternalAudit{Title: "ISMS", Clauses: []string{"9.2", "10", "6.1.3"}, Controls: []string{"a.5.15", "A.8.34"}, PlannedOn: planned, LeadID: 1}, ""},
		{"processes only", isms.InternalAudit{Title: "ISMS", Processes: []int64{3}, PlannedOn: planned, LeadID: 1}, ""},
		{"no title", isms.InternalAudit{Clauses: []string{"9.2"}, PlannedOn: planned, LeadID: 1}, isms.EINVALID},
		{"no date", isms.InternalAudit{Title: "x", Clauses: []string{"9.2"}, LeadID: 1}, isms.EINVALID},
		{"no scope", isms.InternalAudit{Title: "x", PlannedOn: planned, LeadID: 1}, isms.EINVALID},
		{"clause 11", isms.InternalAudit{Title: "x", Clauses: []string{"11.1"}, PlannedOn: planned, LeadID: 1}, isms.EINVALID},
		{"clause 3", isms.InternalAudit{Title: "x", Clauses: []string{"3"}, PlannedOn: planned, LeadID: 1}, isms.EINVALID},
		{"control A.5.38", isms.InternalAudit{Title: "x", Controls: []string{"A.5.38"}, PlannedOn: planned, LeadID: 1}, isms.EINVALID},
		{"control A.9.1 (2013)", isms.InternalAudit{Title: "x", Controls: []string{"A.9.1"}, PlannedOn: planned, LeadID: 1}, isms.EINVALID},
		{"no lead", isms.InternalAudit{Title: "x", Clauses: []string{"9.2"}, PlannedOn: planned}, isms.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			if got := isms.ErrorCode(a.Validate()); got != tt.code {
				t.Fatalf("code = %q, want %q (%v)", got, tt.code, a.Validate())
			}
			if tt.code == "" && a.Year != 2026 {
				t.Errorf("year = %d", a.Year)
			}
		})
	}
}

func TestAuditIndependence(t *testing.T) {
	a := isms.InternalAudit{}
	if err := a.Independence(nil); err != nil {
		t.Errorf("owning nothing: %v", err)
	}
	if err := a.Independence([]string{"Access management"}); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("owning a process in scope without a reason: %v, want EINVALID", err)
	}
	a.Override = "only trained auditor; reviewed by the CEO"
	if err := a.Independence([]string{"Access management"}); err != nil {
		t.Errorf("with an override reason: %v", err)
	}
}

func TestFinding(t *testing.T) {
	raised := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	closed := raised.AddDate(0, 0, 10)
	for kind, opens := range map[string]bool{"major": true, "minor": true, "observation": false, "opportunity": false} {
		f := isms.Finding{Kind: kind, Title: "t"}
		if f.Validate() != nil || f.OpensDeviation() != opens {
			t.Errorf("%s: valid %v, opens a deviation %v", kind, f.Validate(), f.OpensDeviation())
		}
	}
	if err := (&isms.Finding{Kind: "grave", Title: "t"}).Validate(); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("bad kind: %v", err)
	}
	if err := (&isms.Finding{Kind: "minor"}).Validate(); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("no title: %v", err)
	}
	f := isms.Finding{RaisedAt: raised}
	if got := f.Age(raised.AddDate(0, 0, 3)); got != 72*time.Hour {
		t.Errorf("open age = %v", got)
	}
	f.ClosedAt = &closed
	if got := f.Age(raised.AddDate(1, 0, 0)); got != 240*time.Hour {
		t.Errorf("closure time = %v", got)
	}
}

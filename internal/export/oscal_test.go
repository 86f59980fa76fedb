package export_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/export"
)

func TestPOAMValidates(t *testing.T) {
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	due := at.AddDate(0, 1, 0)
	done := at.AddDate(0, 0, -3)
	ncs := []export.Nonconformity{
		{Ref: "DEV-2026-001", Title: "Access removed late", Description: "Two accounts stayed active for 3 days.", Kind: "minor", Source: "metric",
			Severity: "high", Status: "in_progress", DetectedAt: at.AddDate(0, 0, -20), Due: &due, Owner: "it.lead@acme.example",
			Correction: "Accounts disabled.", CorrectedAt: &done, RootCause: "HR exports leavers weekly", Category: "process",
			Actions: []export.CorrectiveAction{{Title: "Daily leaver feed", Owner: "hr@acme.example", Deadline: &due}, {Title: "Runbook", Done: &done}}},
		{Ref: "DEV-2026-002", Title: "Observation", Status: "open", DetectedAt: at},
	}
	for name, items := range map[string][]export.Nonconformity{"two": ncs, "none open": nil} {
		t.Run(name, func(t *testing.T) {
			b, err := export.POAM("acme", "Acme Oy", at, items)
			if err != nil {
				t.Fatal(err)
			}
			if err := export.ValidatePOAM(b); err != nil {
				t.Fatal(err)
			}
			again, _ := export.POAM("acme", "Acme Oy", at, items)
			if !bytes.Equal(b, again) {
				t.Error("the same export twice differs")
			}
		})
	}
	b, _ := export.POAM("acme", "Acme Oy", at, ncs)
	var doc map[string]map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	risks := doc["plan-of-action-and-milestones"]["risks"].([]any)
	r0 := risks[0].(map[string]any)
	if r0["status"] != "remediating" || !strings.Contains(r0["statement"].(string), "HR exports leavers weekly (category: process)") || !strings.HasPrefix(r0["deadline"].(string), "2026-12-24") {
		t.Errorf("risk 0 = %v", r0)
	}
	if r1 := risks[1].(map[string]any); r1["status"] != "open" {
		t.Errorf("risk 1 status %v", r1["status"])
	}
	// A document that breaks the schema is caught by the check itself.
	broken := strings.Replace(string(b), `"oscal-version": "1.0.4"`, `"oscal-versio": "1.0.4"`, 1)
	if export.ValidatePOAM([]byte(broken)) == nil {
		t.Error("the schema accepted a document without oscal-version")
	}
}

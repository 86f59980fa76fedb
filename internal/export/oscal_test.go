package export_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pdca/pdca/internal/export"
)

// poamSchema compiles NIST's OSCAL 1.0.4 POA&M JSON schema (public domain),
// copied into testdata.
func poamSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/oscal_1.0.4_poam_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	// NIST's schema gives definitions an "$id" anchor next to a "$ref";
	// draft-07 ignores every sibling of "$ref", so a strict validator loses
	// the anchors. Moving the reference into "allOf" keeps the meaning and
	// the anchors.
	for _, def := range doc.(map[string]any)["definitions"].(map[string]any) {
		d := def.(map[string]any)
		if ref, ok := d["$ref"]; ok {
			if _, hasID := d["$id"]; hasID {
				delete(d, "$ref")
				d["allOf"] = []any{map[string]any{"$ref": ref}}
			}
		}
	}
	// The schema names itself by this URL; its references point into it.
	const id = "http://csrc.nist.gov/ns/oscal/1.0.4/oscal-poam-schema.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks a document against the schema.
func validate(t *testing.T, s *jsonschema.Schema, b []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		var msgs []string
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			for _, u := range ve.BasicOutput().Errors {
				if u.Error != nil {
					msgs = append(msgs, u.InstanceLocation+": "+u.Error.String())
				}
			}
		}
		t.Fatalf("POA&M does not validate against OSCAL 1.0.4: %v\n%s", err, strings.Join(msgs, "\n"))
	}
}

func TestPOAMValidates(t *testing.T) {
	s := poamSchema(t)
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
			validate(t, s, b)
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
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(broken))
	if poamSchema(t).Validate(v) == nil {
		t.Error("the schema accepted a document without oscal-version")
	}
}

package isms_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pdca/pdca/internal/isms"
)

func TestKinds(t *testing.T) {
	t.Parallel()
	// The columns of the product brief, key columns marked with *; the
	// grade of deviations and audit findings (and the latter's severity)
	// are pdca's additions (docs/deviations-and-audits.md, "Grades").
	want := map[isms.RecordKind][]string{
		"access_removals":      {"person*", "system*", "employment_ended_at*", "access_removed_at"},
		"incidents":            {"ref*", "title", "severity", "detected_at", "action_started_at", "resolved_at", "root_cause"},
		"restore_tests":        {"system*", "tested_at*", "result", "notes"},
		"suppliers":            {"name*", "critical"},
		"supplier_assessments": {"supplier*", "assessed_at*", "result"},
		"changes":              {"ref*", "system", "implemented_at", "documented", "approved"},
		"vulnerabilities":      {"ref*", "asset*", "severity", "found_at", "fixed_at"},
		"training":             {"person*", "course*", "due_at*", "completed_at"},
		"deviations":           {"ref*", "title", "source", "severity", "detected_at", "closed_at", "grade"},
		"audit_findings":       {"ref*", "audit", "title", "raised_at", "closed_at", "grade", "severity"},
	}
	order := []isms.RecordKind{"access_removals", "incidents", "restore_tests", "suppliers",
		"supplier_assessments", "changes", "vulnerabilities", "training", "deviations", "audit_findings"}
	var gotOrder []isms.RecordKind
	for _, k := range isms.Kinds() {
		gotOrder = append(gotOrder, k.Kind)
		t.Run(string(k.Kind), func(t *testing.T) {
			var cols []string
			for _, f := range k.Fields {
				name := f.Name
				if f.Key {
					name += "*"
				}
				cols = append(cols, name)
				wantType := isms.FieldText
				switch {
				case len(f.Name) > 3 && f.Name[len(f.Name)-3:] == "_at":
					wantType = isms.FieldTime
				case f.Name == "critical" || f.Name == "documented" || f.Name == "approved":
					wantType = isms.FieldBool
				case f.Name == "severity" || f.Name == "grade" || (f.Name == "result" && k.Kind == isms.KindRestoreTests):
					wantType = isms.FieldEnum
				}
				if f.Type != wantType {
					t.Errorf("%s: type %s, want %s", f.Name, f.Type, wantType)
				}
				if (f.Type == isms.FieldEnum) != (len(f.Enum) > 0) {
					t.Errorf("%s: enum values %v for type %s", f.Name, f.Enum, f.Type)
				}
			}
			if diff := cmp.Diff(want[k.Kind], cols); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			if k.Title == "" {
				t.Error("no title")
			}
		})
	}
	if diff := cmp.Diff(order, gotOrder); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

func TestKindsEnums(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind  string
		field string
		want  []string
	}{
		{"incidents", "severity", []string{"critical", "high", "medium", "low"}},
		{"deviations", "severity", []string{"critical", "high", "medium", "low"}},
		{"vulnerabilities", "severity", []string{"critical", "high", "medium", "low", "negligible", "unknown"}},
		{"restore_tests", "result", []string{"pass", "fail"}},
		{"deviations", "grade", []string{"major", "minor", "observation", "opportunity"}},
		{"audit_findings", "grade", []string{"major", "minor", "observation", "opportunity"}},
		{"audit_findings", "severity", []string{"critical", "high", "medium", "low"}},
		{"supplier_assessments", "result", nil},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"."+tt.field, func(t *testing.T) {
			spec, ok := isms.LookupKind(tt.kind)
			if !ok {
				t.Fatalf("LookupKind(%q) not found", tt.kind)
			}
			f, ok := spec.Field(tt.field)
			if !ok {
				t.Fatalf("Field(%q) not found", tt.field)
			}
			if diff := cmp.Diff(tt.want, f.Enum); diff != "" {
				t.Errorf("enum (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKindsIsACopy(t *testing.T) {
	t.Parallel()
	k := isms.Kinds()
	k[1].Fields[2].Enum[0] = "changed"
	k[0].Fields[0].Name = "changed"
	spec, _ := isms.LookupKind("incidents")
	if f, _ := spec.Field("severity"); f.Enum[0] != "critical" {
		t.Errorf("enum changed through Kinds(): %v", f.Enum)
	}
	if spec, _ := isms.LookupKind("access_removals"); spec.Fields[0].Name != "person" {
		t.Errorf("field changed through Kinds(): %v", spec.Fields[0])
	}
}

func TestLookupKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want isms.RecordKind
		ok   bool
	}{
		{"incidents", isms.KindIncidents, true},
		{" Audit_Findings ", isms.KindAuditFindings, true},
		{"incident", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := isms.LookupKind(tt.name)
			if ok != tt.ok || got.Kind != tt.want {
				t.Errorf("LookupKind(%q) = %q, %v; want %q, %v", tt.name, got.Kind, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestKeyFieldsAndField(t *testing.T) {
	t.Parallel()
	spec, _ := isms.LookupKind("training")
	var keys []string
	for _, f := range spec.KeyFields() {
		keys = append(keys, f.Name)
	}
	if diff := cmp.Diff([]string{"person", "course", "due_at"}, keys); diff != "" {
		t.Errorf("KeyFields (-want +got):\n%s", diff)
	}
	if f, ok := spec.Field("completed_at"); !ok || f.Type != isms.FieldTime || f.Key {
		t.Errorf("Field(completed_at) = %+v, %v", f, ok)
	}
	if _, ok := spec.Field("nope"); ok {
		t.Error("Field(nope) found")
	}
}

func TestNaturalKey(t *testing.T) {
	t.Parallel()
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind string
		rec  isms.Record
		want string
	}{
		{"access_removals", isms.Record{
			Texts: map[string]string{"person": "alice", "system": "github"},
			Times: map[string]time.Time{"employment_ended_at": time.Date(2026, 10, 1, 12, 0, 0, 0, hel)},
		}, "alice / github / 2026-10-01T09:00:00Z"},
		{"incidents", isms.Record{Texts: map[string]string{"ref": "INC-7", "title": "ignored"}}, "INC-7"},
		{"vulnerabilities", isms.Record{Texts: map[string]string{"asset": "web", "ref": "CVE-1"}}, "CVE-1 / web"},
		{"restore_tests", isms.Record{Texts: map[string]string{"system": "erp"}}, "erp / "},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			spec, _ := isms.LookupKind(tt.kind)
			if got := spec.NaturalKey(tt.rec); got != tt.want {
				t.Errorf("NaturalKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecordEqual(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	hel := time.FixedZone("EEST", 3*3600)
	base := func() isms.Record {
		return isms.Record{
			ID: 1, Kind: isms.KindChanges, Key: "CHG-1",
			Times:      map[string]time.Time{"implemented_at": at},
			Bools:      map[string]bool{"documented": true},
			Texts:      map[string]string{"ref": "CHG-1"},
			Attributes: map[string]string{"ticket": "T-1"},
		}
	}
	tests := []struct {
		name   string
		change func(*isms.Record)
		want   bool
	}{
		{"identical", func(*isms.Record) {}, true},
		{"other ID", func(r *isms.Record) { r.ID = 2 }, true},
		{"same instant, other zone", func(r *isms.Record) { r.Times["implemented_at"] = at.In(hel) }, true},
		{"other time", func(r *isms.Record) { r.Times["implemented_at"] = at.Add(time.Minute) }, false},
		{"time cleared", func(r *isms.Record) { delete(r.Times, "implemented_at") }, false},
		{"bool flipped", func(r *isms.Record) { r.Bools["documented"] = false }, false},
		{"bool cleared", func(r *isms.Record) { delete(r.Bools, "documented") }, false},
		{"text", func(r *isms.Record) { r.Texts["system"] = "erp" }, false},
		{"attribute", func(r *isms.Record) { r.Attributes["ticket"] = "T-2" }, false},
		{"key", func(r *isms.Record) { r.Key = "CHG-2" }, false},
		{"kind", func(r *isms.Record) { r.Kind = isms.KindIncidents }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(&b)
			if got := a.Equal(b); got != tt.want {
				t.Errorf("Equal = %v, want %v", got, tt.want)
			}
			if got := b.Equal(a); got != tt.want {
				t.Errorf("Equal (swapped) = %v, want %v", got, tt.want)
			}
		})
	}
	empty := isms.Record{Kind: isms.KindSuppliers, Key: "x", Texts: map[string]string{}}
	if !empty.Equal(isms.Record{Kind: isms.KindSuppliers, Key: "x"}) {
		t.Error("empty maps should equal nil maps")
	}
}

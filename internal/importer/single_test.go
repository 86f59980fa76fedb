package importer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// BuildRecord reads a typed record as an import reads the same cells.
func TestBuildRecord(t *testing.T) {
	helsinki, _ := time.LoadLocation("Europe/Helsinki")
	tests := []struct {
		name   string
		kind   isms.RecordKind
		values map[string]string
		attrs  map[string]string
		check  func(isms.Record) bool
		bad    []string // columns with a problem
	}{
		{"local time in the zone", isms.KindIncidents, map[string]string{"ref": " INC-1 ", "detected_at": "2026-10-01 09:00", "severity": "HIGH"}, nil,
			func(r isms.Record) bool {
				return r.Key == "INC-1" && r.Texts["severity"] == "high" && r.Times["detected_at"].Equal(time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC))
			}, nil},
		{"offset wins over the zone", isms.KindIncidents, map[string]string{"ref": "I", "detected_at": "2026-10-01T09:00:00Z"}, nil,
			func(r isms.Record) bool {
				return r.Times["detected_at"].Equal(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
			}, nil},
		{"empty is unknown", isms.KindIncidents, map[string]string{"ref": "I", "title": "", "resolved_at": " "}, nil,
			func(r isms.Record) bool {
				_, t := r.Texts["title"]
				_, res := r.Times["resolved_at"]
				return !t && !res
			}, nil},
		{"bools as in files", isms.KindChanges, map[string]string{"ref": "C", "documented": "yes", "approved": "0"}, nil,
			func(r isms.Record) bool { return r.Bools["documented"] && !r.Bools["approved"] }, nil},
		{"attributes kept", isms.KindSuppliers, map[string]string{"name": "S"}, map[string]string{"owner": "Ann"},
			func(r isms.Record) bool { return r.Attributes["owner"] == "Ann" }, nil},
		{"multi-column key", isms.KindTraining, map[string]string{"person": "a", "course": "c", "due_at": "2026-10-01"}, nil,
			func(r isms.Record) bool { return r.Key == "a / c / 2026-09-30T21:00:00Z" }, nil},
		{"missing key", isms.KindTraining, map[string]string{"person": "a", "course": ""}, nil, nil, []string{"course", "due_at"}},
		{"bad values", isms.KindRestoreTests, map[string]string{"system": "db", "tested_at": "soon", "result": "ok"}, nil, nil, []string{"tested_at", "result"}},
		{"ambiguous local time", isms.KindIncidents, map[string]string{"ref": "I", "detected_at": "2026-10-25 03:30"}, nil, nil, []string{"detected_at"}},
		{"unknown column", isms.KindSuppliers, map[string]string{"name": "S", "colour": "red"}, nil, nil, []string{"colour"}},
		{"column as attribute", isms.KindSuppliers, map[string]string{"name": "S"}, map[string]string{"critical": "yes"}, nil, []string{"critical"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, errs := importer.BuildRecord(tt.values, tt.attrs, importer.Options{Kind: tt.kind, Location: helsinki})
			if tt.bad == nil {
				if errs != nil || !tt.check(rec) {
					t.Errorf("got %+v, %v", rec, errs)
				}
				return
			}
			got := map[string]string{}
			for _, e := range errs {
				got[e.Column] = e.Reason
			}
			for _, c := range tt.bad {
				if got[c] == "" {
					t.Errorf("no problem for %s in %v", c, errs)
				}
			}
			if tt.name == "ambiguous local time" && !strings.Contains(got["detected_at"], "clocks go back") {
				t.Errorf("ambiguous time message: %q", got["detected_at"])
			}
		})
	}
}

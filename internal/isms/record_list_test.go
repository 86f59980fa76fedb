package isms

import (
	"strings"
	"testing"
)

func TestListSpecs(t *testing.T) {
	for _, k := range Kinds() {
		l, ok := listSpecs[k.Kind]
		if !ok {
			t.Errorf("%s: no list specification", k.Kind)
		}
		for _, c := range []string{l.Time, l.Closed, l.Result, l.Severity, l.Person} {
			if _, ok := k.Field(c); c != "" && !ok {
				t.Errorf("%s: list column %q is not a field", k.Kind, c)
			}
		}
		if f, _ := k.Field(l.Time); l.Time != "" && f.Type != FieldTime {
			t.Errorf("%s: main time %q is not a time", k.Kind, l.Time)
		}
	}
	if k, _ := LookupKind("suppliers"); k.List().Time != "" {
		t.Errorf("suppliers have no main time")
	}
}

func TestCheckListFilter(t *testing.T) {
	for _, c := range []struct {
		kind string
		f    RecordListFilter
		want string // "" valid, else a part of the message
	}{
		{"incidents", RecordListFilter{Status: "open", Severity: "high"}, ""},
		{"incidents", RecordListFilter{Status: "closed"}, ""},
		{"incidents", RecordListFilter{Status: "pass"}, "give open or closed"},
		{"incidents", RecordListFilter{Severity: "negligible"}, "give one of critical, high, medium, low"},
		{"incidents", RecordListFilter{Owner: "alice"}, "incidents have no person"},
		{"vulnerabilities", RecordListFilter{Severity: "negligible"}, ""},
		{"restore_tests", RecordListFilter{Status: "fail"}, ""},
		{"restore_tests", RecordListFilter{Status: "open"}, "give pass or fail"},
		{"changes", RecordListFilter{Status: "open"}, "changes have no status"},
		{"suppliers", RecordListFilter{Severity: "high"}, "suppliers have no severity"},
		{"training", RecordListFilter{Owner: "alice", Status: "open"}, ""},
		{"training", RecordListFilter{Owner: strings.Repeat("a", MaxShort+1)}, "at most"},
	} {
		k, _ := LookupKind(c.kind)
		err := k.CheckListFilter(c.f)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %+v: %v", c.kind, c.f, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || ErrorCode(err) != EINVALID):
			t.Errorf("%s %+v: got %v, want EINVALID with %q", c.kind, c.f, err, c.want)
		}
	}
}

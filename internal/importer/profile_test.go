package importer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// jiraProfile maps a ticket tool's incident export: its own column names,
// P1-P4 priorities, a column to leave out and a constant.
func jiraProfile() *isms.ImportProfile {
	return &isms.ImportProfile{
		Name: "Jira incidents", Kind: isms.KindIncidents, FilePattern: "jira-*.csv", DateOrder: "dmy",
		Columns: map[string]string{"Issue key": "ref", "Summary": "title", "Priority": "severity",
			"Created": "detected_at", "Assignee": isms.Ignore},
		Values:    map[string]map[string]string{"severity": {"Highest": "critical", "Blocker": "critical", "Major": "high"}},
		Constants: map[string]string{"root_cause": "see Jira"},
	}
}

func TestProfileApplied(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	tests := []struct {
		name    string
		file    string
		format  importer.Format
		profile *isms.ImportProfile
		order   importer.DayOrder
		want    []map[string]string // per row: field → value (times RFC 3339 UTC)
		wantErr []string            // substrings of the error, in order
	}{
		{
			name:    "columns renamed, values mapped, constant set, column left out",
			file:    "Issue Key;Summary;Priority;Created;Assignee\nOPS-1;Disk full;Highest;05/10/2026 16:00;ann\nOPS-2;Slow;major;2026-10-06;bob\nOPS-3;Other;P3;;\n",
			format:  importer.FormatCSV,
			profile: jiraProfile(),
			order:   importer.DayFirst,
			want: []map[string]string{
				{"ref": "OPS-1", "title": "Disk full", "severity": "critical", "detected_at": "2026-10-05T13:00:00Z", "root_cause": "see Jira"},
				{"ref": "OPS-2", "title": "Slow", "severity": "high", "detected_at": "2026-10-05T21:00:00Z", "root_cause": "see Jira"},
				{"ref": "OPS-3", "title": "Other", "severity": "medium", "root_cause": "see Jira"},
			},
		},
		{
			name:    "a value the map does not know is read as without a profile",
			file:    "Issue key,Priority\nOPS-1,urgent\n",
			format:  importer.FormatCSV,
			profile: jiraProfile(),
			wantErr: []string{`line 2, column severity, value "urgent": unknown severity`},
		},
		{
			name:    "the file has a column for a constant",
			file:    "Issue key,Root cause\nOPS-1,x\n",
			format:  importer.FormatCSV,
			profile: jiraProfile(),
			wantErr: []string{`column "Root cause" gives root_cause, which profile "Jira incidents" sets to "see Jira" in every row`},
		},
		{
			name:    "two columns give one field",
			file:    "Issue key,Ref\nOPS-1,x\n",
			format:  importer.FormatCSV,
			profile: jiraProfile(),
			wantErr: []string{`columns "Issue key" and "Ref" (columns 1 and 2) both give ref`},
		},
		{
			name:    "missing key names the profile",
			file:    "Summary\nx\n",
			format:  importer.FormatCSV,
			profile: jiraProfile(),
			wantErr: []string{`missing required column "ref"`, `profile "Jira incidents" must map a column or give a constant`},
		},
		{
			name:   "a constant gives a key column",
			file:   "Login,Left\nann,2026-10-01\n",
			format: importer.FormatCSV,
			profile: &isms.ImportProfile{Name: "HR", Kind: isms.KindAccessRemovals,
				Columns:   map[string]string{"login": "person", "left": "employment_ended_at"},
				Constants: map[string]string{"system": "github"}},
			want: []map[string]string{{"person": "ann", "system": "github", "employment_ended_at": "2026-09-30T21:00:00Z"}},
		},
		{
			name:    "JSON keys are mapped; a key for a constant is a row error",
			file:    `[{"Issue key":"OPS-1","Priority":"Blocker"},{"Issue key":"OPS-2","root_cause":"x"}]`,
			format:  importer.FormatJSON,
			profile: jiraProfile(),
			wantErr: []string{`line 1, column root_cause, value "x": profile "Jira incidents" sets root_cause to "see Jira" in every row`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rows, err := importer.ReadAll(strings.NewReader(tt.file), importer.Options{
				Kind: tt.profile.Kind, Format: tt.format, Location: hel, DayOrder: tt.order, Profile: tt.profile})
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, %d rows", len(rows))
				}
				msg := err.Error()
				for _, w := range tt.wantErr {
					i := strings.Index(msg, w)
					if i < 0 {
						t.Fatalf("error %q\nwant %q", msg, w)
					}
					msg = msg[i+len(w):]
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.want) {
				t.Fatalf("%d rows, want %d", len(rows), len(tt.want))
			}
			for i, w := range tt.want {
				got := map[string]string{}
				r := rows[i].Record
				for k, v := range r.Texts {
					got[k] = v
				}
				for k, v := range r.Times {
					got[k] = v.UTC().Format(time.RFC3339)
				}
				if len(r.Attributes) != 0 {
					t.Errorf("row %d: attributes %v, want none (Assignee is left out)", i, r.Attributes)
				}
				if len(got) != len(w) {
					t.Errorf("row %d: %v, want %v", i, got, w)
				}
				for k, v := range w {
					if got[k] != v {
						t.Errorf("row %d: %s = %q, want %q", i, k, got[k], v)
					}
				}
			}
		})
	}
}

func TestCheckProfile(t *testing.T) {
	t.Parallel()
	ok := jiraProfile()
	if err := importer.CheckProfile(*ok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(p *isms.ImportProfile)
		want string
	}{
		{"constant time unreadable", func(p *isms.ImportProfile) { p.Constants = map[string]string{"detected_at": "soon"} }, `constants: detected_at "soon"`},
		{"constant severity unknown", func(p *isms.ImportProfile) { p.Constants = map[string]string{"severity": "huge"} }, `constants: severity "huge": unknown severity`},
		{"constant slashed date needs the profile's order", func(p *isms.ImportProfile) {
			p.DateOrder = ""
			p.Constants = map[string]string{"detected_at": "05/10/2026"}
		}, "constants: detected_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := jiraProfile()
			p.Columns = nil
			tt.edit(p)
			err := importer.CheckProfile(*p)
			if isms.ErrorCode(err) != isms.EINVALID {
				t.Fatalf("error %v, want EINVALID with %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want %q", err, tt.want)
			}
		})
	}
}

func TestPeek(t *testing.T) {
	t.Parallel()
	// A file the importer refuses (no key column): the sample still shows it.
	s, err := importer.Peek(strings.NewReader("\ufeffIssue Key;Summary;Priority\nOPS-1;Disk full;P1\n\"bad;\"x;y\nOPS-2;;P2\nOPS-3;c;P3\n"),
		importer.Options{Kind: isms.KindIncidents, Format: importer.FormatCSV}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Columns, "|"); got != "Issue Key|Summary|Priority" {
		t.Errorf("columns %q", got)
	}
	if s.Layout.Delimiter == "" || !strings.Contains(s.Layout.String(), "semicolon") {
		t.Errorf("layout %q, want semicolons named", s.Layout.String())
	}
	if len(s.Rows) != 2 || strings.Join(s.Rows[0], "|") != "OPS-1|Disk full|P1" || strings.Join(s.Rows[1], "|") != "OPS-2||P2" {
		t.Errorf("rows %q", s.Rows)
	}
	js, err := importer.Peek(strings.NewReader(`[{"a":"1","b":"2"},{"c":"3","a":"4"}]`),
		importer.Options{Kind: isms.KindIncidents, Format: importer.FormatJSON}, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(js.Columns, "|"); got != "a|b|c" || len(js.Rows) != 2 || strings.Join(js.Rows[1], "|") != "4||3" {
		t.Errorf("JSON sample %q %q", got, js.Rows)
	}
	if _, err := importer.Peek(strings.NewReader(""), importer.Options{Kind: isms.KindIncidents, Format: importer.FormatCSV}, 20); err == nil {
		t.Error("an empty file peeked without error")
	}
}

package isms_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func validProcess() isms.Process {
	return isms.Process{Name: "Access management", OwnerID: 7, Trigger: "employment ends", Deadline: "24 h", Impact: 4, Recurrence: 5, Risk: 3, Metrics: []string{"access-removal"}}
}

func TestProcessValidate(t *testing.T) {
	neg := -1.0
	tests := []struct {
		name   string
		change func(*isms.Process)
		want   string // substring of the error; "" = valid
	}{
		{"valid", func(*isms.Process) {}, ""},
		{"no name", func(p *isms.Process) { p.Name = "  " }, "name"},
		{"no owner", func(p *isms.Process) { p.OwnerID = 0 }, "exactly one owner"},
		{"no trigger", func(p *isms.Process) { p.Trigger = "" }, "trigger"},
		{"no deadline", func(p *isms.Process) { p.Deadline = "" }, "deadline"},
		{"negative hours", func(p *isms.Process) { p.DeadlineHours = &neg }, "positive number of hours"},
		{"impact 0", func(p *isms.Process) { p.Impact = 0 }, "impact: score it from 1"},
		{"recurrence 6", func(p *isms.Process) { p.Recurrence = 6 }, "recurrence"},
		{"risk 0", func(p *isms.Process) { p.Risk = 0 }, "risk"},
		{"metric twice", func(p *isms.Process) { p.Metrics = []string{"a", "a"} }, "linked twice"},
		{"three metrics allowed", func(p *isms.Process) { p.Metrics = []string{"a", "b", "c"} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProcess()
			tt.change(&p)
			err := p.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || isms.ErrorCode(err) != isms.EINVALID) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestProcessScoreAndWarnings(t *testing.T) {
	p := validProcess()
	if p.Score() != 60 || p.ScoreExplained() != "impact 4 × recurrence 5 × risk 3 = 60 of 125" {
		t.Errorf("score %d %q", p.Score(), p.ScoreExplained())
	}
	for _, tt := range []struct {
		metrics []string
		warn    string
	}{{nil, "no metric"}, {[]string{"a"}, ""}, {[]string{"a", "b"}, ""}, {[]string{"a", "b", "c"}, "3 metrics are linked"}} {
		p.Metrics = tt.metrics
		w := strings.Join(p.Warnings(), "; ")
		if tt.warn == "" && w != "" || tt.warn != "" && !strings.Contains(w, tt.warn) {
			t.Errorf("%d metrics: warnings %q, want %q", len(tt.metrics), w, tt.warn)
		}
	}
}

func TestProcessTemplates(t *testing.T) {
	want := map[string]string{"access": "access-removal", "incident": "incident-response-start", "backup": "restore-tests", "supplier": "supplier-coverage", "change": "changes-documented",
		"complaints": "open-deviations", "nonconforming": "open-deviations", "delivery": "supplier-coverage"}
	ts := isms.ProcessTemplates()
	if len(ts) != 8 {
		t.Fatalf("%d templates, want 8", len(ts))
	}
	quality := 0
	for _, tp := range ts {
		if slices.Equal(tp.Standards, []string{isms.StdISO9001}) {
			quality++
			if tp.OwnerRole == "" {
				t.Errorf("quality template %s names no owner role", tp.Key)
			}
		}
		for _, pm := range tp.Proposed {
			if pm.RecordKind == "" || pm.Definition == "" {
				t.Errorf("template %s proposes a metric without its record kind or definition: %+v", tp.Key, pm)
			}
			if _, ok := isms.LookupKind(pm.RecordKind); ok {
				t.Errorf("template %s proposes a custom kind %s that is built in; link a metric instead", tp.Key, pm.RecordKind)
			}
		}
	}
	if quality != 3 {
		t.Errorf("%d ISO 9001 templates, want 3", quality)
	}
	for _, tp := range ts {
		if len(tp.Metrics) != 1 || tp.Metrics[0] != want[tp.Key] {
			t.Errorf("template %s links %v, want %s", tp.Key, tp.Metrics, want[tp.Key])
		}
		p := isms.Process{Name: tp.Name, OwnerID: 1, Trigger: tp.Trigger, Deadline: tp.Deadline, DeadlineHours: tp.DeadlineHours, Impact: 3, Recurrence: 3, Risk: 3, Metrics: tp.Metrics}
		if err := p.Validate(); err != nil {
			t.Errorf("template %s is not a valid process: %v", tp.Key, err)
		}
	}
	if _, ok := isms.ProcessTemplateByKey("nope"); ok {
		t.Error("unknown template found")
	}
}

func TestCycleValidate(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	tests := []struct {
		name   string
		c      isms.Cycle
		want   string
		warned string
	}{
		{"60 days", isms.Cycle{Name: "c", Start: day(0), End: day(59), Goals: "g", ProcessIDs: []int64{1, 2, 3}}, "", ""},
		{"90 days", isms.Cycle{Name: "c", Start: day(0), End: day(89), Goals: "g", ProcessIDs: []int64{1, 2, 3}}, "", ""},
		{"59 days needs a reason", isms.Cycle{Name: "c", Start: day(0), End: day(58), Goals: "g", ProcessIDs: []int64{1, 2, 3}}, "lasts 59 days", ""},
		{"91 days needs a reason", isms.Cycle{Name: "c", Start: day(0), End: day(90), Goals: "g", ProcessIDs: []int64{1, 2, 3}}, "lasts 91 days", ""},
		{"91 days with a reason", isms.Cycle{Name: "c", Start: day(0), End: day(90), Goals: "g", LengthReason: "audit in January", ProcessIDs: []int64{1, 2, 3}}, "", "91 days"},
		{"6 processes need a reason", isms.Cycle{Name: "c", Start: day(0), End: day(89), Goals: "g", ProcessIDs: []int64{1, 2, 3, 4, 5, 6}}, "6 processes are chosen", ""},
		{"6 processes with a reason", isms.Cycle{Name: "c", Start: day(0), End: day(89), Goals: "g", FocusReason: "certification", ProcessIDs: []int64{1, 2, 3, 4, 5, 6}}, "", "split their attention"},
		{"2 processes warn", isms.Cycle{Name: "c", Start: day(0), End: day(89), Goals: "g", ProcessIDs: []int64{1, 2}}, "", "only 2"},
		{"no processes", isms.Cycle{Name: "c", Start: day(0), End: day(89), Goals: "g"}, "choose the 3 to 5", ""},
		{"ends before start", isms.Cycle{Name: "c", Start: day(10), End: day(0), Goals: "g", ProcessIDs: []int64{1}}, "must end after", ""},
		{"no goals", isms.Cycle{Name: "c", Start: day(0), End: day(89), ProcessIDs: []int64{1}}, "goals", ""},
		{"process twice", isms.Cycle{Name: "c", Start: day(0), End: day(89), Goals: "g", ProcessIDs: []int64{1, 1, 2}}, "chosen twice", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
			w := strings.Join(tt.c.Warnings(), "; ")
			if tt.warned != "" && !strings.Contains(w, tt.warned) {
				t.Errorf("warnings %q, want %q", w, tt.warned)
			}
		})
	}
}

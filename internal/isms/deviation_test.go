package isms_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestDeviationTransitions(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	done := isms.CorrectiveAction{Title: "fix", Status: isms.ActionDone, DoneAt: &now}
	planned := isms.CorrectiveAction{Title: "fix", Status: isms.ActionPlanned}
	passed := isms.EffectivenessCheck{Verdict: isms.VerdictEffective}
	failed := isms.EffectivenessCheck{Verdict: isms.VerdictNotEffective}
	dev := func(s isms.DeviationStatus, f func(*isms.Deviation)) isms.Deviation {
		d := isms.Deviation{Status: s, Kind: "minor", RootCause: "no checklist", Category: "process",
			Actions: []isms.CorrectiveAction{done}, Checks: []isms.EffectivenessCheck{passed}}
		if f != nil {
			f(&d)
		}
		return d
	}
	tests := []struct {
		name, transition, reason string
		d                        isms.Deviation
		code                     string
	}{
		{"analyse open", "analyse", "", dev(isms.DevOpen, nil), ""},
		{"analyse analysing", "analyse", "", dev(isms.DevAnalysing, nil), isms.ECONFLICT},
		{"analyse closed", "analyse", "", dev(isms.DevClosed, nil), isms.ECONFLICT},
		{"plan with cause and action", "plan", "", dev(isms.DevAnalysing, nil), ""},
		{"plan without root cause", "plan", "", dev(isms.DevAnalysing, func(d *isms.Deviation) { d.RootCause = "" }), isms.EINVALID},
		{"plan without category", "plan", "", dev(isms.DevAnalysing, func(d *isms.Deviation) { d.Category = "" }), isms.EINVALID},
		{"plan without actions", "plan", "", dev(isms.DevAnalysing, func(d *isms.Deviation) { d.Actions = nil }), isms.EINVALID},
		{"plan from open", "plan", "", dev(isms.DevOpen, nil), isms.ECONFLICT},
		{"start planned", "start", "", dev(isms.DevActionsPlanned, nil), ""},
		{"start from analysing", "start", "", dev(isms.DevAnalysing, nil), isms.ECONFLICT},
		{"verify all done", "verify", "", dev(isms.DevInProgress, nil), ""},
		{"verify one not done", "verify", "", dev(isms.DevInProgress, func(d *isms.Deviation) { d.Actions = append(d.Actions, planned) }), isms.EINVALID},
		{"verify no actions", "verify", "", dev(isms.DevInProgress, func(d *isms.Deviation) { d.Actions = nil }), isms.EINVALID},
		{"verify from planned", "verify", "", dev(isms.DevActionsPlanned, nil), isms.ECONFLICT},
		{"close after passed check", "close", "", dev(isms.DevVerifying, nil), ""},
		{"close after failed check", "close", "", dev(isms.DevVerifying, func(d *isms.Deviation) { d.Checks = []isms.EffectivenessCheck{passed, failed} }), isms.EINVALID},
		{"close without check", "close", "", dev(isms.DevVerifying, func(d *isms.Deviation) { d.Checks = nil }), isms.EINVALID},
		{"close without root cause", "close", "", dev(isms.DevVerifying, func(d *isms.Deviation) { d.RootCause = "" }), isms.EINVALID},
		{"close without done action", "close", "", dev(isms.DevVerifying, func(d *isms.Deviation) { d.Actions = []isms.CorrectiveAction{planned} }), isms.EINVALID},
		{"close from in progress", "close", "", dev(isms.DevInProgress, nil), isms.ECONFLICT},
		{"reopen closed", "reopen", "recurred", dev(isms.DevClosed, nil), ""},
		{"reopen verifying", "reopen", "check failed", dev(isms.DevVerifying, nil), ""},
		{"reopen without reason", "reopen", " ", dev(isms.DevClosed, nil), isms.EINVALID},
		{"reopen open", "reopen", "why", dev(isms.DevOpen, nil), isms.ECONFLICT},
		{"close observation", "close-observation", "no impact", dev(isms.DevOpen, func(d *isms.Deviation) { d.Kind = "observation"; d.Checks = nil }), ""},
		{"close opportunity", "close-observation", "declined", dev(isms.DevAnalysing, func(d *isms.Deviation) { d.Kind = "opportunity" }), ""},
		{"close observation without reason", "close-observation", "", dev(isms.DevOpen, func(d *isms.Deviation) { d.Kind = "observation" }), isms.EINVALID},
		{"close minor without check", "close-observation", "no time", dev(isms.DevOpen, nil), isms.EINVALID},
		{"close major without check", "close-observation", "no time", dev(isms.DevVerifying, func(d *isms.Deviation) { d.Kind = "major" }), isms.EINVALID},
		{"close closed observation", "close-observation", "again", dev(isms.DevClosed, func(d *isms.Deviation) { d.Kind = "observation" }), isms.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, ok := isms.LookupTransition(tt.transition)
			if !ok {
				t.Fatalf("no transition %q", tt.transition)
			}
			if got := isms.ErrorCode(tr.Check(&tt.d, tt.reason)); got != tt.code {
				t.Fatalf("code = %q, want %q (%v)", got, tt.code, tr.Check(&tt.d, tt.reason))
			}
		})
	}
	// Every transition of the table is exercised above, and each ends in a
	// known status.
	for _, tr := range isms.DeviationTransitions {
		found := false
		for _, tt := range tests {
			found = found || tt.transition == tr.Name
		}
		if !found {
			t.Errorf("transition %s has no test", tr.Name)
		}
		if tr.To == "" || len(tr.From) == 0 {
			t.Errorf("transition %s: from %v to %q", tr.Name, tr.From, tr.To)
		}
	}
	if _, ok := isms.LookupTransition("skip"); ok {
		t.Error("LookupTransition found a transition that does not exist")
	}
}

func TestDeviationValidate(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ok := isms.Deviation{Title: "x", Kind: "minor", Source: "metric", Severity: "low", DetectedAt: now}
	tests := []struct {
		name string
		f    func(*isms.Deviation)
		code string
	}{
		{"ok", func(*isms.Deviation) {}, ""},
		{"no title", func(d *isms.Deviation) { d.Title = "  " }, isms.EINVALID},
		{"bad kind", func(d *isms.Deviation) { d.Kind = "huge" }, isms.EINVALID},
		{"bad source", func(d *isms.Deviation) { d.Source = "rumour" }, isms.EINVALID},
		{"bad severity", func(d *isms.Deviation) { d.Severity = "meh" }, isms.EINVALID},
		{"no date", func(d *isms.Deviation) { d.DetectedAt = time.Time{} }, isms.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.f(&d)
			if got := isms.ErrorCode(d.Validate()); got != tt.code {
				t.Fatalf("code = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestRootCauseAndVerdict(t *testing.T) {
	if w, err := isms.ValidateRootCause([]string{" a ", "", "b"}, "cause", "people"); err != nil || len(w) != 2 {
		t.Errorf("whys = %q, %v", w, err)
	}
	for _, bad := range []struct {
		whys            []string
		cause, category string
	}{
		{[]string{"1", "2", "3", "4", "5", "6"}, "c", "people"},
		{nil, " ", "people"},
		{nil, "c", "luck"},
	} {
		if _, err := isms.ValidateRootCause(bad.whys, bad.cause, bad.category); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("ValidateRootCause(%q, %q, %q) = %v, want EINVALID", bad.whys, bad.cause, bad.category, err)
		}
	}
	for _, c := range []struct {
		status   string
		complete bool
		want     string
	}{
		{"green", true, isms.VerdictEffective},
		{"yellow", true, isms.VerdictEffective},
		{"red", true, isms.VerdictNotEffective},
		{"grey", true, ""}, // no data: nothing to judge by
		{"", true, ""},     // no stored figure
		{"green", false, ""},
		{"red", false, ""}, // the period is still running
	} {
		if got := isms.ProposeVerdict(c.status, c.complete); got != c.want {
			t.Errorf("ProposeVerdict(%q, %v) = %q, want %q", c.status, c.complete, got, c.want)
		}
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	past := now.AddDate(0, 0, -1)
	d := isms.Deviation{Status: isms.DevOpen, DueAt: &past}
	if !d.Overdue(now) {
		t.Error("an open deviation past its due date is not overdue")
	}
	d.Status = isms.DevClosed
	if d.Overdue(now) {
		t.Error("a closed deviation is overdue")
	}
}

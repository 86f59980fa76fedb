package isms_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestDeviationWorkflow(t *testing.T) {
	now := time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC)
	earlier := now.AddDate(0, 0, -30)
	later := now.AddDate(0, 0, 20)
	done := isms.CorrectiveAction{Title: "checklist", Status: isms.ActionDone, DoneAt: &earlier}
	planned := isms.CorrectiveAction{Title: "training", Status: isms.ActionPlanned}
	doneAfterCheck := isms.CorrectiveAction{Title: "second", Status: isms.ActionDone, DoneAt: &now}
	failed := isms.EffectivenessCheck{Verdict: isms.VerdictNotEffective, CheckedAt: now.AddDate(0, 0, -1)}
	passed := isms.EffectivenessCheck{Verdict: isms.VerdictEffective, CheckedAt: now.AddDate(0, 0, -1)}
	dev := func(s isms.DeviationStatus, f func(*isms.Deviation)) isms.Deviation {
		d := isms.Deviation{Status: s, Kind: "minor"}
		if f != nil {
			f(&d)
		}
		return d
	}
	corrected := func(d *isms.Deviation) { d.Correction = "access removed" }
	analysed := func(d *isms.Deviation) {
		corrected(d)
		d.Whys, d.RootCause, d.Category = []string{"HR told IT late"}, "no leaver checklist", "process"
	}
	withAction := func(a ...isms.CorrectiveAction) func(*isms.Deviation) {
		return func(d *isms.Deviation) { analysed(d); d.Actions = a }
	}
	dueAt := func(t time.Time, a ...isms.CorrectiveAction) func(*isms.Deviation) {
		return func(d *isms.Deviation) { withAction(a...)(d); d.CheckDueAt = &t }
	}
	tests := []struct {
		name    string
		d       isms.Deviation
		step    isms.Step
		states  string   // the state of each step, first letters: d(one) c(urrent) s(kipped) t(odo)
		offered []string // the buttons
		auto    string
		refused map[isms.Op]string
	}{
		{"new", dev(isms.DevOpen, nil), isms.StepCorrection, "dcttt t", nil, "",
			map[isms.Op]string{isms.OpCompleteAction: "add a corrective action first", isms.OpCheck: "only a deviation being verified"}},
		{"correction recorded, still open", dev(isms.DevOpen, corrected), isms.StepCorrection, "dcttt t", []string{"analyse"}, "analyse", nil},
		{"observation may be closed by a manager", dev(isms.DevOpen, func(d *isms.Deviation) { d.Kind = "observation" }), isms.StepCorrection, "dcttt t",
			[]string{"close-observation"}, "", nil},
		{"analysing, no root cause", dev(isms.DevAnalysing, corrected), isms.StepRootCause, "ddctt t", nil, "", nil},
		{"analysing without a correction: skipped", dev(isms.DevAnalysing, nil), isms.StepRootCause, "dsctt t", nil, "", nil},
		{"root cause, no action yet", dev(isms.DevAnalysing, analysed), isms.StepActions, "dddct t", nil, "", nil},
		{"root cause and an action: plan", dev(isms.DevAnalysing, withAction(planned)), isms.StepActions, "dddct t", []string{"plan"}, "plan", nil},
		{"planned, nothing done: no button", dev(isms.DevActionsPlanned, withAction(planned)), isms.StepActions, "dddct t", nil, "", nil},
		{"planned, one done: start", dev(isms.DevActionsPlanned, withAction(done, planned)), isms.StepActions, "dddct t", []string{"start"}, "start", nil},
		{"in progress, one of two done: no verify", dev(isms.DevInProgress, withAction(done, planned)), isms.StepActions, "dddct t", nil, "", nil},
		{"in progress, all done: verify", dev(isms.DevInProgress, dueAt(later, done)), isms.StepActions, "dddct t", []string{"verify"}, "verify",
			map[isms.Op]string{isms.OpCompleteAction: "every corrective action is done"}},
		{"verifying before the check date: nothing to click", dev(isms.DevVerifying, dueAt(later, done)), isms.StepCheck, "ddddc t", []string{"reopen"}, "",
			map[isms.Op]string{isms.OpCheck: "the effectiveness check is possible from 2026-12-31", isms.OpAddAction: "reopen it to add actions"}},
		{"verifying, check due", dev(isms.DevVerifying, dueAt(earlier, done)), isms.StepCheck, "ddddc t", []string{"reopen"}, "", nil},
		{"failed check, reopened: verify again by hand", dev(isms.DevAnalysing, func(d *isms.Deviation) { dueAt(earlier, done)(d); d.Checks = []isms.EffectivenessCheck{failed} }),
			isms.StepActions, "dddct t", []string{"plan"}, "plan", nil},
		{"failed check, in progress, no new action: verify is a decision", dev(isms.DevInProgress, func(d *isms.Deviation) { dueAt(earlier, done)(d); d.Checks = []isms.EffectivenessCheck{failed} }),
			isms.StepActions, "dddct t", []string{"verify"}, "", nil},
		{"failed check, a new action done since: verify", dev(isms.DevInProgress, func(d *isms.Deviation) {
			dueAt(later, done, doneAfterCheck)(d)
			d.Checks = []isms.EffectivenessCheck{failed}
		}), isms.StepActions, "dddct t", []string{"verify"}, "verify", nil},
		{"closed after a passed check", dev(isms.DevClosed, func(d *isms.Deviation) { dueAt(earlier, done)(d); d.Checks = []isms.EffectivenessCheck{passed} }),
			isms.StepClosed, "ddddd d", []string{"reopen"}, "", map[isms.Op]string{isms.OpCorrection: "closed", isms.OpAssign: "closed", isms.OpCheck: "closed"}},
		{"observation closed without a check", dev(isms.DevClosed, func(d *isms.Deviation) { d.Kind = "observation" }), isms.StepClosed, "dssss d", []string{"reopen"}, "", nil},
		{"verifying with a passed check (by the API): close", dev(isms.DevVerifying, func(d *isms.Deviation) { dueAt(earlier, done)(d); d.Checks = []isms.EffectivenessCheck{passed} }),
			isms.StepCheck, "ddddc t", []string{"close", "reopen"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.d.Workflow(now)
			if w.Step != tt.step {
				t.Errorf("step %s, want %s", w.Step, tt.step)
			}
			var states []byte
			for i, s := range w.Steps {
				if i == 5 {
					states = append(states, ' ')
				}
				states = append(states, s.State[0])
			}
			if string(states) != tt.states {
				t.Errorf("states %q, want %q", states, tt.states)
			}
			var offered []string
			for _, m := range w.Offered() {
				offered = append(offered, m.Name)
				// An offered button is never refused: the app's check agrees.
				reason := ""
				if m.Name == "reopen" || m.Name == "close-observation" {
					reason = "a reason"
				}
				if err := m.Check(&tt.d, reason); err != nil {
					t.Errorf("%s is offered but refused: %v", m.Name, err)
				}
			}
			if !slices.Equal(offered, tt.offered) {
				t.Errorf("offered %q, want %q", offered, tt.offered)
			}
			if w.Auto != tt.auto {
				t.Errorf("auto %q, want %q", w.Auto, tt.auto)
			}
			// A move that is not allowed says why, and the app refuses it.
			for _, m := range w.Moves {
				if !m.Allowed && (m.Reason == "" || m.Check(&tt.d, "a reason") == nil) {
					t.Errorf("%s is not allowed (%q) but the app accepts it", m.Name, m.Reason)
				}
			}
			for op, want := range tt.refused {
				if w.Can(op) || !strings.Contains(w.Why(op), want) {
					t.Errorf("%s: allowed %v (%q), want refused with %q", op, w.Can(op), w.Why(op), want)
				}
			}
			for _, op := range []isms.Op{isms.OpCorrection, isms.OpRootCause, isms.OpAddAction, isms.OpCompleteAction, isms.OpCheck, isms.OpAssign} {
				if (tt.d.Allow(op, now) == nil) != w.Can(op) {
					t.Errorf("%s: Allow and Workflow disagree", op)
				}
			}
		})
	}
}

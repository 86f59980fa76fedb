package isms

import (
	"slices"
	"time"
)

// Step is a stage of a deviation as people work through it: the steps of
// clause 10.2 in the order its page shows them.
type Step string

// The steps of a deviation, in order.
const (
	StepDetected   Step = "detected"
	StepCorrection Step = "correction"
	StepRootCause  Step = "root-cause"
	StepActions    Step = "actions"
	StepCheck      Step = "check"
	StepClosed     Step = "closed"
)

// DeviationSteps lists every step in order.
func DeviationSteps() []Step {
	return []Step{StepDetected, StepCorrection, StepRootCause, StepActions, StepCheck, StepClosed}
}

// Name is the step as the stepper names it.
func (s Step) Name() string {
	switch s {
	case StepDetected:
		return "Detected"
	case StepCorrection:
		return "Correction"
	case StepRootCause:
		return "Root cause"
	case StepActions:
		return "Actions"
	case StepCheck:
		return "Effectiveness check"
	case StepClosed:
		return "Closed"
	}
	return string(s)
}

// How far a step is: done (its facts are recorded), current (where the
// deviation stands), skipped (passed without its facts, e.g. an
// observation closed without a check) or to do.
const (
	StepDone    = "done"
	StepCurrent = "current"
	StepSkipped = "skipped"
	StepTodo    = "todo"
)

// StepView is one step of the stepper and how far it is.
type StepView struct {
	Step  Step
	State string
}

// Op is something recorded on a deviation besides a status transition.
type Op string

// The operations on a deviation.
const (
	OpCorrection     Op = "correction"
	OpRootCause      Op = "root-cause"
	OpAddAction      Op = "add-action"
	OpCompleteAction Op = "complete-action"
	OpCheck          Op = "check"
	OpAssign         Op = "assign"
)

// Allow returns nil when op may be done on d at now, else ECONFLICT (the
// deviation's status forbids it) or EINVALID (not yet: a fact or a date
// is missing), with a message that says why.
func (d *Deviation) Allow(op Op, now time.Time) error {
	if d.Status == DevClosed {
		return Errorf(ECONFLICT, "the deviation is closed; reopen it to change it")
	}
	switch op {
	case OpAddAction:
		if d.Status == DevVerifying {
			return Errorf(ECONFLICT, "the deviation is being verified; reopen it to add actions")
		}
	case OpCompleteAction:
		if len(d.Actions) == 0 {
			return Errorf(ECONFLICT, "add a corrective action first")
		}
		if d.DoneActions() == len(d.Actions) {
			return Errorf(ECONFLICT, "every corrective action is done")
		}
	case OpCheck:
		if d.Status != DevVerifying {
			return Errorf(ECONFLICT, "only a deviation being verified can be checked; it is %s", DeviationStatusName(d.Status))
		}
		if d.CheckDueAt != nil && d.CheckDueAt.After(now) {
			return Errorf(EINVALID, "the effectiveness check is possible from %s; effectiveness can't be judged before then", d.CheckDueAt.Format("2006-01-02"))
		}
	}
	return nil
}

// DeviationStatusName is a status in words ("actions planned").
func DeviationStatusName(s DeviationStatus) string {
	switch s {
	case DevActionsPlanned:
		return "actions planned"
	case DevInProgress:
		return "in progress"
	}
	return string(s)
}

// Move is a transition out of a deviation's status: whether its guard
// lets it be applied now and, if not, why.
type Move struct {
	Transition
	Allowed bool
	Reason  string
	// Err is the refusal Reason says, with its code; nil when allowed.
	Err error
	// Offered says the page shows it as a button: allowed and, for a
	// forward transition, the facts of its step are recorded.
	Offered bool
}

// Workflow is where a deviation stands and what may be done next: the
// one answer the deviation page renders and package app enforces.
type Workflow struct {
	Step  Step
	Steps []StepView
	// Moves lists every transition out of the current status.
	Moves []Move
	// Auto names the forward transition the recorded facts call for
	// (applied after each step's form), "" when none.
	Auto string
	// Ops maps each operation to why it is refused now ("" = allowed).
	Ops map[Op]string
	// CheckFrom is when the effectiveness check becomes possible: nil
	// until a corrective action is done.
	CheckFrom *time.Time
}

// Can reports whether op is allowed now.
func (w Workflow) Can(op Op) bool { return w.Ops[op] == "" }

// Why says why op is refused now ("" when it is allowed).
func (w Workflow) Why(op Op) string { return w.Ops[op] }

// Move returns the move called name out of the current status.
func (w Workflow) Move(name string) (Move, bool) {
	for _, m := range w.Moves {
		if m.Name == name {
			return m, true
		}
	}
	return Move{}, false
}

// Offered lists the moves the page shows as buttons.
func (w Workflow) Offered() []Move {
	var out []Move
	for _, m := range w.Moves {
		if m.Offered {
			out = append(out, m)
		}
	}
	return out
}

// Workflow returns where d stands at now: its current step, the state of
// every step, each transition out of its status with whether it is
// allowed and why not, the forward transition its facts call for, and
// whether each operation is allowed. The deviation's Actions and Checks
// must be loaded.
func (d *Deviation) Workflow(now time.Time) Workflow {
	w := Workflow{Step: d.currentStep(), Ops: map[Op]string{}, CheckFrom: d.CheckDueAt}
	if d.DoneActions() == 0 {
		w.CheckFrom = nil
	}
	cur := slices.Index(DeviationSteps(), w.Step)
	for i, s := range DeviationSteps() {
		v := StepView{Step: s, State: StepTodo}
		switch {
		case s == StepClosed && d.Status == DevClosed:
			v.State = StepDone
		case i < cur && d.stepDone(s):
			v.State = StepDone
		case i < cur:
			v.State = StepSkipped
		case i == cur:
			v.State = StepCurrent
		}
		w.Steps = append(w.Steps, v)
	}
	for _, t := range DeviationTransitions {
		if !slices.Contains(t.From, d.Status) {
			continue
		}
		m := Move{Transition: t}
		if err := t.guard(d); err != nil {
			m.Reason, m.Err = err.Error(), err
		} else {
			m.Allowed = true
			m.Offered = !t.Forward || d.forwardReady(t.Name)
		}
		if m.Offered && t.Forward && w.Auto == "" && d.automatic(t.Name) {
			w.Auto = t.Name
		}
		w.Moves = append(w.Moves, m)
	}
	for _, op := range []Op{OpCorrection, OpRootCause, OpAddAction, OpCompleteAction, OpCheck, OpAssign} {
		if err := d.Allow(op, now); err != nil {
			w.Ops[op] = err.Error()
		}
	}
	return w
}

// currentStep maps the status (and, while analysing, the facts) to the
// step the deviation is at.
func (d *Deviation) currentStep() Step {
	switch d.Status {
	case DevClosed:
		return StepClosed
	case DevVerifying:
		return StepCheck
	case DevActionsPlanned, DevInProgress:
		return StepActions
	case DevAnalysing:
		if d.HasRootCause() {
			return StepActions
		}
		return StepRootCause
	}
	return StepCorrection
}

// stepDone reports whether the facts of step s are recorded.
func (d *Deviation) stepDone(s Step) bool {
	switch s {
	case StepDetected:
		return true
	case StepCorrection:
		return d.Correction != ""
	case StepRootCause:
		return d.HasRootCause()
	case StepActions:
		return len(d.Actions) > 0 && d.DoneActions() == len(d.Actions)
	case StepCheck:
		c := d.LastCheck()
		return c != nil && c.Verdict == VerdictEffective
	}
	return d.Status == DevClosed
}

// forwardReady reports whether the facts a forward transition stands for
// are recorded (its guard aside): the analysis starts once the symptom is
// contained, the actions are under way once one is done.
func (d *Deviation) forwardReady(name string) bool {
	switch name {
	case "analyse":
		return d.Correction != ""
	case "start":
		return d.DoneActions() > 0
	}
	return true
}

// automatic reports whether a ready forward transition is applied without
// asking. After an effectiveness check (failed, or passed and reopened) a
// deviation goes back to verification by itself only when an action was
// done after that check; otherwise a person decides to check again.
func (d *Deviation) automatic(name string) bool {
	if name != "verify" {
		return true
	}
	c := d.LastCheck()
	if c == nil {
		return true
	}
	for _, a := range d.Actions {
		if a.DoneAt != nil && a.DoneAt.After(c.CheckedAt) {
			return true
		}
	}
	return false
}

// State returns how far step s is (StepDone, StepCurrent, StepSkipped or
// StepTodo).
func (w Workflow) State(s Step) string {
	for _, v := range w.Steps {
		if v.Step == s {
			return v.State
		}
	}
	return StepTodo
}

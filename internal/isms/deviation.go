package isms

import (
	"slices"
	"strings"
	"time"
)

// DeviationStatus is where a deviation (nonconformity) stands in its
// workflow (clause 10.2).
type DeviationStatus string

// The deviation statuses, in workflow order.
const (
	DevOpen           DeviationStatus = "open"
	DevAnalysing      DeviationStatus = "analysing"
	DevActionsPlanned DeviationStatus = "actions_planned"
	DevInProgress     DeviationStatus = "in_progress"
	DevVerifying      DeviationStatus = "verifying"
	DevClosed         DeviationStatus = "closed"
)

// DeviationStatuses lists every status in workflow order.
func DeviationStatuses() []DeviationStatus {
	return []DeviationStatus{DevOpen, DevAnalysing, DevActionsPlanned, DevInProgress, DevVerifying, DevClosed}
}

// Deviation kinds, sources, cause categories and corrective action
// statuses: one validation source each.
var (
	DeviationKinds   = Grades // a deviation's kind is its grade
	DeviationSources = []string{"metric", "incident", "audit_finding", "observation", "complaint"}
	CauseCategories  = []string{"people", "process", "technology", "supplier", "external"}
	DeviationLevels  = []string{"critical", "high", "medium", "low"}
)

// Action statuses of a corrective action.
const (
	ActionPlanned = "planned"
	ActionDone    = "done"
)

// Verdicts of an effectiveness check.
const (
	VerdictEffective    = "effective"
	VerdictNotEffective = "not_effective"
)

// CorrectiveAction is one action on a deviation's cause (10.2 c).
type CorrectiveAction struct {
	ID          int64
	DeviationID int64
	Title       string
	OwnerID     int64
	OwnerName   string
	OwnerEmail  string // joined for display
	DueAt       time.Time
	Status      string
	Evidence    string
	// EvidenceFile is the name of the file attached as evidence, if any.
	EvidenceFile string
	DoneAt       *time.Time
	CreatedAt    time.Time
}

// Overdue reports whether the action is not done and past its deadline.
func (c CorrectiveAction) Overdue(now time.Time) bool {
	return c.Status != ActionDone && c.DueAt.Before(now)
}

// EffectivenessCheck is one review of whether the corrective actions
// worked (10.2 d).
type EffectivenessCheck struct {
	ID          int64
	DeviationID int64
	Verdict     string
	Proposed    string
	Note        string
	CheckedBy   string
	CheckedAt   time.Time
}

// Deviation is a nonconformity, observation or opportunity for
// improvement, with what was done about it.
type Deviation struct {
	ID          int64
	OrgID       int64
	Ref         string
	Title       string
	Description string
	Kind        string
	Source      string
	Severity    string
	Status      DeviationStatus
	DetectedAt  time.Time
	OwnerID     int64
	OwnerName   string
	OwnerEmail  string // joined for display
	DueAt       *time.Time
	// Links to where it came from; empty or zero when not linked.
	MetricKey    string
	MetricPeriod string
	RecordKind   string
	RecordID     int64
	ProcessID    int64
	RiskRef      string
	ControlRef   string
	FindingID    int64
	// OpenedReason says why it was opened (for automatic openings: the
	// figure or record that triggered it).
	OpenedReason string
	Correction   string
	CorrectionAt *time.Time
	Whys         []string
	RootCause    string
	Category     string
	CheckDueAt   *time.Time
	CloseReason  string
	ClosedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Actions []CorrectiveAction
	Checks  []EffectivenessCheck
}

// Validate checks the fields a person enters when opening a deviation.
func (d *Deviation) Validate() error {
	if err := CheckLengths(Limit{"ref", d.Ref, MaxShort}, Limit{"title", d.Title, MaxName}, Limit{"description", d.Description, MaxText},
		Limit{"opened_reason", d.OpenedReason, MaxText}, Limit{"correction", d.Correction, MaxText}, Limit{"root_cause", d.RootCause, MaxText},
		Limit{"close_reason", d.CloseReason, MaxText}, Limit{"risk_ref", d.RiskRef, MaxShort}, Limit{"control_ref", d.ControlRef, MaxShort}); err != nil {
		return err
	}
	d.Title = strings.TrimSpace(d.Title)
	if d.Title == "" {
		return Errorf(EINVALID, "title: say in a few words what went wrong")
	}
	if err := d.settleGrade(); err != nil {
		return err
	}
	if !slices.Contains(DeviationSources, d.Source) {
		return Errorf(EINVALID, "source: use one of %s", strings.Join(DeviationSources, ", "))
	}
	if d.DetectedAt.IsZero() {
		return Errorf(EINVALID, "detected: give the date the deviation was detected")
	}
	return nil
}

// settleGrade reads the grade (Kind) and severity as people and tools
// write them ("Minor NC", "OFI", "P2"): a grade given as the severity
// with no grade is the grade; a missing severity is derived from the
// grade (SeverityOfGrade); a severity given is kept.
func (d *Deviation) settleGrade() error {
	if g, ok := ParseGrade(d.Severity); ok && strings.TrimSpace(d.Kind) == "" {
		d.Kind, d.Severity = g, ""
	}
	g, ok := ParseGrade(d.Kind)
	if !ok {
		return Errorf(EINVALID, "grade: use major (major nonconformity), minor (minor nonconformity), observation or opportunity (opportunity for improvement, OFI)")
	}
	d.Kind = g
	if strings.TrimSpace(d.Severity) == "" {
		d.Severity = SeverityOfGrade(g)
	}
	sev, ok := ParseSeverity(d.Severity, DeviationLevels)
	if !ok {
		return Errorf(EINVALID, "severity: use one of %s, or P1 to P4", strings.Join(DeviationLevels, ", "))
	}
	d.Severity = sev
	return nil
}

// Overdue reports whether the deviation is past its due date and not closed.
func (d Deviation) Overdue(now time.Time) bool {
	return d.Status != DevClosed && d.DueAt != nil && d.DueAt.Before(now)
}

// DoneActions counts the corrective actions marked done.
func (d Deviation) DoneActions() int {
	n := 0
	for _, a := range d.Actions {
		if a.Status == ActionDone {
			n++
		}
	}
	return n
}

// LastCheck returns the latest effectiveness check, or nil.
func (d Deviation) LastCheck() *EffectivenessCheck {
	if len(d.Checks) == 0 {
		return nil
	}
	return &d.Checks[len(d.Checks)-1]
}

// HasRootCause reports whether the root cause analysis is recorded: a
// cause statement and its category.
func (d Deviation) HasRootCause() bool {
	return strings.TrimSpace(d.RootCause) != "" && d.Category != ""
}

// Transition is one step of the deviation workflow: its name (the verb
// of its endpoint and audit event), the button that applies it, the
// statuses it leaves and where it goes. Forward transitions follow the
// stepper (correction, root cause, actions, check) and are applied by
// the page as soon as the facts of a step are recorded; the others are
// decisions a person takes. Guards that depend on the deviation's facts
// are in Check.
type Transition struct {
	Name    string
	Label   string
	From    []DeviationStatus
	To      DeviationStatus
	Forward bool
}

// The workflow of a deviation, as data.
var DeviationTransitions = []Transition{
	{"analyse", "Go on to the root cause", []DeviationStatus{DevOpen}, DevAnalysing, true},
	{"plan", "Confirm the action plan", []DeviationStatus{DevAnalysing}, DevActionsPlanned, true},
	{"start", "Start the actions", []DeviationStatus{DevActionsPlanned}, DevInProgress, true},
	{"verify", "Go on to the effectiveness check", []DeviationStatus{DevInProgress}, DevVerifying, true},
	{"close", "Close the deviation", []DeviationStatus{DevVerifying}, DevClosed, false},
	{"reopen", "Reopen", []DeviationStatus{DevVerifying, DevClosed}, DevAnalysing, false},
	{"close-observation", "Close without a check", []DeviationStatus{DevOpen, DevAnalysing, DevActionsPlanned, DevInProgress, DevVerifying}, DevClosed, false},
}

// LookupTransition returns the transition called name.
func LookupTransition(name string) (Transition, bool) {
	for _, t := range DeviationTransitions {
		if t.Name == name {
			return t, true
		}
	}
	return Transition{}, false
}

// Check returns nil when the transition may be applied to d, ECONFLICT
// when d is in the wrong status and EINVALID when a precondition is
// missing; reason is the text given with the transition (required to
// reopen and to close an observation without a check).
func (t Transition) Check(d *Deviation, reason string) error {
	if err := t.guard(d); err != nil {
		return err
	}
	switch t.Name {
	case "reopen":
		if strings.TrimSpace(reason) == "" {
			return Errorf(EINVALID, "reopen: say why the deviation is reopened")
		}
	case "close-observation":
		if strings.TrimSpace(reason) == "" {
			return Errorf(EINVALID, "reason: say why no corrective action or check is needed")
		}
	}
	return nil
}

// guard is Check without the text a person gives with the transition:
// whether the deviation's status and facts allow it.
func (t Transition) guard(d *Deviation) error {
	if !slices.Contains(t.From, d.Status) {
		return Errorf(ECONFLICT, "%s: a deviation that is %s can't be moved this way; reload the page to see where it stands", t.Name, strings.ReplaceAll(string(d.Status), "_", " "))
	}
	switch t.Name {
	case "plan":
		if !d.HasRootCause() {
			return Errorf(EINVALID, "plan: record the root cause and its category first")
		}
		if len(d.Actions) == 0 {
			return Errorf(EINVALID, "plan: add at least one corrective action first")
		}
	case "verify":
		if d.DoneActions() == 0 || d.DoneActions() < len(d.Actions) {
			return Errorf(EINVALID, "verify: mark every corrective action done first")
		}
	case "close":
		if !d.HasRootCause() {
			return Errorf(EINVALID, "close: record the root cause first")
		}
		if d.DoneActions() == 0 {
			return Errorf(EINVALID, "close: at least one corrective action must be done")
		}
		if c := d.LastCheck(); c == nil || c.Verdict != VerdictEffective {
			return Errorf(EINVALID, "close: the effectiveness check must be passed first")
		}
	case "close-observation":
		if IsNonconformity(d.Kind) {
			return Errorf(EINVALID, "only an observation or an opportunity for improvement may be closed without an effectiveness check")
		}
	}
	return nil
}

// ValidateRootCause trims the five-whys chain, drops empty entries and checks
// the cause category.
func ValidateRootCause(whys []string, cause, category string) ([]string, error) {
	if len(whys) > 20 {
		return nil, Errorf(EINVALID, "whys: at most 20")
	}
	for _, w := range whys {
		if err := CheckLength("why", w, MaxText); err != nil {
			return nil, err
		}
	}
	if err := CheckLengths(Limit{"cause", cause, MaxText}, Limit{"category", category, MaxShort}); err != nil {
		return nil, err
	}
	var out []string
	for _, w := range whys {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	if len(out) > 5 {
		return nil, Errorf(EINVALID, "whys: give at most five")
	}
	if strings.TrimSpace(cause) == "" {
		return nil, Errorf(EINVALID, "root cause: state the cause, not the symptom")
	}
	if !slices.Contains(CauseCategories, category) {
		return nil, Errorf(EINVALID, "category: use one of %s", strings.Join(CauseCategories, ", "))
	}
	return out, nil
}

// ProposeVerdict proposes an effectiveness verdict from the status of the
// metric in the period the check reads, once that period is complete:
// green or yellow is effective, red is not; grey (no data) and an
// incomplete period propose nothing (""): there is nothing yet to judge by.
func ProposeVerdict(status string, complete bool) string {
	switch {
	case !complete:
		return ""
	case status == "green" || status == "yellow":
		return VerdictEffective
	case status == "red":
		return VerdictNotEffective
	}
	return ""
}

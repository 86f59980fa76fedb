package isms

import (
	"fmt"
	"strings"
	"time"
)

// Process is a key process of the ISMS: exactly one owner, the event that
// starts it, how fast it must be done, its steps on one page, what it
// records, and one or two metrics that show whether it works.
type Process struct {
	ID            int64
	OrgID         int64
	Name          string
	Purpose       string
	OwnerID       int64
	Trigger       string   // the event that starts it
	Deadline      string   // how fast the task must be done, in words ("24 h")
	DeadlineHours *float64 // the same in hours, when it is a duration
	Steps         string   // Markdown, rendered safely
	Recorded      string   // what is recorded, and where
	Template      string   // the template it was created from, or ""
	Impact        int      // 1..5
	Recurrence    int      // 1..5
	Risk          int      // 1..5
	Metrics       []string // linked metric keys
	// Standards are the standards the process serves (issue 19): set on
	// create, replaced on update when not nil; read from standard_tags.
	Standards []string `json:",omitempty"`
	CreatedAt time.Time
	UpdatedAt time.Time
	// Joined for display.
	OwnerName, OwnerEmail string
}

// MaxProcessMetrics is how many metrics a process should have at most;
// more dilute attention, so pdca warns.
const MaxProcessMetrics = 2

// Validate trims the fields and returns EINVALID for the first problem,
// with a message saying how to fix it.
func (p *Process) Validate() error {
	if err := CheckLengths(Limit{"name", p.Name, MaxName}, Limit{"purpose", p.Purpose, MaxText}, Limit{"trigger", p.Trigger, MaxName},
		Limit{"deadline", p.Deadline, MaxName}, Limit{"steps", p.Steps, MaxText}, Limit{"recorded", p.Recorded, MaxText}, Limit{"template", p.Template, MaxShort}); err != nil {
		return err
	}
	p.Name, p.Purpose = strings.TrimSpace(p.Name), strings.TrimSpace(p.Purpose)
	p.Trigger, p.Deadline = strings.TrimSpace(p.Trigger), strings.TrimSpace(p.Deadline)
	switch {
	case p.Name == "":
		return Errorf(EINVALID, "name: give the process a name, e.g. \"Access management\"")
	case p.OwnerID == 0:
		return Errorf(EINVALID, "owner: a process has exactly one owner; choose a member")
	case p.Trigger == "":
		return Errorf(EINVALID, "trigger: say which event starts the process, e.g. \"an employment ends\"")
	case p.Deadline == "":
		return Errorf(EINVALID, "deadline: say how fast the task must be done, e.g. \"24 h\"")
	case p.DeadlineHours != nil && *p.DeadlineHours <= 0:
		return Errorf(EINVALID, "deadline hours: give a positive number of hours, or leave it empty")
	}
	for _, s := range []struct {
		name string
		v    int
	}{{"impact", p.Impact}, {"recurrence", p.Recurrence}, {"risk", p.Risk}} {
		if s.v < 1 || s.v > 5 {
			return Errorf(EINVALID, "%s: score it from 1 (low) to 5 (high)", s.name)
		}
	}
	seen := map[string]bool{}
	for _, k := range p.Metrics {
		if seen[k] {
			return Errorf(EINVALID, "metrics: %s is linked twice", k)
		}
		seen[k] = true
	}
	return nil
}

// Warnings lists what is allowed but unwise about the process.
func (p *Process) Warnings() []string {
	var w []string
	if len(p.Metrics) == 0 {
		w = append(w, "no metric is linked: nobody will see whether the process works")
	}
	if len(p.Metrics) > MaxProcessMetrics {
		w = append(w, fmt.Sprintf("%d metrics are linked: one or two keep the owner's attention on what matters", len(p.Metrics)))
	}
	return w
}

// Score is the priority of the process: impact x recurrence x risk, from
// 1 to 125, so a process that scores high on all three stands out.
func (p *Process) Score() int { return p.Impact * p.Recurrence * p.Risk }

// ScoreExplained says how the score comes about.
func (p *Process) ScoreExplained() string {
	return fmt.Sprintf("impact %d × recurrence %d × risk %d = %d of 125", p.Impact, p.Recurrence, p.Risk, p.Score())
}

// ProcessTemplate is a ready-made process a new ISMS usually starts with.
type ProcessTemplate struct {
	Key           string
	Name          string
	Purpose       string
	Trigger       string
	Deadline      string
	DeadlineHours *float64
	Steps         string
	Recorded      string
	Metrics       []string
	// OwnerRole is who usually owns the process (a suggestion: the owner
	// is a member chosen on the form); empty for the ISMS starters.
	OwnerRole string
	// Standards the process serves (tags); empty means ISO/IEC 27001.
	Standards []string
	// Proposed are metrics the process needs whose records pdca has no
	// built-in kind for: define them once a custom record kind exists.
	Proposed []ProposedMetric
}

// ProposedMetric describes a metric a template needs but cannot link:
// its records need a custom record kind.
type ProposedMetric struct {
	Name       string
	RecordKind string // the custom record kind it needs, e.g. "complaints"
	Definition string // how it is computed, in words
}

func hours(h float64) *float64 { return &h }

// ProcessTemplates returns the five processes a new ISMS usually starts
// with, each linked to its built-in metric, and three ISO 9001 starters
// (issue 19) tagged iso9001.
func ProcessTemplates() []ProcessTemplate {
	return []ProcessTemplate{
		{Key: "access", Name: "Access management", Purpose: "Grant only the access people need, and remove it as soon as they no longer need it.",
			Trigger: "An employment or contract ends (or a role changes)", Deadline: "24 h after the employment ends", DeadlineHours: hours(24),
			Steps:    "1. HR records the end date in the HR system on the day it is known.\n2. The IT lead lists the person's accounts in every system.\n3. Each account is disabled or removed **no later than 24 h after the end**.\n4. The removal time is recorded per system.\n5. Shared secrets the person knew are rotated.",
			Recorded: "An access-removal record per person and system: employment end, access removed (HR export and the identity provider's log).",
			Metrics:  []string{"access-removal"}},
		{Key: "incident", Name: "Incident management", Purpose: "Contain security incidents quickly and learn from each one.",
			Trigger: "A security event is reported or detected", Deadline: "Action started within 4 h for critical incidents", DeadlineHours: hours(4),
			Steps:    "1. Anyone reports a suspected incident to the security channel.\n2. The on-duty lead classifies severity (critical, high, medium, low).\n3. For a **critical** incident, containment starts within 4 h.\n4. The incident is resolved and its root cause recorded.\n5. Lessons learned feed a deviation when a control failed.",
			Recorded: "An incident record: detected, action started, resolved, severity, root cause (ticketing system export).",
			Metrics:  []string{"incident-response-start"}},
		{Key: "backup", Name: "Backup and restore testing", Purpose: "Know that backups can be restored before they are needed.",
			Trigger: "The start of each quarter", Deadline: "At least one passed restore test per quarter",
			Steps:    "1. Pick a critical system and a recent backup.\n2. Restore it to an isolated environment.\n3. Check the data is complete and the service starts.\n4. Record the result (pass or fail) and the time it took.\n5. A failed test opens a deviation.",
			Recorded: "A restore-test record: system, tested at, result, notes.",
			Metrics:  []string{"restore-tests"}},
		{Key: "supplier", Name: "Supplier security assessment", Purpose: "Know the security of the suppliers the business depends on.",
			Trigger: "A critical supplier is contracted, and every 12 months after", Deadline: "Every critical supplier assessed within 12 months",
			Steps:    "1. Keep the supplier list with a critical flag up to date.\n2. Send the security questionnaire or collect the certificate.\n3. Review the answers and record the result.\n4. Agree remediation with the supplier when needed.",
			Recorded: "A supplier record (name, critical) and an assessment record per review (supplier, assessed at, result).",
			Metrics:  []string{"supplier-coverage"}},
		{Key: "change", Name: "Change management", Purpose: "Change critical systems deliberately: documented, approved, reversible.",
			Trigger: "A change to a critical system is planned", Deadline: "Documented and approved before it is implemented",
			Steps:    "1. Describe the change, its risk and how to roll it back.\n2. Get approval from the system owner.\n3. Implement in the agreed window.\n4. Record the change with links to its documentation.",
			Recorded: "A change record: system, implemented at, documented, approved (ticketing system export).",
			Metrics:  []string{"changes-documented"}},
		// Issue 19: ISO 9001 starters (quality processes, tagged iso9001).
		{Key: "complaints", Name: "Customer complaints handling", Purpose: "Answer every customer complaint quickly and remove what caused it.",
			OwnerRole: "Quality manager", Standards: []string{StdISO9001},
			Trigger: "A customer complains (mail, phone, support ticket or in person)", Deadline: "Answered within 10 working days", DeadlineHours: hours(240),
			Steps:    "1. Whoever receives the complaint records it on the same day.\n2. The quality manager acknowledges it to the customer within 2 working days.\n3. The cause is investigated with the team that delivered.\n4. The customer gets an answer and, where due, a remedy **within 10 working days**.\n5. A complaint that shows a nonconformity opens a deviation (source: complaint).",
			Recorded: "A complaint record: received, customer, subject, answered, justified (custom record kind \"complaints\"); justified ones as deviations.",
			Metrics:  []string{"open-deviations"},
			Proposed: []ProposedMetric{{Name: "Complaints answered within 10 working days", RecordKind: "complaints",
				Definition: "share within a time limit: received_at to answered_at, limit 240 h, monthly, at least 95 %"}}},
		{Key: "nonconforming", Name: "Control of nonconforming output", Purpose: "Stop products or services that do not meet requirements from reaching customers unnoticed.",
			OwnerRole: "Production or service lead", Standards: []string{StdISO9001},
			Trigger: "An output is found not to conform (inspection, test, customer or audit)", Deadline: "Held or corrected within 1 working day", DeadlineHours: hours(24),
			Steps:    "1. Mark and hold the nonconforming output.\n2. Record it as a deviation with what was found.\n3. Decide: correct, segregate, return, or release under concession (who authorised it).\n4. Check the corrected output again before release.\n5. Analyse the cause when it recurs.",
			Recorded: "A deviation per nonconforming output: detected, decision, who authorised it, closed (pdca's deviations).",
			Metrics:  []string{"open-deviations"}},
		{Key: "delivery", Name: "Supplier delivery performance", Purpose: "Know which suppliers deliver on time and right, and act on those who do not.",
			OwnerRole: "Purchasing lead", Standards: []string{StdISO9001},
			Trigger: "A supplier is approved, and every 12 months after", Deadline: "Every critical supplier evaluated within 12 months",
			Steps:    "1. Keep the approved supplier list with a critical flag.\n2. Record each delivery: promised date, delivered date, accepted or rejected.\n3. Evaluate each critical supplier at least yearly from its deliveries.\n4. Agree improvement with a supplier below target, or find another.",
			Recorded: "A supplier record (name, critical), an evaluation per review as a supplier assessment, and a delivery record per delivery (custom record kind \"deliveries\").",
			Metrics:  []string{"supplier-coverage"},
			Proposed: []ProposedMetric{{Name: "Deliveries on time and accepted", RecordKind: "deliveries",
				Definition: "percentage of deliveries with delivered_at on or before promised_at and accepted true, monthly, at least 95 %"}}},
	}
}

// ProcessTemplateByKey returns a template; false if there is none.
func ProcessTemplateByKey(key string) (ProcessTemplate, bool) {
	for _, t := range ProcessTemplates() {
		if t.Key == key {
			return t, true
		}
	}
	return ProcessTemplate{}, false
}

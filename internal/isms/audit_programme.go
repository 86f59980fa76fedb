package isms

import (
	"strings"
	"time"
)

// FindingKinds are the kinds of an internal audit finding.
// (its grade: Grades).
var FindingKinds = Grades

// InternalAudit is one audit of the yearly programme (clause 9.2).
type InternalAudit struct {
	ID        int64
	OrgID     int64
	Year      int
	Title     string
	Clauses   []string // e.g. "9.2"
	Controls  []string // Annex A control ids, e.g. "A.5.15"
	Processes []int64
	PlannedOn time.Time
	ActualOn  *time.Time
	LeadID    int64
	LeadName  string
	LeadEmail string // joined for display
	// Override is the reason given to keep a lead auditor who owns a
	// process in scope; empty when independent.
	Override  string
	CreatedAt time.Time
	Findings  []Finding
}

// Finding is one result of an internal audit.
type Finding struct {
	ID          int64
	OrgID       int64
	AuditID     int64
	Ref         string
	Kind        string
	Title       string
	RaisedAt    time.Time
	ClosedAt    *time.Time
	DeviationID int64
}

// OpensDeviation reports whether a finding of this kind is a
// nonconformity that opens a deviation automatically.
func (f Finding) OpensDeviation() bool { return IsNonconformity(f.Kind) }

// Age is how long the finding has been open (to now) or took to close.
func (f Finding) Age(now time.Time) time.Duration {
	if f.ClosedAt != nil {
		return f.ClosedAt.Sub(f.RaisedAt)
	}
	return now.Sub(f.RaisedAt)
}

// SplitList splits a comma- or space-separated list, dropping blanks.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' })
}

// Validate checks an audit's title, dates and scope: clauses of ISO/IEC
// 27001 (4 to 10; unprefixed or "27001:") or of ISO 9001 ("9001:8.4"),
// see ParseClause, and control ids of the Annex A (2022) catalogue.
func (a *InternalAudit) Validate() error {
	if err := CheckLengths(Limit{"title", a.Title, MaxName}, Limit{"override", a.Override, MaxText}); err != nil {
		return err
	}
	a.Title = strings.TrimSpace(a.Title)
	if a.Title == "" {
		return Errorf(EINVALID, "title: name the audit")
	}
	if a.PlannedOn.IsZero() {
		return Errorf(EINVALID, "planned: give the planned date")
	}
	if len(a.Clauses)+len(a.Controls)+len(a.Processes) == 0 {
		return Errorf(EINVALID, "scope: name at least one clause, Annex A control or process")
	}
	if len(a.Clauses) > 200 {
		return Errorf(EINVALID, "clauses: name at most 200 clauses")
	}
	for i, c := range a.Clauses {
		std, n, err := ParseClause(c)
		if err != nil {
			return err
		}
		a.Clauses[i] = FormatClause(std, n)
	}
	for i, c := range a.Controls {
		c = strings.ToUpper(c)
		if _, err := AnnexA().Control(c); err != nil {
			return Errorf(EINVALID, "controls: %q is not an Annex A control of 2022 (e.g. A.5.15)", c)
		}
		a.Controls[i] = c
	}
	if a.LeadID == 0 {
		return Errorf(EINVALID, "lead auditor: choose a member")
	}
	a.Year = a.PlannedOn.Year()
	return nil
}

// Independence returns EINVALID when the lead auditor owns a process in
// scope (owned lists their names) and no override reason is given.
func (a *InternalAudit) Independence(owned []string) error {
	if len(owned) == 0 || strings.TrimSpace(a.Override) != "" {
		return nil
	}
	return Errorf(EINVALID, "independence: the lead auditor owns %s, which is in scope; choose another auditor or give a reason to override", strings.Join(owned, ", "))
}

// Validate checks a finding's kind and title.
func (f *Finding) Validate() error {
	if err := CheckLengths(Limit{"ref", f.Ref, MaxShort}, Limit{"title", f.Title, MaxName}); err != nil {
		return err
	}
	f.Title = strings.TrimSpace(f.Title)
	if f.Title == "" {
		return Errorf(EINVALID, "title: state the finding")
	}
	g, ok := ParseGrade(f.Kind)
	if !ok {
		return Errorf(EINVALID, "grade: use major (major nonconformity), minor (minor nonconformity), observation or opportunity (opportunity for improvement, OFI)")
	}
	f.Kind = g
	return nil
}

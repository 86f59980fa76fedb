package isms

import (
	"slices"
	"strings"
)

// ListSpec tells how the list of a record kind is ordered and filtered:
// which column is the kind's main time (lists show the newest first and a
// period filter applies to it), which column closes a record (open means
// empty), which holds a pass/fail result, a severity or a person. An
// empty name means the kind has no such column.
type ListSpec struct {
	Time     string
	Closed   string
	Result   string
	Severity string
	Person   string
}

// listSpecs is domain data: the main time of each kind is when its event
// happened (an incident detected, a test run, a training due), the closing
// column is the one whose emptiness PRODUCT.md reads as "still open".
var listSpecs = map[RecordKind]ListSpec{
	KindAccessRemovals:      {Time: "employment_ended_at", Closed: "access_removed_at", Person: "person"},
	KindIncidents:           {Time: "detected_at", Closed: "resolved_at", Severity: "severity"},
	KindRestoreTests:        {Time: "tested_at", Result: "result"},
	KindSuppliers:           {},
	KindSupplierAssessments: {Time: "assessed_at"},
	KindChanges:             {Time: "implemented_at"},
	KindVulnerabilities:     {Time: "found_at", Closed: "fixed_at", Severity: "severity"},
	KindTraining:            {Time: "due_at", Closed: "completed_at", Person: "person"},
	KindDeviations:          {Time: "detected_at", Closed: "closed_at", Severity: "severity"},
	KindAuditFindings:       {Time: "raised_at", Closed: "closed_at"},
}

// List returns how the kind's list is ordered and filtered.
func (k KindSpec) List() ListSpec { return listSpecs[k.Kind] }

// Statuses returns the values the kind's status filter takes: open and
// closed for a kind with a closing column, pass and fail for results,
// none otherwise.
func (l ListSpec) Statuses() []string {
	switch {
	case l.Closed != "":
		return []string{"open", "closed"}
	case l.Result != "":
		return slices.Clone(restoreTestResults)
	}
	return nil
}

// RecordListFilter is what a person may filter a list of records by,
// as typed (the period is read by the caller in the organisation's zone).
type RecordListFilter struct {
	Status, Severity, Owner string
}

// CheckListFilter returns EINVALID naming the filter that the kind does not have or
// whose value it does not take, and the values it does take.
func (k KindSpec) CheckListFilter(f RecordListFilter) error {
	l := k.List()
	if f.Status != "" {
		st := l.Statuses()
		if len(st) == 0 {
			return Errorf(EINVALID, "status: %s have no status to filter by; remove the status filter", strings.ToLower(k.Title))
		}
		if !slices.Contains(st, f.Status) {
			return Errorf(EINVALID, "status %q: give %s", f.Status, strings.Join(st, " or "))
		}
	}
	if f.Severity != "" {
		fl, ok := k.Field(l.Severity)
		if l.Severity == "" || !ok {
			return Errorf(EINVALID, "severity: %s have no severity to filter by; remove the severity filter", strings.ToLower(k.Title))
		}
		if !slices.Contains(fl.Enum, f.Severity) {
			return Errorf(EINVALID, "severity %q: give one of %s", f.Severity, strings.Join(fl.Enum, ", "))
		}
	}
	if f.Owner != "" && l.Person == "" {
		return Errorf(EINVALID, "owner: %s have no person to filter by; remove the owner filter", strings.ToLower(k.Title))
	}
	if len(f.Owner) > MaxShort {
		return Errorf(EINVALID, "owner: at most %d characters", MaxShort)
	}
	return nil
}

// Severities returns the values of the kind's severity column (nil if it
// has none), for the severity filter.
func (l ListSpec) Severities(k KindSpec) []string {
	if f, ok := k.Field(l.Severity); ok && l.Severity != "" {
		return slices.Clone(f.Enum)
	}
	return nil
}

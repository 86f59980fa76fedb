package isms

import (
	"slices"
	"strings"
)

// Grades of a finding or deviation, as auditors grade them: a major or a
// minor nonconformity, an observation, or an opportunity for improvement
// (OFI). Deviations and findings keep their grade in their kind (the
// values are the same); the records of kind deviations and audit_findings
// in their grade column (docs/deviations-and-audits.md, "Grades").
const (
	GradeMajor       = "major"
	GradeMinor       = "minor"
	GradeObservation = "observation"
	GradeOpportunity = "opportunity"
)

// Grades lists every grade, gravest first.
var Grades = []string{GradeMajor, GradeMinor, GradeObservation, GradeOpportunity}

// gradeWords is each grade in the words people read.
var gradeWords = map[string]string{
	GradeMajor:       "major nonconformity",
	GradeMinor:       "minor nonconformity",
	GradeObservation: "observation",
	GradeOpportunity: "opportunity for improvement",
}

// gradeSynonyms are the other ways audit reports and tools write a grade,
// squeezed (lower case, without spaces, hyphens, underscores and dots).
var gradeSynonyms = map[string]string{
	"major": GradeMajor, "majornonconformity": GradeMajor, "majornonconformance": GradeMajor,
	"majornc": GradeMajor, "ncmajor": GradeMajor,
	"minor": GradeMinor, "minornonconformity": GradeMinor, "minornonconformance": GradeMinor,
	"minornc": GradeMinor, "ncminor": GradeMinor,
	"observation": GradeObservation, "obs": GradeObservation,
	"opportunity": GradeOpportunity, "opportunityforimprovement": GradeOpportunity,
	"ofi": GradeOpportunity, "improvementopportunity": GradeOpportunity,
}

// squeeze lower-cases s and drops spaces, hyphens, underscores and dots,
// so "Major NC", "major-nc" and "OFI." compare alike.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '-', '_', '.':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// ParseGrade reads a grade as people and audit tools write it, in any
// case: major, "major nonconformity", "major NC"; minor likewise;
// observation (obs); opportunity, "opportunity for improvement", OFI. It
// returns the stored value (one of Grades) and false for anything else.
func ParseGrade(s string) (string, bool) {
	g, ok := gradeSynonyms[squeeze(s)]
	return g, ok
}

// GradeWords returns a grade in words ("minor nonconformity",
// "opportunity for improvement"); anything else is returned as given.
func GradeWords(g string) string {
	if w, ok := gradeWords[g]; ok {
		return w
	}
	return g
}

// IsNonconformity reports whether a grade is a nonconformity (major or
// minor). Observations and opportunities for improvement are not: they
// open no deviation, need no root cause or effectiveness check, and a
// deviation graded so may be closed without one.
func IsNonconformity(g string) bool { return g == GradeMajor || g == GradeMinor }

// SeverityOfGrade is the severity a grade stands for when no severity is
// given: a major nonconformity is high, a minor one medium, an
// observation or opportunity for improvement low.
func SeverityOfGrade(g string) string {
	switch g {
	case GradeMajor:
		return "high"
	case GradeMinor:
		return "medium"
	case GradeObservation, GradeOpportunity:
		return "low"
	}
	return ""
}

// severitySynonyms maps priority and severity numbers, as ticketing and
// incident tools write them, to the four levels: P1, Sev1 and S1 are
// critical, ..., P4, Sev4 and S4 low.
var severitySynonyms = map[string]string{
	"p1": "critical", "p2": "high", "p3": "medium", "p4": "low",
	"sev1": "critical", "sev2": "high", "sev3": "medium", "sev4": "low",
	"s1": "critical", "s2": "high", "s3": "medium", "s4": "low",
}

// ParseSeverity reads a severity from allowed, the field's vocabulary, in
// any case, or a priority number P1 to P4 (also Sev1 to Sev4, S1 to S4,
// "Sev 1", "P-1"): 1 is critical, 2 high, 3 medium, 4 low. It returns the
// stored value and false when s is neither.
func ParseSeverity(s string, allowed []string) (string, bool) {
	low := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(allowed, low) {
		return low, true
	}
	if v, ok := severitySynonyms[squeeze(s)]; ok && slices.Contains(allowed, v) {
		return v, true
	}
	return "", false
}

// SettleGrade reconciles the grade and severity of a record of a kind
// with both (deviations, audit_findings), as read from a file: a grade
// written in the severity column ("major") is read as the grade; a
// missing severity is derived from the grade (SeverityOfGrade); a
// severity given as a level is kept as given. It returns the name of the
// column at fault and why when the two disagree (a grade in the severity
// column and another in the grade column). Values are already parsed:
// texts["severity"] holds a level or a grade, texts["grade"] a grade.
func SettleGrade(texts map[string]string) (column, reason string) {
	sev, hasSev := texts["severity"]
	grade := texts["grade"]
	if g, ok := ParseGrade(sev); hasSev && ok {
		if grade != "" && grade != g {
			return "severity", "the severity column holds the grade " + GradeWords(g) + " but the grade column says " +
				GradeWords(grade) + "; give the grade once, in the grade column, and a severity (critical, high, medium, low) or none"
		}
		grade = g
		texts["grade"] = g
		delete(texts, "severity")
		hasSev = false
	}
	if !hasSev && grade != "" {
		texts["severity"] = SeverityOfGrade(grade)
	}
	return "", ""
}

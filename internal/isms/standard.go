package isms

import (
	"regexp"
	"strings"
)

// One management system, several standards (issue 19): processes,
// deviations, internal audits, management reviews, metric definitions and
// documents may be tagged with the management-system standards they
// serve. The keys are stable (they are stored); the labels are in
// labels.go. An entity with no tag serves ISO/IEC 27001 (DefaultStandard),
// so data written before tags existed keeps its meaning.

// Standard keys.
const (
	StdISO27001 = "iso27001"
	StdISO9001  = "iso9001"
	StdISO42001 = "iso42001"
	StdISO22301 = "iso22301"
	StdISO27701 = "iso27701"
)

// DefaultStandard is the standard an untagged entity serves.
const DefaultStandard = StdISO27001

// StandardKeys lists the standards in the order pages show them.
var StandardKeys = []string{StdISO27001, StdISO9001, StdISO42001, StdISO22301, StdISO27701}

// Entities that can be tagged with standards.
const (
	TagProcess   = "process"
	TagDeviation = "deviation"
	TagAudit     = "audit"
	TagReview    = "review"
	TagMetric    = "metric"
	TagDocument  = "document"
)

// StandardEntities lists the entities that carry standard tags.
var StandardEntities = []string{TagProcess, TagDeviation, TagAudit, TagReview, TagMetric, TagDocument}

// IsStandard reports whether key is a known standard.
func IsStandard(key string) bool {
	for _, k := range StandardKeys {
		if k == key {
			return true
		}
	}
	return false
}

// IsStandardEntity reports whether entity can be tagged.
func IsStandardEntity(entity string) bool {
	for _, e := range StandardEntities {
		if e == entity {
			return true
		}
	}
	return false
}

// NormalizeStandards checks a list of standard keys (trimmed, lower
// case, duplicates dropped) and returns it in StandardKeys order. An
// empty list is valid: the entity serves DefaultStandard. EINVALID names
// the first unknown key and the known ones.
func NormalizeStandards(keys []string) ([]string, error) {
	if len(keys) > len(StandardKeys)*4 {
		return nil, Errorf(EINVALID, "standards: give at most %d standards", len(StandardKeys))
	}
	seen := map[string]bool{}
	for _, k := range keys {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if !IsStandard(k) {
			if len(k) > 40 {
				k = k[:40] + "…"
			}
			return nil, Errorf(EINVALID, "standards: %q is not a standard pdca knows; use one of %s", k, strings.Join(StandardKeys, ", "))
		}
		seen[k] = true
	}
	out := []string{}
	for _, k := range StandardKeys {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// EffectiveStandards is what an entity serves: its tags, or
// DefaultStandard when it has none.
func EffectiveStandards(tags []string) []string {
	if len(tags) == 0 {
		return []string{DefaultStandard}
	}
	return tags
}

// Clause is one clause of a standard's skeleton: its number and pdca's own
// short description of what it asks for (never the standard's text).
type Clause struct {
	Number string
	Title  string
}

// clauseSkeletons are the clause skeletons of the standards whose clauses
// audits may name. Descriptions are pdca's own words.
var clauseSkeletons = map[string][]Clause{
	StdISO27001: {
		{"4", "Context of the organisation"},
		{"4.1", "Know the issues inside and outside that matter"},
		{"4.2", "Know the interested parties and what they need"},
		{"4.3", "Set the scope of the ISMS"},
		{"4.4", "Run and improve the ISMS"},
		{"5", "Leadership"},
		{"5.1", "Top management leads and commits"},
		{"5.2", "A security policy exists"},
		{"5.3", "Roles and authorities are assigned"},
		{"6", "Planning"},
		{"6.1", "Deal with risks and opportunities"},
		{"6.2", "Set security objectives and plan them"},
		{"6.3", "Plan changes to the ISMS"},
		{"7", "Support"},
		{"7.1", "Provide resources"},
		{"7.2", "People are competent"},
		{"7.3", "People are aware"},
		{"7.4", "Communicate"},
		{"7.5", "Keep documented information"},
		{"8", "Operation"},
		{"8.1", "Plan and control operations"},
		{"8.2", "Assess security risks"},
		{"8.3", "Treat security risks"},
		{"9", "Performance evaluation"},
		{"9.1", "Measure and evaluate"},
		{"9.2", "Audit internally"},
		{"9.3", "Review by management"},
		{"10", "Improvement"},
		{"10.1", "Improve continually"},
		{"10.2", "Correct nonconformities"},
	},
	StdISO9001: {
		{"4", "Context of the organisation"},
		{"4.1", "Know the issues that shape quality"},
		{"4.2", "Know the interested parties and their needs"},
		{"4.3", "Set the scope of the quality system"},
		{"4.4", "Define the processes and how they interact"},
		{"5", "Leadership"},
		{"5.1", "Top management leads, with a customer focus"},
		{"5.2", "A quality policy exists and is communicated"},
		{"5.3", "Roles and authorities are assigned"},
		{"6", "Planning"},
		{"6.1", "Deal with risks and opportunities"},
		{"6.2", "Set quality objectives and plan them"},
		{"6.3", "Plan changes to the quality system"},
		{"7", "Support"},
		{"7.1", "Provide resources, infrastructure, measuring equipment and knowledge"},
		{"7.2", "People are competent"},
		{"7.3", "People are aware"},
		{"7.4", "Communicate"},
		{"7.5", "Keep documented information"},
		{"8", "Operation"},
		{"8.1", "Plan and control operations"},
		{"8.2", "Agree requirements with customers"},
		{"8.3", "Design and develop products and services"},
		{"8.4", "Control what suppliers provide"},
		{"8.5", "Produce and deliver under control"},
		{"8.6", "Release products and services only when checked"},
		{"8.7", "Control output that does not conform"},
		{"9", "Performance evaluation"},
		{"9.1", "Measure, analyse and hear customers"},
		{"9.2", "Audit internally"},
		{"9.3", "Review by management"},
		{"10", "Improvement"},
		{"10.1", "Find chances to improve"},
		{"10.2", "Correct nonconformities"},
		{"10.3", "Improve continually"},
	},
}

// ClauseSkeleton returns a standard's clauses (top-level and first-level
// sub-clauses, in order); nil for a standard without a skeleton.
func ClauseSkeleton(std string) []Clause {
	return append([]Clause(nil), clauseSkeletons[std]...)
}

// HasClauseSkeleton reports whether audits may name clauses of std.
func HasClauseSkeleton(std string) bool { return len(clauseSkeletons[std]) > 0 }

// TopClauses returns a standard's top-level clauses (4 to 10).
func TopClauses(std string) []Clause {
	var out []Clause
	for _, c := range clauseSkeletons[std] {
		if !strings.Contains(c.Number, ".") {
			out = append(out, c)
		}
	}
	return out
}

// clausePrefixes maps the prefixes an audit clause may carry to their
// standard: "9001:8.4", "iso9001:8.4" and "27001:9.2".
var clausePrefixes = map[string]string{"27001": StdISO27001, "iso27001": StdISO27001, "9001": StdISO9001, "iso9001": StdISO9001}

// clauseNumber is a clause with up to two levels of sub-clauses.
var clauseNumber = regexp.MustCompile(`^(4|5|6|7|8|9|10)(\.[1-9][0-9]?){0,2}$`)

// ParseClause reads an audit clause: "9.2" (ISO/IEC 27001, as before
// standards existed), "27001:9.2" or "9001:8.4" (ISO 9001). It returns
// the standard and the clause number. For ISO/IEC 27001 any clause 4 to
// 10 with up to two levels of sub-clauses is accepted (as before); for
// ISO 9001 the first-level sub-clause must be in the skeleton.
func ParseClause(s string) (std, number string, err error) {
	s = strings.TrimSpace(s)
	std, number = StdISO27001, s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		p := strings.ToLower(strings.TrimSpace(s[:i]))
		var ok bool
		if std, ok = clausePrefixes[p]; !ok {
			return "", "", Errorf(EINVALID, "clauses: %q: the prefix %q names no standard with clauses pdca knows; use 27001: or 9001: (or no prefix for ISO/IEC 27001)", clip(s), clip(p))
		}
		number = strings.TrimSpace(s[i+1:])
	}
	if !clauseNumber.MatchString(number) {
		return "", "", Errorf(EINVALID, "clauses: %q is not a clause of %s (use 4 to 10, e.g. 9.2, or 9001:8.4 for ISO 9001)", clip(s), StandardLabel(std))
	}
	if std != StdISO27001 {
		parts := strings.SplitN(number, ".", 3)
		first := parts[0]
		if len(parts) > 1 {
			first += "." + parts[1]
		}
		known := false
		for _, c := range clauseSkeletons[std] {
			known = known || c.Number == first
		}
		if !known {
			return "", "", Errorf(EINVALID, "clauses: %q: %s has no clause %s (see docs/standards.md for its skeleton)", clip(s), StandardLabel(std), first)
		}
	}
	return std, number, nil
}

// FormatClause writes a clause as audits store it: unprefixed for ISO/IEC
// 27001, "9001:8.4" for ISO 9001.
func FormatClause(std, number string) string {
	if std == StdISO9001 {
		return "9001:" + number
	}
	return number
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// ClauseCoverage tells which audits of a year cover a top-level clause of
// a standard.
type ClauseCoverage struct {
	Standard string
	Clause   string
	Title    string
	Audits   []string
}

// CoverageOf returns, for each top-level clause of std, the titles of the
// audits whose clauses fall under it. Unparseable stored clauses are
// ignored.
func CoverageOf(std string, audits []InternalAudit) []ClauseCoverage {
	var out []ClauseCoverage
	for _, top := range TopClauses(std) {
		c := ClauseCoverage{Standard: std, Clause: top.Number, Title: top.Title}
		for _, a := range audits {
			for _, cl := range a.Clauses {
				s, n, err := ParseClause(cl)
				if err == nil && s == std && (n == top.Number || strings.HasPrefix(n, top.Number+".")) {
					c.Audits = append(c.Audits, a.Title)
					break
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// AuditStandards returns the standards an audit's clauses name (in
// StandardKeys order).
func AuditStandards(a InternalAudit) []string {
	seen := map[string]bool{}
	for _, cl := range a.Clauses {
		if s, _, err := ParseClause(cl); err == nil {
			seen[s] = true
		}
	}
	var out []string
	for _, k := range StandardKeys {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

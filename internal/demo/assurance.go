package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

var demoSuppliers = []struct {
	name, service string
	critical      bool
}{
	{"Nordhost Cloud Oy", "IaaS hosting of production", true},
	{"PayLink Payments AB", "Card payments", true},
	{"Kide ERP Services Oy", "ERP operation and support", true},
	{"SecureMail SaaS Ltd", "E-mail security gateway", true},
	{"Varmistus Backup Oy", "Off-site backups", true}, // its assessment lapses
	{"Printworks Oy", "Printing and mailing", false},
	{"OfficeCoffee Finland Oy", "Office coffee service", false},
	{"Lingo Translations Oy", "Translations", false},
	{"CleanDesk Facilities Oy", "Cleaning", false},
	{"TalentHunt Recruiting Oy", "Recruiting", false},
	{"Fleetcar Leasing Oy", "Car leasing", false},
	{"Webinar Studio Ltd", "Webinar platform", false},
}

var assessmentResults = []string{"acceptable", "acceptable", "acceptable with remarks", "corrective actions requested"}

// suppliers: twelve suppliers, five critical. Four critical ones were
// assessed one to nine months ago (and a year before that); the fifth was
// last assessed more than a year before now's month began, so critical
// supplier coverage is red for the last complete month's quarter.
func (g *gen) suppliers() (sups, assessments []isms.Record) {
	assess := func(name string, at time.Time) {
		r := record(isms.KindSupplierAssessments)
		r.Texts["supplier"], r.Texts["result"] = name, pick(g.r, assessmentResults)
		r.Times["assessed_at"] = at
		assessments = append(assessments, r)
	}
	for i, s := range demoSuppliers {
		r := record(isms.KindSuppliers)
		r.Texts["name"] = s.name
		r.Bools["critical"] = s.critical
		r.Attributes = map[string]string{"service": s.service}
		sups = append(sups, r)
		var recent time.Time
		switch {
		case s.critical && i == 4:
			lapse := g.month[months].AddDate(-1, 0, 0)
			recent = g.workTime(lapse.AddDate(0, 0, -50), lapse.AddDate(0, 0, -35), 9, 16)
		case s.critical:
			recent = g.workTime(g.now.AddDate(0, -9, 0), g.now.AddDate(0, -1, 0), 9, 16)
		case i%2 == 0:
			recent = g.workTime(g.now.AddDate(0, -11, 0), g.now.AddDate(0, -1, 0), 9, 16)
		default:
			continue
		}
		if s.critical {
			assess(s.name, g.workTime(recent.AddDate(0, 0, -375), recent.AddDate(0, 0, -355), 9, 16))
		}
		assess(s.name, recent)
	}
	return sups, assessments
}

var vulnAssets = []string{"customer-portal", "erp-api", "vpn-gateway", "build-runner", "intranet", "mobile-backend"}

// vulnerabilities: each month one to three critical, four to eight high and
// eight to fourteen medium findings. Critical ones are mostly fixed in two
// to twelve days, now and then in over two weeks; high and medium ones take
// longer and some medium ones stay open. Two critical ones found in the
// last days are still open. In the last complete month the critical fix
// time stays within 14 days (green).
func (g *gen) vulnerabilities() []isms.Record {
	var out []isms.Record
	refs := map[string]bool{}
	add := func(found time.Time, severity string, fix time.Duration) {
		y := found.In(g.loc).Year()
		ref := ""
		for ref == "" || refs[ref] {
			ref = fmt.Sprintf("CVE-%d-%d", y-g.r.IntN(2), 10000+g.r.IntN(60000))
		}
		refs[ref] = true
		r := record(isms.KindVulnerabilities)
		r.Texts["ref"], r.Texts["asset"], r.Texts["severity"] = ref, pick(g.r, vulnAssets), severity
		r.Times["found_at"] = found
		if fix > 0 {
			g.setIfDone(r, "fixed_at", found.Add(fix))
		}
		out = append(out, r)
	}
	for i := 0; i <= months; i++ {
		start, end := g.month[i], g.monthEnd(i)
		for range g.share(i, 1+g.r.IntN(3)) {
			fix := g.days(2, 12)
			if g.r.IntN(7) == 0 {
				fix = g.days(15, 28)
			}
			add(g.between(start, end), "critical", fix)
		}
		for range g.share(i, 4+g.r.IntN(5)) {
			add(g.between(start, end), "high", g.days(5, 30))
		}
		for range g.share(i, 8+g.r.IntN(7)) {
			fix := g.days(7, 60)
			if g.r.IntN(10) == 0 {
				fix = 0 // accepted risk, never fixed
			}
			add(g.between(start, end), "medium", fix)
		}
	}
	// one critical surely fixed in the last complete month
	found := g.workTime(g.month[last].AddDate(0, 0, 2), g.month[last].AddDate(0, 0, 10), 8, 18)
	add(found, "critical", g.days(4, 9))
	g.keepCriticalFixTime(out)
	for _, ago := range []float64{5, 9} {
		add(g.now.Add(-g.days(ago, ago+0.5)), "critical", 0)
	}
	return out
}

// keepCriticalFixTime shortens the fix of every critical vulnerability that
// would count in the last complete month (fixed in it, or open at its end)
// with more than 14 days, so that the month is green.
func (g *gen) keepCriticalFixTime(vs []isms.Record) {
	start, end := g.month[last], g.month[last+1]
	limit := 14 * 24 * time.Hour
	for _, v := range vs {
		if v.Texts["severity"] != "critical" {
			continue
		}
		found := v.Times["found_at"]
		fixed, ok := v.Times["fixed_at"]
		if !found.Before(end) || (ok && fixed.Before(start)) {
			continue
		}
		if (ok && fixed.Before(end) && fixed.Sub(found) > limit) || ((!ok || !fixed.Before(end)) && end.Sub(found) > limit) {
			delete(v.Times, "fixed_at")
			g.setIfDone(v, "fixed_at", found.Add(g.days(3, 10)))
		}
	}
}

var courses = []string{"Security awareness", "Phishing and social engineering", "Data protection (GDPR)", "Incident reporting"}

// training: every employee has one course per quarter, due in one of three
// waves; 90 to 100 % of each quarter's assignments (98.5 % in now's
// quarter) are completed on time, most of the rest late, a few never.
func (g *gen) training() []isms.Record {
	var out []isms.Record
	first := g.month[0]
	q := time.Date(first.Year(), time.Month((int(first.Month())-1)/3*3+1), 1, 0, 0, 0, 0, g.loc)
	for ; q.Before(g.now); q = q.AddDate(0, 3, 0) {
		course := fmt.Sprintf("%s %d", courses[(int(q.Month())-1)/3], q.Year())
		onTime := 0.9 + g.r.Float64()*0.1
		if !q.AddDate(0, 3, 0).Before(g.now) {
			onTime = 0.985 // the current quarter is going well so far
		}
		for p, person := range g.staff {
			due := workday(time.Date(q.Year(), q.Month(), 31+(p%3)*21, 16, 0, 0, 0, g.loc))
			r := record(isms.KindTraining)
			r.Texts["person"], r.Texts["course"] = person, course
			r.Times["due_at"] = due
			switch x := g.r.Float64(); {
			case x < onTime:
				done := due.Add(-g.days(1, 25))
				if done.Before(q) {
					done = q.Add(g.days(1, 3))
				}
				g.setIfDone(r, "completed_at", done)
			case g.r.IntN(5) > 0:
				g.setIfDone(r, "completed_at", due.Add(g.days(2, 20)))
			}
			out = append(out, r)
		}
	}
	return out
}

// workday moves a Saturday or Sunday back to the Friday before.
func workday(t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, -1)
	case time.Sunday:
		return t.AddDate(0, 0, -2)
	}
	return t
}

var deviationKinds = []struct{ title, source, severity string }{
	{"Leaver's accounts not removed within 24 h", "metric access-removal", "medium"},
	{"Restore test of the file server failed", "restore test", "high"},
	{"Critical incident acted on after the 4 h deadline", "incident", "high"},
	{"Critical supplier assessment overdue", "supplier review", "medium"},
	{"Change implemented without documentation", "change review", "low"},
	{"Security awareness training overdue for several people", "metric training-completion", "low"},
	{"Critical vulnerability open longer than 14 days", "metric critical-vuln-fix-time", "high"},
	{"Visitor log not kept at reception", "internal audit", "low"},
	{"Shared admin account used on the firewall", "employee report", "medium"},
	{"Laptop without disk encryption found", "internal audit", "medium"},
}

// deviations: two to four a month, most closed within five to forty days,
// one long-running one still open. Over the last three complete months the
// open count rises (2, 3, 5), so open-deviations is red.
func (g *gen) deviations() []isms.Record {
	var out []isms.Record
	seq := map[int]int{}
	day := 24 * time.Hour
	add := func(detected time.Time, closed time.Time) {
		y := detected.In(g.loc).Year()
		seq[y]++
		k := pick(g.r, deviationKinds)
		r := record(isms.KindDeviations)
		r.Texts["ref"] = fmt.Sprintf("DEV-%d-%03d", y, seq[y])
		r.Texts["title"], r.Texts["source"], r.Texts["severity"] = k.title, k.source, k.severity
		// The grade an auditor would give: high impact is a major
		// nonconformity, anything less a minor one.
		r.Texts["grade"] = isms.GradeMinor
		if k.severity == "high" || k.severity == "critical" {
			r.Texts["grade"] = isms.GradeMajor
		}
		r.Times["detected_at"] = detected
		if !closed.IsZero() {
			g.setIfDone(r, "closed_at", closed)
		}
		out = append(out, r)
	}
	var open time.Time // zero: not closed
	quick := func(i int) {
		d := g.workTime(g.month[i], g.month[i].Add(12*day), 9, 16)
		add(d, d.Add(g.days(3, 8)))
	}
	cutoff := g.month[last-1] // everything older is closed by the end of month last-2
	for i := 0; i < last-2; i++ {
		for j := range 2 + g.r.IntN(3) {
			d := g.workTime(g.month[i], g.month[i+1], 9, 16)
			if i == 5 && j == 0 {
				add(d, open) // the long-running one
				continue
			}
			c := d.Add(g.days(5, 40))
			if !c.Before(cutoff) {
				c = g.workTime(cutoff.Add(-6*day), cutoff.Add(-day), 9, 16)
			}
			add(d, c)
		}
	}
	m := g.month
	quick(last - 2)
	quick(last - 2)
	add(g.workTime(m[last-2], m[last-1].Add(-2*day), 9, 16), g.workTime(m[last-1], m[last], 9, 16))
	quick(last - 1)
	add(g.workTime(m[last-1], m[last].Add(-2*day), 9, 16), g.workTime(m[last], m[last+1], 9, 16))
	add(g.workTime(m[last-1], m[last].Add(-2*day), 9, 16), open)
	quick(last)
	for range 3 {
		add(g.workTime(m[last], m[last+1].Add(-day), 9, 16), open)
	}
	for range g.share(months, 2) {
		add(g.workTime(m[months], g.now, 9, 16), open)
	}
	slices.SortStableFunc(out, func(a, b isms.Record) int { return a.Times["detected_at"].Compare(b.Times["detected_at"]) })
	return out
}

var auditTitles = []string{
	"Access reviews not performed for production cloud accounts",
	"Restore test evidence missing for one quarter",
	"Supplier register lacks the rationale for criticality",
	"Onboarding checklist not signed by the manager",
	"Clean desk policy not followed in the open office",
	"Risk register entries past their reassessment date",
	"Change approvals recorded after implementation",
	"Training records incomplete for contractors",
	"Incident reports lack root cause analysis",
	"Disk encryption not verified on new laptops",
}

// auditFindings: an internal audit each spring (mid-April) and autumn
// (mid-October) with four to six findings each. Earlier findings were closed
// in two weeks to three months; the latest audit's findings are closed in
// ten to thirty-five days, except one that stays open.
func (g *gen) auditFindings() []isms.Record {
	var out []isms.Record
	ln := g.now.In(g.loc)
	var audits []time.Time
	for y := ln.Year() - 1; y <= ln.Year(); y++ {
		for _, m := range []time.Month{time.April, time.October} {
			a := workday(time.Date(y, m, 14, 9, 0, 0, 0, g.loc))
			if !a.Before(g.month[0]) && !a.After(g.now.AddDate(0, 0, -7)) {
				audits = append(audits, a)
			}
		}
	}
	for n, a := range audits {
		latest := n == len(audits)-1
		season, name := "S", "spring"
		if a.Month() == time.October {
			season, name = "A", "autumn"
		}
		titles := g.r.Perm(len(auditTitles))
		for j := range 4 + g.r.IntN(3) {
			r := record(isms.KindAuditFindings)
			r.Texts["ref"] = fmt.Sprintf("IA-%d-%s-%02d", a.Year(), season, j+1)
			r.Texts["audit"] = fmt.Sprintf("Internal audit, %s %d", name, a.Year())
			r.Texts["title"] = auditTitles[titles[j]]
			// Each audit grades its findings: minor nonconformities, an
			// observation and an opportunity for improvement.
			r.Texts["grade"] = [...]string{isms.GradeMinor, isms.GradeObservation, isms.GradeMinor, isms.GradeOpportunity, isms.GradeMinor, isms.GradeObservation}[j%6]
			r.Texts["severity"] = isms.SeverityOfGrade(r.Texts["grade"])
			raised := a.Add(time.Duration(j) * 90 * time.Minute)
			r.Times["raised_at"] = raised
			switch {
			case latest && j == 0:
			case latest:
				g.setIfDone(r, "closed_at", raised.Add(g.days(10, 35)))
			default:
				g.setIfDone(r, "closed_at", raised.Add(g.days(14, 90)))
			}
			out = append(out, r)
		}
	}
	return out
}

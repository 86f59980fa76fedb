package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

var (
	firstNames = []string{"Aino", "Eero", "Helmi", "Juho", "Kaisa", "Lauri", "Maija", "Mikko", "Noora", "Oskari",
		"Pia", "Riku", "Sanna", "Timo", "Venla", "Ville", "Emma", "Leo", "Sofia", "Elias", "Olivia", "Onni",
		"Aada", "Eetu", "Iida", "Joel", "Linnea", "Niko", "Ronja", "Tuomas"}
	lastNames = []string{"Virtanen", "Korhonen", "Nieminen", "Makinen", "Hamalainen", "Laine", "Heikkinen",
		"Koskinen", "Jarvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Kinnunen",
		"Andersson", "Lindqvist"}
	// Every leaver has these accounts; the rest depend on the role.
	baseSystems  = []string{"google-workspace", "slack"}
	otherSystems = []string{"github", "jira", "aws", "1password", "hubspot", "vpn", "figma", "salesforce"}
)

// staffCount is the demo company's head count.
const staffCount = 50

// people returns n distinct user names ("aino.virtanen").
func (g *gen) people(n int) []string {
	out := make([]string, 0, n)
	for _, i := range g.r.Perm(len(firstNames) * len(lastNames))[:n] {
		f, l := firstNames[i%len(firstNames)], lastNames[i/len(firstNames)]
		out = append(out, strings.ToLower(f+"."+l))
	}
	return out
}

// accessRemovals: two to four leavers a month with three to six accounts
// each (a fifty-person SaaS company gives most people more than two), most
// removed within hours, now and then one a few days late. The last complete
// month has 22 removals with exactly one late (95.45 %, yellow), and the
// newest leaver, who left three hours ago, still has one account pending.
func (g *gen) accessRemovals() []isms.Record {
	leavers := g.leavers
	var out []isms.Record
	ticket := 1040
	add := func(person string, ended time.Time, systems int, late func(int) bool, pendingLast bool) {
		ticket++
		names := append([]string{}, baseSystems...)
		for _, k := range g.r.Perm(len(otherSystems))[:systems-len(baseSystems)] {
			names = append(names, otherSystems[k])
		}
		for j, s := range names {
			r := record(isms.KindAccessRemovals)
			r.Texts["person"], r.Texts["system"] = person, s
			r.Times["employment_ended_at"] = ended
			r.Attributes = map[string]string{"ticket": fmt.Sprintf("HR-%04d", ticket)}
			var d time.Duration
			switch {
			case late(j):
				d = 24*time.Hour + g.days(1, 3)
			case g.r.IntN(10) < 7:
				d = g.hours(0.25, 4)
			default:
				d = g.hours(14, 20) // the next morning
			}
			if !(pendingLast && j == len(names)-1) {
				g.setIfDone(r, "access_removed_at", ended.Add(d))
			}
			out = append(out, r)
		}
	}
	next := 0
	leaver := func() string { next++; return leavers[(next-1)%len(leavers)] }
	for i := 0; i <= months; i++ {
		switch i {
		case last:
			lateOne := g.r.IntN(22)
			k := 0
			for n := range 4 {
				ended := g.workTime(g.month[i], g.month[i+1].Add(-5*24*time.Hour), 15, 17)
				base := k
				add(leaver(), ended, 5+n%2, func(j int) bool { return base+j == lateOne }, false)
				k += 5 + n%2
			}
		case months:
			for range g.share(i, 3) {
				ended := g.workTime(g.month[i], g.now.Add(-30*time.Hour), 15, 17)
				if ended.Before(g.now.Add(-30 * time.Hour)) {
					add(leaver(), ended, 3+g.r.IntN(4), g.lateNowAndThen, false)
				}
			}
			add(leaver(), g.now.Add(-3*time.Hour).Truncate(time.Minute), 3+g.r.IntN(4), func(int) bool { return false }, true)
		default:
			for range 2 + g.r.IntN(3) {
				ended := g.workTime(g.month[i], g.month[i+1], 15, 17)
				add(leaver(), ended, 3+g.r.IntN(4), g.lateNowAndThen, false)
			}
		}
	}
	return out
}

// lateNowAndThen decides that about one removal in thirty is late.
func (g *gen) lateNowAndThen(int) bool { return g.r.IntN(30) == 0 }

// incidentKind pairs an incident title with the root cause found for it.
type incidentKind struct{ title, rootCause string }

var (
	criticalIncidents = []incidentKind{
		{"Ransomware encrypted shares on the file server", "Unpatched VPN appliance exploited from the internet"},
		{"Production database credentials exposed", "Credentials committed to a public repository by a build script"},
		{"Customer data exposed through the portal API", "Authorisation check missing on a new API endpoint"},
		{"Administrator account compromised", "Phishing bypassed SMS-based MFA of an admin account"},
	}
	otherIncidents = []incidentKind{
		{"Phishing e-mail led to credential entry", "MFA not enforced on a legacy mail client"},
		{"Laptop lost while travelling", "Device left unattended on public transport"},
		{"Malware detected on a workstation", "User ran an unsigned installer from the internet"},
		{"Storage bucket exposed test data", "Bucket policy template allowed public read"},
		{"Denial of service against the customer portal", "Rate limiting not configured on the load balancer"},
		{"API key leaked in a public repository", "Secret scanning not enabled on the repository"},
		{"E-mail with customer data sent to the wrong recipient", "Address autocomplete picked the wrong recipient"},
		{"Brute-force attempts on the admin panel", "Admin panel reachable from the internet"},
		{"Former contractor's VPN account still active", "Contractors not covered by the leaver process"},
		{"Suspicious OAuth app granted mailbox access", "Users may consent to third-party apps"},
	}
)

// incidents: three to six a month, a critical one in about every other
// month (acted on within one to three hours, now and then after six), the
// others of high, medium or low severity. The last complete month has one
// critical incident, acted on in time (green).
func (g *gen) incidents() []isms.Record {
	var out []isms.Record
	seq := map[int]int{}
	add := func(detected time.Time, severity string, act time.Duration) {
		y := detected.In(g.loc).Year()
		seq[y]++
		kinds := otherIncidents
		if severity == "critical" {
			kinds = criticalIncidents
		}
		k := pick(g.r, kinds)
		r := record(isms.KindIncidents)
		r.Texts["ref"] = fmt.Sprintf("INC-%d-%03d", y, seq[y])
		r.Texts["title"], r.Texts["severity"] = k.title, severity
		r.Times["detected_at"] = detected
		g.setIfDone(r, "action_started_at", detected.Add(act))
		var fix time.Duration
		switch severity {
		case "critical":
			fix = g.hours(6, 48)
		case "high":
			fix = g.hours(12, 5*24)
		default:
			fix = g.days(1, 14)
		}
		if resolved := detected.Add(act + fix); !resolved.After(g.now) {
			r.Times["resolved_at"] = resolved
			r.Texts["root_cause"] = k.rootCause
		}
		out = append(out, r)
	}
	for i := 0; i <= months; i++ {
		start, end := g.month[i], g.monthEnd(i)
		n := g.share(i, 3+g.r.IntN(4))
		critical := g.r.IntN(100) < 55
		if i == last {
			critical = true
		}
		if i == last {
			end = end.Add(-24 * time.Hour) // its critical incident is judged, not pending
		}
		var times []time.Time
		for range n {
			times = append(times, g.between(start, end))
		}
		sortTimes(times)
		for j, t := range times {
			if critical && j == len(times)/2 {
				act := g.hours(1, 3)
				if i != last && g.r.IntN(5) == 0 {
					act = g.hours(5.5, 7)
				}
				add(t, "critical", act)
				continue
			}
			switch x := g.r.IntN(10); {
			case x < 2:
				add(t, "high", g.hours(1, 6))
			case x < 6:
				add(t, "medium", g.hours(2, 12))
			default:
				add(t, "low", g.hours(4, 48))
			}
		}
	}
	return out
}

func sortTimes(ts []time.Time) {
	slices.SortFunc(ts, time.Time.Compare)
}

var restoreSystems = []string{"erp-database", "file-server", "customer-portal-db"}

// restoreTests: each quarter before now's, each of three systems restored
// once, with a retest two to three weeks after a failure. Now's quarter has
// none yet, so restore-tests is red until someone runs one.
func (g *gen) restoreTests() []isms.Record {
	var out []isms.Record
	ln := g.now.In(g.loc)
	current := time.Date(ln.Year(), time.Month((int(ln.Month())-1)/3*3+1), 1, 0, 0, 0, 0, g.loc)
	for q := 4; q >= 1; q-- {
		start := current.AddDate(0, -3*q, 0)
		mid, end := start.AddDate(0, 1, 0), start.AddDate(0, 2, 0)
		for _, s := range restoreSystems {
			t := g.workTime(mid, end, 9, 16)
			r := record(isms.KindRestoreTests)
			r.Texts["system"] = s
			r.Times["tested_at"] = t
			if g.r.IntN(8) == 0 {
				r.Texts["result"] = "fail"
				r.Texts["notes"] = pick(g.r, []string{
					"Backup catalogue corrupt; latest full backup unreadable",
					"Restore exceeded the 4 h recovery time objective",
					"Restored database failed consistency check"})
				out = append(out, r)
				re := record(isms.KindRestoreTests)
				re.Texts["system"], re.Texts["result"] = s, "pass"
				re.Times["tested_at"] = g.workTime(t.Add(14*24*time.Hour), t.Add(21*24*time.Hour), 9, 16)
				re.Texts["notes"] = "Retest after fix: full restore to staging succeeded"
				out = append(out, re)
				continue
			}
			r.Texts["result"] = "pass"
			r.Texts["notes"] = fmt.Sprintf("Full restore to staging in %d min; checksums match", 20+g.r.IntN(90))
			out = append(out, r)
		}
	}
	return out
}

var changeSystems = []string{"erp", "customer-portal", "aws-production", "network", "microsoft-365", "identity-provider"}

// changes: fifteen to twenty-five a month, 88 to 100 % documented
// depending on the month. The last complete month has 22 with one
// undocumented (95.45 %, green).
func (g *gen) changes() []isms.Record {
	var out []isms.Record
	seq := 1200
	for i := 0; i <= months; i++ {
		n := g.share(i, 15+g.r.IntN(11))
		documentedShare := 0.88 + g.r.Float64()*0.12
		undocumented := -1
		if i == last {
			n, undocumented = 22, g.r.IntN(22)
		}
		for j := range n {
			seq++
			r := record(isms.KindChanges)
			r.Texts["ref"] = fmt.Sprintf("CHG-%05d", seq)
			r.Texts["system"] = pick(g.r, changeSystems)
			r.Times["implemented_at"] = g.workTime(g.month[i], g.monthEnd(i), 8, 18)
			documented := g.r.Float64() < documentedShare
			if i == last {
				documented = j != undocumented
			}
			r.Bools["documented"] = documented
			r.Bools["approved"] = documented || g.r.IntN(2) == 0
			out = append(out, r)
		}
	}
	return out
}

// Package demo fills the demo organisation with about a year of realistic
// operational records for a company of some fifty people, and generates
// synthetic records of any kind for benchmarks.
//
// The demo data goes through the real import path (one CSV file per record
// kind, built in memory, imported with app.Import), so the demo exercises
// the importer and the audit trail the way a customer's first upload does.
// Generation is deterministic: the same moment gives the same records.
//
// The year is shaped so that the last complete month shows every rating:
// access removals are yellow (one late removal among more than twenty),
// critical incidents were acted on in time (green), critical supplier
// coverage is red (one assessment has lapsed), open deviations have risen
// three months running (red), and no restore test has run yet in the
// current quarter.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// seed fixes the demo's random choices, so that every demo database holds
// the same story for the same moment.
const seed1, seed2 = 27001, 2022

// Seeder returns an app.DemoSeeder that imports the year of records up to
// now (Load) into the demo organisation, stores its metric figures, and
// sets up its key processes and an improvement cycle (Processes).
func Seeder(now time.Time) app.DemoSeeder {
	return func(ctx context.Context, a *app.App, org *isms.Organization) error {
		if _, err := Load(ctx, a, org, now); err != nil {
			return err
		}
		if err := Processes(ctx, a, org, now); err != nil {
			return err
		}
		return ActLoop(ctx, a, org, now)
	}
}

// Load generates the year of records up to now (Year) in the
// organisation's time zone, imports each kind as a CSV file through
// a.Import as the command line would (suppliers before their assessments),
// then recomputes the organisation's stored metric figures. It returns the
// import results in the order of isms.Kinds. Errors are those of a.Import
// (an *importer.Error would mean a bug here) and a.RecomputeMetrics.
func Load(ctx context.Context, a *app.App, org *isms.Organization, now time.Time) ([]*app.ImportResult, error) {
	loc := org.Location()
	year := Year(now, loc)
	var out []*app.ImportResult
	for _, spec := range isms.Kinds() {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, spec.Kind, year[spec.Kind], loc); err != nil {
			return nil, err
		}
		res, err := a.Import(ctx, app.System, app.ImportRequest{Org: org.Slug, Kind: spec.Kind, Format: importer.FormatCSV,
			FileName: "demo-" + string(spec.Kind) + ".csv", File: &buf})
		if err != nil {
			return nil, fmt.Errorf("demo import of %s: %w", spec.Kind, err)
		}
		out = append(out, res)
	}
	// The demo organisation has used pdca for the year its records
	// cover: its periods are rated (periods before an organisation
	// existed are not).
	ln := now.In(loc)
	if err := a.BackdateOrg(ctx, app.System, org.Slug, time.Date(ln.Year(), ln.Month()-months, 1, 0, 0, 0, 0, loc)); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if _, err := a.RecomputeMetrics(ctx, org.ID); err != nil {
		return nil, fmt.Errorf("demo metrics: %w", err)
	}
	return out, nil
}

// Year returns the demo's records by kind: the twelve months before now's
// month and now's month up to now, as seen from loc. Nothing is recorded as
// happening after now; what would have happened later is left empty (not
// yet done). Each record's Key is set.
func Year(now time.Time, loc *time.Location) map[isms.RecordKind][]isms.Record {
	g := newGen(now, loc)
	out := map[isms.RecordKind][]isms.Record{
		isms.KindAccessRemovals:  g.accessRemovals(),
		isms.KindIncidents:       g.incidents(),
		isms.KindRestoreTests:    g.restoreTests(),
		isms.KindChanges:         g.changes(),
		isms.KindVulnerabilities: g.vulnerabilities(),
		isms.KindTraining:        g.training(),
		isms.KindDeviations:      g.deviations(),
		isms.KindAuditFindings:   g.auditFindings(),
	}
	out[isms.KindSuppliers], out[isms.KindSupplierAssessments] = g.suppliers()
	for _, spec := range isms.Kinds() {
		for i := range out[spec.Kind] {
			out[spec.Kind][i].Key = spec.NaturalKey(out[spec.Kind][i])
		}
	}
	return out
}

// months is how many complete months the demo covers before now's month.
const months = 12

// gen holds what every kind's generator shares: the random source, the
// zone, the moment and the month boundaries.
type gen struct {
	r   *rand.Rand
	loc *time.Location
	now time.Time
	// month[i] is the start of the i-th month; month[months] is now's month
	// and month[months+1] the next one, so month i is [month[i], month[i+1]).
	month [months + 2]time.Time
	// staff are the current employees; leavers those who left in the year.
	staff, leavers []string
}

// last is the index of the last complete month, the one the demo tunes.
const last = months - 1

func newGen(now time.Time, loc *time.Location) *gen {
	if loc == nil {
		loc = time.UTC
	}
	now = now.Truncate(time.Second)
	g := &gen{r: rand.New(rand.NewPCG(seed1, seed2)), loc: loc, now: now}
	ln := now.In(loc)
	for i := range g.month {
		g.month[i] = time.Date(ln.Year(), ln.Month()-months+time.Month(i), 1, 0, 0, 0, 0, loc)
	}
	names := g.people(staffCount + 60)
	g.staff, g.leavers = names[:staffCount], names[staffCount:]
	return g
}

// monthEnd returns the end of month i, or now for now's month.
func (g *gen) monthEnd(i int) time.Time {
	if i >= months {
		return g.now
	}
	return g.month[i+1]
}

// share scales a monthly count to the part of now's month that has passed.
func (g *gen) share(i, n int) int {
	if i < months {
		return n
	}
	f := float64(g.now.Sub(g.month[months])) / float64(g.month[months+1].Sub(g.month[months]))
	return int(float64(n)*f + 0.5)
}

// between returns a random instant in [a, b), to the second; a when b is
// not after a.
func (g *gen) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(g.r.Int64N(int64(b.Sub(a))))).Truncate(time.Second)
}

// workTime returns a random moment of a working day (Monday to Friday,
// from hour from to hour to, local time) in [a, b), or any moment in [a, b)
// when the range holds no working hours.
func (g *gen) workTime(a, b time.Time, from, to int) time.Time {
	if !b.After(a) {
		return a
	}
	for range 40 {
		d := g.between(a, b).In(g.loc)
		t := time.Date(d.Year(), d.Month(), d.Day(), from+g.r.IntN(to-from), g.r.IntN(60), 0, 0, g.loc)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday && !t.Before(a) && t.Before(b) {
			return t
		}
	}
	return g.between(a, b)
}

// hours returns a random duration between lo and hi hours, to the minute.
func (g *gen) hours(lo, hi float64) time.Duration {
	return time.Duration((lo + g.r.Float64()*(hi-lo)) * float64(time.Hour)).Truncate(time.Minute)
}

// days returns a random duration between lo and hi days, to the minute.
func (g *gen) days(lo, hi float64) time.Duration { return g.hours(lo*24, hi*24) }

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// record returns an empty record of a kind with its maps made.
func record(kind isms.RecordKind) isms.Record {
	return isms.Record{Kind: kind, Times: map[string]time.Time{}, Bools: map[string]bool{}, Texts: map[string]string{}}
}

// setIfDone sets a "done" time only when it has happened by now: the demo
// never records the future.
func (g *gen) setIfDone(r isms.Record, field string, t time.Time) {
	if !t.After(g.now) {
		r.Times[field] = t
	}
}

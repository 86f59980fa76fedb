package measure_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdca/pdca/internal/measure"
)

var helsinki = MustLoadLocation("Europe/Helsinki")

// MustLoadLocation loads a time zone or panics; used for package-level vars.
func MustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// MustTime parses an RFC 3339 timestamp.
func MustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("parse time %q: %v", s, err)
	}
	return t
}

// MustPeriod parses a period in loc.
func MustPeriod(tb testing.TB, s string, loc *time.Location) measure.Period {
	tb.Helper()
	p, err := measure.ParsePeriod(s, loc)
	if err != nil {
		tb.Fatalf("parse period %q: %v", s, err)
	}
	return p
}

// MustBuiltin returns the built-in metric with the key.
func MustBuiltin(tb testing.TB, key string) measure.Definition {
	tb.Helper()
	d, ok := measure.Builtin(key)
	if !ok {
		tb.Fatalf("no built-in metric %q", key)
	}
	return d
}

// MustCompute computes and fails the test on error.
func MustCompute(tb testing.TB, def measure.Definition, in measure.Input) measure.Measurement {
	tb.Helper()
	m, err := measure.Compute(def, in)
	if err != nil {
		tb.Fatalf("compute %s: %v", def.Key, err)
	}
	return m
}

// field sets one column of a record under construction.
type field func(tb testing.TB, r *measure.Record)

// at sets a timestamp column (RFC 3339).
func at(name, value string) field {
	return func(tb testing.TB, r *measure.Record) {
		if r.Times == nil {
			r.Times = map[string]time.Time{}
		}
		r.Times[name] = MustTime(tb, value)
	}
}

// flag sets a bool column.
func flag(name string, value bool) field {
	return func(_ testing.TB, r *measure.Record) {
		if r.Bools == nil {
			r.Bools = map[string]bool{}
		}
		r.Bools[name] = value
	}
}

// text sets a text column.
func text(name, value string) field {
	return func(_ testing.TB, r *measure.Record) {
		if r.Texts == nil {
			r.Texts = map[string]string{}
		}
		r.Texts[name] = value
	}
}

// rec is a record spec: its id and key plus columns; build turns specs into
// records.
type rec struct {
	id     int64
	key    string
	fields []field
}

func row(id int64, key string, fields ...field) rec { return rec{id, key, fields} }

func build(tb testing.TB, specs []rec) []measure.Record {
	tb.Helper()
	out := make([]measure.Record, 0, len(specs))
	for _, s := range specs {
		rr := measure.Record{ID: s.id, Key: s.key}
		for _, f := range s.fields {
			f(tb, &rr)
		}
		out = append(out, rr)
	}
	return out
}

func ptr(v float64) *float64 { return &v }

// outcome is the part of an Item the flow tests check.
type outcome struct {
	ID      int64
	Outcome measure.Outcome
	Days    *float64
}

// summary is the part of a Measurement the tests check.
type summary struct {
	Value                            *float64
	Status                           measure.Status
	Population, Met, Missed, Pending int
	Counted                          int
	Items                            []outcome
}

func summarize(m measure.Measurement) summary {
	s := summary{
		Value: m.Value, Status: m.Status, Population: m.Population,
		Met: m.Met, Missed: m.Missed, Pending: m.Pending, Counted: m.Counted,
	}
	for _, it := range m.Items {
		s.Items = append(s.Items, outcome{ID: it.ID, Outcome: it.Outcome, Days: it.Value})
	}
	return s
}

// approx compares float64 values to 1e-9, so hand-worked fractions such as
// 200.0/3 need not match the engine's operation order bit for bit.
var approx = cmp.Comparer(func(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
})

// checkSummary compares the summary of got with want.
func checkSummary(t *testing.T, got measure.Measurement, want summary) {
	t.Helper()
	if diff := cmp.Diff(want, summarize(got), approx); diff != "" {
		t.Errorf("measurement mismatch (-want +got):\n%s\nreason: %s", diff, got.Reason)
	}
}

// met, missed, pending and counted build expected items.
func met(id int64) outcome     { return outcome{ID: id, Outcome: measure.OutcomeMet} }
func missed(id int64) outcome  { return outcome{ID: id, Outcome: measure.OutcomeMissed} }
func pending(id int64) outcome { return outcome{ID: id, Outcome: measure.OutcomePending} }
func counted(id int64) outcome { return outcome{ID: id, Outcome: measure.OutcomeCounted} }
func days(id int64, d float64) outcome {
	return outcome{ID: id, Outcome: measure.OutcomeCounted, Days: &d}
}

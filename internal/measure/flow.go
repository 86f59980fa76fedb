package measure

import (
	"strings"
	"time"
)

// inFlow reports whether r belongs to the flow population of period p as of
// T: its PeriodField lies in [Start, End) and, unless the field is a
// deadline, has happened by T.
func inFlow(def *Definition, r *Record, p *Period, asOf time.Time) bool {
	t, ok := timeOf(r, def.PeriodField)
	if !ok || !p.Contains(t) {
		return false
	}
	return def.PeriodIsDeadline || !t.After(asOf)
}

// addShareWithin judges a record of the flow population against its
// deadline StartField + Within, as known at T.
func (t *Tally) addShareWithin(r *Record) {
	def, asOf := &t.def, t.in.AsOf
	if !inFlow(def, r, &t.in.Period, asOf) || !matches(r, def.Filter) {
		return
	}
	start, ok := timeOf(r, def.StartField)
	if !ok {
		return // cannot be judged without its clock start
	}
	deadline := start.Add(def.Within)
	var o Outcome
	if done, ok := timeOf(r, def.DoneField); happened(done, ok, asOf) {
		if done.After(deadline) {
			o = OutcomeMissed
		} else {
			o = OutcomeMet
		}
	} else if asOf.After(deadline) {
		o = OutcomeMissed
	} else {
		o = OutcomePending
	}
	switch o {
	case OutcomeMet:
		t.m.Met++
	case OutcomeMissed:
		t.m.Missed++
	default:
		t.m.Pending++
	}
	t.item(r, o)
}

// addCountOrPercentage counts a record of the flow population (count) or
// judges it by its BoolField (percentage).
func (t *Tally) addCountOrPercentage(r *Record) {
	def := &t.def
	if !inFlow(def, r, &t.in.Period, t.in.AsOf) || !matches(r, def.Filter) {
		return
	}
	o := OutcomeCounted
	switch {
	case def.Measure == MeasureCount:
		t.m.Counted++
	case boolOf(r, def.BoolField):
		o = OutcomeMet
		t.m.Met++
	default:
		o = OutcomeMissed
		t.m.Missed++
	}
	t.item(r, o)
}

// boolOf reads a bool field; absent is false. A bool that reached the engine
// as text ("yes") is read with the import vocabulary.
func boolOf(r *Record, f string) bool {
	if b, ok := r.Bools[f]; ok {
		return b
	}
	if s, ok := r.Texts[f]; ok {
		b, _ := parseBool(strings.TrimSpace(s))
		return b
	}
	return false
}

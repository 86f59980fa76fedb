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

// computeShareWithin judges each record of the flow population against its
// deadline StartField + Within, as known at T.
func computeShareWithin(def Definition, in Input, m *Measurement, items bool) {
	asOf := in.AsOf
	for i := range in.Records {
		r := &in.Records[i]
		if !inFlow(&def, r, &in.Period, asOf) || !matches(r, def.Filter) {
			continue
		}
		start, ok := timeOf(r, def.StartField)
		if !ok {
			continue // cannot be judged without its clock start
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
			m.Met++
		case OutcomeMissed:
			m.Missed++
		default:
			m.Pending++
		}
		if items {
			m.Items = append(m.Items, Item{ID: r.ID, Key: r.Key, Outcome: o})
		}
	}
	m.Population = m.Met + m.Missed
	m.Value = percent(m.Met, m.Population)
}

// computeCountOrPercentage counts the flow population (count) or the share
// of it whose BoolField is true (percentage).
func computeCountOrPercentage(def Definition, in Input, m *Measurement, items bool) {
	isCount := def.Measure == MeasureCount
	for i := range in.Records {
		r := &in.Records[i]
		if !inFlow(&def, r, &in.Period, in.AsOf) || !matches(r, def.Filter) {
			continue
		}
		o := OutcomeCounted
		switch {
		case isCount:
			m.Counted++
		case boolOf(r, def.BoolField):
			o = OutcomeMet
			m.Met++
		default:
			o = OutcomeMissed
			m.Missed++
		}
		if items {
			m.Items = append(m.Items, Item{ID: r.ID, Key: r.Key, Outcome: o})
		}
	}
	if isCount {
		m.Population = m.Counted
		v := float64(m.Counted)
		m.Value = &v
		return
	}
	m.Population = m.Met + m.Missed
	m.Value = percent(m.Met, m.Population)
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

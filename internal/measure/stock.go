package measure

import (
	"math"
	"slices"
	"time"
)

// stockAt is one stock reading: the period's end and R = min(End, T).
type stockAt struct {
	end, r time.Time
}

// openAt reports whether a record started at start (and done at done, when
// doneOK) stands open at R: started before End and not after T, and not
// closed before End and not after T.
func openAt(s stockAt, asOf, start, done time.Time, doneOK bool) bool {
	if !start.Before(s.end) || start.After(asOf) {
		return false
	}
	closed := doneOK && done.Before(s.end) && !done.After(asOf)
	return !closed
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// addStock counts a record open at R (stock_count), or open at R and older
// than AgeOver (stock_aged_count), for the period and, for not_rising, the
// two periods before it.
func (t *Tally) addStock(r *Record) {
	def, asOf := &t.def, t.in.AsOf
	start, ok := timeOf(r, def.StartField)
	if !ok || start.After(asOf) || !matches(r, def.Filter) {
		return
	}
	done, doneOK := timeOf(r, def.DoneField)
	aged := def.Measure == MeasureStockAgedCount
	for k, s := range t.at {
		if !openAt(s, asOf, start, done, doneOK) {
			continue
		}
		if aged && s.r.Sub(start) <= def.AgeOver {
			continue
		}
		t.counts[k]++
		if k == 0 {
			t.item(r, OutcomeCounted)
		}
	}
}

// days converts an elapsed duration to fractional days (hours / 24).
func days(d time.Duration) float64 {
	return float64(d) / float64(24*time.Hour)
}

// addPercentile takes a record's duration StartField→DoneField when it was
// done in the period (by T), or its age at R when it was started before R
// and not done by R.
func (t *Tally) addPercentile(r *Record) {
	def, asOf, p := &t.def, t.in.AsOf, &t.in.Period
	s := stockAt{end: p.End, r: minTime(p.End, asOf)}
	start, startOK := timeOf(r, def.StartField)
	done, doneOK := timeOf(r, def.DoneField)
	var d float64
	switch {
	case doneOK && p.Contains(done) && !done.After(asOf):
		if !startOK {
			return // done in the period, but its duration is unknown
		}
		d = max(days(done.Sub(start)), 0)
	case startOK && openAt(s, asOf, start, done, doneOK):
		d = days(s.r.Sub(start))
	default:
		return
	}
	if !matches(r, def.Filter) {
		return
	}
	t.vals = append(t.vals, d)
	t.item(r, OutcomeCounted)
}

// percentile fills m with the nearest-rank percentile of the values fed.
func (t *Tally) percentile(m *Measurement) {
	vals := t.vals
	if t.items {
		// Point the items at their values, then sort a copy.
		for i := range m.Items {
			m.Items[i].Value = &vals[i]
		}
		vals = slices.Clone(vals)
	}
	n := len(vals)
	m.Population, m.Counted = n, n
	if n == 0 {
		return
	}
	slices.Sort(vals)
	v := vals[nearestRank(t.def.Percentile, n)-1]
	m.Value = &v
}

// nearestRank is the 1-based position ceil(p/100 × n), within [1, n].
// Multiplying before dividing keeps p × n exact for a whole p, so a rank that
// is a whole number is not pushed up by float error.
func nearestRank(p float64, n int) int {
	k := int(math.Ceil(p * float64(n) / 100))
	return min(max(k, 1), n)
}

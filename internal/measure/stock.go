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

// computeStock counts the records open at R (stock_count), or open at R and
// older than AgeOver (stock_aged_count), for the period and, when prev is
// set, for the two periods before it, in one pass.
func computeStock(def Definition, in Input, m *Measurement, prev bool) {
	asOf := in.AsOf
	p := in.Period
	at := []stockAt{{end: p.End, r: minTime(p.End, asOf)}}
	if prev {
		p1 := p.Prev()
		p2 := p1.Prev()
		at = append(at, stockAt{p1.End, minTime(p1.End, asOf)}, stockAt{p2.End, minTime(p2.End, asOf)})
	}
	var counts [3]int
	aged := def.Measure == MeasureStockAgedCount
	for i := range in.Records {
		r := &in.Records[i]
		start, ok := timeOf(r, def.StartField)
		if !ok || start.After(asOf) || !matches(r, def.Filter) {
			continue
		}
		done, doneOK := timeOf(r, def.DoneField)
		for k, s := range at {
			if !openAt(s, asOf, start, done, doneOK) {
				continue
			}
			if aged && s.r.Sub(start) <= def.AgeOver {
				continue
			}
			counts[k]++
			if k == 0 {
				m.Items = append(m.Items, Item{ID: r.ID, Key: r.Key, Outcome: OutcomeCounted})
			}
		}
	}
	m.Counted = counts[0]
	m.Population = counts[0]
	v := float64(counts[0])
	m.Value = &v
	if prev {
		v1, v2 := float64(counts[1]), float64(counts[2])
		m.Previous = []*float64{&v1, &v2}
	}
}

// days converts an elapsed duration to fractional days (hours / 24).
func days(d time.Duration) float64 {
	return float64(d) / float64(24*time.Hour)
}

// computePercentile takes the nearest-rank percentile of the durations
// StartField→DoneField of the records done in the period (by T) together
// with the ages at R of the records started before R and not done by R.
func computePercentile(def Definition, in Input, m *Measurement, items bool) {
	asOf := in.AsOf
	p := in.Period
	s := stockAt{end: p.End, r: minTime(p.End, asOf)}
	var vals []float64
	for i := range in.Records {
		r := &in.Records[i]
		start, startOK := timeOf(r, def.StartField)
		done, doneOK := timeOf(r, def.DoneField)
		var d float64
		switch {
		case doneOK && p.Contains(done) && !done.After(asOf):
			if !startOK {
				continue // done in the period, but its duration is unknown
			}
			d = max(days(done.Sub(start)), 0)
		case startOK && openAt(s, asOf, start, done, doneOK):
			d = days(s.r.Sub(start))
		default:
			continue
		}
		if !matches(r, def.Filter) {
			continue
		}
		vals = append(vals, d)
		if items {
			m.Items = append(m.Items, Item{ID: r.ID, Key: r.Key, Outcome: OutcomeCounted})
		}
	}
	if items {
		// Point the items at their values only now that vals no longer grows.
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
	v := vals[nearestRank(def.Percentile, n)-1]
	m.Value = &v
}

// nearestRank is the 1-based position ceil(p/100 × n), within [1, n].
// Multiplying before dividing keeps p × n exact for a whole p, so a rank that
// is a whole number is not pushed up by float error.
func nearestRank(p float64, n int) int {
	k := int(math.Ceil(p * float64(n) / 100))
	return min(max(k, 1), n)
}

package measure

import "time"

// EffectivenessPeriod is the period an effectiveness check reads: the
// first complete period of frequency f (in loc) that starts at or after
// the last corrective action was done plus the waiting days. The check
// becomes possible when that period ends (its End), not before: a figure
// of a period that is still running, or that began before the actions
// could take effect, says nothing about whether they worked.
func EffectivenessPeriod(f Frequency, lastDone time.Time, waitDays int, loc *time.Location) Period {
	if loc == nil {
		loc = time.UTC
	}
	from := lastDone.In(loc).AddDate(0, 0, max(0, waitDays))
	p := PeriodContaining(f, from, loc)
	if p.Start.Before(from) {
		p = p.Next()
	}
	return p
}

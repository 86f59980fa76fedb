package measure

import "time"

// RatedPeriods splits the periods of frequency f that a review of p rates
// (as PeriodsFor) into those complete at cutoff (ended on or before it),
// which are rated, and those not complete yet, which are not: a review of
// 2026-Q4 prepared on 2026-12-04 rates the monthly metrics for October and
// November; December has not ended and has no figure to rate yet.
func RatedPeriods(f Frequency, p Period, cutoff time.Time) (rated, pending []Period) {
	for _, pp := range PeriodsFor(f, p) {
		if pp.End.After(cutoff) {
			pending = append(pending, pp)
		} else {
			rated = append(rated, pp)
		}
	}
	return rated, pending
}

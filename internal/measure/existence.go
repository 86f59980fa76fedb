package measure

import "time"

// BeforeExistence reports whether period p ended before since, the moment
// the organisation (or the metric) came to exist, so that nobody could
// have acted in it: such a period has a figure but no rating. A period
// that contains since, or any later one, is rated. A zero since means
// unknown: every period is rated.
func BeforeExistence(p Period, since time.Time) bool {
	return !since.IsZero() && !p.End.After(since)
}

// Unrate takes the rating away from a measurement whose period ended
// before since (BeforeExistence): its status becomes grey, with a reason
// that says why, and its value stays as computed. It reports whether it
// did.
func (m *Measurement) Unrate(since time.Time) bool {
	if !BeforeExistence(m.Period, since) {
		return false
	}
	m.Status = StatusGrey
	loc := m.Period.Start.Location()
	m.Reason = "No rating: the period ended before the organisation or the metric existed in pdca (since " + since.In(loc).Format(time.DateOnly) + ")."
	return true
}

package measure

import (
	"fmt"
	"strconv"
	"time"
)

// Frequency is how often a metric is measured: each calendar month or each
// calendar quarter.
type Frequency string

// The frequencies a Definition may have.
const (
	FrequencyMonth   Frequency = "month"
	FrequencyQuarter Frequency = "quarter"
)

// Valid reports whether f is one of the known frequencies.
func (f Frequency) Valid() bool {
	return f == FrequencyMonth || f == FrequencyQuarter
}

// Period is a calendar month or quarter in a location, half-open
// [Start, End). Index is the month (1-12) or the quarter (1-4).
type Period struct {
	Frequency Frequency
	Year      int
	Index     int
	Start     time.Time
	End       time.Time
}

const periodFormats = "want YYYY-MM (e.g. 2026-10) or YYYY-QN (e.g. 2026-Q4)"

// The years pdca measures. Periods and moments of measurement outside
// them are refused (EINVALID): nothing an ISMS records predates 1970, and
// the bounds keep every period's neighbours (Prev, Next, the trailing
// windows of the rules) inside the range the databases store.
const (
	MinYear = 1970
	MaxYear = 2200
)

// CheckAsOf returns EINVALID unless t lies in the years MinYear to
// MaxYear (UTC), naming the parameter as_of and the bounds.
func CheckAsOf(t time.Time) error {
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return invalidf("as_of %s: the moment of measurement must lie in the years %d to %d", t.UTC().Format(time.RFC3339), MinYear, MaxYear)
	}
	return nil
}

// ParsePeriod reads "2026-10" (a month) or "2026-Q4" (a quarter) as a period
// in loc (UTC when loc is nil). Anything else is an *Error with code
// EINVALID saying what is wrong.
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	if s == "" {
		return Period{}, invalidf("period is empty; %s", periodFormats)
	}
	if len(s) != 7 || s[4] != '-' || !allDigits(s[:4]) {
		return Period{}, invalidf("period %q: %s", s, periodFormats)
	}
	year, _ := strconv.Atoi(s[:4])
	if year < MinYear || year > MaxYear {
		return Period{}, invalidf("period %q: the year must be from %d to %d", s, MinYear, MaxYear)
	}
	if s[5] == 'Q' {
		if !allDigits(s[6:]) {
			return Period{}, invalidf("period %q: %s", s, periodFormats)
		}
		q := int(s[6] - '0')
		if q < 1 || q > 4 {
			return Period{}, invalidf("period %q: quarter must be Q1 to Q4", s)
		}
		return newPeriod(FrequencyQuarter, year, q, loc), nil
	}
	if !allDigits(s[5:]) {
		return Period{}, invalidf("period %q: %s", s, periodFormats)
	}
	m, _ := strconv.Atoi(s[5:])
	if m < 1 || m > 12 {
		return Period{}, invalidf("period %q: month must be 01 to 12", s)
	}
	return newPeriod(FrequencyMonth, year, m, loc), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// PeriodContaining returns the month or quarter (per f) of loc that contains
// the moment t. A nil loc means UTC.
func PeriodContaining(f Frequency, t time.Time, loc *time.Location) Period {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	m := int(lt.Month())
	if f == FrequencyQuarter {
		return newPeriod(f, lt.Year(), (m-1)/3+1, loc)
	}
	return newPeriod(FrequencyMonth, lt.Year(), m, loc)
}

// newPeriod builds the period from its calendar numbers; time.Date
// normalises an out-of-range month or quarter into the next or previous year.
func newPeriod(f Frequency, year, index int, loc *time.Location) Period {
	if loc == nil {
		loc = time.UTC
	}
	months := 1
	firstMonth := index
	if f == FrequencyQuarter {
		months = 3
		firstMonth = (index-1)*3 + 1
	}
	start := time.Date(year, time.Month(firstMonth), 1, 0, 0, 0, 0, loc)
	end := time.Date(year, time.Month(firstMonth+months), 1, 0, 0, 0, 0, loc)
	y := start.Year()
	idx := int(start.Month())
	if f == FrequencyQuarter {
		idx = (idx-1)/3 + 1
	}
	return Period{Frequency: f, Year: y, Index: idx, Start: start, End: end}
}

// String formats the period as "2026-10" for a month or "2026-Q4" for a
// quarter, the form ParsePeriod reads.
func (p Period) String() string {
	if p.Frequency == FrequencyQuarter {
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Index)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, p.Index)
}

// Location is the time zone the period's bounds are expressed in.
func (p Period) Location() *time.Location {
	return p.Start.Location()
}

// Contains reports whether t lies in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End)
}

// Prev returns the period of the same frequency just before p.
func (p Period) Prev() Period {
	return newPeriod(p.Frequency, p.Year, p.Index-1, p.Location())
}

// Next returns the period of the same frequency just after p.
func (p Period) Next() Period {
	return newPeriod(p.Frequency, p.Year, p.Index+1, p.Location())
}

// Months returns a quarter's three months in order; a month returns itself.
func (p Period) Months() []Period {
	if p.Frequency != FrequencyQuarter {
		return []Period{p}
	}
	first := (p.Index-1)*3 + 1
	loc := p.Location()
	return []Period{
		newPeriod(FrequencyMonth, p.Year, first, loc),
		newPeriod(FrequencyMonth, p.Year, first+1, loc),
		newPeriod(FrequencyMonth, p.Year, first+2, loc),
	}
}

// PeriodsFor returns the periods of frequency f to rate when p is asked for,
// as `pdca metrics --period` does: a monthly metric asked for a quarter is
// rated for each of its months, a quarterly metric asked for a month is rated
// for the quarter containing it, and otherwise p itself.
func PeriodsFor(f Frequency, p Period) []Period {
	switch {
	case f == p.Frequency:
		return []Period{p}
	case f == FrequencyMonth:
		return p.Months()
	default:
		return []Period{PeriodContaining(f, p.Start, p.Location())}
	}
}

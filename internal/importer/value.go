package importer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Errors that ParseTime and ParseBool wrap; test with errors.Is. The
// returned error's message is the full, user-facing reason.
var (
	// ErrTimeFormat: the value is not in an accepted timestamp form.
	ErrTimeFormat = errors.New("expected a date such as 2026-10-05 or 05.10.2026, optionally with a time " +
		"(2026-10-05 16:00, 05.10.2026 16:00:00), or RFC 3339 with an offset (2026-10-05T16:00:00+03:00)")
	// ErrDayOrder: a slashed date (05/10/2026) read without a day order.
	ErrDayOrder = errors.New("slashed date without a day order")
	// ErrAmbiguousTime: a local time that occurs twice because the clocks go back.
	ErrAmbiguousTime = errors.New("ambiguous local time")
	// ErrNonexistentTime: a local time that the clocks skip when they go forward.
	ErrNonexistentTime = errors.New("non-existent local time")
	// ErrBool: the value is not an accepted boolean.
	ErrBool = errors.New("expected true/false, yes/no or 1/0")
)

// DayOrder says how to read a slashed date such as 05/10/2026, which is
// 5 October read day first and May 10 read month first.
type DayOrder string

// The day orders. DayOrderUnset refuses every slashed date.
const (
	DayOrderUnset DayOrder = ""
	DayFirst      DayOrder = "dmy"
	MonthFirst    DayOrder = "mdy"
)

// ParseDayOrder reads a stored or given day order: "", "dmy" or "mdy".
func ParseDayOrder(s string) (DayOrder, bool) {
	switch d := DayOrder(strings.ToLower(strings.TrimSpace(s))); d {
	case DayOrderUnset, DayFirst, MonthFirst:
		return d, true
	}
	return "", false
}

// reasonError carries a user-facing message and a sentinel for errors.Is.
type reasonError struct {
	msg  string
	kind error
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.kind }

var errTimeFormat = &reasonError{msg: ErrTimeFormat.Error(), kind: ErrTimeFormat}

// ParseTime reads a timestamp as ParseTimeOrder does without a day order.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	return ParseTimeOrder(s, loc, DayOrderUnset)
}

// ParseTimeOrder reads a timestamp and returns it in UTC. Accepted forms:
//
//   - RFC 3339 with any offset ("2026-10-01T09:00:00+03:00",
//     "2026-10-01T06:00:00Z"; a space may replace the T);
//   - an ISO date, "YYYY-MM-DD", optionally followed by a space or a T and
//     a time "HH:MM", "HH:MM:SS" or "HH:MM:SS.fraction";
//   - a dotted date, always day first, "DD.MM.YYYY" (one-digit day and
//     month too), optionally followed by a space and "HH:MM[:SS]" (or
//     "HH.MM[.SS]");
//   - a slashed date, "DD/MM/YYYY" or "MM/DD/YYYY" as order says, with an
//     optional time as above; without an order every slashed date is an
//     error wrapping ErrDayOrder, even one whose day is above 12, so that
//     no file is read half one way and half the other.
//
// Years have four digits. A time without an offset is read in loc (UTC
// when nil); one that a daylight-saving change makes ambiguous or
// non-existent in loc is an error (ErrAmbiguousTime, ErrNonexistentTime)
// that suggests giving an offset; any other unreadable value wraps
// ErrTimeFormat.
func ParseTimeOrder(s string, loc *time.Location, order DayOrder) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > len("2006-01-02T15:04") && s[4] == '-' && hasOffset(s) {
		if t, err := time.Parse(time.RFC3339Nano, normaliseRFC3339(s)); err == nil {
			return t.UTC(), nil
		}
	}
	wall, err := parseWall(s, order)
	if err != nil {
		return time.Time{}, err
	}
	return inZone(wall, loc)
}

// hasOffset reports whether an ISO timestamp ends in a zone (Z or ±hh:mm).
func hasOffset(s string) bool {
	last := s[len(s)-1]
	if last == 'Z' || last == 'z' {
		return true
	}
	return len(s) > 6 && (s[len(s)-6] == '+' || s[len(s)-6] == '-')
}

// parseWall reads a date and optional time without an offset as a wall
// clock time (a time whose UTC fields are the wall clock).
func parseWall(s string, order DayOrder) (time.Time, error) {
	var y, mo, d int
	var rest string
	var dotted bool
	switch {
	case len(s) >= 10 && s[4] == '-' && s[7] == '-':
		var ok bool
		if y, ok = digits(s[0:4]); !ok {
			return time.Time{}, errTimeFormat
		}
		if mo, ok = digits(s[5:7]); !ok {
			return time.Time{}, errTimeFormat
		}
		if d, ok = digits(s[8:10]); !ok {
			return time.Time{}, errTimeFormat
		}
		rest = s[10:]
		if rest != "" {
			if rest[0] != ' ' && rest[0] != 'T' && rest[0] != 't' {
				return time.Time{}, errTimeFormat
			}
			rest = rest[1:]
			if rest == "" {
				return time.Time{}, errTimeFormat
			}
		}
	default:
		sep := byte(0)
		if i := strings.IndexAny(s, "./"); i > 0 {
			sep = s[i]
		}
		if sep == 0 {
			return time.Time{}, errTimeFormat
		}
		date := s
		if i := strings.IndexByte(s, ' '); i >= 0 {
			date, rest = s[:i], strings.TrimLeft(s[i:], " ")
			if rest == "" {
				return time.Time{}, errTimeFormat
			}
		}
		parts := strings.Split(date, string(sep))
		if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 {
			return time.Time{}, errTimeFormat
		}
		a, ok1 := digits(parts[0])
		b, ok2 := digits(parts[1])
		yy, ok3 := digits(parts[2])
		if !ok1 || !ok2 || !ok3 {
			return time.Time{}, errTimeFormat
		}
		if len(parts[2]) != 4 {
			return time.Time{}, &reasonError{kind: ErrTimeFormat, msg: "the year must have four digits (05.10.2026, not 05.10.26); " +
				"format the column as a date with a four-digit year"}
		}
		y = yy
		if sep == '.' {
			d, mo, dotted = a, b, true
		} else {
			switch order {
			case DayFirst:
				d, mo = a, b
			case MonthFirst:
				mo, d = a, b
			default:
				return time.Time{}, dayOrderError(s, a, b)
			}
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) {
		return time.Time{}, errTimeFormat
	}
	var h, mi, sec, nsec int
	if rest != "" {
		var ok bool
		if h, mi, sec, nsec, ok = clock(rest, dotted); !ok {
			return time.Time{}, errTimeFormat
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC), nil
}

// DayOrderAdvice ends the reason a slashed date is refused: how to say
// the order (the API replaces it with its own parameter's words).
const DayOrderAdvice = "say which order the file uses (pdca import --day-first or --month-first; day_first in the API; " +
	"\"Slashed dates\" on the upload form; or the organisation's order: pdca org date-order, or the records page), " +
	"or write dates as 2026-10-05"

// dayOrderError explains why a slashed date a/b/yyyy is not read.
func dayOrderError(s string, a, b int) error {
	const how = DayOrderAdvice
	var msg string
	switch {
	case a > 12 && b <= 12:
		msg = fmt.Sprintf("%s can only be day first, but pdca reads every slashed date of a file in one order, "+
			"so that dates such as 05/10/2026 in the same file are not read the other way; %s", s, how)
	case b > 12 && a <= 12:
		msg = fmt.Sprintf("%s can only be month first, but pdca reads every slashed date of a file in one order, "+
			"so that dates such as 05/10/2026 in the same file are not read the other way; %s", s, how)
	default:
		msg = fmt.Sprintf("%s could be day first or month first; %s", s, how)
	}
	return &reasonError{kind: ErrDayOrder, msg: msg}
}

// clock reads "H:MM", "H:MM:SS" or "H:MM:SS.fraction" (with dots instead
// of colons too when dots is set, as some locales write 16.00).
func clock(s string, dots bool) (h, m, sec, nsec int, ok bool) {
	sep := byte(':')
	if dots && strings.IndexByte(s, ':') < 0 {
		sep = '.'
	}
	i := strings.IndexByte(s, sep)
	if i < 1 || i > 2 || len(s) < i+3 {
		return 0, 0, 0, 0, false
	}
	if h, ok = digits(s[:i]); !ok || h > 23 {
		return 0, 0, 0, 0, false
	}
	if m, ok = digits(s[i+1 : i+3]); !ok || m > 59 {
		return 0, 0, 0, 0, false
	}
	s = s[i+3:]
	if s == "" {
		return h, m, 0, 0, true
	}
	if s[0] != sep || len(s) < 3 {
		return 0, 0, 0, 0, false
	}
	if sec, ok = digits(s[1:3]); !ok || sec > 59 {
		return 0, 0, 0, 0, false
	}
	s = s[3:]
	if s == "" {
		return h, m, sec, 0, true
	}
	if (s[0] != '.' && s[0] != ',') || len(s) < 2 || len(s) > 10 {
		return 0, 0, 0, 0, false
	}
	frac := s[1:]
	n, ok := digits(frac)
	if !ok {
		return 0, 0, 0, 0, false
	}
	for range 9 - len(frac) {
		n *= 10
	}
	return h, m, sec, n, true
}

// digits reads a short run of ASCII digits (at most 9).
func digits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of month m of year y.
func daysIn(m, y int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// normaliseRFC3339 accepts the variants RFC 3339 itself allows (a space or a
// lower-case t between date and time, a lower-case z) that time.Parse does not.
func normaliseRFC3339(s string) string {
	if s[10] == ' ' || s[10] == 't' {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	return s
}

// inZone returns the instant at which the clocks of loc show wall (a time
// whose UTC fields are the wall clock). time.Date silently picks one of two
// instants for an ambiguous wall time and shifts a skipped one, so instead
// every offset loc uses around that time is tried and the instants that
// round-trip are counted: none means skipped, two mean ambiguous. The probes
// lie 25 hours either side, which covers any offset change up to a day.
func inZone(wall time.Time, loc *time.Location) (time.Time, error) {
	guess := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(),
		wall.Second(), wall.Nanosecond(), loc)
	var offsets []int
	for _, probe := range [...]time.Time{guess.Add(-25 * time.Hour), guess, guess.Add(25 * time.Hour)} {
		if _, off := probe.Zone(); !slices.Contains(offsets, off) {
			offsets = append(offsets, off)
		}
	}
	var valid []time.Time
	for _, off := range offsets {
		u := wall.Add(-time.Duration(off) * time.Second)
		if _, got := u.In(loc).Zone(); got == off {
			valid = append(valid, u)
		}
	}
	switch {
	case len(valid) == 1:
		return valid[0].UTC(), nil
	case len(valid) > 1:
		return time.Time{}, &reasonError{kind: ErrAmbiguousTime, msg: fmt.Sprintf(
			"%s happens twice in %s because the clocks go back; give an RFC 3339 offset, e.g. %s or %s",
			wallString(wall), loc, valid[0].In(loc).Format(time.RFC3339), valid[1].In(loc).Format(time.RFC3339))}
	}
	// The offset in force before the change gives a valid instant just after it.
	before := wall.Add(-time.Duration(offsets[0]) * time.Second).In(time.FixedZone("", offsets[0]))
	return time.Time{}, &reasonError{kind: ErrNonexistentTime, msg: fmt.Sprintf(
		"%s does not exist in %s because the clocks go forward over it; check the time or give an RFC 3339 offset, e.g. %s",
		wallString(wall), loc, before.Format(time.RFC3339))}
}

// wallString prints a wall clock time the way the user probably wrote it.
func wallString(wall time.Time) string {
	if wall.Second() != 0 || wall.Nanosecond() != 0 {
		return wall.Format("2006-01-02 15:04:05")
	}
	return wall.Format("2006-01-02 15:04")
}

// excelSerial reads an XLSX date-time cell stored as a serial day number
// (what spreadsheets keep for a typed date) as a wall clock time in loc.
func excelSerial(s string, date1904 bool, loc *time.Location) (time.Time, bool, error) {
	v, err := strconv.ParseFloat(s, 64)
	// Serial 1 is 1900-01-01; 2958465 is 9999-12-31, Excel's last day.
	if err != nil || v < 1 || v >= 2958466 {
		return time.Time{}, false, nil
	}
	wall, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return time.Time{}, false, nil
	}
	wall = wall.Round(time.Second)
	t, err := inZone(wall, loc)
	return t, true, err
}

// ParseBool reads true/false, yes/no or 1/0 in any case, around spaces. Any
// other value wraps ErrBool.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, &reasonError{msg: ErrBool.Error(), kind: ErrBool}
}

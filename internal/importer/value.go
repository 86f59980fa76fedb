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
	ErrTimeFormat = errors.New("expected RFC 3339, YYYY-MM-DD HH:MM or YYYY-MM-DD")
	// ErrAmbiguousTime: a local time that occurs twice because the clocks go back.
	ErrAmbiguousTime = errors.New("ambiguous local time")
	// ErrNonexistentTime: a local time that the clocks skip when they go forward.
	ErrNonexistentTime = errors.New("non-existent local time")
	// ErrBool: the value is not an accepted boolean.
	ErrBool = errors.New("expected true/false, yes/no or 1/0")
)

// reasonError carries a user-facing message and a sentinel for errors.Is.
type reasonError struct {
	msg  string
	kind error
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.kind }

// localLayouts are the accepted forms without an offset, read in the
// organisation's time zone.
var localLayouts = []string{"2006-01-02 15:04", "2006-01-02"}

// ParseTime reads a timestamp and returns it in UTC. Accepted forms: RFC 3339
// with any offset ("2026-10-01T09:00:00+03:00", "2026-10-01T06:00:00Z"; a
// space may replace the T), or "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (00:00)
// read in loc (UTC when nil). A local time that a daylight-saving change
// makes ambiguous or non-existent in loc is an error (ErrAmbiguousTime,
// ErrNonexistentTime) that suggests giving an offset; any other unreadable
// value wraps ErrTimeFormat.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > len("2006-01-02T15:04") {
		if t, err := time.Parse(time.RFC3339Nano, normaliseRFC3339(s)); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range localLayouts {
		if wall, err := time.Parse(layout, s); err == nil {
			return inZone(wall, loc)
		}
	}
	return time.Time{}, &reasonError{msg: ErrTimeFormat.Error(), kind: ErrTimeFormat}
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

package importer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	nyc := MustLoadLocation(t, "America/New_York")
	lordHowe := MustLoadLocation(t, "Australia/Lord_Howe") // 30-minute daylight saving shift
	tests := []struct {
		name    string
		in      string
		loc     *time.Location
		want    time.Time
		wantErr error
	}{
		{"rfc3339 utc", "2026-10-01T09:00:00Z", hel, utc(2026, 10, 1, 9, 0), nil},
		{"rfc3339 offset", "2026-10-01T09:00:00+03:00", time.UTC, utc(2026, 10, 1, 6, 0), nil},
		{"rfc3339 negative offset", "2026-10-01T09:00:00-05:30", hel, utc(2026, 10, 1, 14, 30), nil},
		{"rfc3339 fraction", "2026-10-01T09:00:00.250Z", nil, utc(2026, 10, 1, 9, 0).Add(250 * time.Millisecond), nil},
		{"rfc3339 space and lower case", " 2026-10-01 09:00:00z ", nil, utc(2026, 10, 1, 9, 0), nil},
		{"rfc3339 offset inside dst gap is fine", "2026-03-29T03:30:00+02:00", hel, utc(2026, 3, 29, 1, 30), nil},
		{"rfc3339 offset inside repeated hour", "2026-10-25T03:30:00+02:00", hel, utc(2026, 10, 25, 1, 30), nil},
		{"local minutes helsinki summer", "2026-10-01 09:00", hel, utc(2026, 10, 1, 6, 0), nil},
		{"local minutes helsinki winter", "2026-12-01 09:00", hel, utc(2026, 12, 1, 7, 0), nil},
		{"local date helsinki", "2026-10-01", hel, utc(2026, 9, 30, 21, 0), nil},
		{"local minutes utc", "2026-10-25 03:30", time.UTC, utc(2026, 10, 25, 3, 30), nil},
		{"local date nil location is utc", "2026-10-01", nil, utc(2026, 10, 1, 0, 0), nil},
		{"just before the repeated hour", "2026-10-25 02:59", hel, utc(2026, 10, 24, 23, 59), nil},
		{"just after the repeated hour", "2026-10-25 04:00", hel, utc(2026, 10, 25, 2, 0), nil},
		{"just before the gap", "2026-03-29 02:59", hel, utc(2026, 3, 29, 0, 59), nil},
		{"just after the gap", "2026-03-29 04:00", hel, utc(2026, 3, 29, 1, 0), nil},
		{"helsinki ambiguous", "2026-10-25 03:30", hel, time.Time{}, importer.ErrAmbiguousTime},
		{"helsinki ambiguous start", "2026-10-25 03:00", hel, time.Time{}, importer.ErrAmbiguousTime},
		{"helsinki non-existent", "2026-03-29 03:30", hel, time.Time{}, importer.ErrNonexistentTime},
		{"helsinki non-existent start", "2026-03-29 03:00", hel, time.Time{}, importer.ErrNonexistentTime},
		{"new york ambiguous", "2026-11-01 01:30", nyc, time.Time{}, importer.ErrAmbiguousTime},
		{"new york non-existent", "2026-03-08 02:30", nyc, time.Time{}, importer.ErrNonexistentTime},
		{"lord howe ambiguous half hour", "2026-04-05 01:45", lordHowe, time.Time{}, importer.ErrAmbiguousTime},
		{"lord howe non-existent half hour", "2026-10-04 02:15", lordHowe, time.Time{}, importer.ErrNonexistentTime},
		{"lord howe fine", "2026-10-04 02:45", lordHowe, utc(2026, 10, 3, 15, 45), nil},
		{"empty", "", hel, time.Time{}, importer.ErrTimeFormat},
		{"finnish style", "1.10.2026", hel, utc(2026, 9, 30, 21, 0), nil},
		{"dotted day first", "05.10.2026", hel, utc(2026, 10, 4, 21, 0), nil},
		{"dotted with minutes", "05.10.2026 16:00", hel, utc(2026, 10, 5, 13, 0), nil},
		{"dotted with seconds", "5.10.2026 16:00:30", hel, utc(2026, 10, 5, 13, 0).Add(30 * time.Second), nil},
		{"dotted with dotted time", "05.10.2026 16.00", hel, utc(2026, 10, 5, 13, 0), nil},
		{"dotted one-digit hour", "05.10.2026 9:05", hel, utc(2026, 10, 5, 6, 5), nil},
		{"dotted day 13 is day", "13.01.2026", time.UTC, utc(2026, 1, 13, 0, 0), nil},
		{"dotted in dst gap", "29.03.2026 03:30", hel, time.Time{}, importer.ErrNonexistentTime},
		{"iso without offset", "2026-10-01T09:00:00", hel, utc(2026, 10, 1, 6, 0), nil},
		{"iso T minutes", "2026-10-05T16:00", hel, utc(2026, 10, 5, 13, 0), nil},
		{"seconds without offset", "2026-10-01 09:00:00", hel, utc(2026, 10, 1, 6, 0), nil},
		{"seconds as excel writes", "2026-10-05 16:40:00", time.UTC, utc(2026, 10, 5, 16, 40), nil},
		{"fraction without offset", "2026-10-05T16:00:00.125", time.UTC, utc(2026, 10, 5, 16, 0).Add(125 * time.Millisecond), nil},
		{"fraction comma", "2026-10-05 16:00:00,5", time.UTC, utc(2026, 10, 5, 16, 0).Add(500 * time.Millisecond), nil},
		{"slashed without order", "05/10/2026", hel, time.Time{}, importer.ErrDayOrder},
		{"slashed day above 12 without order", "25/10/2026", hel, time.Time{}, importer.ErrDayOrder},
		{"dotted two-digit year", "05.10.26", hel, time.Time{}, importer.ErrTimeFormat},
		{"dotted day out of range", "31.09.2026", hel, time.Time{}, importer.ErrTimeFormat},
		{"dotted month 13", "05.13.2026", hel, time.Time{}, importer.ErrTimeFormat},
		{"dotted three-digit day", "005.10.2026", hel, time.Time{}, importer.ErrTimeFormat},
		{"dotted trailing", "05.10.2026 16:00 x", hel, time.Time{}, importer.ErrTimeFormat},
		{"dotted time without minutes", "05.10.2026 16", hel, time.Time{}, importer.ErrTimeFormat},
		{"iso T without time", "2026-10-05T", hel, time.Time{}, importer.ErrTimeFormat},
		{"iso one-digit month", "2026-1-05", hel, time.Time{}, importer.ErrTimeFormat},
		{"seconds out of range", "2026-10-05 16:00:60", hel, time.Time{}, importer.ErrTimeFormat},
		{"fraction without seconds", "2026-10-05 16:00.5", hel, time.Time{}, importer.ErrTimeFormat},
		{"fraction too long", "2026-10-05 16:00:00.1234567891", hel, time.Time{}, importer.ErrTimeFormat},
		{"mixed separators", "05.10/2026", hel, time.Time{}, importer.ErrTimeFormat},
		{"day out of range", "2026-02-30", hel, time.Time{}, importer.ErrTimeFormat},
		{"hour out of range", "2026-10-01 24:00", hel, time.Time{}, importer.ErrTimeFormat},
		{"bad offset", "2026-10-01T09:00:00+3", hel, time.Time{}, importer.ErrTimeFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := importer.ParseTime(tt.in, tt.loc)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseTime(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if !got.Equal(tt.want) || (err == nil && got.Location() != time.UTC) {
				t.Errorf("ParseTime(%q) = %v, want %v (UTC)", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimeOrder(t *testing.T) {
	t.Parallel()
	hel := MustLoadLocation(t, "Europe/Helsinki")
	tests := []struct {
		in      string
		order   importer.DayOrder
		want    time.Time
		wantErr error
	}{
		{"05/10/2026", importer.DayFirst, utc(2026, 10, 4, 21, 0), nil},
		{"05/10/2026", importer.MonthFirst, utc(2026, 5, 9, 21, 0), nil},
		{"5/10/2026 16:00", importer.DayFirst, utc(2026, 10, 5, 13, 0), nil},
		{"10/5/2026 16:00:05", importer.MonthFirst, utc(2026, 10, 5, 13, 0).Add(5 * time.Second), nil},
		{"25/10/2026", importer.DayFirst, utc(2026, 10, 24, 21, 0), nil},
		{"25/10/2026", importer.MonthFirst, time.Time{}, importer.ErrTimeFormat}, // no month 25
		{"25/10/2026", importer.DayOrderUnset, time.Time{}, importer.ErrDayOrder},
		{"05/10/26", importer.DayFirst, time.Time{}, importer.ErrTimeFormat},
		// The order never changes how dotted and ISO dates read.
		{"05.10.2026", importer.MonthFirst, utc(2026, 10, 4, 21, 0), nil},
		{"2026-10-05", importer.MonthFirst, utc(2026, 10, 4, 21, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+string(tt.order), func(t *testing.T) {
			t.Parallel()
			got, err := importer.ParseTimeOrder(tt.in, hel, tt.order)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseTimeOrder(%q, %q) error = %v, want %v", tt.in, tt.order, err, tt.wantErr)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseTimeOrder(%q, %q) = %v, want %v", tt.in, tt.order, got, tt.want)
			}
		})
	}
}

func TestParseBool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{"true", true, false}, {"TRUE", true, false}, {"Yes", true, false}, {" 1 ", true, false},
		{"false", false, false}, {"False", false, false}, {"NO", false, false}, {"0", false, false},
		{"", false, true}, {"y", false, true}, {"on", false, true}, {"2", false, true}, {"truee", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := importer.ParseBool(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseBool(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, importer.ErrBool) {
				t.Errorf("error %v is not ErrBool", err)
			}
		})
	}
}

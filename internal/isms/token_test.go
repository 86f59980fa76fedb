package isms_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestParseTokenExpiry(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"never", "", ""},
		{"12h", "2026-12-04T22:30:00Z", ""},
		{"30d", "2027-01-03T10:30:00Z", ""},
		{"90d", "2027-03-04T10:30:00Z", ""},
		{"2026-12-31", "2027-01-01T00:00:00Z", ""},
		{"2027-06-01T12:00:00+02:00", "2027-06-01T10:00:00Z", ""},
		{"0d", "", "use e.g. 12h"},
		{"-5d", "", "use e.g. 12h"},
		{"90", "", "use e.g. 12h"},
		{"3w", "", "use e.g. 12h"},
		{"2026-12-01", "", "has passed"},
		{"2020-01-01T00:00:00Z", "", "has passed"},
		{"4000d", "", "at most 5 years"},
		{"2099-01-01", "", "at most 5 years"},
	} {
		got, err := isms.ParseTokenExpiry(tc.in, now)
		if tc.err != "" {
			if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "expires") {
				t.Errorf("%q: error %v, want EINVALID with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		s := ""
		if got != nil {
			s = got.Format(time.RFC3339)
		}
		if s != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, s, tc.want)
		}
	}
}

package isms

import (
	"testing"
	"time"
)

func TestOrganizationLocation(t *testing.T) {
	for _, tc := range []struct{ zone, want string }{
		{"Europe/Helsinki", "Europe/Helsinki"},
		{"", "UTC"},
		{"Not/A_Zone", "UTC"},
	} {
		o := &Organization{TimeZone: tc.zone}
		for range 2 { // the second call comes from the cache
			if got := o.Location().String(); got != tc.want {
				t.Errorf("Location(%q) = %s, want %s", tc.zone, got, tc.want)
			}
		}
	}
	a, b := (&Organization{TimeZone: "Europe/Helsinki"}).Location(), (&Organization{TimeZone: "Europe/Helsinki"}).Location()
	if a != b {
		t.Error("a zone is loaded again on every call")
	}
	// The cached zone keeps its rules: summer time in Helsinki is UTC+3.
	if _, off := time.Date(2026, 7, 1, 12, 0, 0, 0, a).Zone(); off != 3*3600 {
		t.Errorf("Helsinki offset in July = %d s", off)
	}
}

package measure_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

// A metric has no rating for a period that ended before the organisation
// (or the metric) existed; the period it was created in, and later ones,
// are rated; the value is never touched.
func TestUnrateBeforeExistence(t *testing.T) {
	hel, _ := time.LoadLocation("Europe/Helsinki")
	created := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	v := 7.0
	for _, tc := range []struct {
		name    string
		period  string
		since   time.Time
		unrated bool
	}{
		{"quarter before creation", "2026-Q3", created, true},
		{"month before creation", "2026-11", created, true},
		{"quarter of creation", "2026-Q4", created, false},
		{"month of creation", "2026-12", created, false},
		{"later month", "2027-01", created, false},
		{"created at the period's end exactly", "2026-11", time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC), true},
		{"created a microsecond before its end", "2026-11", time.Date(2026, 11, 30, 21, 59, 59, 999999000, time.UTC), false},
		{"creation unknown", "2020-01", time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := measure.ParsePeriod(tc.period, hel)
			if err != nil {
				t.Fatal(err)
			}
			if got := measure.BeforeExistence(p, tc.since); got != tc.unrated {
				t.Errorf("BeforeExistence(%s) = %v, want %v", tc.period, got, tc.unrated)
			}
			m := measure.Measurement{Period: p, Value: &v, Status: measure.StatusRed, Reason: "red"}
			if got := m.Unrate(tc.since); got != tc.unrated {
				t.Errorf("Unrate = %v, want %v", got, tc.unrated)
			}
			want := measure.StatusRed
			if tc.unrated {
				want = measure.StatusGrey
			}
			if m.Status != want || m.Value == nil || *m.Value != 7 {
				t.Errorf("after Unrate: status %s value %v, want %s and the value kept", m.Status, m.Value, want)
			}
			if tc.unrated && m.Reason != "No rating: the period ended before the organisation or the metric existed in pdca (since 2026-12-04)." && tc.name == "quarter before creation" {
				t.Errorf("reason %q", m.Reason)
			}
		})
	}
}

package measure_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

func TestEffectivenessPeriod(t *testing.T) {
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		f        measure.Frequency
		done     time.Time
		wait     int
		loc      *time.Location
		want     string
		possible time.Time
	}{
		{"done mid-month, no wait: the next month", measure.FrequencyMonth, time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC), 0, time.UTC, "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"done mid-month, 30 days: the month after the wait", measure.FrequencyMonth, time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC), 30, time.UTC, "2027-01", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"wait ends exactly at a month's start: that month", measure.FrequencyMonth, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 30, time.UTC, "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"done at a month's start, no wait: that month", measure.FrequencyMonth, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 0, time.UTC, "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"one second into the month: the next", measure.FrequencyMonth, time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC), 0, time.UTC, "2027-01", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"quarterly metric", measure.FrequencyQuarter, time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC), 30, time.UTC, "2027-Q1", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)},
		{"quarterly, wait inside the quarter", measure.FrequencyQuarter, time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC), 30, time.UTC, "2026-Q4", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		// 2026-11-30 23:30 UTC is already 1 December in Helsinki.
		{"in the organisation's zone", measure.FrequencyMonth, time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC), 0, hel, "2027-01", time.Date(2027, 2, 1, 0, 0, 0, 0, hel)},
		{"negative wait counts as none", measure.FrequencyMonth, time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), -5, nil, "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := measure.EffectivenessPeriod(tt.f, tt.done, tt.wait, tt.loc)
			if p.String() != tt.want || !p.End.Equal(tt.possible) {
				t.Errorf("period %s ending %s, want %s ending %s", p, p.End, tt.want, tt.possible)
			}
		})
	}
}

package jobs

import (
	"testing"
	"time"
)

func TestWeeklyAt(t *testing.T) {
	s := weeklyAt{day: time.Monday, hour: 7}
	tests := []struct{ at, want string }{
		{"2026-11-24T10:00:00Z", "2026-11-30T07:00:00Z"}, // Tuesday: next Monday
		{"2026-11-30T06:59:00Z", "2026-11-30T07:00:00Z"}, // Monday before 07:00
		{"2026-11-30T07:00:00Z", "2026-12-07T07:00:00Z"}, // strictly after
		{"2026-11-29T23:00:00Z", "2026-11-30T07:00:00Z"}, // Sunday
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.at)
		if got := s.Next(at).Format(time.RFC3339); got != tt.want {
			t.Errorf("after %s: %s, want %s", tt.at, got, tt.want)
		}
	}
}

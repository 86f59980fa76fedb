package isms_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestStageOf(t *testing.T) {
	hel, _ := time.LoadLocation("Europe/Helsinki")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) // 12:00 in Helsinki
	def := isms.ReminderSettings{LeadDays: isms.DefaultLeadDays, EscalateDays: isms.DefaultEscalateDays}
	day := func(d int) time.Time { return time.Date(2026, 11, 24+d, 0, 0, 0, 0, hel) }
	tests := []struct {
		name string
		s    isms.ReminderSettings
		due  time.Time
		want isms.Stage
	}{
		{"beyond the lead time", def, day(8), isms.StageNone},
		{"at the lead time", def, day(7), isms.StageAhead},
		{"tomorrow", def, day(1), isms.StageAhead},
		{"today", def, day(0), isms.StageDue},
		{"today, late in the day", def, day(0).Add(23 * time.Hour), isms.StageDue},
		{"yesterday", def, day(-1), isms.StageOverdue},
		{"overdue exactly the escalation", def, day(-3), isms.StageOverdue},
		{"overdue longer than the escalation", def, day(-4), isms.StageEscalated},
		{"no lead time", isms.ReminderSettings{LeadDays: 0, EscalateDays: 1}, day(1), isms.StageNone},
		{"short escalation", isms.ReminderSettings{LeadDays: 0, EscalateDays: 1}, day(-2), isms.StageEscalated},
		{"long lead time", isms.ReminderSettings{LeadDays: 30, EscalateDays: 1}, day(30), isms.StageAhead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.StageOf(tt.due, now, hel); got != tt.want {
				t.Fatalf("stage %q, want %q", got, tt.want)
			}
		})
	}
	// The organisation's zone decides the day: 23:30 UTC is the next day in Helsinki.
	late := time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC)
	if got := def.StageOf(day(0).Add(12*time.Hour), late, hel); got != isms.StageOverdue {
		t.Fatalf("after midnight in Helsinki: %q, want overdue", got)
	}
	if got := def.StageOf(day(0).Add(12*time.Hour), late, time.UTC); got != isms.StageDue {
		t.Fatalf("in UTC: %q, want due", got)
	}
}

func TestReminderSettingsValidate(t *testing.T) {
	tests := []struct {
		lead, esc int
		ok        bool
	}{{7, 3, true}, {0, 1, true}, {90, 90, true}, {-1, 3, false}, {91, 3, false}, {7, 0, false}, {7, 91, false}}
	for _, tt := range tests {
		err := isms.ReminderSettings{LeadDays: tt.lead, EscalateDays: tt.esc}.Validate()
		if (err == nil) != tt.ok || (err != nil && isms.ErrorCode(err) != isms.EINVALID) {
			t.Errorf("lead %d escalate %d: %v", tt.lead, tt.esc, err)
		}
	}
}

func TestNotificationPrefs(t *testing.T) {
	tests := []struct {
		name string
		p    isms.NotificationPrefs
		ok   bool
	}{
		{"defaults", isms.DefaultPrefs(1, 2), true},
		{"https webhook", isms.NotificationPrefs{WebhookURL: " https://hooks.example.com/a "}, true},
		{"slack", isms.NotificationPrefs{WebhookURL: "https://hooks.slack.com/x", WebhookKind: "slack"}, true},
		{"unknown kind", isms.NotificationPrefs{WebhookKind: "teams"}, false},
		{"not http", isms.NotificationPrefs{WebhookURL: "mailto:a@b"}, false},
		{"no host", isms.NotificationPrefs{WebhookURL: "https://"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok || (err != nil && isms.ErrorCode(err) != isms.EINVALID) {
				t.Fatalf("validate: %v", err)
			}
		})
	}
	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p := isms.NotificationPrefs{PausedUntil: &until}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{until.AddDate(0, 0, -3), true}, {until.Add(23 * time.Hour), true}, {until.AddDate(0, 0, 1), false}} {
		if got := p.Paused(c.at); got != c.want {
			t.Errorf("paused at %v: %v, want %v", c.at, got, c.want)
		}
	}
	if (isms.NotificationPrefs{}).Paused(until) {
		t.Error("no pause set, yet paused")
	}
}

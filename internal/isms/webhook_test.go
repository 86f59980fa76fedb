package isms_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// TestSignWebhookVector checks the signature against the test vector of
// the Standard Webhooks reference libraries.
func TestSignWebhookVector(t *testing.T) {
	got, err := isms.SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	// Any change of id, time or body changes it.
	for _, other := range []func() (string, error){
		func() (string, error) {
			return isms.SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_other", 1614265330, []byte(`{"test": 2432232314}`))
		},
		func() (string, error) {
			return isms.SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, []byte(`{"test": 2432232314}`))
		},
		func() (string, error) {
			return isms.SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232315}`))
		},
	} {
		s, err := other()
		if err != nil || s == got {
			t.Errorf("signature %s, %v: unchanged", s, err)
		}
	}
	if _, err := isms.SignWebhook("whsec_not base64!", "m", 1, nil); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("bad secret: %v", err)
	}
}

func TestNewWebhookSecretSigns(t *testing.T) {
	s := isms.NewWebhookSecret()
	if !strings.HasPrefix(s, "whsec_") || s == isms.NewWebhookSecret() {
		t.Fatalf("secret %q", s)
	}
	if _, err := isms.SignWebhook(s, isms.NewWebhookMessageID(), 1, []byte("{}")); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookValidate(t *testing.T) {
	tests := []struct {
		name string
		w    isms.Webhook
		ok   bool
	}{
		{"ok", isms.Webhook{URL: " https://hooks.example.com/x ", Events: []isms.EventType{isms.EventDeviationOpened, isms.EventDeviationOpened}}, true},
		{"slack", isms.Webhook{URL: "https://hooks.slack.com/x", Format: "slack", Events: []isms.EventType{isms.EventReviewSigned}}, true},
		{"no events", isms.Webhook{URL: "https://hooks.example.com/x"}, false},
		{"unknown event", isms.Webhook{URL: "https://hooks.example.com/x", Events: []isms.EventType{"deviation.eaten"}}, false},
		{"reserved event", isms.Webhook{URL: "https://hooks.example.com/x", Events: []isms.EventType{isms.EventDocumentApproved}}, false},
		{"ftp", isms.Webhook{URL: "ftp://hooks.example.com/x", Events: []isms.EventType{isms.EventReviewSigned}}, false},
		{"format", isms.Webhook{URL: "https://hooks.example.com/x", Format: "xml", Events: []isms.EventType{isms.EventReviewSigned}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate: %v", err)
			}
			if tt.ok && (len(tt.w.Events) != 1 || strings.TrimSpace(tt.w.URL) != tt.w.URL || tt.w.Format == "") {
				t.Errorf("not normalised: %+v", tt.w)
			}
		})
	}
}

func TestWebhookEventBody(t *testing.T) {
	e := isms.WebhookEvent{Type: isms.EventDeviationOpened, Timestamp: time.Date(2026, 12, 5, 18, 30, 0, 123, time.FixedZone("x", 7200)),
		Data: isms.EventData{Organisation: "acme", Object: "deviation", ID: "7", URL: "https://p.example/api/v1/orgs/acme/deviations/7",
			HTMLURL: "https://p.example/o/acme/deviations/7", Summary: "DEV-2026-001 Backup failed"}}
	b, err := e.Body(isms.WebhookFormatStandard)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	data, _ := got["data"].(map[string]any)
	if got["type"] != "deviation.opened" || got["timestamp"] != "2026-12-05T16:30:00Z" || data["organisation"] != "acme" || data["id"] != "7" ||
		data["url"] != "https://p.example/api/v1/orgs/acme/deviations/7" {
		t.Errorf("standard body %s", b)
	}
	b, _ = e.Body(isms.WebhookFormatSlack)
	var slack map[string]string
	if err := json.Unmarshal(b, &slack); err != nil || len(slack) != 1 || !strings.Contains(slack["text"], "DEV-2026-001 Backup failed") {
		t.Errorf("slack body %s, %v", b, err)
	}
	b, _ = e.Body(isms.WebhookFormatTeams)
	var card map[string]any
	if err := json.Unmarshal(b, &card); err != nil || card["@type"] != "MessageCard" || !strings.Contains(card["text"].(string), "Backup failed") {
		t.Errorf("teams body %s, %v", b, err)
	}
}

package app

import (
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
)

// TestRedactSecrets: the audit trail's safety net redacts credentials
// under any key that names one, at any depth, keeps everything else
// byte for byte, and leaves a value it redacted before as it is.
func TestRedactSecrets(t *testing.T) {
	t.Parallel()
	hook := "https://hooks.slack.com/services/T0/B0/SECRETxyz"
	prefs := toJSON(isms.NotificationPrefs{OrgID: 1, UserID: 2, Email: true, WebhookURL: hook, WebhookKind: "slack"})
	cases := []struct{ in, want string }{
		{prefs, strings.Replace(prefs, hook, outbound.RedactURL(hook), 1)},
		{`{"webhook_url":"` + hook + `","n":1.50,"ok":true,"x":null}`, `{"webhook_url":"` + outbound.RedactURL(hook) + `","n":1.50,"ok":true,"x":null}`},
		{`{"user":{"password":"hunter2","name":"Ann"},"client_secret":"abc","totp_secret":"JBSWY3DP","recovery_codes":["a1","b2"],"token":"pdca_123"}`,
			`{"user":{"password":"[redacted]","name":"Ann"},"client_secret":"[redacted]","totp_secret":"[redacted]","recovery_codes":["[redacted]","[redacted]"],"token":"[redacted]"}`},
		// Not secrets: kept exactly, HTML escaping included.
		{`{"name":"token budget","scope":"read","token_id":7,"title":"a \u003c b","snapshot_sha256":"ab"}`, `{"name":"token budget","scope":"read","token_id":7,"title":"a \u003c b","snapshot_sha256":"ab"}`},
		{`{"password":""}`, `{"password":""}`},
		{"", ""},
	}
	for _, c := range cases {
		if got := redactSecrets(c.in); got != c.want {
			t.Errorf("redactSecrets(%s)\n = %s\nwant %s", c.in, got, c.want)
		}
	}
	once := redactSecrets(prefs)
	if redactSecrets(once) != once || strings.Contains(once, "SECRET") {
		t.Errorf("redacting twice changes it or keeps the secret: %s", once)
	}
}

package cli

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestWebhookAllowFlag: --webhook-allow is repeatable and comma-separated,
// also read from PDCA_WEBHOOK_ALLOW, and reaches the delivery options; a
// bad entry stops serve with a message naming it.
func TestWebhookAllowFlag(t *testing.T) {
	var c CLI
	parser, err := kong.New(&c, kong.Vars{"version": Version})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse([]string{"serve", "--webhook-allow", "10.20.0.0/16,hooks.corp.example", "--webhook-allow", "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	o, err := c.Serve.jobOptions()
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{"10.20.3.4": true, "127.0.0.1": true, "10.21.0.1": false, "127.0.0.2": false, "8.8.8.8": true} {
		if got := o.Webhooks.AllowsAddr(netip.MustParseAddr(ip)); got != want {
			t.Errorf("allows %s = %v, want %v", ip, got, want)
		}
	}
	if s := o.Webhooks.String(); !strings.Contains(s, "hooks.corp.example") {
		t.Errorf("policy %q lacks the host", s)
	}
	t.Setenv("PDCA_WEBHOOK_ALLOW", "192.168.5.0/24,hooks.lan")
	var env CLI
	parser, _ = kong.New(&env, kong.Vars{"version": Version})
	if _, err := parser.Parse([]string{"serve"}); err != nil {
		t.Fatal(err)
	}
	if o, err := env.Serve.jobOptions(); err != nil || !o.Webhooks.AllowsAddr(netip.MustParseAddr("192.168.5.9")) {
		t.Errorf("from the environment: %v, %v", o.Webhooks, err)
	}
	bad := ServeCmd{WebhookAllow: []string{"hooks corp"}}
	if _, err := bad.jobOptions(); err == nil || !strings.Contains(err.Error(), "--webhook-allow") || !strings.Contains(err.Error(), `"hooks corp"`) {
		t.Errorf("a bad entry: %v", err)
	}
}

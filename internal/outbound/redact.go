package outbound

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
)

// redacted matches what RedactURL returns, so redacting twice changes
// nothing.
var redacted = regexp.MustCompile(`^(https?://[^/\s]+/)?… sha256:[0-9a-f]{16}$`)

// RedactURL returns what may be recorded of a URL that can be a secret
// (Slack-style webhooks carry their credential in the path): its scheme
// and host, then "/…" and the first 16 hex digits of the SHA-256 of the
// whole URL, e.g. "https://hooks.slack.com/… sha256:4f2a…". An auditor
// sees where deliveries go and whether the address changed, not the
// secret. Empty stays empty; a URL that does not parse keeps only its
// fingerprint.
func RedactURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || redacted.MatchString(raw) {
		return raw
	}
	sum := sha256.Sum256([]byte(raw))
	fp := "sha256:" + hex.EncodeToString(sum[:8])
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "… " + fp
	}
	return u.Scheme + "://" + u.Host + "/… " + fp
}

package app

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pdca/pdca/internal/outbound"
)

// Redacted is what the audit trail records instead of a credential.
const Redacted = "[redacted]"

// secretKeys are fragments of the JSON keys whose string values are
// credentials, matched on the key lower-cased without underscores or
// hyphens: password, secret, webhookurl (a Slack-style webhook carries its
// credential in the path), apikey, privatekey, recoverycode, credential,
// and token when it is the whole key (token, apitoken, sessiontoken,
// tokenhash).
var secretKeys = []string{"password", "secret", "webhookurl", "apikey", "privatekey", "recoverycode", "credential", "otpauth"}

var tokenKeys = map[string]bool{"token": true, "apitoken": true, "sessiontoken": true, "tokenhash": true, "accesstoken": true, "refreshtoken": true, "idtoken": true}

func secretKey(key string) (secret, isURL bool) {
	k := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(key))
	if tokenKeys[k] {
		return true, false
	}
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return true, strings.Contains(k, "url")
		}
	}
	return false, false
}

// redactSecrets is the audit trail's safety net: in an event's before or
// after JSON, the string values of credential keys (secretKeys) become
// "[redacted]", webhook URLs their host and fingerprint
// (outbound.RedactURL), so no change can write a secret into the
// append-only trail or its exports. Key order and every other value are
// kept as they were.
func redactSecrets(js string) string {
	if js == "" || !mayHoldSecret(js) {
		return js
	}
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var out bytes.Buffer
	if err := copyJSON(dec, &out, ""); err != nil {
		return `"` + Redacted + `"` // cannot happen: js is json.Marshal's
	}
	return out.String()
}

func mayHoldSecret(js string) bool {
	l := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(js))
	for _, s := range secretKeys {
		if strings.Contains(l, s) {
			return true
		}
	}
	return strings.Contains(l, "token")
}

// copyJSON copies one value from dec to out; key is the key it belongs to
// (an array's elements belong to the array's key).
func copyJSON(dec *json.Decoder, out *bytes.Buffer, key string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		open, end := byte(v), byte('}')
		if v == '[' {
			end = ']'
		}
		out.WriteByte(open)
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			k := key
			if open == '{' {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ = kt.(string)
				writeJSONString(out, k)
				out.WriteByte(':')
			}
			if err := copyJSON(dec, out, k); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte(end)
	case string:
		if secret, isURL := secretKey(key); secret && v != "" {
			if isURL {
				v = outbound.RedactURL(v)
			} else {
				v = Redacted
			}
		}
		writeJSONString(out, v)
	case json.Number:
		out.WriteString(v.String())
	case bool:
		if v {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	}
	return nil
}

func writeJSONString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	out.Write(b)
}

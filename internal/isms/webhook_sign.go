package isms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// SignWebhook returns the webhook-signature header of a message under the
// Standard Webhooks specification (https://www.standardwebhooks.com/):
// "v1," and the base64 of the HMAC-SHA256 of "id.timestamp.body", keyed
// by the bytes the secret's base64 (after "whsec_") encodes. EINVALID for
// a secret that is not base64.
func SignWebhook(secret, msgID string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return "", Errorf(EINVALID, "webhook secret: give whsec_ and a base64 key")
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", msgID, strconv.FormatInt(timestamp, 10))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeJobOptions checks the reminder delivery flags: secrets come
// from files, and an SMTP host needs a sender address.
func TestServeJobOptions(t *testing.T) {
	dir := t.TempDir()
	pw, secret := filepath.Join(dir, "pw"), filepath.Join(dir, "secret")
	if err := os.WriteFile(pw, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &ServeCmd{SMTPHost: "mail.example.com", SMTPPort: 465, SMTPTLS: "tls", SMTPUser: "pdca", SMTPPassword: pw, SMTPFrom: "pdca@example.com", WebhookSecret: secret}
	o, err := c.jobOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o.SMTP.Host != "mail.example.com" || o.SMTP.Port != 465 || o.SMTP.TLS != "tls" || o.SMTP.Username != "pdca" || o.SMTP.Password != "hunter2" ||
		o.SMTP.From != "pdca@example.com" || string(o.WebhookSecret) != "s3cret" || !o.Work {
		t.Fatalf("options %+v", o)
	}
	c.SMTPFrom = ""
	if _, err := c.jobOptions(); err == nil || !strings.Contains(err.Error(), "--smtp-from") {
		t.Fatalf("host without sender: %v", err)
	}
	if o, err := (&ServeCmd{}).jobOptions(); err != nil || o.SMTP.Host != "" || o.WebhookSecret != nil {
		t.Fatalf("no flags: %+v, %v", o, err)
	}
}

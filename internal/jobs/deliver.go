package jobs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/wneessen/go-mail"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
)

// DeliverMaxAttempts is how often a delivery is tried before it is marked
// failed; River spaces the retries with its backoff.
const DeliverMaxAttempts = 8

// SMTP configures outgoing email. An empty Host means email is not
// configured: email deliveries then fail visibly.
type SMTP struct {
	Host     string
	Port     int    // default 587 (starttls), 465 (tls) or 25 (none)
	TLS      string // none, starttls (default) or tls
	Username string
	Password string
	From     string
}

// DeliverArgs asks for one delivery to be sent.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind is River's name for the job.
func (DeliverArgs) Kind() string { return app.JobDeliver }

// InsertOpts sets the attempts before a delivery is given up.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DeliverMaxAttempts}
}

// DeliverWorker sends a delivery by email or webhook and records the
// outcome; an error makes River retry with backoff.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	App           *app.App
	Log           *slog.Logger
	SMTP          SMTP
	WebhookSecret []byte
	// Outbound makes the webhook calls: only public addresses and those
	// the operator allowed (nil: public addresses only).
	Outbound *outbound.Client
}

// Work sends one delivery. A delivery already sent or failed is left
// alone (a job run twice does not send twice).
func (w *DeliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	d, err := w.App.Delivery(ctx, j.Args.DeliveryID)
	if err != nil {
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return river.JobCancel(err)
		}
		return err
	}
	if d.Status != isms.DeliveryPending {
		return nil
	}
	sendErr := w.send(ctx, d)
	// A missing configuration does not mend itself between retries: fail
	// at once (one audit event, a clear error in the list of deliveries)
	// instead of retrying for an hour.
	// Nor does an address that is not public (the operator must allow it).
	last := j.Attempt >= j.MaxAttempts || errors.Is(sendErr, errNotConfigured) || errors.Is(sendErr, outbound.ErrNotPublic)
	if err := w.App.RecordDeliveryAttempt(ctx, d, sendErr, last); err != nil {
		return err
	}
	obs.Deliveries.WithLabelValues(string(d.Channel), deliveryOutcome(sendErr, last)).Inc()
	if sendErr != nil {
		w.Log.Warn("delivery failed", "delivery_id", d.ID, "org_id", d.OrgID, "channel", d.Channel, "attempt", j.Attempt, "err", sendErr.Error())
		if last {
			return river.JobCancel(sendErr)
		}
		return sendErr
	}
	w.Log.Info("delivery sent", "delivery_id", d.ID, "org_id", d.OrgID, "channel", d.Channel)
	return nil
}

// deliveryOutcome labels an attempt for pdca_deliveries_total.
func deliveryOutcome(err error, last bool) string {
	switch {
	case err == nil:
		return "sent"
	case last:
		return "failed"
	}
	return "retry"
}

func (w *DeliverWorker) send(ctx context.Context, d *store.Delivery) error {
	switch d.Channel {
	case isms.ChannelEmail:
		return w.sendEmail(ctx, d)
	case isms.ChannelWebhook:
		return w.sendWebhook(ctx, d)
	}
	return fmt.Errorf("unknown channel %q", d.Channel)
}

// errNotConfigured marks a delivery this server cannot make at all.
var errNotConfigured = errors.New("not configured")

// errNoSMTP is what admins see on an email delivery when no SMTP server
// is configured.
var errNoSMTP = fmt.Errorf("SMTP is %w: start pdca serve with --smtp-host (and --smtp-from)", errNotConfigured)

// errNoWebhookSecret is what admins see on a webhook delivery when no
// signing secret is configured.
var errNoWebhookSecret = fmt.Errorf("webhooks are %w: start pdca serve with --webhook-secret-file, so that receivers can verify the signature", errNotConfigured)

func (w *DeliverWorker) sendEmail(ctx context.Context, d *store.Delivery) error {
	return w.SMTP.Send(ctx, d.Target, d.Subject, d.Body)
}

// Send sends one plain-text email (app.Mailer: invitations and password
// resets are sent at once, issue 18). errNoSMTP when Host is empty.
func (c SMTP) Send(ctx context.Context, to, subject, body string) error {
	if c.Host == "" {
		return errNoSMTP
	}
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	switch c.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS), mail.WithPort(portOr(c.Port, 25)))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithPort(portOr(c.Port, 465)))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(portOr(c.Port, 587)))
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	client, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	m := mail.NewMsg()
	if err := m.From(c.From); err != nil {
		return fmt.Errorf("from address %q: %w", c.From, err)
	}
	if err := m.To(to); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	m.Subject(subject)
	m.SetBodyString(mail.TypeTextPlain, body)
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("send email via %s: %w", c.Host, err)
	}
	return nil
}

func portOr(p, def int) int {
	if p == 0 {
		return def
	}
	return p
}

// Sign returns the X-Pdca-Signature value of a webhook body:
// "sha256=" and the hex HMAC-SHA256 of the body keyed by the secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (w *DeliverWorker) sendWebhook(ctx context.Context, d *store.Delivery) error {
	if len(w.WebhookSecret) == 0 {
		return errNoWebhookSecret
	}
	body := []byte(d.Payload)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "pdca")
	h.Set("X-Pdca-Signature", Sign(w.WebhookSecret, body))
	c := w.Outbound
	if c == nil {
		c = outbound.NewClient(outbound.Policy{})
	}
	// The error's text is safe to show admins and to audit: it names no
	// address and no remote text (outbound.Error).
	if err := c.Post(ctx, d.Target, h, body); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

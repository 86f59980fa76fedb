package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/outbound"
)

// WebhookMaxAttempts is how often a webhook delivery is tried: once and
// then after each wait of isms.WebhookRetrySchedule.
var WebhookMaxAttempts = len(isms.WebhookRetrySchedule) + 1

// WebhookArgs asks for one webhook delivery (issue 17) to be sent.
type WebhookArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind is River's name for the job.
func (WebhookArgs) Kind() string { return app.JobWebhook }

// InsertOpts sets the attempts before a delivery is given up.
func (WebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: WebhookMaxAttempts}
}

// WebhookWorker sends an event to a subscription, signed as the Standard
// Webhooks specification has it, and records each attempt; an error makes
// River retry on isms.WebhookRetrySchedule.
type WebhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	App *app.App
	Log *slog.Logger
	// Outbound makes the calls: only public addresses and those the
	// operator allowed (nil: public addresses only).
	Outbound *outbound.Client
	// Now gives the webhook-timestamp; nil means time.Now.
	Now func() time.Time
}

// NextRetry waits as isms.WebhookRetrySchedule says after attempt
// j.Attempt failed.
func (w *WebhookWorker) NextRetry(j *river.Job[WebhookArgs]) time.Time {
	return time.Now().Add(isms.WebhookRetryDelay(j.Attempt))
}

// errWebhookDisabled is the last error of a delivery whose subscription
// was disabled before it went out.
var errWebhookDisabled = errors.New("not sent: the webhook was disabled")

// errWebhookSecret is the last error of a delivery whose secret this
// server cannot read.
var errWebhookSecret = errors.New("not sent: the signing secret is sealed with a key this server does not have (serve --mfa-key-file)")

// Work sends one delivery. A delivery already sent or failed is left
// alone (a job run twice does not send twice); one whose subscription is
// gone is cancelled.
func (w *WebhookWorker) Work(ctx context.Context, j *river.Job[WebhookArgs]) error {
	s, err := w.App.WebhookDeliveryToSend(ctx, j.Args.DeliveryID)
	if err != nil {
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return river.JobCancel(err)
		}
		return err
	}
	d := s.Delivery
	if d.Status != isms.DeliveryPending {
		return nil
	}
	code, sendErr := 0, errWebhookDisabled
	switch {
	case s.Active && s.SecretErr != nil:
		// The detail (which key) is for the operator's log, not the page.
		w.Log.Error("webhook secret unreadable", "delivery_id", d.ID, "org_id", d.OrgID, "err", s.SecretErr.Error())
		sendErr = errWebhookSecret
	case s.Active:
		code, sendErr = w.send(ctx, s)
	}
	// Retrying cannot make an address public, a disabled webhook active,
	// nor bring back the key a secret was sealed with.
	last := j.Attempt >= j.MaxAttempts || errors.Is(sendErr, outbound.ErrNotPublic) || errors.Is(sendErr, errWebhookDisabled) || errors.Is(sendErr, errWebhookSecret)
	if err := w.App.RecordWebhookAttempt(ctx, d, code, sendErr, last); err != nil {
		return err
	}
	obs.Deliveries.WithLabelValues(obs.ChannelEventWebhook, deliveryOutcome(sendErr, last)).Inc()
	if sendErr != nil {
		w.Log.Warn("webhook delivery failed", "delivery_id", d.ID, "org_id", d.OrgID, "webhook_id", d.WebhookID, "attempt", j.Attempt, "err", sendErr.Error())
		if last {
			return river.JobCancel(sendErr)
		}
		return sendErr
	}
	w.Log.Info("webhook delivery sent", "delivery_id", d.ID, "org_id", d.OrgID, "webhook_id", d.WebhookID)
	return nil
}

// send posts the body with the Standard Webhooks headers, signed now.
func (w *WebhookWorker) send(ctx context.Context, s *app.WebhookSend) (int, error) {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now().Unix()
	body := []byte(s.Delivery.Payload)
	sig, err := isms.SignWebhook(s.Secret, s.Delivery.MsgID, ts, body)
	if err != nil {
		return 0, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "pdca")
	h.Set("webhook-id", s.Delivery.MsgID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	c := w.Outbound
	if c == nil {
		c = outbound.NewClient(outbound.Policy{})
	}
	// The error's text is safe to show admins and to audit: it names no
	// address and no remote text (outbound.Error).
	code, err := c.PostStatus(ctx, s.URL, h, body)
	if err != nil {
		return code, fmt.Errorf("webhook: %w", err)
	}
	return code, nil
}

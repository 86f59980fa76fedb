package jobs_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/jobs"
	"github.com/pdca/pdca/internal/obs"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// receiver is a webhook endpoint that checks the Standard Webhooks
// headers as a receiver would (written here from the specification, not
// with pdca's own signing function) and answers with the codes queued.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	codes  []int // answers to the next requests; 200 when empty
	got    []received
}

type received struct {
	id, ts, body string
	valid        bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(rc.secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(b)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	valid := false
	for _, sig := range strings.Split(r.Header.Get("webhook-signature"), " ") {
		valid = valid || hmac.Equal([]byte(sig), []byte(want))
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, received{id: id, ts: ts, body: string(b), valid: valid})
	code := http.StatusOK
	if len(rc.codes) > 0 {
		code, rc.codes = rc.codes[0], rc.codes[1:]
	}
	w.WriteHeader(code)
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// mustSubscribed makes acme with an admin, and subscribes url to every
// event; it returns the app, the admin and the subscription.
func mustSubscribed(t *testing.T, db *store.DB, url string) (*app.App, app.Principal, *isms.Webhook) {
	t.Helper()
	ctx := context.Background()
	a := app.New(db, nil)
	a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
	a.Webhooks = localHooks(t)
	if err := a.CreateOrg(ctx, app.System, &isms.Organization{Slug: "acme", Name: "Acme Oy"}); err != nil {
		t.Fatal(err)
	}
	u := &isms.User{Email: "anna@acme.example", Name: "Anna"}
	if err := a.CreateUser(ctx, app.System, u, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddMember(ctx, app.System, "acme", u.Email, isms.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	p := app.Principal{UserID: u.ID, Label: u.Email}
	w, err := a.CreateWebhook(ctx, p, "acme", app.WebhookInput{URL: url, Events: isms.EventTypes()})
	if err != nil {
		t.Fatal(err)
	}
	return a, p, w
}

func openDeviation(t *testing.T, a *app.App, p app.Principal, title string) {
	t.Helper()
	if _, err := a.CreateDeviation(context.Background(), p, "acme", app.DeviationInput{Title: title, Kind: "observation", Source: "observation", Severity: "low"}); err != nil {
		t.Fatal(err)
	}
}

func webhookJob(id int64, attempt int) *river.Job[jobs.WebhookArgs] {
	return &river.Job[jobs.WebhookArgs]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: jobs.WebhookMaxAttempts}, Args: jobs.WebhookArgs{DeliveryID: id}}
}

func lastDelivery(t *testing.T, a *app.App, p app.Principal, webhookID int64) *store.WebhookDelivery {
	t.Helper()
	_, log, err := a.WebhookSubscription(context.Background(), p, "acme", webhookID)
	if err != nil || len(log) == 0 {
		t.Fatalf("log %v, %v", log, err)
	}
	return log[0]
}

// TestWebhookRetryThenSuccess: a receiver answering 500 twice gets the
// delivery a third time; each attempt is logged with its status code and
// error, River waits as the schedule says, and every request carries a
// valid signature of the same message id.
func TestWebhookRetryThenSuccess(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rc := &receiver{t: t, codes: []int{500, 500}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		a, p, wh := mustSubscribed(t, db, srv.URL+"/hook")
		rc.secret = wh.Secret
		openDeviation(t, a, p, "Backup failed")
		d := lastDelivery(t, a, p, wh.ID)
		now := time.Unix(1_800_000_000, 0)
		w := &jobs.WebhookWorker{App: a, Log: slog.New(slog.DiscardHandler), Outbound: outbound.NewClient(localHooks(t)), Now: func() time.Time { return now }}
		retries0, sent0 := deliveriesCounted(t, obs.ChannelEventWebhook, "retry"), deliveriesCounted(t, obs.ChannelEventWebhook, "sent")
		for attempt := 1; attempt <= 2; attempt++ {
			if err := w.Work(ctx, webhookJob(d.ID, attempt)); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
				t.Fatalf("attempt %d: %v, want the 500", attempt, err)
			}
			got := lastDelivery(t, a, p, wh.ID)
			if got.Status != isms.DeliveryPending || got.Attempts != attempt || got.ResponseCode != 500 || got.LastError != "webhook: HTTP 500" || got.LastAttempt == nil {
				t.Fatalf("after attempt %d: %+v", attempt, got)
			}
		}
		// The back-off: 5 s after the first failure, 5 min after the second.
		for attempt, want := range map[int]time.Duration{1: 5 * time.Second, 2: 5 * time.Minute, 7: 10 * time.Hour} {
			wait := time.Until(w.NextRetry(webhookJob(d.ID, attempt)))
			if wait > want || wait < want-time.Minute/2 {
				t.Errorf("wait after attempt %d: %v, want %v", attempt, wait, want)
			}
		}
		if err := w.Work(ctx, webhookJob(d.ID, 3)); err != nil {
			t.Fatal(err)
		}
		// Counted in pdca_deliveries_total (other tests running in
		// parallel may add to it too, never take away).
		if r, s := deliveriesCounted(t, obs.ChannelEventWebhook, "retry")-retries0, deliveriesCounted(t, obs.ChannelEventWebhook, "sent")-sent0; r < 2 || s < 1 {
			t.Errorf("pdca_deliveries_total{channel=event_webhook}: retry +%v, sent +%v; want at least +2, +1", r, s)
		}
		got := lastDelivery(t, a, p, wh.ID)
		if got.Status != isms.DeliverySent || got.Attempts != 3 || got.ResponseCode != 200 || got.LastError != "" || got.SentAt == nil {
			t.Fatalf("delivery %+v", got)
		}
		// Run again (River may): nothing more is sent.
		if err := w.Work(ctx, webhookJob(d.ID, 4)); err != nil {
			t.Fatal(err)
		}
		reqs := rc.received()
		if len(reqs) != 3 {
			t.Fatalf("%d requests, want 3", len(reqs))
		}
		for _, r := range reqs {
			if !r.valid || r.id != d.MsgID || r.ts != strconv.FormatInt(now.Unix(), 10) || !strings.Contains(r.body, `"type":"deviation.opened"`) {
				t.Errorf("request %+v", r)
			}
		}

		// Redelivery: the same message again, signed afresh.
		nd, err := a.RedeliverWebhook(ctx, p, "acme", wh.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := w.Work(ctx, webhookJob(nd.ID, 1)); err != nil {
			t.Fatal(err)
		}
		reqs = rc.received()
		if len(reqs) != 4 || !reqs[3].valid || reqs[3].id != d.MsgID || reqs[3].body != reqs[0].body || reqs[3].ts == reqs[0].ts {
			t.Fatalf("redelivered %+v", reqs[len(reqs)-1])
		}
		evs, err := a.Events(ctx, app.System, "acme", store.EventFilter{Entity: "webhook_delivery"})
		if err != nil || len(evs) != 3 { // two sent, one redelivery asked
			t.Fatalf("events %+v, %v", evs, err)
		}
	})
}

// TestWebhookGivesUp: after the last attempt the delivery is failed; an
// address no longer allowed fails at once; a disabled webhook sends nothing.
func TestWebhookGivesUp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rc := &receiver{t: t}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		a, p, wh := mustSubscribed(t, db, srv.URL+"/hook")
		rc.secret = wh.Secret
		for range jobs.WebhookMaxAttempts {
			rc.codes = append(rc.codes, 503)
		}
		openDeviation(t, a, p, "One")
		d := lastDelivery(t, a, p, wh.ID)
		w := &jobs.WebhookWorker{App: a, Log: slog.New(slog.DiscardHandler), Outbound: outbound.NewClient(localHooks(t))}
		for attempt := 1; attempt <= jobs.WebhookMaxAttempts; attempt++ {
			_ = w.Work(ctx, webhookJob(d.ID, attempt))
		}
		if got := lastDelivery(t, a, p, wh.ID); got.Status != isms.DeliveryFailed || got.Attempts != jobs.WebhookMaxAttempts || got.ResponseCode != 503 {
			t.Fatalf("delivery %+v", got)
		}

		openDeviation(t, a, p, "Two")
		d = lastDelivery(t, a, p, wh.ID)
		strict := &jobs.WebhookWorker{App: a, Log: slog.New(slog.DiscardHandler)}
		if err := strict.Work(ctx, webhookJob(d.ID, 1)); err == nil {
			t.Fatal("delivered to loopback")
		}
		if got := lastDelivery(t, a, p, wh.ID); got.Status != isms.DeliveryFailed || got.Attempts != 1 || !strings.HasPrefix(got.LastError, "webhook: refused: the address is not public") {
			t.Fatalf("delivery %+v", got)
		}

		openDeviation(t, a, p, "Three")
		d = lastDelivery(t, a, p, wh.ID)
		if err := a.SetWebhookActive(ctx, p, "acme", wh.ID, false); err != nil {
			t.Fatal(err)
		}
		before := len(rc.received())
		_ = w.Work(ctx, webhookJob(d.ID, 1))
		if got := lastDelivery(t, a, p, wh.ID); got.Status != isms.DeliveryFailed || !strings.Contains(got.LastError, "disabled") || len(rc.received()) != before {
			t.Fatalf("delivery %+v after disabling", got)
		}

		// A secret sealed with a key the server no longer has: failed at
		// once, nothing sent unsigned.
		a.MFAKey = []byte("0123456789abcdef0123456789abcdef")
		sealed, err := a.CreateWebhook(ctx, p, "acme", app.WebhookInput{URL: srv.URL + "/sealed", Events: []isms.EventType{isms.EventDeviationOpened}})
		if err != nil {
			t.Fatal(err)
		}
		a.MFAKey = nil
		openDeviation(t, a, p, "Four")
		d = lastDelivery(t, a, p, sealed.ID)
		if err := w.Work(ctx, webhookJob(d.ID, 1)); err == nil {
			t.Fatal("sent without the secret")
		}
		if got := lastDelivery(t, a, p, sealed.ID); got.Status != isms.DeliveryFailed || got.Attempts != 1 || !strings.Contains(got.LastError, "sealed") || len(rc.received()) != before {
			t.Fatalf("delivery %+v without the key", got)
		}
	})
}

// TestWebhooksThroughRiver runs the whole path: a deviation opened
// enqueues its delivery in the same transaction, and River's worker posts
// it, signed, to the receiver.
func TestWebhooksThroughRiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		rc := &receiver{t: t}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		a, p, wh := mustSubscribed(t, db, srv.URL+"/hook")
		rc.secret = wh.Secret
		c, err := jobs.New(db, a, slog.New(slog.DiscardHandler), jobs.Options{Work: true, Webhooks: localHooks(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			_ = c.Stop(stopCtx)
		}()
		openDeviation(t, a, p, "Through River")
		// Wait for the request; the deadline is the context's, not a speed claim.
		for {
			if reqs := rc.received(); len(reqs) > 0 {
				if len(reqs) != 1 || !reqs[0].valid || !strings.Contains(reqs[0].body, "Through River") {
					t.Fatalf("requests %+v", reqs)
				}
				return
			}
			select {
			case <-ctx.Done():
				t.Fatal("no webhook before the deadline")
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

package jobs_test

import (
	"context"
	"crypto/hmac"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
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

// mailbox is an in-process SMTP server's backend that keeps what it gets.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct {
	from string
	to   []string
	data string
}

type mailSession struct {
	box *mailbox
	cur mailMsg
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }
func (s *mailSession) Reset()                                  { s.cur = mailMsg{} }
func (s *mailSession) Logout() error                           { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}

// startSMTP runs a real SMTP server on a free local port.
func startSMTP(t *testing.T) (*mailbox, int) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, ln.Addr().(*net.TCPAddr).Port
}

// mustReminder creates an organisation whose admin is reminded of one
// item due today, with the given preferences, and returns the deliveries.
func mustReminder(t *testing.T, db *store.DB, prefs isms.NotificationPrefs) (*app.App, []int64, string) {
	t.Helper()
	ctx := context.Background()
	a := app.New(db, nil)
	a.Passwords = app.PasswordHasher{Time: 1, MemoryK: 1024, Threads: 1}
	a.PublicURL = "https://pdca.example.com"
	// The receivers of these tests listen on 127.0.0.1: allowed as an
	// operator allows a private host (serve --webhook-allow).
	a.Webhooks = localHooks(t)
	org := &isms.Organization{Slug: "acme", Name: "Acme Oy"}
	if err := a.CreateOrg(ctx, app.System, org); err != nil {
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
	if _, err := a.SetNotificationPrefs(ctx, p, "acme", prefs); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	a.OnDueItems(func(ctx context.Context, tx *store.Tx, o *isms.Organization, _ time.Time) ([]app.DueItem, error) {
		return []app.DueItem{{Key: "restore-test:now", Kind: "restore-test", Title: "Restore test of the ERP", Due: now, OwnerID: u.ID, Link: "/o/acme/records/restore_tests"}}, nil
	})
	rs, err := a.SendReminders(ctx, org.ID, now)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reminders %v, %v", rs, err)
	}
	return a, rs[0].Deliveries, u.Email
}

func deliverJob(id int64, attempt int) *river.Job[jobs.DeliverArgs] {
	return &river.Job[jobs.DeliverArgs]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: jobs.DeliverMaxAttempts}, Args: jobs.DeliverArgs{DeliveryID: id}}
}

func TestDeliverEmail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		box, port := startSMTP(t)
		a, ids, email := mustReminder(t, db, isms.NotificationPrefs{Email: true})
		w := &jobs.DeliverWorker{App: a, Log: slog.New(slog.DiscardHandler),
			SMTP: jobs.SMTP{Host: "127.0.0.1", Port: port, TLS: "none", From: "pdca@example.com"}}
		if err := w.Work(ctx, deliverJob(ids[0], 1)); err != nil {
			t.Fatal(err)
		}
		box.mu.Lock()
		defer box.mu.Unlock()
		if len(box.msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(box.msgs))
		}
		m := box.msgs[0]
		if m.from != "pdca@example.com" || len(m.to) != 1 || m.to[0] != email {
			t.Fatalf("envelope from %s to %v", m.from, m.to)
		}
		for _, want := range []string{"Subject: [Acme Oy] Due today: Restore test of the ERP", "Stage: due", "Open: https://pdca.example.com/o/acme/records/restore_tests"} {
			if !strings.Contains(m.data, want) {
				t.Errorf("message lacks %q:\n%s", want, m.data)
			}
		}
		d, err := a.Delivery(ctx, ids[0])
		if err != nil || d.Status != isms.DeliverySent || d.Attempts != 1 || d.SentAt == nil {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		// Run again (River may run a job twice): nothing more is sent.
		if err := w.Work(ctx, deliverJob(ids[0], 2)); err != nil || len(box.msgs) != 1 {
			t.Fatalf("second run: %v, %d messages", err, len(box.msgs))
		}
	})
}

func TestDeliverEmailWithoutSMTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, ids, _ := mustReminder(t, db, isms.NotificationPrefs{Email: true})
		w := &jobs.DeliverWorker{App: a, Log: slog.New(slog.DiscardHandler)}
		// The first attempt fails for good: retrying cannot configure SMTP.
		if err := w.Work(ctx, deliverJob(ids[0], 1)); err == nil {
			t.Fatal("sent without SMTP")
		}
		d, err := a.Delivery(ctx, ids[0])
		if err != nil || d.Status != isms.DeliveryFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "SMTP is not configured: start pdca serve with --smtp-host") {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		evs, err := a.Events(ctx, app.System, "acme", store.EventFilter{Entity: "delivery"})
		if err != nil || len(evs) != 1 || evs[0].Action != "delivery.failed" {
			t.Errorf("audit events of the delivery: %+v, %v", evs, err)
		}
	})
}

func TestDeliverWebhook(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		secret := []byte("s3cret")
		var mu sync.Mutex
		var bodies []string
		fail := true
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if !hmac.Equal([]byte(r.Header.Get("X-Pdca-Signature")), []byte(jobs.Sign(secret, b))) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			if r.URL.Path == "/gone" {
				http.NotFound(w, r)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if fail {
				http.Error(w, "down", http.StatusInternalServerError)
				return
			}
			bodies = append(bodies, string(b))
		}))
		defer srv.Close()
		a, ids, _ := mustReminder(t, db, isms.NotificationPrefs{WebhookURL: srv.URL + "/hook"})
		w := &jobs.DeliverWorker{App: a, Log: slog.New(slog.DiscardHandler), WebhookSecret: secret, Outbound: outbound.NewClient(localHooks(t))}
		counted := func(outcome string) float64 { return deliveriesCounted(t, "webhook", outcome) }
		retries, sent, failed := counted("retry"), counted("sent"), counted("failed")
		defer func() {
			// Other tests deliver at the same time: at least these counted.
			if counted("retry") < retries+2 || counted("sent") < sent+1 || counted("failed") < failed+1 {
				t.Errorf("pdca_deliveries_total{channel=webhook}: retry %v→%v, sent %v→%v, failed %v→%v; want +2, +1, +1",
					retries, counted("retry"), sent, counted("sent"), failed, counted("failed"))
			}
		}()
		for attempt := 1; attempt <= 2; attempt++ {
			if err := w.Work(ctx, deliverJob(ids[0], attempt)); err == nil || !strings.Contains(err.Error(), "500") {
				t.Fatalf("attempt %d: %v, want the 500", attempt, err)
			}
			d, err := a.Delivery(ctx, ids[0])
			if err != nil || d.Status != isms.DeliveryPending || d.Attempts != attempt || !strings.Contains(d.LastError, "500") {
				t.Fatalf("after attempt %d: %+v, %v", attempt, d, err)
			}
		}
		mu.Lock()
		fail = false
		mu.Unlock()
		if err := w.Work(ctx, deliverJob(ids[0], 3)); err != nil {
			t.Fatal(err)
		}
		d, err := a.Delivery(ctx, ids[0])
		if err != nil || d.Status != isms.DeliverySent || d.Attempts != 3 {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		for _, want := range []string{`"organisation":"acme"`, `"kind":"restore-test"`, `"stage":"due"`, `"title":"Restore test of the ERP"`, `"link":"https://pdca.example.com/o/acme/records/restore_tests"`, `"due":"`} {
			if len(bodies) != 1 || !strings.Contains(bodies[0], want) {
				t.Errorf("webhook bodies %v lack %s", bodies, want)
			}
		}

		// A receiver that keeps failing: failed after the last attempt.
		a2, ids2 := mustReminderIn(t, a, srv.URL+"/gone")
		for attempt := 1; attempt <= jobs.DeliverMaxAttempts; attempt++ {
			_ = w.Work(ctx, deliverJob(ids2[0], attempt))
		}
		d, err = a2.Delivery(ctx, ids2[0])
		if err != nil || d.Status != isms.DeliveryFailed || d.Attempts != jobs.DeliverMaxAttempts || !strings.Contains(d.LastError, "404") {
			t.Fatalf("delivery %+v, %v", d, err)
		}
	})
}

// mustReminderIn sends a second reminder in the same organisation to the
// person's webhook at url and returns its deliveries.
func mustReminderIn(t *testing.T, a *app.App, url string) (*app.App, []int64) {
	t.Helper()
	ctx := context.Background()
	m, err := a.Authorize(ctx, app.System, "acme", isms.ActRead)
	if err != nil {
		t.Fatal(err)
	}
	var p app.Principal
	ms, err := a.Members(ctx, app.System, "acme")
	if err != nil || len(ms) != 1 {
		t.Fatalf("members %v, %v", ms, err)
	}
	p = app.Principal{UserID: ms[0].UserID, Label: ms[0].Email}
	if _, err := a.SetNotificationPrefs(ctx, p, "acme", isms.NotificationPrefs{WebhookURL: url}); err != nil {
		t.Fatal(err)
	}
	a.OnDueItems(func(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]app.DueItem, error) {
		return []app.DueItem{{Key: "second", Kind: "test", Title: "Second", Due: now, OwnerID: p.UserID, Link: "/o/acme"}}, nil
	})
	rs, err := a.SendReminders(ctx, m.Org.ID, time.Now())
	if err != nil || len(rs) != 1 {
		t.Fatalf("reminders %v, %v", rs, err)
	}
	return a, rs[0].Deliveries
}

// localHooks allows the test receivers on 127.0.0.1.
func localHooks(t *testing.T) outbound.Policy {
	t.Helper()
	p, err := outbound.ParseAllow([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDeliverWebhookRefusesInternal: a webhook saved while its address was
// allowed (or while its name resolved to a public address) is refused when
// dialled if the address is no longer allowed; a redirect is not followed;
// the errors admins see name neither the address nor the receiver's text.
// Before issue 13 the worker posted to loopback, followed the 307 and
// showed the receiver's status line.
func TestDeliverWebhookRefusesInternal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var hits, followed atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/inside" {
				followed.Add(1)
				return
			}
			hits.Add(1)
			if r.URL.Path == "/redirect" {
				http.Redirect(w, r, "/inside", http.StatusTemporaryRedirect)
			}
		}))
		defer srv.Close()
		a, ids, _ := mustReminder(t, db, isms.NotificationPrefs{WebhookURL: srv.URL + "/hook"})
		strict := &jobs.DeliverWorker{App: a, Log: slog.New(slog.DiscardHandler), WebhookSecret: []byte("k")}
		// Refused for good at the first attempt: retrying cannot make the
		// address public.
		if err := strict.Work(ctx, deliverJob(ids[0], 1)); err == nil {
			t.Fatal("delivered to loopback")
		}
		d, err := a.Delivery(ctx, ids[0])
		if err != nil || d.Status != isms.DeliveryFailed || d.Attempts != 1 || !strings.HasPrefix(d.LastError, "webhook: refused: the address is not public") {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		if hits.Load() != 0 {
			t.Fatalf("the receiver got %d requests", hits.Load())
		}
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
		evs, err := a.Events(ctx, app.System, "acme", store.EventFilter{Entity: "delivery"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("events %+v, %v", evs, err)
		}
		for _, s := range []string{d.LastError, evs[0].After} {
			if strings.Contains(s, "127.0.0.1") || strings.Contains(s, port) || strings.Contains(s, "dial") {
				t.Errorf("the error reveals the address: %s", s)
			}
		}

		w := &jobs.DeliverWorker{App: a, Log: slog.New(slog.DiscardHandler), WebhookSecret: []byte("k"), Outbound: outbound.NewClient(localHooks(t))}
		_, ids2 := mustReminderIn(t, a, srv.URL+"/redirect")
		if err := w.Work(ctx, deliverJob(ids2[0], 1)); err == nil {
			t.Fatal("a redirect counted as delivered")
		}
		d, err = a.Delivery(ctx, ids2[0])
		if err != nil || d.Status != isms.DeliveryPending || d.LastError != "webhook: HTTP 307: redirects are not followed" {
			t.Fatalf("delivery %+v, %v", d, err)
		}
		if followed.Load() != 0 {
			t.Fatal("the redirect was followed")
		}
	})
}

// deliveriesCounted reads pdca_deliveries_total{channel, outcome}.
func deliveriesCounted(t *testing.T, channel, outcome string) float64 {
	t.Helper()
	mfs, err := obs.NewRegistry(nil, nil).Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "pdca_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["channel"] == channel && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

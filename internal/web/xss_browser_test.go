package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// xss is a stored cross-site scripting payload: if any of it becomes
// markup, window.__xss is set or an element with a handler appears.
const xss = `<script>window.__xss=1</script><img src=x onerror="window.__xss=1"><a href="javascript:window.__xss=1">x</a>"'><svg onload=window.__xss=1>`

// TestBrowserStoredXSSIsInert stores the payload in every free-text field
// a member can fill (organisation and person names, process fields and
// Markdown steps, record columns and attributes, cycle goals, review
// attendees and decisions, metric names) and loads each page in Chromium:
// no payload may run or become an element with a handler or a javascript:
// link, whatever the Content-Security-Policy would have blocked anyway.
func TestBrowserStoredXSSIsInert(t *testing.T) {
	tab := newTab(t)
	ctx := context.Background()
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := &isms.Organization{Slug: "acme", Name: "Acme " + xss, TimeZone: "Europe/Helsinki"}
	if err := a.CreateOrg(ctx, app.System, o); err != nil {
		t.Fatal(err)
	}
	u := &isms.User{Email: "lead@acme.example", Name: "Lea " + xss}
	if err := a.CreateUser(ctx, app.System, u, password); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddMember(ctx, app.System, "acme", u.Email, isms.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	p := &isms.Process{Name: "Proc " + xss, Purpose: xss, OwnerID: u.ID, Trigger: xss, Deadline: xss, Recorded: xss,
		Steps: "1. step " + xss + "\n2. [link](javascript:window.__xss=1)\n\n<div onclick=\"window.__xss=1\">raw</div>", Impact: 3, Recurrence: 3, Risk: 3, Metrics: []string{"access-removal"}}
	if err := a.CreateProcess(ctx, app.System, "acme", p); err != nil {
		t.Fatal(err)
	}
	csv := "ref,title,severity,detected_at,root_cause,note\nINC-1,\"" + strings.ReplaceAll(xss, `"`, `""`) + "\",critical,2026-10-01 08:00,\"" + strings.ReplaceAll(xss, `"`, `""`) + "\",\"" + strings.ReplaceAll(xss, `"`, `""`) + "\"\n"
	if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "acme", Kind: isms.KindIncidents, Format: importer.FormatCSV, File: strings.NewReader(csv)}); err != nil {
		t.Fatal(err)
	}
	name := "Removal " + xss
	if _, err := a.UpdateMetric(ctx, app.System, "acme", "access-removal", app.MetricChange{Name: &name}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &isms.Cycle{Name: "Cycle " + xss, Start: start, End: start.AddDate(0, 0, 89), Goals: xss, ProcessIDs: []int64{p.ID}}
	if err := a.CreateCycle(ctx, app.System, "acme", c); err != nil {
		t.Fatal(err)
	}
	rv := &isms.Review{Period: "2026-Q4", HeldOn: start, ChairID: u.ID, Attendees: xss}
	if err := a.CreateReview(ctx, app.System, "acme", rv); err != nil {
		t.Fatal(err)
	}
	if err := a.AddDecision(ctx, app.System, "acme", rv.ID, &isms.ReviewAction{Kind: isms.DecisionChange, Title: xss}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RecomputeMetrics(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	recs, _, err := a.Records(ctx, app.System, "acme", isms.KindIncidents, store.RecordFilter{})
	if err != nil || len(recs) != 1 {
		t.Fatal(err)
	}
	e := startServer(t, a, nil)
	if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/o/acme/", "/o/acme/processes", "/o/acme/processes/" + id(p.ID), "/o/acme/processes/" + id(p.ID) + "?edit=1",
		"/o/acme/records/incidents", "/o/acme/records/incidents/" + id(recs[0].ID), "/o/acme/metrics", "/o/acme/metrics/access-removal",
		"/o/acme/cycles", "/o/acme/cycles/" + id(c.ID), "/o/acme/reviews", "/o/acme/reviews/" + id(rv.ID), "/o/acme/people", "/o/acme/audit", "/orgs"}
	const probe = `(() => {
		const bad = [];
		if (window.__xss) bad.push('script ran');
		document.querySelectorAll('script:not([src])').forEach(s => bad.push('inline script: ' + s.outerHTML.slice(0, 60)));
		document.querySelectorAll('*').forEach(el => { for (const at of el.attributes) { if (at.name.startsWith('on')) bad.push('handler ' + at.name + ' on ' + el.tagName); } });
		document.querySelectorAll('a[href^="javascript"]').forEach(a => bad.push('javascript link'));
		document.querySelectorAll('main img, main svg:not(.trend)').forEach(x => bad.push('injected ' + x.tagName));
		return bad;
	})()`
	for _, path := range pages {
		if err := chromedp.Do(tab, chromedp.Navigate(e.ts.URL+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		bad, err := chromedp.Run(tab, chromedp.Evaluate[[]string](probe))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(bad) > 0 {
			t.Errorf("%s: %v", path, bad)
		}
		body, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
		if err != nil || !strings.Contains(body, "window.__xss=1") && path != "/o/acme/audit" {
			// The payload must still be there, shown as text.
			t.Errorf("%s: the payload is not shown as text (%v)", path, err)
		}
	}
}

// TestTokensNeverLogged sends requests with an API token, good and bad,
// and checks that no log line of the server contains the secret.
func TestTokensNeverLogged(t *testing.T) {
	a := newApp(t, storetest.Open(t, store.SQLite))
	o := mustOrg(t, a, "acme", "Acme Oy")
	_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
	var logs bytes.Buffer
	srv, err := web.New(t.Context(), a, web.Config{Version: "test"}, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	for _, h := range []string{"Bearer " + secret, "Bearer " + secret + "x", "Basic " + secret} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/orgs/acme?token="+secret, nil)
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if logs.Len() == 0 {
		t.Fatal("the server logged nothing; the test would prove nothing")
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), secret[len(app.TokenPrefix):]) {
		t.Errorf("a token secret reached the logs:\n%s", logs.String())
	}
}

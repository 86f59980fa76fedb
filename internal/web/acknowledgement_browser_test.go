package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestBrowserPublishAcknowledgeMetric walks issue 18's path in Chromium: an
// ISMS manager publishes an approved version to all members from the
// publish form; a viewer signs in, opens it from their list, acknowledges
// it; the drill-down of the policy acknowledgement rate counts it as met.
func TestBrowserPublishAcknowledgeMetric(t *testing.T) {
	mgrTab, viewerTab := newTab(t), newTab(t)
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	o := mustOrg(t, a, "acme", "Acme Oy")
	e := startServer(t, a, nil)
	doc, ver := insertApprovedDocument(t, a, o, "POL-9", "Clear desk policy", "# Clear desk\n\nLeave nothing on your desk.")

	browserSignIn(t, mgrTab, e.ts.URL, o.users[isms.RoleISMSManager].Email)
	if err := chromedp.Do(mgrTab, chromedp.Navigate(e.ts.URL+"/o/acme/documents/"+id(doc)+"/publish"), chromedp.WaitVisible(chromedp.ID("publish")),
		chromedp.Click(chromedp.ID("a-all"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(mgrTab, chromedp.Click(chromedp.ID("publish"))); err != nil {
		t.Fatal(err)
	}
	if h, err := chromedp.Run(mgrTab, chromedp.Text(chromedp.CSS("main"))); err != nil || !strings.Contains(h, "Acknowledgement register") || !strings.Contains(h, "1.0 published") {
		t.Fatalf("after publishing: %v %s", err, h)
	}

	browserSignIn(t, viewerTab, e.ts.URL, o.users[isms.RoleViewer].Email)
	link := `a[href="/o/acme/acknowledgements/versions/` + id(ver) + `"]`
	if err := chromedp.Do(viewerTab, chromedp.Navigate(e.ts.URL+"/o/acme/acknowledgements"), chromedp.WaitVisible(chromedp.CSS(link))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(viewerTab, chromedp.Click(chromedp.CSS(link))); err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(viewerTab, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(body, "Leave nothing on your desk.") || !strings.Contains(body, "I have read and acknowledge version 1.0") {
		t.Fatalf("version page: %v %s", err, body)
	}
	if _, err := chromedp.RunResponse(viewerTab, chromedp.Click(chromedp.ID("acknowledge"))); err != nil {
		t.Fatal(err)
	}
	if body, err = chromedp.Run(viewerTab, chromedp.Text(chromedp.CSS("body"))); err != nil || !strings.Contains(body, "you acknowledged POL-9 version 1.0") {
		t.Fatalf("after acknowledging: %v %s", err, body)
	}

	q := measure.PeriodContaining(measure.FrequencyQuarter, time.Now(), o.Location())
	if err := chromedp.Do(mgrTab, chromedp.Navigate(e.ts.URL+"/o/acme/metrics/"+measure.AcknowledgementKey+"/"+q.String())); err != nil {
		t.Fatal(err)
	}
	if body, err = chromedp.Run(mgrTab, chromedp.Text(chromedp.CSS("main"))); err != nil || !strings.Contains(body, "Policy acknowledgement rate") ||
		!strings.Contains(body, "met 1") || !strings.Contains(body, "viewer · POL-9 1.0") {
		t.Fatalf("metric drill-down does not count the acknowledgement: %v %s", err, body)
	}
}

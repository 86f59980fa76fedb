package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestDeviationForms checks the answers of the deviation and audit forms
// to invalid input (the page again, with the problem) and the register's
// filters.
func TestDeviationForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		owner := o.users[isms.RoleProcessOwner]
		c := e.signIn(t, owner.Email)

		r := e.do(t, c, http.MethodPost, "/o/acme/deviations", url.Values{"title": {"Shared admin password"}, "kind": {"minor"}, "source": {"complaint"},
			"severity": {"high"}, "detected": {"2026-01-01"}, "due": {"2026-02-01"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		path := r.header.Get("Location")
		// After a step's form the page comes back at the next step.
		r = e.do(t, c, http.MethodPost, path+"/correction", url.Values{"correction": {"password changed"}}, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != path+"#step-root-cause" {
			t.Fatalf("correction: %d to %q, want the root cause step", r.status, r.header.Get("Location"))
		}
		if r = e.do(t, c, http.MethodGet, path, nil, nil); !strings.Contains(r.body, ">analysing<") || !strings.Contains(r.body, "Record the root cause") ||
			strings.Contains(r.body, "Go on to the root cause") || strings.Contains(r.body, "Why? (0)") || !strings.Contains(r.body, "Why? (5)") {
			t.Fatalf("after the correction:\n%s", r.body)
		}
		r = e.do(t, c, http.MethodPost, "/o/acme/deviations", url.Values{"title": {""}, "kind": {"minor"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "say in a few words what went wrong") || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Fatalf("create without a title: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, path+"/root-cause", url.Values{"why": {"nobody owns it"}, "cause": {"no owner"}, "category": {"luck"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "use one of people") || !strings.Contains(r.body, "Shared admin password") {
			t.Fatalf("root cause with a bad category: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, path+"/verify", nil, nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "can&#39;t be moved this way") {
			t.Fatalf("verify an open deviation: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, path+"/close-observation", url.Values{"reason": {"x"}}, nil)
		if r.status != http.StatusForbidden {
			t.Fatalf("a process owner closes without a check: %d", r.status)
		}
		r = e.do(t, c, http.MethodPost, path+"/actions", url.Values{"title": {"Rotate and vault the password"}, "due": {"2026-12-01"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("add action: %d %s", r.status, r.body)
		}
		devID, _ := strconv.ParseInt(path[strings.LastIndex(path, "/")+1:], 10, 64)
		v, err := a.Deviation(ctx, app.System, "acme", devID)
		if err != nil {
			t.Fatal(err)
		}
		done := path + "/actions/" + id(v.Actions[0].ID)
		r = e.do(t, c, http.MethodPost, done+"/done", upload{fields: url.Values{"evidence": {""}}, name: "<vault>.html", contents: "<script>alert(1)</script>"}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("done with a file: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, done+"/evidence", nil, nil)
		if r.status != http.StatusOK || r.body != "<script>alert(1)</script>" || r.header.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("evidence download: %d %v %q", r.status, r.header, r.body)
		}
		if r = e.do(t, c, http.MethodGet, path, nil, nil); !strings.Contains(r.body, "&lt;vault&gt;.html</a>") {
			t.Errorf("the deviation page does not link the evidence file:\n%s", r.body)
		}
		for q, want := range map[string]bool{"": true, "?status=analysing": true, "?status=open": false, "?status=closed": false, "?status=overdue": true} {
			r = e.do(t, c, http.MethodGet, "/o/acme/deviations"+q, nil, nil)
			if r.status != http.StatusOK || strings.Contains(r.body, "Shared admin password") != want {
				t.Errorf("register %q: %d, lists the deviation: %v", q, r.status, !want)
			}
		}
		if r = e.do(t, c, http.MethodGet, "/o/acme/deviations?status=overdue", nil, nil); !strings.Contains(r.body, `class="overdue"`) {
			t.Errorf("no overdue mark:\n%s", r.body)
		}

		// Planning an audit led by the owner of a process in scope needs a
		// reason to override the independence check.
		p, _ := app.ProcessFromTemplate("access", owner.ID)
		if err := a.CreateProcess(ctx, app.System, "acme", p); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"title": {"Access audit"}, "clauses": {"9.2, A.5.15"}, "processes": {id(p.ID)}, "planned": {"2026-06-01"}, "lead": {owner.Email}}
		r = e.do(t, c, http.MethodPost, "/o/acme/audits", form, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `&#34;A.5.15&#34; is not a clause`) || !strings.Contains(r.body, `aria-describedby="p-clauses-error"`) {
			t.Fatalf("a control among the clauses: %d %s", r.status, r.body)
		}
		form.Set("clauses", "9.2")
		form.Set("controls", "A.5.15")
		r = e.do(t, c, http.MethodPost, "/o/acme/audits", form, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "the lead auditor owns Access management") || !strings.Contains(r.body, `aria-describedby="p-override-error"`) {
			t.Fatalf("not independent: %d %s", r.status, r.body)
		}
		form.Set("override", "the only trained auditor")
		if r = e.do(t, c, http.MethodPost, "/o/acme/audits", form, nil); r.status != http.StatusSeeOther {
			t.Fatalf("with an override: %d %s", r.status, r.body)
		}
		audit := r.header.Get("Location")
		if r = e.do(t, c, http.MethodPost, audit+"/findings", url.Values{"kind": {"major"}, "title": {"No access reviews"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("raise: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, audit, nil, nil)
		if !strings.Contains(r.body, "No access reviews") || !strings.Contains(r.body, ">deviation</a>") || !strings.Contains(r.body, "overridden: the only trained auditor") {
			t.Errorf("audit page:\n%s", r.body)
		}
	})
}

// TestDeviationRegisterPages checks that the register and the API list
// page in the database: 50 a page with links between pages, the API's
// limit and offset, and the total of all that match.
func TestDeviationRegisterPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		for i := range 53 {
			if _, err := a.CreateDeviation(ctx, app.System, "acme", app.DeviationInput{Title: fmt.Sprintf("Deviation number %02d", i), Kind: "minor",
				Source: "complaint", Severity: "low", DetectedAt: time.Now().Add(time.Duration(i-60) * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		c := e.signIn(t, o.users[isms.RoleViewer].Email)
		r := e.do(t, c, http.MethodGet, "/o/acme/deviations", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "Deviation number 52") || strings.Contains(r.body, "Deviation number 02") ||
			!strings.Contains(r.body, "53 deviations") || !strings.Contains(r.body, "?offset=50") {
			t.Fatalf("first page: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/deviations?offset=50", nil, nil)
		if !strings.Contains(r.body, "Deviation number 00") || strings.Contains(r.body, "Deviation number 03") || !strings.Contains(r.body, "?offset=0") {
			t.Fatalf("second page:\n%s", r.body)
		}
		_, secret, err := a.CreateToken(ctx, app.System, "acme", o.users[isms.RoleViewer].Email, "t", isms.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			query    string
			n, total int // total -1: absent (not asked for)
			more     bool
			first    string
		}{
			{"?count=true", 50, 53, true, "Deviation number 52"},
			{"", 50, -1, true, "Deviation number 52"},
			{"?limit=5&offset=50&count=true", 3, 53, false, "Deviation number 02"},
			{"?limit=5&offset=50", 3, -1, false, "Deviation number 02"},
			{"?limit=3&offset=50", 3, -1, false, "Deviation number 02"},
			{"?limit=2&offset=50", 2, -1, true, "Deviation number 02"},
			{"?limit=500&status=closed&count=true", 0, 0, false, ""},
		} {
			r = e.do(t, e.client(t, false), http.MethodGet, "/api/v1/orgs/acme/deviations"+c.query, nil, bearer(secret))
			var body struct {
				Items   []struct{ Title string }
				Total   *int
				HasMore bool `json:"has_more"`
			}
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || r.status != http.StatusOK {
				t.Fatalf("API %s: %d %s", c.query, r.status, r.body)
			}
			total := -1
			if body.Total != nil {
				total = *body.Total
			}
			if len(body.Items) != c.n || total != c.total || body.HasMore != c.more || (c.n > 0 && body.Items[0].Title != c.first) {
				t.Errorf("API %s: %d items, total %d, more %v, first %+v; want %d, %d, %v, %s", c.query, len(body.Items), total, body.HasMore, body.Items, c.n, c.total, c.more, c.first)
			}
		}
	})
}

package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// The lists of members, tokens and deliveries are paged and filtered by
// the database: the API takes limit, offset and each list's filters
// (422 for a value the filter does not take), total counts what matches;
// the pages show the filter bar, a pager and an invalid filter's message
// beside it.
func TestPagedListsAPIAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustOrg(t, a, "beta", "Beta Oy")
		ctx := context.Background()
		_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
		api := e.client(t, false)
		type list struct {
			Items []struct {
				Email   string `json:"email"`
				Role    string `json:"role"`
				Subject string `json:"subject"`
				Status  string `json:"status"`
			} `json:"items"`
			Total   int    `json:"total"`
			HasMore bool   `json:"has_more"`
			Next    string `json:"next"`
		}
		get := func(path string) (list, result) {
			t.Helper()
			var l list
			r := e.do(t, api, http.MethodGet, path, nil, bearer(secret))
			if r.status == http.StatusOK {
				if err := json.Unmarshal([]byte(r.body), &l); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
			}
			return l, r
		}

		// Members by name: The admin, The auditor, The isms manager, The management, ...
		l, r := get("/api/v1/orgs/acme/members?limit=2&offset=1&count=true")
		if r.status != http.StatusOK || l.Total != 6 || len(l.Items) != 2 || l.Items[0].Email != "auditor@acme.example" || l.Items[1].Email != "isms_manager@acme.example" {
			t.Errorf("members limit 2 offset 1: %d %s", r.status, r.body)
		}
		if l, r = get("/api/v1/orgs/acme/members?role=viewer&count=true"); l.Total != 1 || len(l.Items) != 1 || l.Items[0].Role != "viewer" {
			t.Errorf("members role viewer: %d %s", r.status, r.body)
		}
		if l, r = get("/api/v1/orgs/acme/members?q=MANAGE&count=true"); l.Total != 2 {
			t.Errorf("members q=MANAGE (isms manager, management): %d %s", r.status, r.body)
		}
		if _, r = get("/api/v1/orgs/acme/members?role=owner"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "role") {
			t.Errorf("members role owner: %d %s", r.status, r.body)
		}

		// Tokens: the body stays an array, the count is a header.
		for _, role := range []isms.Role{isms.RoleAdmin, isms.RoleAuditor} {
			if _, _, err := a.CreateToken(ctx, app.System, "acme", o.users[role].Email, "second", isms.ScopeWrite); err != nil {
				t.Fatal(err)
			}
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/tokens?limit=2&count=true", nil, bearer(secret))
		var toks []struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal([]byte(r.body), &toks); err != nil || r.status != http.StatusOK || len(toks) != 2 || r.header.Get("X-Total-Count") != "3" || toks[0].Name != "admin read" {
			t.Errorf("tokens limit 2: %d %v %s", r.status, r.header.Get("X-Total-Count"), r.body)
		}
		if r.header.Get("X-Has-More") != "true" {
			t.Errorf("tokens limit 2 of 3: X-Has-More %q", r.header.Get("X-Has-More"))
		}
		// Not counted unless asked; X-Has-More still tells the last page.
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/tokens?limit=2&offset=1", nil, bearer(secret))
		if _, counted := r.header["X-Total-Count"]; r.status != http.StatusOK || counted || r.header.Get("X-Has-More") != "false" {
			t.Errorf("tokens 2 from 1, no count: %d X-Total-Count %v X-Has-More %q", r.status, r.header["X-Total-Count"], r.header.Get("X-Has-More"))
		}
		if r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/tokens?state=revoked&count=true", nil, bearer(secret)); r.status != http.StatusOK || strings.TrimSpace(r.body) != "[]" || r.header.Get("X-Total-Count") != "0" {
			t.Errorf("tokens revoked: %d %s", r.status, r.body)
		}
		if r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/tokens?state=lost", nil, bearer(secret)); r.status != http.StatusUnprocessableEntity {
			t.Errorf("tokens state lost: %d %s", r.status, r.body)
		}

		// Deliveries, newest first; beta's are not acme's.
		err := a.DB.Write(ctx, func(tx *store.Tx) error {
			for i, s := range []string{"first", "second", "third"} {
				d := &store.Delivery{OrgID: o.ID, UserID: o.users[isms.RoleAdmin].ID, Channel: isms.ChannelEmail, Target: "admin@acme.example", Subject: s}
				if err := tx.AddDelivery(ctx, d); err != nil {
					return err
				}
				if i == 1 {
					if err := tx.RecordDeliveryAttempt(ctx, o.ID, d.ID, isms.DeliveryFailed, "refused"); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if l, r = get("/api/v1/orgs/acme/deliveries?limit=2&count=true"); l.Total != 3 || len(l.Items) != 2 || l.Items[0].Subject != "third" {
			t.Errorf("deliveries limit 2: %d %s", r.status, r.body)
		}
		if l, r = get("/api/v1/orgs/acme/deliveries?status=failed&count=true"); l.Total != 1 || len(l.Items) != 1 || l.Items[0].Subject != "second" {
			t.Errorf("deliveries failed: %d %s", r.status, r.body)
		}
		if _, r = get("/api/v1/orgs/acme/deliveries?channel=pigeon"); r.status != http.StatusUnprocessableEntity {
			t.Errorf("deliveries channel pigeon: %d %s", r.status, r.body)
		}
		// Keyset pages: next on a page that has more, after=next continues
		// where the offset would; the last page has no next.
		if l, r = get("/api/v1/orgs/acme/deliveries?limit=2"); !l.HasMore || l.Next == "" || l.Items[1].Subject != "second" {
			t.Errorf("deliveries limit 2: next %q, %d %s", l.Next, r.status, r.body)
		}
		if l, r = get("/api/v1/orgs/acme/deliveries?limit=2&after=" + l.Next); r.status != http.StatusOK || len(l.Items) != 1 || l.Items[0].Subject != "first" || l.HasMore || l.Next != "" {
			t.Errorf("deliveries after the second: %d %s", r.status, r.body)
		}
		if l, r = get("/api/v1/orgs/acme/deliveries?limit=1&status=failed"); len(l.Items) != 1 || l.HasMore || l.Next != "" {
			t.Errorf("deliveries failed, one page: %d %s", r.status, r.body)
		}
		next, _ := get("/api/v1/orgs/acme/deliveries?limit=1")
		riskKey := base64.RawURLEncoding.EncodeToString([]byte("1767323045000000.5")) // a risk's cursor carries a time, a delivery's does not
		for _, bad := range []string{"after=" + next.Next + "&offset=1", "after=" + next.Next + "&count=true", "after=bm90LWEtY3Vyc29y", "after=" + riskKey} {
			if _, r = get("/api/v1/orgs/acme/deliveries?" + bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "after") {
				t.Errorf("deliveries %s: %d %s", bad, r.status, r.body)
			}
		}

		// Processes, highest priority first; filtered by owner and name.
		for _, tpl := range []string{"access", "incident"} {
			p, _ := app.ProcessFromTemplate(tpl, o.users[isms.RoleProcessOwner].ID)
			if tpl == "incident" {
				p.OwnerID, p.Impact, p.Recurrence, p.Risk = o.users[isms.RoleISMSManager].ID, 5, 5, 5
			}
			if err := a.CreateProcess(ctx, app.System, o.Slug, p); err != nil {
				t.Fatal(err)
			}
		}
		var procs struct {
			Items []struct {
				Name    string   `json:"name"`
				Metrics []string `json:"metrics"`
			} `json:"items"`
			Total int `json:"total"`
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/processes?limit=1&count=true", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &procs); err != nil || procs.Total != 2 || len(procs.Items) != 1 || len(procs.Items[0].Metrics) == 0 {
			t.Errorf("processes limit 1: %d %s", r.status, r.body)
		}
		first := procs.Items[0].Name
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/processes?owner=PROCESS_OWNER@acme.example&count=true", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &procs); err != nil || procs.Total != 1 || procs.Items[0].Name == first {
			t.Errorf("processes of the process owner (not the top one, %q): %d %s", first, r.status, r.body)
		}

		// The audit programme of a year, by planned date, paged; reviews on their page.
		err = a.DB.Write(ctx, func(tx *store.Tx) error {
			for i, title := range []string{"Late", "Early", "Middle"} {
				au := &isms.InternalAudit{OrgID: o.ID, Year: 2026, Title: title, PlannedOn: time.Date(2026, time.Month(9-3*i+(i/2)*4), 1, 0, 0, 0, 0, time.UTC), LeadID: o.users[isms.RoleAuditor].ID}
				if err := tx.InsertInternalAudit(ctx, au); err != nil {
					return err
				}
			}
			for i, st := range []isms.ReviewStatus{isms.ReviewDraft, isms.ReviewHeld} {
				if err := tx.CreateReview(ctx, &isms.Review{OrgID: o.ID, Period: "2026-Q" + string(rune('1'+i)), HeldOn: time.Date(2026, time.Month(3+3*i), 20, 0, 0, 0, 0, time.UTC), Status: st, ChairName: "Chair"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var audits struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
			Total int `json:"total"`
		}
		r = e.do(t, api, http.MethodGet, "/api/v1/orgs/acme/audits?year=2026&limit=2&offset=1&count=true", nil, bearer(secret))
		if err := json.Unmarshal([]byte(r.body), &audits); err != nil || audits.Total != 3 || len(audits.Items) != 2 || audits.Items[0].Title != "Middle" || audits.Items[1].Title != "Late" {
			t.Errorf("audits 2026, limit 2 offset 1 (Early, Middle, Late by planned date): %d %s", r.status, r.body)
		}

		// The pages.
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		r = e.do(t, c, http.MethodGet, "/o/acme/reviews?status=held", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "2026-Q2") || strings.Contains(r.body, ">2026-Q1<") || !strings.Contains(r.body, "1 review matching the filter") {
			t.Errorf("reviews held: %d", r.status)
		}
		if r = e.do(t, c, http.MethodGet, "/o/acme/reviews?status=lost", nil, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "give draft, held or signed") {
			t.Errorf("reviews status lost: %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/processes?owner=isms_manager@acme.example", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, first) || !strings.Contains(r.body, "1 process matching the filters") {
			t.Errorf("processes page, the manager's: %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/people?role=auditor", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "auditor@acme.example") || strings.Contains(r.body, "viewer@acme.example") || !strings.Contains(r.body, "Clear filters") {
			t.Errorf("people role auditor: %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/people?role=owner", nil, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="f-problem"`) {
			t.Errorf("people role owner: %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/tokens?state=active", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "3 tokens active") {
			t.Errorf("tokens active (everyone's, for an admin): %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/notifications?status=failed", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "refused") || strings.Contains(r.body, "<td>third</td>") {
			t.Errorf("notifications, failed deliveries: %d", r.status)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/notifications?status=lost", nil, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "give pending, sent or failed") {
			t.Errorf("notifications status lost: %d", r.status)
		}
	})
}

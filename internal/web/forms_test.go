package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// formlessRoutes are the POST routes of orgRoutes that TestFormErrors
// does not post an invalid form to, each with the reason.
var formlessRoutes = map[string]string{
	"POST /o/{org}/security/mfa":                             "one checkbox: both answers are valid",
	"POST /o/{org}/tokens/{id}/revoke":                       "a button without input",
	"POST /o/{org}/imports/{token}/confirm":                  "a button; a rejected file lists its rows on the import page (TestImport*)",
	"POST /o/{org}/deviations/{id}/analyse":                  "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/deviations/{id}/plan":                     "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/deviations/{id}/start":                    "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/deviations/{id}/verify":                   "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/deviations/{id}/close":                    "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/deviations/{id}/reopen":                   "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/deviations/{id}/close-observation":        "a workflow button, shown only when the move is allowed",
	"POST /o/{org}/audits/{id}/findings/{fid}/close":         "a button without input",
	"POST /o/{org}/reviews/{id}/hold":                        "a button without input",
	"POST /o/{org}/reviews/{id}/reopen":                      "a button without input",
	"POST /o/{org}/reviews/{id}/sign":                        "a button without input",
	"POST /o/{org}/reviews/{id}/decisions/{action}/done":     "a button (the note is a hidden field)",
	"POST /o/{org}/report-link":                              "a button without input (turning the link on or rotating it asks for confirmation first)",
	"POST /o/{org}/report-link/disable":                      "a button without input",
	"POST /o/{org}/soa/import/confirm":                       "a button; a spent upload answers 410 and a rejected file lists its rows on the import page (TestSoAImportPages)",
	"POST /o/{org}/webhooks/{id}/enable":                     "a button without input",
	"POST /o/{org}/webhooks/{id}/disable":                    "a button without input",
	"POST /o/{org}/webhooks/{id}/deliveries/{did}/redeliver": "a button without input; a disabled webhook's refusal is a message on its log page (TestWebhookPages)",
	// Issue 18: documents.
	"POST /o/{org}/documents/{id}/retire":                 "a button after a confirmation page",
	"POST /o/{org}/documents/{id}/versions/{vid}/submit":  "a button without input",
	"POST /o/{org}/documents/{id}/versions/{vid}/approve": "the comment is optional: an empty form is a valid approval",
	// Issue 18: people in the UI; My work.
	"POST /o/{org}/people/invitations/{id}/resend": "a button without input",
	"POST /o/{org}/my-work/calendar":               "a button without input (create or rotate the feed)",
	"POST /o/{org}/my-work/calendar/revoke":        "a button; without confirm=revoke it answers the question page",

	// Issue 19: the register of each framework.
	"POST /o/{org}/frameworks/{key}/enable": "a button without input",
}

// invalidForms are the invalid posts of TestFormErrors (an empty form
// where none is given), and a value each must come back with.
var invalidForms = map[string]struct {
	form url.Values
	keep string
}{
	// Issue 19: record kinds of an organisation's own.
	"POST /o/{org}/record-kinds": {url.Values{"key": {"incidents"}, "title": {"Kept title"}, "columns": {"ref text key"}}, `value="Kept title"`},

	"POST /o/{org}/people":                             {url.Values{"email": {"not-an-address"}, "role": {"viewer"}}, `value="not-an-address"`},
	"POST /o/{org}/people/{user}/role":                 {url.Values{"role": {"emperor"}}, ""},
	"POST /o/{org}/metrics/{key}":                      {url.Values{"name": {"Kept name"}, "rule": {"at_least"}, "green": {"lots"}}, `value="lots"`},
	"POST /o/{org}/metrics/{key}/values":               {url.Values{"value": {"many"}, "period": {"2026-10"}}, ""},
	"POST /o/{org}/deviations":                         {url.Values{"description": {"Kept description"}}, ">Kept description</textarea>"},
	"POST /o/{org}/deviations/settings":                {url.Values{"days": {"0"}}, `value="0"`},
	"POST /o/{org}/deviations/{id}/assign":             {url.Values{"owner": {"nobody@nowhere.example"}}, ""},
	"POST /o/{org}/audits":                             {url.Values{"clauses": {"9.2"}}, `value="9.2"`},
	"POST /o/{org}/audits/{id}/held":                   {url.Values{"held": {"someday"}}, ""},
	"POST /o/{org}/risks":                              {url.Values{"threat": {"Kept threat"}}, "Kept threat"},
	"POST /o/{org}/risks/intervals":                    {url.Values{"low": {"-1"}}, ""},
	"POST /o/{org}/risks/{id}/reassess":                {url.Values{"likelihood": {"9"}, "impact": {"3"}, "note": {"Kept note"}}, "Kept note"},
	"POST /o/{org}/notifications":                      {url.Values{"paused_until": {"someday"}}, `value="someday"`},
	"POST /o/{org}/notifications/settings":             {url.Values{"lead_days": {"soon"}, "escalate_days": {"3"}}, `value="soon"`},
	"POST /o/{org}/reviews":                            {url.Values{"period": {"sometime"}}, `value="sometime"`},
	"POST /o/{org}/reviews/{id}":                       {url.Values{"held_on": {"2027-01-15"}, "chair": {"999999"}, "proposals": {"Kept proposal"}}, ">Kept proposal</textarea>"},
	"POST /o/{org}/reviews/{id}/decisions":             {url.Values{"deadline": {"2027-03-01"}}, `value="2027-03-01"`},
	"POST /o/{org}/processes":                          {url.Values{"purpose": {"Kept purpose"}}, "Kept purpose"},
	"POST /o/{org}/deviations/{id}/correction":         {url.Values{"correction": {" "}}, ""},
	"POST /o/{org}/tokens":                             {url.Values{"scope": {"read"}, "expires": {"30d"}}, ""},
	"POST /o/{org}/cycles":                             {url.Values{"goals": {"Kept goals"}}, "Kept goals"},
	"POST /o/{org}/processes/{id}":                     {url.Values{"purpose": {"Kept purpose"}}, "Kept purpose"},
	"POST /o/{org}/people/{user}/remove":               {url.Values{}, ""},
	"POST /o/{org}/deviations/{id}/root-cause":         {url.Values{"why": {"Kept why"}}, ""},
	"POST /o/{org}/deviations/{id}/actions":            {url.Values{"title": {"Kept action"}}, ""},
	"POST /o/{org}/audits/{id}/findings":               {url.Values{"title": {"Kept finding"}}, `value="Kept finding"`},
	"POST /o/{org}/risks/{id}":                         {url.Values{"asset": {""}, "threat": {"Kept threat"}}, "Kept threat"},
	"POST /o/{org}/deviations/{id}/check":              {url.Values{"note": {"Kept check note"}}, ""},
	"POST /o/{org}/deviations/{id}/actions/{aid}/done": {url.Values{"evidence": {"Kept evidence"}}, ""},
	"POST /o/{org}/settings/date-order":                {url.Values{"date_order": {"ymd"}}, ""},
	"POST /o/{org}/import-profiles":                    {url.Values{"kind": {"incidents"}, "name": {"bad/name"}, "rows": {"1"}, "col.0": {"Ref"}, "fixed.0": {"1"}, "map.0": {"ref"}}, `value="bad/name"`},
	"POST /o/{org}/import-profiles/{name}/edit":        {url.Values{"file_pattern": {"a/b"}}, `value="a/b"`},
	"POST /o/{org}/webhooks":                           {url.Values{"url": {"ftp://hooks.example.com/x"}, "description": {"Kept description"}}, `value="Kept description"`},
	// Issue 19: standards as tags.
	"POST /o/{org}/standards/{entity}/{id}": {url.Values{"standards": {"iso9999"}}, ""},

	// Issue 19: the register of each framework.
	"POST /o/{org}/frameworks/{key}/disable": {url.Values{}, ""},
	"POST /o/{org}/frameworks/{key}/r/{req}": {url.Values{"applicable": {"yes"}, "justification": {"Kept justification"}, "status": {"bogus"}}, ">Kept justification</textarea>"},
}

// TestFormErrors posts an invalid form to every POST route of orgRoutes
// (but formlessRoutes) as an admin: the answer is never the generic error
// page but the page the form is on, with status 422 (409 for a post the
// current state refuses), the message, and, when the form is on that
// page, the message inside the form beside a field marked aria-invalid or
// at the form's top.
func TestFormErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		rec := mustRecords(t, a, o)
		own, _ := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeRead)
		vals := map[string]string{"org": o.Slug, "user": id(o.users[isms.RoleViewer].ID), "tokens.id": id(own.ID), "records.id": id(rec),
			"imports.token": "none", "kind": recordKind, "key": metricKey, "period": metricPeriod}
		merge(vals, mustAggregates(t, a, o))
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		seen := map[string]bool{}
		for _, rt := range e.srv.OrgRoutes() {
			if !strings.HasPrefix(rt.Pattern, "POST ") {
				continue
			}
			seen[rt.Pattern] = true
			if _, ok := formlessRoutes[rt.Pattern]; ok {
				continue
			}
			t.Run(rt.Pattern, func(t *testing.T) {
				in := invalidForms[rt.Pattern]
				if in.form == nil {
					in.form = url.Values{}
				}
				_, path := fill(t, rt.Pattern, vals)
				r := e.do(t, c, http.MethodPost, path, in.form, nil)
				if r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict {
					t.Fatalf("status %d, want 422 or 409:\n%s", r.status, r.body)
				}
				if strings.Contains(r.body, "Back to the start page") {
					t.Fatalf("the generic error page:\n%s", r.body)
				}
				if !strings.Contains(r.body, `<main id="main">`) || !strings.Contains(r.body, `class="error`) {
					t.Fatalf("no page with a message:\n%s", r.body)
				}
				if in.keep != "" && !strings.Contains(r.body, in.keep) {
					t.Errorf("the post's %s is not kept:\n%s", in.keep, r.body)
				}
				form := formPosting(r.body, path)
				if form == "" {
					// The form is not on the page in the fixture's state
					// (a later step's form): the message is at the top.
					if !strings.Contains(r.body, `<main id="main"><p class="error form-problem" role="alert"`) {
						t.Errorf("no form posting to %s and no message at the top:\n%s", path, r.body)
					}
					return
				}
				var invalid []string
				if ctl := regexp.MustCompile(`<(?:input|select|textarea)[^>]*aria-invalid="true"[^>]*>`).FindString(form); ctl != "" {
					invalid = regexp.MustCompile(`aria-describedby="([^" ]+)`).FindStringSubmatch(ctl)
				}
				switch {
				case invalid != nil:
					if !strings.Contains(form, `<p class="error" id="`+invalid[1]+`">`) {
						t.Errorf("field marked invalid but its message %s is not in the form:\n%s", invalid[1], form)
					}
				case strings.Contains(form, `<p class="error form-problem" role="alert"`):
					t.Logf("message at the top of the form: %s", firstError(form))
				default:
					t.Errorf("the form has no message:\n%s", form)
				}
			})
		}
		for p := range formlessRoutes {
			if !seen[p] {
				t.Errorf("formlessRoutes names %s, which is not a POST route of orgRoutes", p)
			}
		}
	})
}

// formPosting returns the HTML of the first post form with the action.
func formPosting(body, action string) string {
	re := regexp.MustCompile(`(?s)<form method="post" action="` + regexp.QuoteMeta(action) + `".*?</form>`)
	return re.FindString(body)
}

func firstError(s string) string {
	return regexp.MustCompile(`<p class="error[^>]*>([^<]*)`).FindStringSubmatch(s)[1]
}

// TestPeopleByName: wherever the pages show a person (owners of
// deviations, actions, decisions, risks, processes; lead auditors), they
// show the name with the email on hover (the person template function).
func TestPeopleByName(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		vals := mustAggregates(t, a, o)
		c := e.signIn(t, o.users[isms.RoleAdmin].Email)
		owner := `<span class="person" title="process_owner@acme.example">The process owner</span>`
		lead := `<span class="person" title="auditor@acme.example">The auditor</span>`
		for path, want := range map[string]string{
			"/o/acme/deviations":                          owner,
			"/o/acme/deviations/" + vals["deviations.id"]: owner,
			"/o/acme/reviews/" + vals["reviews.id"]:       owner,
			"/o/acme/risks":                               `<span class="person" title="`,
			"/o/acme/processes":                           owner,
			"/o/acme/cycles/" + vals["cycles.id"]:         owner,
			"/o/acme/audits?year=2026":                    lead,
			"/o/acme/audits/" + vals["audits.id"]:         lead,
		} {
			r := e.do(t, c, http.MethodGet, path, nil, nil)
			if r.status != http.StatusOK || !strings.Contains(r.body, want) {
				t.Errorf("GET %s: %d, lacks %s", path, r.status, want)
			}
		}
	})
}

// TestAccountFormErrors: the account page's forms answer like the
// organisation's: beside the field, with what was typed, but never a
// password.
func TestAccountFormErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleViewer].Email)
		r := e.do(t, c, http.MethodPost, "/account/password", url.Values{"current": {password}, "new": {"a new long passphrase"}, "confirm": {"another one entirely"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-describedby="confirm-error"`) ||
			!strings.Contains(r.body, `<p class="error" id="confirm-error">the new password and its confirmation differ`) {
			t.Errorf("confirmation differs: %d\n%s", r.status, r.body)
		}
		if strings.Contains(r.body, "a new long passphrase") || strings.Contains(r.body, password) {
			t.Errorf("a password came back:\n%s", r.body)
		}
		r = e.do(t, c, http.MethodPost, "/account/password", url.Values{"current": {"wrong password"}, "new": {"a new long passphrase"}, "confirm": {"a new long passphrase"}}, nil)
		if r.status == http.StatusSeeOther || strings.Contains(r.body, "Back to the start page") || !strings.Contains(r.body, `class="error`) {
			t.Errorf("wrong current password: %d\n%s", r.status, r.body)
		}
	})
}

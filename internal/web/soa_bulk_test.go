package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// The bulk edit and import of SoA decisions plug into the generated tests.
func init() {
	registerAggregate(aggregate{
		name: "soa-import",
		pages: map[string]pageRequest{
			"soa_import": {path: "/o/acme/soa/import", want: []string{"<h1>Import SoA decisions</h1>", `action="/o/acme/soa/import"`, `enctype="multipart/form-data"`}},
		},
		bodies: map[string]jsonBody{"import-soa": "control_id,applicable,justification,status\nA.5.9,yes,asset inventory,planned\n"},
	})
}

func TestSoABulkForm(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleProcessOwner].Email)

		page := e.do(t, c, http.MethodGet, "/o/acme/soa?theme=People", nil, nil)
		for _, want := range []string{`action="/o/acme/soa/bulk"`, `name="control" value="A.6.1"`, `name="theme" value="People"`, "every control shown (8, as filtered)", `<div class="table-wrap">`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("SoA page lacks %q", want)
			}
		}
		if strings.Contains(page.body, `value="A.5.1"`) {
			t.Error("the People filter shows A.5.1")
		}
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
		if r := e.do(t, viewer, http.MethodGet, "/o/acme/soa", nil, nil); strings.Contains(r.body, `name="control"`) || strings.Contains(r.body, "/soa/import") {
			t.Error("a viewer sees the bulk form or the import link")
		}

		// A refused edit shows the page again with the problem and the
		// form as posted, and stores nothing.
		form := url.Values{"control": {"A.6.1", "A.6.2"}, "scope": {"selected"}, "set_applicable": {"yes"}, "set_justification": {"HR policy"}, "theme": {"People"}}
		r := e.do(t, c, http.MethodPost, "/o/acme/soa/bulk", form, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "A.6.1: status") || !strings.Contains(r.body, `value="A.6.2" id="pick-A.6.2" aria-label="Pick A.6.2" checked`) ||
			!strings.Contains(r.body, ">HR policy</textarea>") {
			t.Fatalf("refused bulk edit: %d\n%s", r.status, r.body)
		}
		form.Set("set_status", "planned")
		r = e.do(t, c, http.MethodPost, "/o/acme/soa/bulk", form, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/o/acme/soa?theme=People" {
			t.Fatalf("bulk edit: %d %s", r.status, r.header.Get("Location"))
		}
		if r := e.do(t, c, http.MethodGet, "/o/acme/soa?theme=People", nil, nil); !strings.Contains(r.body, "Statement of Applicability: 2 controls changed.") || !strings.Contains(r.body, "2 applicable") {
			t.Errorf("after the bulk edit:\n%s", r.body)
		}
		// Every control shown: the eight People controls; A.6.1 and A.6.2 are already so.
		form = url.Values{"scope": {"shown"}, "set_applicable": {"yes"}, "set_justification": {"HR policy"}, "set_status": {"planned"}, "theme": {"People"}}
		if r := e.do(t, c, http.MethodPost, "/o/acme/soa/bulk", form, nil); r.status != http.StatusSeeOther {
			t.Fatalf("bulk edit of the shown controls: %d\n%s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, "/o/acme/soa", nil, nil); !strings.Contains(r.body, "6 controls changed, 2 controls already so.") || !strings.Contains(r.body, "8 applicable") {
			t.Errorf("after editing every shown control:\n%s", r.body)
		}
		// Every control of a theme, whatever the filter shows.
		form = url.Values{"scope": {"theme:Physical"}, "set_applicable": {"no"}, "set_justification": {"no premises of our own"}, "theme": {"People"}}
		if r := e.do(t, c, http.MethodPost, "/o/acme/soa/bulk", form, nil); r.status != http.StatusSeeOther {
			t.Fatalf("bulk edit of a theme: %d\n%s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, "/o/acme/soa?applicable=no", nil, nil); !strings.Contains(r.body, "14 controls changed.") || !strings.Contains(r.body, "14 of 93 controls") {
			t.Errorf("after excluding the Physical theme:\n%s", r.body)
		}
		if r := e.do(t, viewer, http.MethodPost, "/o/acme/soa/bulk", form, nil); r.status != http.StatusForbidden {
			t.Errorf("viewer's bulk edit: %d", r.status)
		}
	})
}

func TestSoAImportPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleProcessOwner].Email)
		ctx := context.Background()
		decided := func(id string) bool {
			ctl, _, err := a.SoAControl(ctx, app.System, "acme", id)
			if err != nil {
				t.Fatal(err)
			}
			return ctl.Decided
		}

		bad := upload{name: "soa.csv", contents: "control_id,applicable,justification,status\nA.5.1,yes,contracts,planned\nA.5.2,maybe,,\nA.5.1,no,x,\n"}
		r := e.do(t, c, http.MethodPost, "/o/acme/soa/import", bad, nil)
		for _, want := range []string{"The file was rejected: nothing was stored.", "<td>3</td><td>applicable</td><td><code>maybe</code></td>", "A.5.1 is already on line 2; keep one row per control"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("bad file: lacks %q", want)
			}
		}
		if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "Confirm the import") || decided("A.5.1") {
			t.Fatalf("bad file: %d\n%s", r.status, r.body)
		}

		good := upload{name: "soa.csv", contents: "Control ID,Applicable,Justification,Status,Notes\nA.5.1,yes,contracts,planned,\n5.2,no,group policy,,\n"}
		r = e.do(t, c, http.MethodPost, "/o/acme/soa/import", good, nil)
		for _, want := range []string{"If you confirm, importing this file will change 2 controls:", "<dt>Decided for the first time</dt><dd>2</dd>", "Notes (not columns of the SoA export",
			"<td>justification</td><td>—</td><td>group policy</td>", "Confirm the import"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("preview lacks %q:\n%s", want, r.body)
			}
		}
		if r.status != http.StatusOK || decided("A.5.1") {
			t.Fatalf("preview: %d, or it stored", r.status)
		}
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(r.body)
		if token == nil {
			t.Fatal("no token in the preview")
		}
		r = e.do(t, c, http.MethodPost, "/o/acme/soa/import/confirm", url.Values{"token": {token[1]}}, nil)
		if r.status != http.StatusSeeOther || !decided("A.5.1") || !decided("A.5.2") {
			t.Fatalf("confirm: %d\n%s", r.status, r.body)
		}
		if r := e.do(t, c, http.MethodGet, "/o/acme/soa", nil, nil); !strings.Contains(r.body, "soa.csv imported: 2 controls changed, 0 controls unchanged.") {
			t.Errorf("after the import:\n%s", r.body)
		}
		// The token is spent.
		if r := e.do(t, c, http.MethodPost, "/o/acme/soa/import/confirm", url.Values{"token": {token[1]}}, nil); r.status != http.StatusGone || !strings.Contains(r.body, "no longer waiting") {
			t.Errorf("second confirm: %d", r.status)
		}
		// The same file again: nothing to import, no confirm button.
		if r := e.do(t, c, http.MethodPost, "/o/acme/soa/import", good, nil); !strings.Contains(r.body, "Nothing to import") || strings.Contains(r.body, "Confirm the import") {
			t.Errorf("re-upload:\n%s", r.body)
		}
		if r := e.do(t, c, http.MethodPost, "/o/acme/soa/import", upload{name: "soa.json", contents: "[]"}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "choose a .csv or .xlsx file") {
			t.Errorf("json upload: %d", r.status)
		}

		// The API: dry run, then the import; a viewer's token is refused.
		_, secret := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
		file := jsonBody("control_id,status\nA.5.1,implemented\nA.5.3,\n")
		r = e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/soa/imports?dry_run=true&file_name=soa.csv", file, bearer(secret))
		var got struct {
			Updated, Unchanged int
			DryRun             bool `json:"dry_run"`
			Changes            []struct {
				ControlID string `json:"control_id"`
				Fields    []struct{ Field, Before, After string }
			}
		}
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != http.StatusOK || !got.DryRun || got.Updated != 1 || got.Unchanged != 1 ||
			got.Changes[0].ControlID != "A.5.1" || got.Changes[0].Fields[0].After != "implemented" {
			t.Fatalf("API dry run: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/soa/imports", jsonBody("control_id,status\nA.5.2,implemented\n"), bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "A.5.2 is excluded") || !strings.Contains(r.body, "line 2") {
			t.Errorf("API bad file: %d %s", r.status, r.body)
		}
		_, vsecret := mustToken(t, a, o, isms.RoleViewer, isms.ScopeWrite)
		if r := e.do(t, c, http.MethodPost, "/api/v1/orgs/acme/soa/imports", file, bearer(vsecret)); r.status != http.StatusForbidden {
			t.Errorf("viewer's API import: %d", r.status)
		}
	})
}

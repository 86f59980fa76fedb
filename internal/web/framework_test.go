package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Issue 19: the register of each framework. Annex A is enabled in every
// organisation, so its key and a control are the same everywhere.
func init() {
	registerAggregate(aggregate{
		name:   "frameworks",
		shared: map[string]string{"frameworks.key": isms.FrameworkAnnexA, "frameworks.req": "A.5.1", "frameworks.requirement": "A.5.1"},
		pages: map[string]pageRequest{
			"frameworks":            {path: "/o/acme/frameworks", want: []string{"<h1>Frameworks</h1>", "NIST Cybersecurity Framework 2.0", "ISO-style Statement of Applicability"}},
			"framework_register":    {path: "/o/acme/frameworks/{frameworks.key}", want: []string{"<h1>ISO/IEC 27001:2022 Annex A</h1>", "A.5.1"}},
			"framework_requirement": {path: "/o/acme/frameworks/{frameworks.key}/r/{frameworks.req}", want: []string{"A.5.1", "<h2>Mappings</h2>"}},
			"framework_disable":     {path: "/o/acme/frameworks/{frameworks.key}/disable", want: []string{"Disable ISO/IEC 27001:2022 Annex A?"}},
		},
		// Owner 999999 is nobody's: an allowed caller gets 422.
		bodies: map[string]jsonBody{
			"update-framework-requirement": `{"applicable":true,"justification":"from the API","status":"planned","owner_id":999999}`,
		},
	})
}

// TestFrameworkPages renders the frameworks page, a register and a
// requirement, posts a decision, shows mapped coverage, exports the
// register and disables a framework after the confirmation step.
func TestFrameworkPages(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	a := newApp(t, db)
	e := startServer(t, a, nil)
	o := mustOrg(t, a, "acme", "Acme Oy")
	admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
	viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
	ctx := context.Background()
	post := func(c *http.Client, path string, form url.Values) result {
		t.Helper()
		r := e.do(t, c, http.MethodPost, path, form, nil)
		if r.status != http.StatusSeeOther {
			return r
		}
		return e.do(t, c, http.MethodGet, r.header.Get("Location"), nil, nil)
	}

	r := e.do(t, admin, http.MethodGet, "/o/acme/frameworks", nil, nil)
	for _, want := range []string{`action="/o/acme/frameworks/nist-csf-2.0/enable"`, `href="/o/acme/frameworks/iso27001-2022-annex-a/disable"`,
		`href="/o/acme/frameworks/import"`, `href="/o/acme/frameworks/mappings/import"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("frameworks page (admin) lacks %s", want)
		}
	}
	if r := e.do(t, viewer, http.MethodGet, "/o/acme/frameworks", nil, nil); strings.Contains(r.body, "/enable") || strings.Contains(r.body, "/frameworks/import") {
		t.Error("a viewer is offered enable or import")
	}
	if r = post(admin, "/o/acme/frameworks/nist-csf-2.0/enable", url.Values{}); r.status != http.StatusOK || !strings.Contains(r.body, "Framework enabled.") {
		t.Fatalf("enable: %d", r.status)
	}

	// Annex A A.8.5 implemented, mapped to CSF PR.AA-05 (subset).
	if _, err := a.UpdateRequirement(ctx, app.System, "acme", isms.FrameworkAnnexA, "A.8.5", app.RequirementUpdate{Applicable: true, Justification: "risk", Status: isms.StatusImplemented}); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		csf, _ := tx.FrameworkByKey(ctx, o.ID, isms.FrameworkCSF2)
		ax, _ := tx.FrameworkByKey(ctx, o.ID, isms.FrameworkAnnexA)
		_, err := tx.SaveMappings(ctx, 0, []store.Mapping{{SourceFrameworkID: csf.ID, SourceReq: "PR.AA-05", TargetFrameworkID: ax.ID, TargetReq: "A.8.5", Relation: "subset", Origin: "test"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cover := "covered by A.8.5 (ISO/IEC 27001:2022 Annex A), implemented; relation: subset"
	r = e.do(t, viewer, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0?group=PR", nil, nil)
	for _, want := range []string{`<th scope="rowgroup" colspan="5">PROTECT</th>`, `href="/o/acme/frameworks/nist-csf-2.0/r/PR.AA-05"`, cover, "0 implemented"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("CSF register lacks %q", want)
		}
	}
	if strings.Contains(r.body, "GV.OC") {
		t.Error("group filter PR shows GV.OC")
	}
	r = e.do(t, viewer, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0?offset=100", nil, nil)
	if !strings.Contains(r.body, "101–128 of 128 requirements") || !strings.Contains(r.body, "← Previous") {
		t.Errorf("second page: %s", r.body[strings.Index(r.body, "<caption>"):][:200])
	}
	r = e.do(t, viewer, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0/r/PR.AA-05", nil, nil)
	if !strings.Contains(r.body, `<a href="/o/acme/frameworks/iso27001-2022-annex-a/r/A.8.5">A.8.5</a> (ISO/IEC 27001:2022 Annex A), implemented; relation: subset`) ||
		!strings.Contains(r.body, "not yet decided") || strings.Contains(r.body, "<h2>Decide</h2>") {
		t.Errorf("PR.AA-05 as a viewer:\n%s", r.body)
	}

	// A decision through the form.
	form := url.Values{"applicable": {"yes"}, "justification": {"customer contracts"}, "status": {"partial"}, "evidence": {"=HYPERLINK(\"x\")"},
		"owner": {id(o.users[isms.RoleProcessOwner].ID)}}
	r = post(admin, "/o/acme/frameworks/nist-csf-2.0/r/PR.AA-05", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "PR.AA-05 saved.") || !strings.Contains(r.body, "<dd>customer contracts</dd>") || !strings.Contains(r.body, "<dt>Owner</dt><dd>") {
		t.Fatalf("update: %d\n%s", r.status, r.body)
	}
	form.Set("applicable", "no")
	form.Del("status")
	if r = e.do(t, admin, http.MethodPost, "/o/acme/frameworks/iso27001-2022-annex-a/r/A.5", form, nil); r.status != http.StatusUnprocessableEntity && r.status != http.StatusNotFound {
		t.Errorf("a group decided: %d", r.status)
	}

	// The export: formula-neutralised CSV, the mapped coverage stated.
	r = e.do(t, viewer, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0.csv", nil, nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "requirement_id,label,kind,group,title,decision") || !strings.Contains(r.body, `"'=HYPERLINK(""x"")"`) ||
		!strings.Contains(r.body, cover) {
		t.Errorf("CSV export: %d\n%.600s", r.status, r.body)
	}
	if r = e.do(t, viewer, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0.xlsx", nil, nil); r.status != http.StatusOK || !strings.HasPrefix(r.body, "PK") {
		t.Errorf("XLSX export: %d", r.status)
	}

	// Disabling asks first and keeps the decisions.
	if r = e.do(t, admin, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0/disable", nil, nil); !strings.Contains(r.body, "Every decision made about its requirements is kept (1 decided)") {
		t.Errorf("disable confirmation:\n%s", r.body)
	}
	if r = post(admin, "/o/acme/frameworks/nist-csf-2.0/disable", url.Values{"confirm": {"yes"}}); !strings.Contains(r.body, "Framework disabled") {
		t.Errorf("disable: %d", r.status)
	}
	r = e.do(t, admin, http.MethodGet, "/o/acme/frameworks/nist-csf-2.0/r/PR.AA-05", nil, nil)
	if !strings.Contains(r.body, "is not enabled in Acme Oy") || strings.Contains(r.body, `name="justification"`) || !strings.Contains(r.body, "<dd>customer contracts</dd>") {
		t.Errorf("disabled framework's requirement:\n%s", r.body)
	}
	// The dashboard shows the enabled framework's coverage.
	if r = e.do(t, viewer, http.MethodGet, "/o/acme/", nil, nil); !strings.Contains(r.body, `<h2 id="h-frameworks">Framework coverage</h2>`) || !strings.Contains(r.body, "<strong>1</strong> of 1 applicable implemented") {
		t.Errorf("dashboard lacks the coverage panel")
	}
}

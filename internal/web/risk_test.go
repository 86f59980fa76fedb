package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// riskControl is the control the risk fixture decides and links.
const riskControl = "A.8.13"

// mustRiskData creates, in the organisation, a process, a high risk
// treated with riskControl, and the SoA decision on it.
func mustRiskData(t *testing.T, a *app.App, o *org) (*isms.Risk, int64) {
	t.Helper()
	ctx := context.Background()
	p := &isms.Process{Name: "Backups of " + o.Name, OwnerID: o.users[isms.RoleProcessOwner].ID, Trigger: "every night", Deadline: "24 h", Impact: 3, Recurrence: 3, Risk: 3}
	if err := a.CreateProcess(ctx, app.System, o.Slug, p); err != nil {
		t.Fatalf("create process: %v", err)
	}
	r, err := a.CreateRisk(ctx, app.System, o.Slug, app.RiskFields{Asset: "Customer database of " + o.Name, Threat: "ransomware", Vulnerability: "flat network",
		Treatment: isms.TreatModify, Plan: "offline backups", OwnerEmail: o.users[isms.RoleProcessOwner].Email, Controls: []string{riskControl}, ProcessIDs: []int64{p.ID}}, 3, 4, "")
	if err != nil {
		t.Fatalf("create risk: %v", err)
	}
	if _, err := a.UpdateSoA(ctx, app.System, o.Slug, isms.SoAEntry{ControlID: riskControl, Applicable: true, Justification: "ransomware risk at " + o.Name,
		Status: isms.StatusPartial, ProcessIDs: []int64{p.ID}}); err != nil {
		t.Fatalf("decide %s: %v", riskControl, err)
	}
	return r, p.ID
}

// Risks and the Statement of Applicability plug into the generated tests
// (see aggregates_test.go).
func init() {
	registerAggregate(aggregate{
		name: "risks",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			r, _ := mustRiskData(t, a, o)
			return map[string]string{"risks.id": id(r.ID)}
		},
		shared: map[string]string{"soa.control": riskControl},
		pages: map[string]pageRequest{
			"risks": {path: "/o/acme/risks", want: []string{"<h1>Risk register</h1>", "Heat map", "R-001", "Customer database of Acme Oy",
				"3 × 4 = 12", `aria-label="likelihood 3, impact 4, high: 1 risk"`, "Add a risk", "Reassessment intervals"}},
			"risk": {path: "/o/acme/risks/{risks.id}", want: []string{"R-001 · Customer database of Acme Oy", "Score history", "initial assessment",
				"Record the reassessment", "Backups of Acme Oy", `href="/o/acme/soa/A.8.13"`}},
			"soa": {path: "/o/acme/soa", want: []string{"<h1>Statement of Applicability</h1>", "93 controls", "1 decided", "A.8.13</a> Information backup",
				"ransomware risk at Acme Oy", "soa.xlsx"}},
			"soa_control": {path: "/o/acme/soa/" + riskControl, want: []string{"<h1>A.8.13 Information backup</h1>", "R-001", "Backups of Acme Oy", "partial", "Decide"}},
		},
		bodies: map[string]jsonBody{
			"create-risk":        `{"asset":"Laptops","threat":"theft","likelihood":2,"impact":3,"controls":["A.8.1"]}`,
			"update-risk":        `{"asset":"Laptops","threat":"theft","treatment":"modify","treatment_plan":"disk encryption","controls":["A.8.1"]}`,
			"reassess-risk":      `{"likelihood":2,"impact":2,"note":"reassessed by a test"}`,
			"set-risk-intervals": `{"low":12,"medium":6,"high":3,"critical":3}`,
			"update-soa-control": `{"applicable":true,"justification":"risk R-001","status":"planned"}`,
		},
	})
}

// TestRiskForms creates and reassesses a risk through the pages and
// follows a heat map cell to the filtered register.
func TestRiskForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleProcessOwner].Email)

		form := url.Values{"asset": {"Payroll"}, "threat": {"insider fraud"}, "likelihood": {"5"}, "impact": {"5"}, "owner": {o.users[isms.RoleAdmin].Email},
			"treatment": {"accept"}, "controls": {"A.5.3, A.8.2"}}
		r := e.do(t, c, http.MethodPost, "/o/acme/risks", form, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "accepted only with a reason") {
			t.Fatalf("accept a critical risk without reason: %d\n%s", r.status, r.body)
		}
		form.Set("justification", "dual control on payments; board accepts the rest")
		r = e.do(t, c, http.MethodPost, "/o/acme/risks", form, nil)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/o/acme/risks/") {
			t.Fatalf("create: %d %s\n%s", r.status, r.location(), r.body)
		}
		page := r.location()
		r = e.do(t, c, http.MethodPost, page+"/reassess", url.Values{"likelihood": {"2"}, "impact": {"5"}, "note": {"dual control audited"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("reassess: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, page, nil, nil)
		for _, want := range []string{"R-001 · Payroll", "likelihood 2 × impact 5 = 10", "dual control audited", "5 × 5 = 25", `href="/o/acme/soa/A.5.3"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("risk page lacks %q:\n%s", want, r.body)
			}
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/risks?l=2&i=5", nil, nil)
		if !strings.Contains(r.body, "1 risk matching the filters, likelihood 2, impact 5 (1 risk in the register)") || !strings.Contains(r.body, "R-001") {
			t.Errorf("heat map cell 2x5:\n%s", r.body)
		}
		if r = e.do(t, c, http.MethodGet, "/o/acme/risks?l=1&i=1", nil, nil); strings.Contains(r.body, ">R-001<") {
			t.Errorf("heat map cell 1x1 lists R-001")
		}
		// The process owner may not change the intervals; the manager may.
		iv := url.Values{"low": {"12"}, "medium": {"6"}, "high": {"2"}, "critical": {"1"}}
		if r = e.do(t, c, http.MethodPost, "/o/acme/risks/intervals", iv, nil); r.status != http.StatusForbidden {
			t.Errorf("process owner sets intervals: %d", r.status)
		}
		m := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		if r = e.do(t, m, http.MethodPost, "/o/acme/risks/intervals", iv, nil); r.status != http.StatusSeeOther {
			t.Errorf("manager sets intervals: %d\n%s", r.status, r.body)
		}
		if r = e.do(t, m, http.MethodGet, "/o/acme/risks", nil, nil); !strings.Contains(r.body, "low 12, medium 6, high 2, critical 1") {
			t.Errorf("intervals not shown:\n%s", r.body)
		}
	})
}

// TestSoAExports checks that the CSV and XLSX exports hold all 93
// controls with the organisation's decisions.
func TestSoAExports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustRiskData(t, a, o)
		if _, err := a.UpdateSoA(t.Context(), app.System, "acme", isms.SoAEntry{ControlID: "A.7.4", Justification: "no premises of our own"}); err != nil {
			t.Fatal(err)
		}
		c := e.signIn(t, o.users[isms.RoleViewer].Email)
		check := func(t *testing.T, rows [][]string) {
			t.Helper()
			if len(rows) != 94 {
				t.Fatalf("%d rows, want a header and 93 controls", len(rows))
			}
			if strings.Join(rows[0][:5], ",") != "control_id,theme,short_title,new_in_2022,decision" {
				t.Errorf("header %v", rows[0])
			}
			byID := map[string][]string{}
			for _, row := range rows[1:] {
				byID[row[0]] = row
			}
			if len(byID) != 93 || byID["A.5.1"][4] != "not yet decided" {
				t.Errorf("%d distinct controls; A.5.1 %v", len(byID), byID["A.5.1"])
			}
			want := map[string][]string{
				"A.8.13": {"A.8.13", "Technological", "Information backup", "no", "applicable", "yes", "ransomware risk at Acme Oy", "partial", "R-001", "Backups of Acme Oy", "cli"},
				"A.7.4":  {"A.7.4", "Physical", "Physical security monitoring", "yes", "excluded", "no", "no premises of our own", "", "", "", "cli"},
			}
			for k, w := range want {
				got := byID[k]
				if len(got) < len(w) || strings.Join(got[:len(w)], "|") != strings.Join(w, "|") {
					t.Errorf("%s: %q, want %q", k, got, w)
				}
			}
		}
		t.Run("csv", func(t *testing.T) {
			r := e.do(t, c, http.MethodGet, "/o/acme/soa.csv", nil, nil)
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, type %s", r.status, r.header.Get("Content-Type"))
			}
			rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			check(t, rows)
		})
		t.Run("xlsx", func(t *testing.T) {
			r := e.do(t, c, http.MethodGet, "/o/acme/soa.xlsx", nil, nil)
			if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Disposition"), "acme-statement-of-applicability.xlsx") {
				t.Fatalf("status %d, disposition %s", r.status, r.header.Get("Content-Disposition"))
			}
			f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows("Statement of Applicability")
			if err != nil {
				t.Fatal(err)
			}
			check(t, rows)
		})
	})
}

// TestRiskAPI creates and reassesses a risk through the API and reads the
// history, the figures and the Statement back as JSON.
func TestRiskAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, secret := mustToken(t, a, o, isms.RoleProcessOwner, isms.ScopeWrite)
		c := e.client(t, false)
		call := func(method, path string, body any, want int) map[string]any {
			t.Helper()
			r := e.do(t, c, method, path, body, bearer(secret))
			if r.status != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, r.status, want, r.body)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(r.body), &out); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			return out
		}
		call(http.MethodPost, "/api/v1/orgs/acme/risks", jsonBody(`{"asset":"HR files","threat":"leak","likelihood":5,"impact":5,"treatment":"accept"}`), http.StatusUnprocessableEntity)
		created := call(http.MethodPost, "/api/v1/orgs/acme/risks", jsonBody(`{"asset":"HR files","threat":"leak","likelihood":5,"impact":4,"controls":["A.5.12"]}`), http.StatusCreated)
		if created["ref"] != "R-001" || created["level"] != "critical" || created["owner_email"] != o.users[isms.RoleProcessOwner].Email || created["untreated"] != true {
			t.Errorf("created %v", created)
		}
		path := "/api/v1/orgs/acme/risks/" + fmt.Sprint(created["id"])
		call(http.MethodPost, path+"/reassess", jsonBody(`{"likelihood":2,"impact":4}`), http.StatusUnprocessableEntity) // no note
		re := call(http.MethodPost, path+"/reassess", jsonBody(`{"likelihood":2,"impact":4,"note":"access reviewed"}`), http.StatusOK)
		if re["score"] != float64(8) || re["level"] != "medium" {
			t.Errorf("reassessed %v", re)
		}
		got := call(http.MethodGet, path, nil, http.StatusOK)
		if h, _ := got["history"].([]any); len(h) != 2 {
			t.Errorf("history %v", got["history"])
		}
		st := call(http.MethodGet, "/api/v1/orgs/acme/risk-stats", nil, http.StatusOK)
		if st["total"] != float64(1) || st["by_level"].(map[string]any)["medium"] != float64(1) || st["untreated"] != float64(0) {
			t.Errorf("stats %v", st)
		}
		ctl := call(http.MethodPut, "/api/v1/orgs/acme/soa/A.5.12", jsonBody(`{"applicable":true,"justification":"risk R-001","status":"planned"}`), http.StatusOK)
		if ctl["decided"] != true || ctl["status"] != "planned" || fmt.Sprint(ctl["risks"]) != "[R-001]" {
			t.Errorf("soa control %v", ctl)
		}
		call(http.MethodPut, "/api/v1/orgs/acme/soa/A.5.12", jsonBody(`{"applicable":false,"justification":"not needed"}`), http.StatusUnprocessableEntity)
		list := call(http.MethodGet, "/api/v1/orgs/acme/soa", nil, http.StatusOK)
		if list["total"] != float64(93) {
			t.Errorf("soa total %v", list["total"])
		}
		if undecided := call(http.MethodGet, "/api/v1/orgs/acme/soa?applicable=undecided", nil, http.StatusOK); undecided["total"] != float64(92) {
			t.Errorf("undecided %v", undecided["total"])
		}
	})
}

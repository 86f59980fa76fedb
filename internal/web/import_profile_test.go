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

func init() {
	registerAggregate(aggregate{
		name: "import profiles",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			p := isms.ImportProfile{Name: "Tickets", Kind: isms.KindIncidents, FilePattern: "tickets-*.csv", DateOrder: "dmy",
				Columns:   map[string]string{"Ticket": "ref", "Prio": "severity", "Notes": "", "Opened": "detected_at"},
				Values:    map[string]map[string]string{"severity": {"P1": "critical", "P2": "high"}},
				Constants: map[string]string{"root_cause": "From the ticket tool"}}
			if _, err := a.SaveImportProfile(context.Background(), app.System, o.Slug, p, true); err != nil {
				t.Fatal(err)
			}
			// The API role matrix deletes and puts back another profile, so
			// that its reads still find this one.
			p2 := isms.ImportProfile{Name: "Doomed", Kind: isms.KindIncidents}
			if _, err := a.SaveImportProfile(context.Background(), app.System, o.Slug, p2, true); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		pages: map[string]pageRequest{
			"import_profiles": {path: "/o/acme/import-profiles", want: []string{"<h1>Import profiles</h1>", "tickets-*.csv", "New profile from a file",
				`action="/o/acme/import-profiles/import"`}},
			"import_profile": {path: "/o/acme/import-profiles/{import-profiles.name}", want: []string{"Import profile Tickets", "<td>Prio</td><td>Severity</td>",
				"<td>Notes</td><td>left out</td>", "<code>P1</code>", "/export", "/delete"}},
			"import_profile_form": {path: "/o/acme/import-profiles/{import-profiles.name}/edit", want: []string{`<option value="severity" selected>Severity</option>`,
				`<option value="-" selected>leave out</option>`, "P1 = critical\nP2 = high", `value="tickets-*.csv"`}},
			"import_profile_delete": {path: "/o/acme/import-profiles/{import-profiles.name}/delete", want: []string{"Delete the import profile Tickets?", `name="confirm" value="Tickets"`}},
		},
		// A profile's name is not an id: every organisation has these.
		shared: map[string]string{"import-profiles.name": "Tickets", "put-import-profile.name": "Doomed", "delete-import-profile.name": "Doomed"},
		bodies: map[string]jsonBody{
			"put-import-profile": `{"kind":"incidents","columns":{"Ticket":"ref","Prio":"severity"},"values":{"severity":{"P1":"critical"}}}`,
		},
	})
}

// leaversCSV is an HR system's export: semicolon-separated, its own
// column names, slashed dates day first.
const leaversCSV = "Login;Left;Manager\nalice;05/10/2026 16:00;bob\ncarol;07/10/2026 09:30;dave\n"

// leaversForm is the profile form for leaversCSV as a person fills it.
func leaversForm(name string) url.Values {
	return url.Values{"name": {name}, "kind": {"access_removals"}, "rows": {"3"}, "file_name": {"hr-leavers-oct.csv"},
		"col.0": {"Login"}, "fixed.0": {"1"}, "map.0": {"person"}, "samp.0": {"alice", "carol"},
		"col.1": {"Left"}, "fixed.1": {"1"}, "map.1": {"employment_ended_at"},
		"col.2": {"Manager"}, "fixed.2": {"1"}, "map.2": {"-"},
		"const.system": {"github"}, "date_order": {"dmy"}, "file_pattern": {"hr-leavers-*.csv"}}
}

func TestImportProfilePages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleProcessOwner].Email)
		base := "/o/acme/import-profiles"

		// Step 1: a sample of the source's file; the answer is the form
		// with a row per column, its first values, nothing mapped yet.
		r := e.do(t, c, http.MethodPost, base+"/new", upload{url.Values{"name": {"HR leavers"}, "kind": {"access_removals"}}, "hr-leavers-oct.csv", leaversCSV}, nil)
		if r.status != http.StatusOK {
			t.Fatalf("sample: %d\n%s", r.status, r.body)
		}
		for _, want := range []string{"semicolon-separated", `<label for="c-0">Login</label>`, `<label for="c-2">Manager</label>`,
			`<code class="sample">05/10/2026 16:00</code>`, `<code class="sample">dave</code>`, `name="map.1"`, `value="HR leavers"`,
			`<option value="" selected>keep as extra attribute</option>`, `name="const.system"`, `name="file_pattern"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("step 2 lacks %q", want)
			}
		}
		// A column named as a field is preselected to it.
		r = e.do(t, c, http.MethodPost, base+"/new", upload{url.Values{"name": {"X"}, "kind": {"incidents"}}, "x.csv", "Ref,Severity_Level,severity\nA,1,low\n"}, nil)
		if !strings.Contains(r.body, `<option value="ref" selected>`) || !strings.Contains(r.body, `<option value="severity" selected>`) ||
			strings.Count(r.body, `<option value="" selected>`) != 2 { // Severity_Level, and the date order
			t.Errorf("preselection:\n%s", r.body)
		}
		// A file that is no table: the list page again, the message at the file.
		r = e.do(t, c, http.MethodPost, base+"/new", upload{url.Values{"name": {"Kept"}, "kind": {"incidents"}}, "x.pdf", "%PDF"}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-invalid="true"`) || !strings.Contains(r.body, `value="Kept"`) {
			t.Errorf("bad file: %d\n%s", r.status, r.body)
		}

		// Step 2: a refused save keeps the form: the columns, their
		// values and what was chosen.
		bad := leaversForm("HR leavers")
		bad.Set("file_pattern", "a/b")
		r = e.do(t, c, http.MethodPost, base, bad, nil)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad save: %d\n%s", r.status, r.body)
		}
		for _, want := range []string{`value="a/b"`, `<label for="c-0">Login</label>`, `<code class="sample">carol</code>`,
			`<option value="employment_ended_at" selected="">`, `<option value="-" selected="">leave out</option>`, `id="p-pattern-error"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("refused save lacks %q:\n%s", want, r.body)
			}
		}
		r = e.do(t, c, http.MethodPost, base, leaversForm("HR leavers"), nil)
		if r.status != http.StatusSeeOther || r.location() != base+"/HR%20leavers" {
			t.Fatalf("save: %d %s\n%s", r.status, r.location(), r.body)
		}
		sp, err := a.ImportProfile(ctx, app.System, "acme", "hr leavers")
		if err != nil {
			t.Fatal(err)
		}
		want := isms.ImportProfile{Name: "HR leavers", Kind: isms.KindAccessRemovals, FilePattern: "hr-leavers-*.csv", DateOrder: "dmy",
			Columns: map[string]string{"Login": "person", "Left": "employment_ended_at", "Manager": ""}, Constants: map[string]string{"system": "github"}}
		if got, _ := isms.ProfileJSON(sp.Profile); string(got) != string(must(isms.ProfileJSON(want))) {
			t.Errorf("stored %s", got)
		}
		// The same name again: 409 at the name.
		r = e.do(t, c, http.MethodPost, base, leaversForm("hr LEAVERS"), nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, `id="p-name-error"`) {
			t.Errorf("taken name: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, base+"/HR%20leavers", nil, nil)
		for _, want := range []string{"<td>Login</td><td>Person</td>", "<td>Manager</td><td>left out</td>", "<code>hr-leavers-*.csv</code>", "day first", "<code>github</code> in every row"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("profile page lacks %q", want)
			}
		}

		// Importing with the profile, named: the preview names it, says how
		// slashed dates read and shows the first rows as stored, each time
		// in the organisation's zone and in UTC.
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{url.Values{"kind": {"access_removals"}, "profile": {"HR leavers"}}, "leavers.csv", leaversCSV}, nil)
		if r.status != http.StatusOK {
			t.Fatalf("preview: %d\n%s", r.status, r.body)
		}
		for _, want := range []string{"Read with the profile", "chosen for this import", "read day first", `<div class="table-wrap">`,
			"<th scope=\"col\">Employment ended</th>", "<td>alice</td><td>github</td>",
			`<span class="nowrap">2026-10-05 16:00</span> (Europe/Helsinki)<br><small class="nowrap">2026-10-05T13:00:00Z</small>`,
			`<span class="nowrap">2026-10-07 09:30</span> (Europe/Helsinki)<br><small class="nowrap">2026-10-07T06:30:00Z</small>`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("preview lacks %q:\n%s", want, r.body)
			}
		}
		// The named profile rides the confirm token: without it the file
		// would be refused.
		named := regexp.MustCompile(`/imports/([^/"]+)/confirm`).FindStringSubmatch(r.body)
		if named == nil {
			t.Fatalf("no confirm form:\n%s", r.body)
		}
		if r = e.do(t, c, http.MethodPost, "/o/acme/imports/"+named[1]+"/confirm", url.Values{}, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Imported.") ||
			!strings.Contains(r.body, "chosen for this import") {
			t.Fatalf("confirm the named import: %d\n%s", r.status, r.body)
		}
		// Picked by the file name; the choice rides the confirm token.
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{url.Values{"kind": {"access_removals"}}, "HR-Leavers-Oct.csv", leaversCSV}, nil)
		if !strings.Contains(r.body, "picked by its file name pattern <code>hr-leavers-*.csv</code>") {
			t.Errorf("picked preview:\n%s", r.body)
		}
		m := regexp.MustCompile(`/imports/([^/"]+)/confirm`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no confirm form:\n%s", r.body)
		}
		if r = e.do(t, c, http.MethodPost, "/o/acme/imports/"+m[1]+"/confirm", url.Values{}, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Imported.") {
			t.Fatalf("confirm: %d\n%s", r.status, r.body)
		}
		recs, _, err := a.Records(ctx, app.System, "acme", isms.KindAccessRemovals, store.RecordFilter{Query: "alice"})
		if err != nil || len(recs) != 1 || recs[0].Texts["system"] != "github" || recs[0].Attributes["Manager"] != "" {
			t.Errorf("imported with the profile: %+v %v", recs, err)
		}
		// None: the file's own names do not fit access removals.
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{url.Values{"kind": {"access_removals"}, "profile": {"none"}}, "hr-leavers-oct.csv", leaversCSV}, nil)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("without the profile: %d", r.status)
		}

		// Edit: the stored columns, then empty rows; a refused save keeps
		// what was typed; a save replaces the profile.
		r = e.do(t, c, http.MethodGet, base+"/HR%20leavers/edit", nil, nil)
		if !strings.Contains(r.body, `<input type="hidden" name="col.2" value="Manager">`) || !strings.Contains(r.body, `name="col.3" value=""`) {
			t.Errorf("edit form:\n%s", r.body)
		}
		edit := leaversForm("ignored")
		edit.Set("rows", "4")
		edit.Set("col.3", "Team")
		edit.Set("map.3", "-")
		edit.Set("file_pattern", "a/b")
		r = e.do(t, c, http.MethodPost, base+"/HR%20leavers/edit", edit, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="a/b"`) || !strings.Contains(r.body, `name="col.3" value="Team"`) {
			t.Errorf("refused edit: %d\n%s", r.status, r.body)
		}
		edit.Set("file_pattern", "leavers-*.csv")
		r = e.do(t, c, http.MethodPost, base+"/HR%20leavers/edit", edit, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", r.status, r.body)
		}
		if sp, _ = a.ImportProfile(ctx, app.System, "acme", "HR leavers"); sp.Profile.FilePattern != "leavers-*.csv" || sp.Profile.Columns["Team"] != "" || len(sp.Profile.Columns) != 4 {
			t.Errorf("edited: %+v", sp.Profile)
		}

		// Export, delete after confirming, import the export back.
		r = e.do(t, c, http.MethodGet, base+"/HR%20leavers/export", nil, nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("export: %d %v", r.status, r.header)
		}
		exported := r.body
		if p, err := isms.ParseProfileJSON([]byte(exported)); err != nil || p.FilePattern != "leavers-*.csv" {
			t.Fatalf("export reads back as %+v, %v", p, err)
		}
		r = e.do(t, c, http.MethodGet, base+"/HR%20leavers/delete", nil, nil)
		if !strings.Contains(r.body, `<button type="submit" class="danger">Delete HR leavers</button>`) {
			t.Errorf("confirmation:\n%s", r.body)
		}
		r = e.do(t, c, http.MethodPost, base+"/HR%20leavers/delete", url.Values{}, nil)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("delete without confirming: %d", r.status)
		}
		r = e.do(t, c, http.MethodPost, base+"/HR%20leavers/delete", url.Values{"confirm": {"HR leavers"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d\n%s", r.status, r.body)
		}
		if _, err := a.ImportProfile(ctx, app.System, "acme", "HR leavers"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("deleted profile: %v", err)
		}
		r = e.do(t, c, http.MethodPost, base+"/import", upload{url.Values{}, "p.json", exported}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("import JSON: %d\n%s", r.status, r.body)
		}
		if sp, err = a.ImportProfile(ctx, app.System, "acme", "HR leavers"); err != nil || string(must(isms.ProfileJSON(sp.Profile)))+"\n" != exported {
			t.Errorf("round trip: %v\n%s", err, must(isms.ProfileJSON(sp.Profile)))
		}
		r = e.do(t, c, http.MethodPost, base+"/import", upload{url.Values{}, "p.json", exported}, nil)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "exists") {
			t.Errorf("import over a profile: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base+"/import", upload{url.Values{"replace": {"on"}}, "p.json", exported}, nil)
		if r.status != http.StatusSeeOther {
			t.Errorf("import replacing: %d\n%s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base+"/import", upload{url.Values{}, "p.json", `{"format":"other"}`}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="j-file-error"`) {
			t.Errorf("bad JSON: %d\n%s", r.status, r.body)
		}

		// The audit trail shows a saved profile in words.
		r = e.do(t, e.signIn(t, o.users[isms.RoleAdmin].Email), http.MethodGet, "/o/acme/audit", nil, nil)
		if !strings.Contains(r.body, "Left = Employment ended; Login = person; Manager = nothing") {
			t.Errorf("audit trail:\n%s", r.body)
		}

		// A viewer reads but changes nothing.
		v := e.signIn(t, o.users[isms.RoleViewer].Email)
		if r = e.do(t, v, http.MethodGet, base, nil, nil); r.status != http.StatusOK || strings.Contains(r.body, "New profile") {
			t.Errorf("viewer's list: %d", r.status)
		}
		for path, body := range map[string]any{
			base + "/new":                 upload{url.Values{"name": {"V"}, "kind": {"incidents"}}, "x.csv", "Ref\nA\n"},
			base:                          leaversForm("Viewer's"),
			base + "/import":              upload{url.Values{}, "p.json", exported},
			base + "/HR%20leavers/edit":   leaversForm("HR leavers"),
			base + "/HR%20leavers/delete": url.Values{"confirm": {"HR leavers"}},
		} {
			if r = e.do(t, v, http.MethodPost, path, body, nil); r.status != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d", path, r.status)
			}
		}
	})
}

func TestImportProfileAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
		h := http.Header{"Authorization": {"Bearer " + secret}}
		api := e.client(t, false)
		base := "/api/v1/orgs/acme/import-profiles"
		body := jsonBody(`{"kind":"access_removals","file_pattern":"hr-*.csv","date_order":"dmy","columns":{"Login":"person","Left":"employment_ended_at","Manager":""},"constants":{"system":"github"}}`)

		if r := e.do(t, api, http.MethodPut, base+"/HR", body, h); r.status != http.StatusCreated || !strings.Contains(r.body, `"format":"pdca-import-profile/1"`) {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		if r := e.do(t, api, http.MethodPut, base+"/hr", body, h); r.status != http.StatusOK || !strings.Contains(r.body, `"name":"HR"`) {
			t.Errorf("replace: %d %s", r.status, r.body)
		}
		if r := e.do(t, api, http.MethodPut, base+"/HR", jsonBody(`{"name":"Other","kind":"incidents"}`), h); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "another profile than the path") {
			t.Errorf("name mismatch: %d %s", r.status, r.body)
		}
		if r := e.do(t, api, http.MethodPut, base+"/Bad", jsonBody(`{"kind":"incidents","columns":{"X":"nope"}}`), h); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not a field of incidents") {
			t.Errorf("bad profile: %d %s", r.status, r.body)
		}
		r := e.do(t, api, http.MethodGet, base+"/hr", nil, h)
		var got map[string]any
		_ = json.Unmarshal([]byte(r.body), &got)
		delete(got, "$schema") // huma's link to the schema
		if _, err := isms.ParseProfileJSON(must(json.Marshal(got))); r.status != http.StatusOK || err != nil || got["name"] != "HR" {
			t.Errorf("get: %d %v %s", r.status, err, r.body)
		}
		r = e.do(t, api, http.MethodGet, base, nil, h)
		var list struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || list.Total != 1 || list.Items[0].Name != "HR" || !strings.Contains(r.body, `"updated_at":"`) {
			t.Errorf("list: %v %s", err, r.body)
		}

		// The import names the profile, or finds it by file_name; its
		// answer carries the profile, the day order and the first rows.
		imp := "/api/v1/orgs/acme/records/access_removals/imports?format=csv&dry_run=true"
		r = e.do(t, api, http.MethodPost, imp+"&profile=hr&file_name=leavers.csv", jsonBody(leaversCSV), h)
		var res struct {
			Profile        string           `json:"profile"`
			ProfileMatched bool             `json:"profile_matched"`
			DayOrder       string           `json:"day_order"`
			Sample         []map[string]any `json:"sample"`
		}
		if err := json.Unmarshal([]byte(r.body), &res); err != nil || r.status != http.StatusOK {
			t.Fatalf("import: %d %v %s", r.status, err, r.body)
		}
		if res.Profile != "HR" || res.ProfileMatched || res.DayOrder != "dmy" || len(res.Sample) != 2 ||
			res.Sample[0]["employment_ended_at"] != "2026-10-05T13:00:00Z" || res.Sample[0]["person"] != "alice" || res.Sample[1]["system"] != "github" {
			t.Errorf("import answer: %s", r.body)
		}
		r = e.do(t, api, http.MethodPost, imp+"&file_name=hr-oct.csv", jsonBody(leaversCSV), h)
		if !strings.Contains(r.body, `"profile":"HR","profile_matched":true`) {
			t.Errorf("picked by file name: %s", r.body)
		}
		if r = e.do(t, api, http.MethodPost, imp+"&file_name=hr-oct.csv&profile=none", jsonBody(leaversCSV), h); r.status != http.StatusUnprocessableEntity {
			t.Errorf("profile=none: %d %s", r.status, r.body)
		}

		// A viewer's token reads but does not change.
		_, vs := mustToken(t, a, o, isms.RoleViewer, isms.ScopeWrite)
		vh := http.Header{"Authorization": {"Bearer " + vs}}
		if r = e.do(t, api, http.MethodGet, base+"/HR", nil, vh); r.status != http.StatusOK {
			t.Errorf("viewer get: %d", r.status)
		}
		if r = e.do(t, api, http.MethodDelete, base+"/HR", nil, vh); r.status != http.StatusForbidden {
			t.Errorf("viewer delete: %d", r.status)
		}
		if r = e.do(t, api, http.MethodDelete, base+"/HR", nil, h); r.status != http.StatusNoContent {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		if r = e.do(t, api, http.MethodGet, base+"/HR", nil, h); r.status != http.StatusNotFound {
			t.Errorf("deleted: %d", r.status)
		}
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

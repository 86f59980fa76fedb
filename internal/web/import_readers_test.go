package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// TestImportSpreadsheetFormsWeb: the API and the upload page read a
// semicolon CSV with a BOM and say how; slashed dates need day_first (API),
// the form's choice (kept through the confirm step) or the organisation's
// date order, which an admin sets on the records page.
func TestImportSpreadsheetFormsWeb(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, secret := limitsEnv(t, db, web.Limits{})
		auth := http.Header{"Authorization": {"Bearer " + secret}}
		semi := "\ufeffRef;Title;Severity;Detected At\nINC-1;Phishing;high;05.10.2026 16:00\n"
		r := e.do(t, e.client(t, false), http.MethodPost, importPath+"?format=csv&dry_run=true", jsonBody(semi), auth)
		var res struct {
			Rows                int
			Delimiter, Encoding string
		}
		_ = json.Unmarshal([]byte(r.body), &res)
		if r.status != http.StatusOK || res.Rows != 1 || res.Delimiter != "semicolon" || res.Encoding != "UTF-8 with BOM" {
			t.Fatalf("API semicolon: %d %s", r.status, r.body)
		}
		slashed := "ref,title,severity,detected_at\nINC-2,Lost laptop,low,05/10/2026 09:00\n"
		if r = e.do(t, e.client(t, false), http.MethodPost, importPath+"?format=csv&dry_run=true", jsonBody(slashed), auth); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "day first or month first") {
			t.Fatalf("API slashed without order: %d %s", r.status, r.body)
		}
		if r = e.do(t, e.client(t, false), http.MethodPost, importPath+"?format=csv&dry_run=true&day_first=true", jsonBody(slashed), auth); r.status != http.StatusOK {
			t.Fatalf("API day_first=true: %d %s", r.status, r.body)
		}

		c := e.signIn(t, "admin@acme.example")
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{fields: url.Values{"kind": {"incidents"}}, name: "semi.csv", contents: semi}, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "semicolon-separated, UTF-8 with BOM") {
			t.Fatalf("upload page: %d", r.status)
		}
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{fields: url.Values{"kind": {"incidents"}, "day_order": {"mdy"}}, name: "slashed.csv", contents: slashed}, nil)
		if r.status != http.StatusOK {
			t.Fatalf("upload month first: %d %s", r.status, r.body)
		}
		i := strings.Index(r.body, "/imports/")
		token := strings.TrimSuffix(strings.SplitN(r.body[i+len("/imports/"):], "/", 2)[0], "")
		if r = e.do(t, c, http.MethodPost, "/o/acme/imports/"+token+"/confirm", url.Values{}, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Imported.") {
			t.Fatalf("confirm: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, "/api/v1/orgs/acme/records/incidents?q=INC-2", nil, auth)
		if !strings.Contains(r.body, `"detected_at":"2026-05-10T06:00:00Z"`) { // 09:00 in Helsinki, month first
			t.Errorf("stored record: %s", r.body)
		}

		if r = e.do(t, c, http.MethodPost, "/o/acme/settings/date-order", url.Values{"date_order": {"dmy"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("set date order: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, "/o/acme/records", nil, nil)
		if !strings.Contains(r.body, "day first, as set for the organisation") {
			t.Errorf("records page does not show the organisation's date order: %d %s", r.status, r.body)
		}
		if r = e.do(t, e.client(t, false), http.MethodPost, importPath+"?format=csv&dry_run=true", jsonBody(slashed), auth); r.status != http.StatusOK {
			t.Fatalf("API with the organisation's order: %d %s", r.status, r.body)
		}
	})
}

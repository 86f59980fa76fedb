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

// Issue 19: record kinds of an organisation's own.

const complaintsDef = `{"key":"customer_complaints","title":"Customer complaints","fields":[
{"name":"complaint_id","type":"text","key":true},{"name":"received_at","type":"time"},{"name":"closed_at","type":"time"},
{"name":"severity","type":"enum","values":["low","medium","high"]},{"name":"product","type":"text"},{"name":"refund","type":"number"}]}`

func init() {
	registerAggregate(aggregate{
		name: "record kinds",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			// Written to the store directly: audit events here would push
			// the fixture's first events off the audit page's first page.
			ctx := context.Background()
			err := a.DB.Write(ctx, func(tx *store.Tx) error {
				org, err := tx.OrgBySlug(ctx, o.Slug)
				if err != nil {
					return err
				}
				for _, key := range []string{"customer_complaints", "doomed"} {
					c, err := isms.NewCustomKind(key, "Kind "+key, []isms.FieldDef{{Name: "ref", Type: isms.FieldText, Key: true}})
					if err != nil {
						return err
					}
					if err := tx.CreateRecordKind(ctx, &store.RecordKindRow{CustomKind: c, OrgID: org.ID, CreatedBy: "test"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		},
		pages: map[string]pageRequest{
			"record_kinds": {path: "/o/acme/record-kinds", want: []string{"<h1>Record kinds</h1>", `<a href="/o/acme/records/customer_complaints">Kind customer_complaints</a>`,
				"<strong>ref</strong> text", `action="/o/acme/record-kinds"`, "/o/acme/record-kinds/doomed/delete"}},
			"record_kind_delete": {path: "/o/acme/record-kinds/{record-kinds.key}/delete", want: []string{"Delete the record kind Kind customer_complaints?",
				`name="confirm" value="customer_complaints"`}},
		},
		// A kind's key is not an id: every organisation has these. The
		// role matrix creates (409 once it exists) and deletes "doomed".
		shared: map[string]string{"record-kinds.key": "customer_complaints", "delete-record-kind.key": "doomed"},
		bodies: map[string]jsonBody{
			"create-record-kind": `{"key":"doomed","title":"Doomed","fields":[{"name":"ref","type":"text","key":true}]}`,
			"update-record-kind": `{"title":"Customer complaints","fields":[{"name":"ref","type":"text","key":true},{"name":"note","type":"text"}]}`,
		},
	})
}

// TestRecordKindAPI defines a kind, imports into it and reads it back
// through the API, as a client of the example would.
func TestRecordKindAPI(t *testing.T) {
	t.Parallel()
	// Storage is tested on both engines in internal/app.
	func(db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		_, secret := mustToken(t, a, o, isms.RoleISMSManager, isms.ScopeWrite)
		c := e.client(t, false)
		base := "/api/v1/orgs/acme/"
		r := e.do(t, c, http.MethodPost, base+"record-kinds", jsonBody(complaintsDef), bearer(secret))
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"key":"customer_complaints"`) {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base+"record-kinds", jsonBody(`{"key":"incidents","title":"X","fields":[{"name":"ref","type":"text","key":true}]}`), bearer(secret))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "built-in") {
			t.Fatalf("a built-in key: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodPost, base+"records/customer_complaints/imports?format=csv&file_name=c.csv",
			jsonBody("complaint_id,received_at,severity,refund\nC-1,2026-10-02T09:00:00Z,high,12.5\n"), bearer(secret))
		if r.status != http.StatusOK || !strings.Contains(r.body, `"created":1`) {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		// The upload form imports the kind: a preview with its columns,
		// then the confirmation.
		mgr := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		r = e.do(t, mgr, http.MethodPost, "/o/acme/imports", upload{fields: url.Values{"kind": {"customer_complaints"}}, name: "c.csv",
			contents: "complaint_id,received_at,product\nC-2,2026-10-03 10:00,Gadget\n"}, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "Gadget") || !strings.Contains(r.body, "Confirm the import") {
			t.Fatalf("upload preview: %d %s", r.status, r.body)
		}
		i := strings.Index(r.body, "/imports/")
		token := strings.SplitN(r.body[i+len("/imports/"):], "/", 2)[0]
		if r = e.do(t, mgr, http.MethodPost, "/o/acme/imports/"+token+"/confirm", url.Values{}, nil); r.status != http.StatusOK || !strings.Contains(r.body, "Imported.") {
			t.Fatalf("confirm: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, base+"records/customer_complaints?q=C-1", nil, bearer(secret))
		var list struct {
			Items []struct {
				Key    string         `json:"key"`
				Values map[string]any `json:"values"`
			} `json:"items"`
		}
		if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &list) != nil || len(list.Items) != 1 ||
			list.Items[0].Key != "C-1" || list.Items[0].Values["severity"] != "high" || list.Items[0].Values["received_at"] != "2026-10-02T09:00:00Z" {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, base+"record-kinds/customer_complaints", nil, bearer(secret))
		if r.status != http.StatusOK || !strings.Contains(r.body, `"records":2`) {
			t.Fatalf("get: %d %s", r.status, r.body)
		}
		// The pages list and drill down into the kind like a built-in one,
		// and the upload form offers it.
		web := e.signIn(t, o.users[isms.RoleAuditor].Email)
		r = e.do(t, web, http.MethodGet, "/o/acme/records", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, `<a href="/o/acme/records/customer_complaints">Customer complaints</a>`) {
			t.Fatalf("records page: %d %s", r.status, r.body)
		}
		r = e.do(t, web, http.MethodGet, "/o/acme/records/customer_complaints?q=C-1", nil, nil)
		drill := regexp.MustCompile(`/o/acme/records/customer_complaints/(\d+)`).FindString(r.body)
		if r.status != http.StatusOK || !strings.Contains(r.body, "C-1") || !strings.Contains(r.body, "12.5") || drill == "" {
			t.Fatalf("list page: %d %s", r.status, r.body)
		}
		if strings.Contains(r.body, "sort=") || strings.Contains(r.body, "aria-sort") {
			t.Errorf("a custom kind's list offers sorting it does not do: %s", r.body)
		}
		r = e.do(t, web, http.MethodGet, drill, nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "C-1") || !strings.Contains(r.body, "high") {
			t.Fatalf("record page: %d %s", r.status, r.body)
		}
		// The form defines a kind from its columns, one a line; the
		// confirmation page deletes it.
		r = e.do(t, mgr, http.MethodPost, "/o/acme/record-kinds", url.Values{"key": {"deliveries"}, "title": {"Deliveries"},
			"columns": {"order_no number key\r\ncarrier enum: DHL, UPS\r\n\r\non_time bool"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("new kind form: %d %s", r.status, r.body)
		}
		r = e.do(t, mgr, http.MethodGet, "/o/acme/record-kinds", nil, nil)
		if !strings.Contains(r.body, "Defined the record kind Deliveries") || !strings.Contains(r.body, "carrier enum (dhl, ups)") {
			t.Fatalf("new kind form: %d %s", r.status, r.body)
		}
		r = e.do(t, mgr, http.MethodPost, "/o/acme/record-kinds", url.Values{"key": {"x"}, "title": {"X"}, "columns": {"ref"}}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "write the name, the type") {
			t.Fatalf("a column without a type: %d %s", r.status, r.body)
		}
		r = e.do(t, mgr, http.MethodPost, "/o/acme/record-kinds/deliveries/delete", url.Values{"confirm": {"deliveries"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("delete form: %d %s", r.status, r.body)
		}
		if r = e.do(t, mgr, http.MethodGet, "/o/acme/record-kinds", nil, nil); !strings.Contains(r.body, "Deleted the record kind deliveries and 0 records.") {
			t.Fatalf("delete form: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodDelete, base+"record-kinds/customer_complaints", nil, bearer(secret))
		if r.status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		r = e.do(t, c, http.MethodGet, base+"records/customer_complaints", nil, bearer(secret))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("list of a deleted kind: %d %s", r.status, r.body)
		}
	}(storetest.Open(t, store.SQLite))
}

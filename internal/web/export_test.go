package web_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func init() {
	registerAggregate(aggregate{
		name:   "exports",
		shared: map[string]string{"exports.file": "processes.csv"},
		pages: map[string]pageRequest{
			"exports": {path: "/o/acme/exports", want: []string{"Evidence exports", "Download the evidence bundle", "Records: Incidents", "/o/acme/exports/audit-trail.xlsx"}},
		},
	})
}

func TestExportDownloads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		mustRecords(t, a, o)
		admin := e.signIn(t, o.users[isms.RoleAdmin].Email)
		r := e.do(t, admin, http.MethodGet, "/o/acme/exports/records-incidents.csv", nil, nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.body, "id,ref,title,severity") || !strings.Contains(r.body, "Phishing at Acme Oy") {
			t.Errorf("records csv: %d %q", r.status, r.body)
		}
		if r := e.do(t, admin, http.MethodGet, "/o/acme/exports/processes.xlsx", nil, nil); r.status != http.StatusOK || !strings.HasPrefix(r.body, "PK") {
			t.Errorf("xlsx: %d", r.status)
		}
		r = e.do(t, admin, http.MethodGet, "/o/acme/exports/bundle.zip", nil, nil)
		zr, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
		if r.status != http.StatusOK || err != nil {
			t.Fatalf("bundle: %d %v", r.status, err)
		}
		names := map[string]bool{}
		for _, f := range zr.File {
			names[f.Name] = true
		}
		for _, want := range []string{"MANIFEST.sha256", "README.txt", "registers/audit-trail.csv", "registers/records-incidents.xlsx", "registers/processes.csv"} {
			if !names[want] {
				t.Errorf("bundle lacks %s: %v", want, names)
			}
		}
		// A viewer exports registers but not the audit trail or the bundle.
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
		for path, want := range map[string]int{"/o/acme/exports/processes.csv": 200, "/o/acme/exports/audit-trail.csv": 403, "/o/acme/exports/bundle.zip": 403, "/o/acme/exports/nope.csv": 404, "/o/acme/exports/processes.pdf": 404} {
			if r := e.do(t, viewer, http.MethodGet, path, nil, nil); r.status != want {
				t.Errorf("viewer GET %s: %d, want %d", path, r.status, want)
			}
		}
	})
}

package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

const testCatalogueCSV = "id,parent,title,text\nsec,,Security,\nsec-1,sec,Policy,Have a security policy.\nsec-2,sec,Backups,Back up data.\n"

func TestFrameworkImport(t *testing.T) {
	low, err := os.ReadFile("../isms/testdata/nist_sp800-53r5_low_baseline_catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "other")
		ctx := context.Background()
		admin, writer := f.members[isms.RoleAdmin], f.members[isms.RoleProcessOwner]
		csvReq := func(body, key string) app.FrameworkImportRequest {
			return app.FrameworkImportRequest{Format: "csv", FileName: "sec.csv", File: strings.NewReader(body), Key: key, Title: "Our security rules", Version: "1"}
		}

		// Roles, formats and names.
		for _, c := range []struct {
			name string
			p    app.Principal
			req  app.FrameworkImportRequest
			code string
			want string
		}{
			{"writer", writer, csvReq(testCatalogueCSV, ""), isms.EFORBIDDEN, ""},
			{"csv without title", admin, app.FrameworkImportRequest{Format: "csv", File: strings.NewReader(testCatalogueCSV)}, isms.EINVALID, "title"},
			{"built-in key", admin, csvReq(testCatalogueCSV, isms.FrameworkCSF2), isms.ECONFLICT, "choose another key"},
			{"bad row", admin, csvReq("id,parent,title,text\na,b,A,x\n", ""), isms.EINVALID, `sec.csv: nothing was imported: line 2, column parent, value "b"`},
			{"broken oscal", admin, app.FrameworkImportRequest{Format: "oscal", FileName: "x.json", File: strings.NewReader(`{"catalog": {"uuid": "8b2e1a4c-1d2f-4a6b-9c3d-2e1f0a9b8c7d", "metadata": {"title": "X", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}, "controls": [{"id": "x-1"}]}}`)},
				isms.EINVALID, "/catalog/controls/0: missing property 'title'"},
		} {
			if _, err := f.app.ImportFramework(ctx, c.p, "acme", c.req); isms.ErrorCode(err) != c.code || !strings.Contains(isms.ErrorMessage(err), c.want) {
				t.Errorf("%s: %v, want %s %q", c.name, err, c.code, c.want)
			}
		}

		// An organisation's import is private to it and enabled there.
		res, err := f.app.ImportFramework(ctx, admin, "acme", csvReq(testCatalogueCSV, ""))
		if err != nil {
			t.Fatal(err)
		}
		if res.Replaced || res.Framework.Key != "our-security-rules-1" || res.Framework.Requirements != 2 || res.Framework.OrgID != f.org.ID {
			t.Fatalf("result %+v", res)
		}
		list, err := f.app.FrameworkSummaries(ctx, f.members[isms.RoleViewer], "acme")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, fw := range list {
			keys = append(keys, fw.Key)
			if fw.Key == res.Framework.Key && !fw.Enabled {
				t.Errorf("imported framework not enabled")
			}
		}
		if strings.Join(keys, " ") != "iso27001-2022-annex-a nist-csf-2.0 our-security-rules-1" {
			t.Errorf("acme lists %v", keys)
		}
		if list, _ := f.app.FrameworkSummaries(ctx, other.members[isms.RoleAdmin], "other"); len(list) != 2 {
			t.Errorf("another organisation sees %d frameworks, want the 2 built-in", len(list))
		}

		// A decision under the key survives a re-import that changes the text.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.SaveSoAEntry(ctx, f.org.ID, &store.SoARow{SoAEntry: isms.SoAEntry{Catalogue: res.Framework.Key, ControlID: "sec-1", Applicable: true,
				Justification: "customers ask", Status: isms.StatusPlanned}, UpdatedBy: "test"})
		}); err != nil {
			t.Fatal(err)
		}
		again, err := f.app.ImportFramework(ctx, admin, "acme", csvReq(testCatalogueCSV+"sec-3,sec,Logging,Keep logs.\n", ""))
		if err != nil || !again.Replaced || again.Framework.Requirements != 3 || again.Framework.ID != res.Framework.ID {
			t.Fatalf("re-import: %+v, %v", again, err)
		}
		if err := db.Read(ctx, func(tx *store.Tx) error {
			e, err := tx.SoAEntries(ctx, f.org.ID, res.Framework.Key)
			if err == nil && (e["sec-1"] == nil || e["sec-1"].Justification != "customers ask") {
				t.Errorf("decision lost on re-import: %+v", e)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ev, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "framework.import", Limit: 10})
		if err != nil || len(ev) != 2 || !strings.Contains(ev[0].After+ev[1].After, `"requirements":3`) {
			t.Fatalf("framework.import events: %v %+v", err, ev)
		}

		// Instance-wide: operators only; the LOW baseline has 149 requirements.
		if _, err := f.app.ImportInstanceFramework(ctx, admin, app.FrameworkImportRequest{Format: "oscal", File: strings.NewReader(string(low))}); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("an admin imported instance-wide: %v", err)
		}
		inst, err := f.app.ImportInstanceFramework(ctx, app.System, app.FrameworkImportRequest{Format: "oscal", FileName: "low.json", File: strings.NewReader(string(low)), Key: "sp800-53r5-low"})
		if err != nil || inst.Framework.Requirements != 149 || inst.Framework.OrgID != 0 {
			t.Fatalf("instance import: %+v %v", inst, err)
		}
		if _, err := f.app.ImportInstanceFramework(ctx, app.System, csvReq(testCatalogueCSV, "our-security-rules-1")); isms.ErrorCode(err) != isms.ECONFLICT || !strings.Contains(err.Error(), "acme") {
			t.Errorf("instance import over a private key: %v", err)
		}
		if _, err := f.app.ImportFramework(ctx, other.members[isms.RoleAdmin], "other", csvReq(testCatalogueCSV, "sp800-53r5-low")); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("private import over an instance-wide key: %v", err)
		}

		// Mappings: by key, both ends checked, all or nothing, lines named.
		mapCSV := "source_framework,source_id,relation,target_framework,target_id,comment\n" +
			"our-security-rules-1,sec-1,subset-of,sp800-53r5-low,ac-1,policy\n" +
			"our-security-rules-1,sec-2,intersects,nist-csf-2.0,PR.DS-11,\n"
		if _, err := f.app.ImportMappings(ctx, other.members[isms.RoleAdmin], "other", app.MappingImportRequest{Format: "csv", FileName: "m.csv", File: strings.NewReader(mapCSV)}); isms.ErrorCode(err) != isms.EINVALID ||
			!strings.Contains(err.Error(), `line 2, source_framework "our-security-rules-1": no framework`) {
			t.Errorf("another organisation mapped acme's framework: %v", err)
		}
		bad := mapCSV + "our-security-rules-1,sec-9,equivalent,nist-csf-2.0,GV.OC-01,\n"
		if _, err := f.app.ImportMappings(ctx, admin, "acme", app.MappingImportRequest{Format: "csv", FileName: "m.csv", File: strings.NewReader(bad)}); isms.ErrorCode(err) != isms.EINVALID ||
			!strings.Contains(err.Error(), `m.csv: nothing was imported: line 4, source_id "sec-9"`) {
			t.Errorf("unknown requirement: %v", err)
		}
		mr, err := f.app.ImportMappings(ctx, admin, "acme", app.MappingImportRequest{Format: "csv", FileName: "m.csv", File: strings.NewReader(mapCSV)})
		if err != nil || mr.Read != 2 || mr.Added != 2 {
			t.Fatalf("mappings: %+v %v", mr, err)
		}
		oscal := `{"mapping-collection": {"uuid": "0b5f9b1e-7d7e-4c0a-9d59-3f0e3c1f3a11", "metadata": {"title": "Our rules to CSF"},
			"provenance": {"method": "human", "matching-rationale": "semantic", "status": "complete", "mapping-description": "x"},
			"mappings": [{"uuid": "5a0f4c8e-2e7b-4b57-8f52-b1d7b0a4f1c2", "source-resource": {"type": "catalog", "href": "our-security-rules-1"},
				"target-resource": {"type": "catalog", "href": "#d1e0c3a2-9f7e-4a4b-8d6c-5b4a3f2e1d0c"},
				"maps": [{"uuid": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "relationship": "superset-of", "sources": [{"type": "control", "id-ref": "sec-2"}],
					"targets": [{"type": "control", "id-ref": "PR.DS-11"}, {"type": "control", "id-ref": "PR.DS-01"}]},
					{"uuid": "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "relationship": "no-relationship", "sources": [{"type": "control", "id-ref": "sec-1"}], "targets": [{"type": "control", "id-ref": "GV.OC-01"}]}]}],
			"back-matter": {"resources": [{"uuid": "d1e0c3a2-9f7e-4a4b-8d6c-5b4a3f2e1d0c", "title": "NIST Cybersecurity Framework 2.0"}]}}}`
		mr, err = f.app.ImportMappings(ctx, admin, "acme", app.MappingImportRequest{Format: "oscal", FileName: "m.json", File: strings.NewReader(oscal)})
		if err != nil || mr.Read != 2 || mr.Added != 2 {
			t.Fatalf("oscal mappings: %+v %v", mr, err)
		}
		if err := db.Read(ctx, func(tx *store.Tx) error {
			csf, err := tx.FrameworkByKey(ctx, f.org.ID, isms.FrameworkCSF2)
			if err != nil {
				return err
			}
			ms, err := tx.MappingsOf(ctx, f.org.ID, csf.ID, "PR.DS-11")
			if err != nil {
				return err
			}
			var got []string
			for _, m := range ms {
				got = append(got, string(m.Relation)+" "+m.TargetReq)
			}
			if strings.Join(got, ",") != "intersects sec-2,subset sec-2" {
				t.Errorf("PR.DS-11 mappings: %v", got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if ev, _ := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "framework.map", Limit: 10}); len(ev) != 2 {
			t.Errorf("%d framework.map events, want 2", len(ev))
		}
	})
}

package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// hrProfile reads an HR system's leavers export: its own column names,
// day-first slashed dates, one system for the whole file.
func hrProfile(name string) isms.ImportProfile {
	return isms.ImportProfile{Name: name, Kind: isms.KindAccessRemovals, FilePattern: "hr-leavers-*.csv", DateOrder: "dmy",
		Columns:   map[string]string{"Login": "person", "Left": "employment_ended_at", "Manager": isms.Ignore},
		Constants: map[string]string{"system": "github"}}
}

const hrFile = "Login;Left;Manager\nalice;05/10/2026 16:00;carol\nbob;06/10/2026;carol\n"

// TestImportProfiles: a profile is saved (import role, audited), applied
// by name or by its file pattern, refused for another kind, and an import
// says which profile it used and shows its first rows.
func TestImportProfiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		manager, viewer := f.members[isms.RoleISMSManager], f.members[isms.RoleViewer]
		if _, err := f.app.SaveImportProfile(ctx, viewer, "acme", hrProfile("HR leavers"), false); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("viewer saves a profile: %v, want EFORBIDDEN", err)
		}
		created, err := f.app.SaveImportProfile(ctx, manager, "acme", hrProfile(" HR leavers "), false)
		if err != nil || !created {
			t.Fatalf("save: %v %v", created, err)
		}
		if _, err := f.app.SaveImportProfile(ctx, manager, "acme", hrProfile("hr LEAVERS"), false); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("save the same name again: %v, want ECONFLICT", err)
		}
		bad := hrProfile("Bad")
		bad.Constants["employment_ended_at"] = "soon"
		bad.Columns["Left"] = "access_removed_at"
		if _, err := f.app.SaveImportProfile(ctx, manager, "acme", bad, false); isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), `employment_ended_at "soon"`) {
			t.Errorf("a constant that is no time: %v", err)
		}
		if _, err := f.app.SaveImportProfile(ctx, manager, "acme", hrProfile("None"), false); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("a profile called none: %v", err)
		}

		imp := func(req app.ImportRequest) (*app.ImportResult, error) {
			req.Org, req.Format, req.DryRun = "acme", importer.FormatCSV, true
			if req.File == nil {
				req.File = strings.NewReader(hrFile)
			}
			return f.app.Import(ctx, manager, req)
		}
		// Named, with no kind given: the profile's kind is taken.
		res, err := imp(app.ImportRequest{Profile: "hr leavers"})
		if err != nil {
			t.Fatalf("import with the profile: %v", err)
		}
		if res.Kind != isms.KindAccessRemovals || res.Profile != "HR leavers" || res.ProfileMatched || res.Rows != 2 || res.DayOrder != importer.DayFirst {
			t.Errorf("result %+v", res)
		}
		if len(res.Sample) != 2 || res.Sample[0].Texts["system"] != "github" || res.Sample[0].Texts["person"] != "alice" ||
			res.Sample[0].Times["employment_ended_at"].Format("2006-01-02T15:04Z07:00") != "2026-10-05T13:00Z" {
			t.Errorf("sample %+v", res.Sample)
		}
		// Picked by the file name; "none" reads without it (and fails).
		res, err = imp(app.ImportRequest{Kind: isms.KindAccessRemovals, FileName: "exports/HR-Leavers-2026-10.csv"})
		if err != nil || res.Profile != "HR leavers" || !res.ProfileMatched {
			t.Errorf("picked by pattern: %+v, %v", res, err)
		}
		if _, err := imp(app.ImportRequest{Kind: isms.KindAccessRemovals, FileName: "hr-leavers-1.csv", Profile: "none"}); err == nil || !strings.Contains(err.Error(), `missing required column "person"`) {
			t.Errorf("profile none: %v, want the file refused as it is", err)
		}
		if res, err := imp(app.ImportRequest{Kind: isms.KindIncidents, FileName: "hr-leavers-1.csv",
			File: strings.NewReader("ref\nINC-1\n")}); err != nil || res.Profile != "" {
			t.Errorf("a profile of another kind is not picked: %+v %v", res, err)
		}
		if _, err := imp(app.ImportRequest{Kind: isms.KindIncidents, Profile: "HR leavers"}); isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), "reads access_removals") {
			t.Errorf("named profile of another kind: %v", err)
		}
		if _, err := imp(app.ImportRequest{Profile: "Payroll"}); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("unknown profile: %v", err)
		}
		// Two profiles matching one file name: the import must choose.
		second := hrProfile("HR leavers copy")
		if _, err := f.app.SaveImportProfile(ctx, manager, "acme", second, false); err != nil {
			t.Fatal(err)
		}
		if _, err := imp(app.ImportRequest{Kind: isms.KindAccessRemovals, FileName: "hr-leavers-1.csv"}); isms.ErrorCode(err) != isms.EINVALID ||
			!strings.Contains(err.Error(), `"HR leavers" and "HR leavers copy"`) {
			t.Errorf("two matching: %v", err)
		}
		// The import's own order wins over the profile's.
		res, err = imp(app.ImportRequest{Profile: "HR leavers", DayOrder: importer.MonthFirst, File: strings.NewReader("Login;Left\nalice;05/10/2026\n")})
		if err != nil || res.DayOrder != importer.MonthFirst {
			t.Errorf("import's order: %+v %v", res, err)
		}
		// Stored for real: the import event names the profile.
		res, err = f.app.Import(ctx, manager, app.ImportRequest{Org: "acme", Format: importer.FormatCSV, Profile: "HR leavers", FileName: "x.csv", File: strings.NewReader(hrFile)})
		if err != nil || res.Created != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		// Replace, then delete: each audited once; an unchanged save is not.
		edited := hrProfile("HR leavers")
		edited.Constants["system"] = "google"
		for range 2 {
			if created, err := f.app.SaveImportProfile(ctx, manager, "acme", edited, true); err != nil || created {
				t.Fatalf("replace: %v %v", created, err)
			}
		}
		got, err := f.app.ImportProfile(ctx, viewer, "acme", "HR LEAVERS")
		if err != nil || got.Profile.Constants["system"] != "google" {
			t.Fatalf("read back: %+v %v", got, err)
		}
		if err := f.app.DeleteImportProfile(ctx, viewer, "acme", "HR leavers"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer deletes: %v", err)
		}
		if err := f.app.DeleteImportProfile(ctx, manager, "acme", "hr leavers"); err != nil {
			t.Fatal(err)
		}
		if err := f.app.DeleteImportProfile(ctx, manager, "acme", "hr leavers"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("delete twice: %v", err)
		}
		list, err := f.app.ImportProfiles(ctx, viewer, "acme")
		if err != nil || len(list) != 1 || list[0].Profile.Name != "HR leavers copy" {
			t.Errorf("list: %+v %v", list, err)
		}
		counts := map[string]int{}
		rows, err := db.Reader().Query(`SELECT action, COUNT(*) FROM audit_events WHERE org_id = $1 AND (action LIKE 'import_profile.%' OR (action = 'records.import' AND after_json LIKE '%"profile":"HR leavers"%')) GROUP BY action`, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a string
			var n int
			if err := rows.Scan(&a, &n); err != nil {
				t.Fatal(err)
			}
			counts[a] = n
		}
		rows.Close()
		if want := map[string]int{"import_profile.create": 2, "import_profile.update": 1, "import_profile.delete": 1, "records.import": 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("audit events %v, want %v", counts, want)
		}
	})
}

// TestPeekImport: a file the importer refuses as it is still shows its
// columns and first rows, for the profile form; viewers may not.
func TestPeekImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		var b strings.Builder
		b.WriteString("Login;Left\n")
		for i := range 30 {
			fmt.Fprintf(&b, "user%d;05/10/2026\n", i)
		}
		s, err := f.app.PeekImport(ctx, f.members[isms.RoleISMSManager], "acme", isms.KindAccessRemovals, importer.FormatCSV, strings.NewReader(b.String()))
		if err != nil || strings.Join(s.Columns, ",") != "Login,Left" || len(s.Rows) != app.SampleRows || s.Rows[19][0] != "user19" {
			t.Errorf("peek: %+v %v", s, err)
		}
		if _, err := f.app.PeekImport(ctx, f.members[isms.RoleViewer], "acme", isms.KindAccessRemovals, importer.FormatCSV, strings.NewReader(b.String())); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer peeks: %v", err)
		}
	})
}

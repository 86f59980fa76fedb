package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func soaEvents(t *testing.T, f *fixture) []isms.Event {
	t.Helper()
	ev, err := f.app.Events(context.Background(), app.System, f.org.Slug, store.EventFilter{Action: "soa.update", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func soaControl(t *testing.T, f *fixture, id string) *app.SoAControl {
	t.Helper()
	c, _, err := f.app.SoAControl(context.Background(), f.members[isms.RoleViewer], f.org.Slug, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBulkUpdateSoA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		viewer, writer := f.members[isms.RoleViewer], f.members[isms.RoleProcessOwner]
		mustRisk(t, f, app.RiskFields{Asset: "database", Threat: "loss", Treatment: isms.TreatModify, Plan: "backups", Controls: []string{"A.8.13"}}, 3, 4)

		bad := []struct {
			name     string
			p        app.Principal
			controls []string
			b        app.SoABulk
			code     string
			want     string // in the message
		}{
			{"viewer", viewer, []string{"A.5.1"}, app.SoABulk{Applicable: "yes", Justification: "law", Status: isms.StatusPlanned}, isms.EFORBIDDEN, ""},
			{"no control", writer, nil, app.SoABulk{Applicable: "yes"}, isms.EINVALID, "choose at least one control"},
			{"nothing to change", writer, []string{"A.5.1"}, app.SoABulk{}, isms.EINVALID, "nothing to change"},
			{"applicable without status", writer, []string{"A.5.1", "A.5.2"}, app.SoABulk{Applicable: "yes", Justification: "law"}, isms.EINVALID, "A.5.2: status"},
			{"exclusion without reason", writer, []string{"A.7.4"}, app.SoABulk{Applicable: "no"}, isms.EINVALID, "A.7.4: justification"},
			{"status of undecided", writer, []string{"A.5.3"}, app.SoABulk{Status: isms.StatusPlanned}, isms.EINVALID, "A.5.3 is not yet decided"},
			{"exclude a control a risk uses", writer, []string{"A.7.4", "A.8.13"}, app.SoABulk{Applicable: "no", Justification: "cloud only"}, isms.EINVALID, "A.8.13 treats R-001"},
			{"unknown control", writer, []string{"A.5.1", "A.99.1"}, app.SoABulk{Applicable: "yes", Justification: "law", Status: isms.StatusPlanned}, isms.EINVALID, "A.99.1 is not a control"},
			{"unknown status", writer, []string{"A.5.1"}, app.SoABulk{Applicable: "yes", Justification: "law", Status: "done"}, isms.EINVALID, `status "done"`},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.app.BulkUpdateSoA(ctx, tt.p, "acme", tt.controls, tt.b)
				if got := isms.ErrorCode(err); got != tt.code || !strings.Contains(isms.ErrorMessage(err), tt.want) {
					t.Errorf("code %q, want %q; message %q, want %q", got, tt.code, isms.ErrorMessage(err), tt.want)
				}
			})
		}
		// Nothing of the refused edits was stored (A.5.1 was fine in several).
		if ev := soaEvents(t, f); len(ev) != 0 {
			t.Fatalf("%d soa.update events after refused edits", len(ev))
		}
		if c := soaControl(t, f, "A.5.1"); c.Decided {
			t.Fatalf("A.5.1 decided by a refused edit: %+v", c)
		}

		res, err := f.app.BulkUpdateSoA(ctx, writer, "acme", []string{"A.5.1", "A.5.2", "A.5.3", "A.5.1"},
			app.SoABulk{Applicable: "yes", Justification: " policy framework required by customers ", Status: isms.StatusPlanned})
		if err != nil || res.Created != 3 || res.Updated != 0 || res.Unchanged != 0 {
			t.Fatalf("bulk include: %+v, %v", res, err)
		}
		// Only the status changes; A.5.3 already has it: unchanged.
		if _, err := f.app.UpdateSoA(ctx, writer, "acme", isms.SoAEntry{ControlID: "A.5.3", Applicable: true, Justification: "own", Status: isms.StatusImplemented}); err != nil {
			t.Fatal(err)
		}
		res, err = f.app.BulkUpdateSoA(ctx, writer, "acme", []string{"A.5.1", "A.5.2", "A.5.3"}, app.SoABulk{Status: isms.StatusImplemented})
		if err != nil || res.Updated != 2 || res.Unchanged != 1 || len(res.Changes) != 2 || res.Changes[0].Fields[0].Field != "status" {
			t.Fatalf("bulk status: %+v, %v", res, err)
		}
		c := soaControl(t, f, "A.5.2")
		if c.Justification != "policy framework required by customers" || c.Status != isms.StatusImplemented || c.UpdatedBy != writer.Label {
			t.Errorf("A.5.2 %+v", c)
		}
		if c := soaControl(t, f, "A.5.3"); c.Justification != "own" {
			t.Errorf("a blank justification changed A.5.3: %+v", c)
		}
		// Excluding drops the status, as the single edit does.
		if _, err := f.app.BulkUpdateSoA(ctx, writer, "acme", []string{"A.5.2"}, app.SoABulk{Applicable: "no", Justification: "covered by the group"}); err != nil {
			t.Fatal(err)
		}
		if c := soaControl(t, f, "A.5.2"); c.Applicable || c.Status != "" {
			t.Errorf("excluded A.5.2 %+v", c)
		}
		ev := soaEvents(t, f)
		// 3 created + 1 single edit + 2 status + 1 exclusion.
		if len(ev) != 7 {
			t.Fatalf("%d soa.update events, want 7", len(ev))
		}
		var excl isms.Event
		for _, e := range ev {
			if e.EntityID == "A.5.2" && strings.Contains(e.After, `"applicable":false`) {
				excl = e
			}
		}
		if !strings.Contains(excl.Before, `"status":"implemented"`) || !strings.Contains(excl.After, `"source":"bulk edit"`) {
			t.Errorf("exclusion event before %s after %s", excl.Before, excl.After)
		}
	})
}

// exportSoA returns the SoA export as CSV rows.
func exportSoA(t *testing.T, f *fixture) [][]string {
	t.Helper()
	b, _, err := f.app.RegisterFile(context.Background(), f.members[isms.RoleViewer], f.org.Slug, app.SoARegister, "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func csvBytes(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func col(rows [][]string, name string) int {
	for i, n := range rows[0] {
		if n == name {
			return i
		}
	}
	return -1
}

func TestImportSoA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		writer := f.members[isms.RoleProcessOwner]
		mustRisk(t, f, app.RiskFields{Asset: "database", Threat: "loss", Treatment: isms.TreatModify, Plan: "backups", Controls: []string{"A.8.13"}}, 3, 4)
		if _, err := f.app.UpdateSoA(ctx, writer, "acme", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "=contract", Status: isms.StatusPartial}); err != nil {
			t.Fatal(err)
		}
		imp := func(p app.Principal, b []byte, format importer.Format, dry bool) (*app.SoAChangeResult, error) {
			return f.app.ImportSoA(ctx, p, app.ImportSoARequest{Org: "acme", Format: format, FileName: "soa." + string(format), File: bytes.NewReader(b), DryRun: dry})
		}

		// The export imports back unchanged (the justification "=contract"
		// was neutralised in the CSV and is restored).
		rows := exportSoA(t, f)
		res, err := imp(writer, csvBytes(t, rows), importer.FormatCSV, false)
		if err != nil || res.Rows != 93 || res.Unchanged != 93 || res.Changed() != 0 {
			t.Fatalf("re-import of the export: %+v, %v", res, err)
		}
		if _, err := imp(f.members[isms.RoleViewer], csvBytes(t, rows), importer.FormatCSV, false); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer imports: %v", err)
		}

		// Edit it as a person would in a spreadsheet.
		ja, js, jj := col(rows, "applicable"), col(rows, "status"), col(rows, "justification")
		rows[0][ja] = "Applicable" // header case and spaces are ignored
		rows[0][js] = " STATUS"
		rows[1][js] = "Implemented"                                                 // A.5.1
		rows[2][ja], rows[2][jj], rows[2][js] = "yes", "ISO certificate", "planned" // A.5.2
		rows[3][ja], rows[3][jj] = "no", "no such activity"                         // A.5.3
		edited := csvBytes(t, rows)

		res, err = imp(writer, edited, importer.FormatCSV, true)
		if err != nil || !res.DryRun || res.Created != 2 || res.Updated != 1 || res.Unchanged != 90 || len(res.Changes) != 3 {
			t.Fatalf("dry run: %+v, %v", res, err)
		}
		if d := res.Changes[0]; d.ControlID != "A.5.1" || d.Line != 2 || len(d.Fields) != 1 || d.Fields[0] != (app.SoAFieldChange{Field: "status", Before: "partial", After: "implemented"}) {
			t.Errorf("A.5.1 change %+v", d)
		}
		if n := len(soaEvents(t, f)); n != 1 {
			t.Fatalf("a dry run stored something: %d events", n)
		}
		res, err = imp(writer, edited, importer.FormatCSV, false)
		if err != nil || res.Created != 2 || res.Updated != 1 {
			t.Fatalf("import: %+v, %v", res, err)
		}
		if c := soaControl(t, f, "A.5.3"); !c.Decided || c.Applicable || c.Justification != "no such activity" {
			t.Errorf("A.5.3 %+v", c)
		}
		if c := soaControl(t, f, "A.5.1"); c.Status != isms.StatusImplemented || c.Justification != "=contract" {
			t.Errorf("A.5.1 %+v", c)
		}
		ev := soaEvents(t, f)
		if len(ev) != 4 || !strings.Contains(ev[0].After+ev[1].After+ev[2].After, `"source":"import of soa.csv"`) {
			t.Fatalf("events after import: %d", len(ev))
		}
		// Importing the same file again changes nothing.
		res, err = imp(writer, edited, importer.FormatCSV, false)
		if err != nil || res.Changed() != 0 || res.Unchanged != 93 {
			t.Errorf("second import: %+v, %v", res, err)
		}

		// XLSX: the export edited with excelize imports back.
		xb, _, err := f.app.RegisterFile(ctx, writer, "acme", app.SoARegister, "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		wb, err := excelize.OpenReader(bytes.NewReader(xb))
		if err != nil {
			t.Fatal(err)
		}
		sheet := wb.GetSheetList()[0]
		cell, _ := excelize.CoordinatesToCellName(js+1, 3) // A.5.2's status
		if err := wb.SetCellStr(sheet, cell, "partial"); err != nil {
			t.Fatal(err)
		}
		var xbuf bytes.Buffer
		if err := wb.Write(&xbuf); err != nil {
			t.Fatal(err)
		}
		res, err = imp(writer, xbuf.Bytes(), importer.FormatXLSX, false)
		if err != nil || res.Updated != 1 || res.Unchanged != 92 || res.Changes[0].ControlID != "A.5.2" {
			t.Fatalf("xlsx import: %+v, %v", res, err)
		}

		// Excluding a control in the exported file, its old status left in
		// its cell: the status is cleared, as the single edit does; another
		// status is refused.
		if _, err := imp(writer, []byte("control_id,applicable,justification,status\nA.5.1,no,not needed after all,implemented\n"), importer.FormatCSV, false); err != nil {
			t.Fatalf("exclusion with the stale status: %v", err)
		}
		if c := soaControl(t, f, "A.5.1"); c.Applicable || c.Status != "" {
			t.Errorf("excluded A.5.1 %+v", c)
		}
		if _, err := imp(writer, []byte("control_id,applicable,justification,status\nA.5.2,no,not needed,implemented\n"), importer.FormatCSV, false); err == nil {
			t.Errorf("exclusion with another status than the stored one was accepted")
		}

		// A bad file stores nothing and names each row and column.
		before := len(soaEvents(t, f))
		badFile := "Control ID,applicable,justification,status\n" +
			"5.4,yes,segregation,planned\n" + // fine on its own
			"A.99.9,yes,x,planned\n" + // unknown control
			"A.5.4,no,dup,\n" + // twice
			"A.5.5,maybe,x,\n" + // unknown value
			"A.5.6,yes,x,done\n" + // unknown status
			"A.5.7,yes,,\n" + // undecided: no justification
			"A.8.13,no,cloud,\n" // a risk names it
		_, err = imp(writer, []byte(badFile), importer.FormatCSV, false)
		var bad *importer.Error
		if !errors.As(err, &bad) {
			t.Fatalf("bad file: %v", err)
		}
		got := map[string]bool{}
		for _, e := range bad.Errors {
			got[e.String()] = true
		}
		for _, want := range []string{
			`line 3, column control_id, value "A.99.9": not a control of ISO/IEC 27001:2022 Annex A; use an identifier such as A.5.1 (themes 5 to 8)`,
			`line 4, column control_id, value "A.5.4": A.5.4 is already on line 2; keep one row per control`,
			`line 5, column applicable, value "maybe": write yes (the control applies) or no (it is excluded), or leave it blank to keep the decision`,
		} {
			if !got[want] {
				t.Errorf("missing problem %q in %v", want, bad.Errors)
			}
		}
		if bad.Count() != 4 {
			t.Errorf("%d problems, want 4 (the file is checked before decisions): %v", bad.Count(), bad.Errors)
		}
		// Values fine, decisions refused.
		_, err = imp(writer, []byte("control_id,applicable,justification,status\nA.5.4,yes,segregation,planned\nA.5.7,yes,,\nA.8.13,no,cloud,\n"), importer.FormatCSV, false)
		if !errors.As(err, &bad) || bad.Count() != 2 || bad.Errors[0].Line != 3 || bad.Errors[0].Column != "status" && bad.Errors[0].Column != "justification" ||
			bad.Errors[1].Line != 4 || !strings.Contains(bad.Errors[1].Reason, "A.8.13 treats R-001") {
			t.Fatalf("refused decisions: %v", err)
		}
		if n := len(soaEvents(t, f)); n != before {
			t.Errorf("a refused file stored %d events", n-before)
		}
		if c := soaControl(t, f, "A.5.4"); c.Decided {
			t.Errorf("A.5.4 decided by a refused file")
		}
	})
}

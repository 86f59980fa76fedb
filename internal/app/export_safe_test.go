package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestAuditTrailCSVVerifiesOffline: the audit trail's CSV neutralises
// fields that would start a formula, and the chain still verifies offline
// from the file alone by removing one leading quote from each field
// (export.Restore), as docs/security.md tells auditors.
func TestAuditTrailCSVVerifiesOffline(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		evil := []string{`=HYPERLINK("http://evil.example","click")`, "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "'quoted", "+1.5", "\tx"}
		for i, label := range evil {
			u := &isms.User{Email: "u" + strconv.Itoa(i) + "@acme.example", Name: "U"}
			if err := f.app.CreateUser(ctx, app.System, u, "correct horse battery"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.app.AddMember(ctx, app.Principal{System: true, Label: label}, "acme", u.Email, isms.RoleViewer); err != nil {
				t.Fatal(err)
			}
		}
		tbl, err := f.app.ExportRegister(ctx, f.members[isms.RoleAuditor], "acme", "audit-trail")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := export.WriteCSV(&buf, tbl); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, c := range recs[0] {
			col[c] = i
		}
		actors := map[string]bool{}
		prev := ""
		for n, rec := range recs[1:] {
			if a := rec[col["actor"]]; a != "" && strings.ContainsRune("=+-@\t", rune(a[0])) && !export.IsNumber(a) {
				t.Errorf("actor field %q starts a formula", a)
			}
			for i := range rec {
				rec[i] = export.Restore(rec[i])
			}
			field := func(name string) string { return rec[col[name]] }
			num := func(name string) int64 {
				v, err := strconv.ParseInt(field(name), 10, 64)
				if err != nil {
					t.Fatalf("row %d %s: %v", n+1, name, err)
				}
				return v
			}
			at, err := time.Parse(time.RFC3339Nano, field("at"))
			if err != nil {
				t.Fatal(err)
			}
			e := isms.Event{OrgID: num("org_id"), Seq: num("seq"), ActorID: num("actor_id"), Actor: field("actor"), Action: field("action"), Entity: field("entity"),
				EntityID: field("entity_id"), Before: field("before"), After: field("after"), At: at, PrevHash: field("prev_hash")}
			if e.OrgID != f.org.ID || e.PrevHash != prev || e.ComputeHash() != field("hash") {
				t.Fatalf("row %d (seq %d, actor %q) does not verify from the CSV", n+1, e.Seq, e.Actor)
			}
			prev = field("hash")
			actors[e.Actor] = true
		}
		for _, label := range evil {
			if !actors[label] {
				t.Errorf("actor %q not restored from the CSV", label)
			}
		}
	})
}

// TestRegisterXLSXIsTyped: the registers declare their column types, so
// the workbook has numbers and dates where the register has them (the
// audit trail's time stays text: it is hash input, exact to the
// nanosecond). Before issue 13 every cell was a string.
func TestRegisterXLSXIsTyped(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		for name, want := range map[string]map[string]string{
			"audit-trail":  {"seq": "n", "id": "n", "actor_id": "n", "at": "s", "action": "s"},
			"metrics":      {"version": "n", "changed_at": "n", "key": "s"},
			"measurements": {"definition_version": "n", "as_of": "n", "metric": "s"},
		} {
			tbl, err := f.app.ExportRegister(ctx, f.members[isms.RoleAdmin], "acme", name)
			if err != nil {
				t.Fatal(err)
			}
			if len(tbl.Rows) == 0 {
				t.Logf("%s: no rows to check", name)
			}
			for col, kind := range want {
				got := map[export.Type]string{export.Text: "s", export.Number: "n", export.Time: "n", export.Bool: "b"}[tbl.Type(col)]
				if got != kind {
					t.Errorf("%s.%s is %q, want %q", name, col, got, kind)
				}
			}
		}
		// Read back: the audit trail's first event, seq 1, is a number.
		tbl, err := f.app.ExportRegister(ctx, f.members[isms.RoleAdmin], "acme", "audit-trail")
		if err != nil {
			t.Fatal(err)
		}
		var x bytes.Buffer
		if err := export.WriteXLSX(&x, tbl); err != nil {
			t.Fatal(err)
		}
		wb, err := excelize.OpenReader(&x)
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		sheet := wb.GetSheetName(0)
		seq, _ := wb.GetCellType(sheet, "A2")
		at, _ := wb.GetCellType(sheet, "C2")
		if v, _ := wb.GetCellValue(sheet, "A2"); seq != excelize.CellTypeUnset || v != "1" || at != excelize.CellTypeInlineString {
			t.Errorf("audit trail workbook: seq %v %q, at %v", seq, v, at)
		}
	})
}

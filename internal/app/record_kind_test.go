package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// complaintsKind is the example of a record kind of one's own.
var complaintsKind = app.RecordKindInput{Key: "customer_complaints", Title: "Customer complaints", Fields: []isms.FieldDef{
	{Name: "complaint_id", Type: isms.FieldText, Key: true},
	{Name: "received_at", Type: isms.FieldTime},
	{Name: "closed_at", Type: isms.FieldTime},
	{Name: "severity", Type: isms.FieldEnum, Values: []string{"low", "medium", "high"}},
	{Name: "product", Type: isms.FieldText},
	{Name: "refund", Type: isms.FieldNumber},
}}

// October 2026: one complaint closed in 3 days, one in 20, one still open
// on 10 November (its 10 days ran out on 30 October): 1 of 3 in time.
const complaintsCSV = `complaint_id,received_at,closed_at,severity,product,refund,channel
C-1,2026-10-02 09:00,2026-10-05 09:00,low,Widget,0,email
C-2,2026-10-10 09:00,2026-10-30 09:00,HIGH,Gadget,"12,50",phone
C-3,2026-10-20 09:00,,medium,Widget,1e2,email
`

var closedWithin10Days = measure.Definition{Key: "complaints-closed-10d", Name: "Complaints closed within 10 days", Kind: "customer_complaints",
	Measure: measure.MeasureShareWithin, Frequency: measure.FrequencyMonth, Unit: measure.UnitPercent,
	PeriodField: "received_at", StartField: "received_at", DoneField: "closed_at", Within: 10 * 24 * time.Hour,
	Rule: measure.Rule{Kind: measure.RuleAtLeast, Green: 90}}

// TestCustomRecordKindEndToEnd is issue 19's item 5: an organisation
// defines a kind, imports a CSV of it, defines a metric over its columns,
// and a red period opens a deviation as for a built-in metric; the kind
// lists, drills down and exports like a built-in kind.
func TestCustomRecordKindEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "other")
		ctx := context.Background()
		mgr := f.members[isms.RoleISMSManager]

		if _, err := f.app.CreateRecordKind(ctx, f.members[isms.RoleAuditor], "acme", complaintsKind); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("an auditor defines a kind: %v", err)
		}
		k, err := f.app.CreateRecordKind(ctx, mgr, "acme", complaintsKind)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CreateRecordKind(ctx, mgr, "acme", complaintsKind); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Fatalf("the same key twice: %v", err)
		}
		if k.ID == 0 || len(k.Fields) != 6 || !k.Fields[0].Key {
			t.Fatalf("kind = %+v", k)
		}

		// A bad file is refused whole, each problem with line, column and
		// how to fix it.
		_, err = f.app.Import(ctx, mgr, app.ImportRequest{Org: "acme", Kind: "customer_complaints", Format: importer.FormatCSV, FileName: "bad.csv",
			File: strings.NewReader("complaint_id,received_at,severity,refund\nC-9,yesterday,urgent,ten\n")})
		var ie *importer.Error
		if !errors.As(err, &ie) || len(ie.Errors) != 3 {
			t.Fatalf("bad file: %v", err)
		}
		for i, want := range []string{"received_at", "severity", "refund"} {
			if e := ie.Errors[i]; e.Line != 2 || e.Column != want || e.Reason == "" {
				t.Errorf("problem %d = %+v, want line 2 column %s", i, e, want)
			}
		}
		if !strings.Contains(ie.Errors[1].Reason, "low, medium, high") || !strings.Contains(ie.Errors[2].Reason, "decimal point") {
			t.Errorf("reasons do not say how to fix: %+v", ie.Errors)
		}

		res := mustImport(t, f.app, mgr, "acme", "customer_complaints", complaintsCSV, false)
		if res.Created != 3 || res.Kind != "customer_complaints" {
			t.Fatalf("import = %+v", res)
		}
		// Re-importing the same file changes nothing.
		if res := mustImport(t, f.app, mgr, "acme", "customer_complaints", complaintsCSV, false); res.Unchanged != 3 || res.Created+res.Updated != 0 {
			t.Fatalf("re-import = %+v", res)
		}
		// Another organisation has no such kind.
		if _, err := other.app.Import(ctx, other.members[isms.RoleISMSManager], app.ImportRequest{Org: "other", Kind: "customer_complaints", Format: importer.FormatCSV,
			FileName: "c.csv", File: strings.NewReader(complaintsCSV)}); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("import into an organisation without the kind: %v", err)
		}

		recs, total, err := f.app.Records(ctx, f.members[isms.RoleAuditor], "acme", "customer_complaints", store.RecordFilter{Limit: 2})
		if err != nil || total != 3 || len(recs) != 2 || recs[0].Key != "C-3" {
			t.Fatalf("list = %+v, %d, %v", recs, total, err)
		}
		c2, _, err := f.app.Records(ctx, mgr, "acme", "customer_complaints", store.RecordFilter{Query: "c-2", Limit: 10})
		if err != nil || len(c2) != 1 {
			t.Fatalf("search = %+v, %v", c2, err)
		}
		r := c2[0]
		if r.Texts["severity"] != "high" || r.Texts["refund"] != "12.5" || r.Texts["product"] != "Gadget" || r.Attributes["channel"] != "phone" ||
			!r.Times["received_at"].Equal(time.Date(2026, 10, 10, 6, 0, 0, 0, time.UTC)) {
			t.Fatalf("record = %+v", r)
		}
		h, err := f.app.Record(ctx, mgr, "acme", "customer_complaints", r.ID)
		if err != nil || h.Record.Key != "C-2" || len(h.Events) == 0 {
			t.Fatalf("drill-down = %+v, %v", h, err)
		}
		if _, err := other.app.Record(ctx, other.members[isms.RoleISMSManager], "other", "customer_complaints", r.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("another organisation reads the record: %v", err)
		}
		tbl, err := f.app.ExportRegister(ctx, mgr, "acme", "records-customer-complaints")
		if err != nil || len(tbl.Rows) != 3 || strings.Join(tbl.Columns, ",") != "id,complaint_id,received_at,closed_at,severity,product,refund,attributes" {
			t.Fatalf("export = %+v, %v", tbl, err)
		}

		// A metric must name columns the kind has, of the type its
		// measure needs. (Defined in September: a period before a metric
		// existed is not rated.)
		now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
		bad := closedWithin10Days
		bad.DoneField = "product"
		if _, err := f.app.CreateMetric(ctx, mgr, "acme", bad); isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), "text column") {
			t.Fatalf("a text column as done field: %v", err)
		}
		if _, err := f.app.CreateMetric(ctx, mgr, "acme", closedWithin10Days); err != nil {
			t.Fatal(err)
		}
		high := measure.Definition{Key: "high-complaints", Name: "High-severity complaints", Kind: "customer_complaints",
			Measure: measure.MeasureCount, Frequency: measure.FrequencyMonth, Unit: measure.UnitCount, PeriodField: "received_at",
			Filter: []measure.Condition{{Field: "severity", Equals: "high"}}, Rule: measure.Rule{Kind: measure.RuleAtMost, Green: 0}}
		if _, err := f.app.CreateMetric(ctx, mgr, "acme", high); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		m, items, err := f.app.MeasureOne(ctx, mgr, "acme", "complaints-closed-10d", "2026-10", now)
		if err != nil || m.Status != measure.StatusRed || m.Met != 1 || m.Missed != 2 || len(items) != 3 {
			t.Fatalf("measure = %+v (%d records), %v", m, len(items), err)
		}
		if m, _, err := f.app.MeasureOne(ctx, mgr, "acme", "high-complaints", "2026-10", now); err != nil || m.Value == nil || *m.Value != 1 {
			t.Fatalf("count of high = %+v, %v", m, err)
		}

		mustRecompute(t, f)
		var found *isms.Deviation
		for _, d := range mustDeviations(t, f) {
			if d.MetricKey == "complaints-closed-10d" {
				found = &d
			}
		}
		if found == nil || found.MetricPeriod != "2026-10" || found.Source != "metric" || found.Status != isms.DevOpen {
			t.Fatalf("no automatic deviation for the red metric: %+v", mustDeviations(t, f))
		}

		// The kind cannot be deleted while metrics read it, nor lose a
		// column they read.
		if _, err := f.app.DeleteRecordKind(ctx, mgr, "acme", "customer_complaints"); isms.ErrorCode(err) != isms.ECONFLICT ||
			!strings.Contains(err.Error(), "complaints-closed-10d") {
			t.Fatalf("delete while metrics read it: %v", err)
		}
		narrower := complaintsKind
		narrower.Fields = narrower.Fields[:2]
		if _, err := f.app.UpdateRecordKind(ctx, mgr, "acme", "customer_complaints", narrower); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("dropping a column a metric reads: %v", err)
		}
		wider := complaintsKind
		wider.Fields = append(append([]isms.FieldDef{}, wider.Fields...), isms.FieldDef{Name: "escalated", Type: isms.FieldBool})
		if _, err := f.app.UpdateRecordKind(ctx, mgr, "acme", "customer_complaints", wider); err != nil {
			t.Fatalf("adding a column: %v", err)
		}
		info, err := f.app.RecordKind(ctx, mgr, "acme", "customer_complaints")
		if err != nil || info.Records != 3 || len(info.Metrics) != 2 || len(info.Fields) != 7 {
			t.Fatalf("kind info = %+v, %v", info, err)
		}

		// A kind no metric reads is deleted with its records, audited.
		if _, err := f.app.CreateRecordKind(ctx, mgr, "acme", app.RecordKindInput{Key: "deliveries", Title: "Deliveries",
			Fields: []isms.FieldDef{{Name: "order", Type: isms.FieldText, Key: true}, {Name: "on_time", Type: isms.FieldBool}}}); err != nil {
			t.Fatal(err)
		}
		f.app.ImportAhead = 2 // written ahead of the final transaction, as a large file is
		mustImport(t, f.app, mgr, "acme", "deliveries", "order,on_time\nO-1,yes\nO-2,no\n", false)
		if recs, total, err := f.app.Records(ctx, mgr, "acme", "deliveries", store.RecordFilter{}); err != nil || total != 2 || recs[0].Bools["on_time"] == recs[1].Bools["on_time"] {
			t.Fatalf("deliveries = %+v, %d, %v", recs, total, err)
		}
		if n, err := f.app.DeleteRecordKind(ctx, mgr, "acme", "deliveries"); err != nil || n != 2 {
			t.Fatalf("delete = %d, %v", n, err)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "record_kind"})
		if err != nil || len(evs) != 4 {
			t.Fatalf("record_kind events = %d, %v", len(evs), err)
		}
	})
}

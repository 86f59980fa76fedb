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
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestImportDateOrder: slashed dates are refused until the import or the
// organisation says the day order; the import's order wins; setting the
// organisation's order needs manage_org and is audited. The result says
// how the file was read.
func TestImportDateOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		admin, manager := f.members[isms.RoleAdmin], f.members[isms.RoleISMSManager]
		file := "Person;System;Employment Ended At\nalice;github;05/10/2026 16:00\n"
		imp := func(order importer.DayOrder) (*app.ImportResult, error) {
			return f.app.Import(ctx, manager, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
				File: strings.NewReader(file), DryRun: true, DayOrder: order})
		}
		var ie *importer.Error
		if _, err := imp(""); !errors.As(err, &ie) || !strings.Contains(ie.Errors[0].Reason, "--day-first") {
			t.Fatalf("without an order: %v, want a problem naming --day-first", err)
		}
		res, err := imp(importer.DayFirst)
		if err != nil {
			t.Fatalf("day first: %v", err)
		}
		if res.Layout != (importer.Layout{Delimiter: "semicolon", Encoding: "UTF-8"}) {
			t.Errorf("Layout = %+v", res.Layout)
		}

		if err := f.app.SetDateOrder(ctx, manager, "acme", "dmy"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("ISMS manager sets the date order: %v, want EFORBIDDEN", err)
		}
		if err := f.app.SetDateOrder(ctx, admin, "acme", "ymd"); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("date order ymd: %v, want EINVALID", err)
		}
		if err := f.app.SetDateOrder(ctx, admin, "acme", "mdy"); err != nil {
			t.Fatal(err)
		}
		m, err := f.app.Org(ctx, admin, "acme")
		if err != nil || m.Org.DateOrder != "mdy" {
			t.Fatalf("stored date order %q, %v", m.Org.DateOrder, err)
		}
		// The organisation's order (month first) reads 05/10 as May 10;
		// the import's own order wins over it.
		for _, tt := range []struct {
			order importer.DayOrder
			month time.Month
		}{{"", time.May}, {importer.DayFirst, time.October}} {
			if _, err := imp(tt.order); err != nil {
				t.Fatalf("order %q: %v", tt.order, err)
			}
			res, err := f.app.Import(ctx, manager, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
				File: strings.NewReader(strings.Replace(file, "alice", "alice-"+string(tt.order), 1)), DayOrder: tt.order})
			if err != nil || res.Created != 1 {
				t.Fatalf("order %q: %+v, %v", tt.order, res, err)
			}
			recs, _, err := f.app.Records(ctx, admin, "acme", isms.KindAccessRemovals, store.RecordFilter{Query: "alice-" + string(tt.order), Limit: 10})
			if err != nil || len(recs) != 1 {
				t.Fatalf("records: %d, %v", len(recs), err)
			}
			if got := recs[0].Times["employment_ended_at"].In(m.Org.Location()); got.Month() != tt.month || got.Hour() != 16 {
				t.Errorf("order %q: read %v, want month %v at 16:00", tt.order, got, tt.month)
			}
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'org.date_order'`, f.org.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d org.date_order events, %v; want 1", n, err)
		}
	})
}

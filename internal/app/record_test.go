package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func mustImport(t *testing.T, a *app.App, p app.Principal, slug string, kind isms.RecordKind, csv string, dry bool) *app.ImportResult {
	t.Helper()
	res, err := a.Import(context.Background(), p, app.ImportRequest{Org: slug, Kind: kind, Format: importer.FormatCSV, FileName: "t.csv", File: strings.NewReader(csv), DryRun: dry})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

const removals = `person,system,employment_ended_at,access_removed_at,ticket
alice,github,2026-10-01 09:00,2026-10-02 09:00,T-1
bob,github,2026-10-05,2026-10-07,T-2
carol,aws,2026-10-30T10:00:00Z,,T-3
`

func TestImportIsIdempotentAndAudited(t *testing.T) {
	for _, preload := range []int{20000, 0} {
		t.Run(fmt.Sprintf("preload %d", preload), func(t *testing.T) { testImportIdempotent(t, preload) })
	}
}

// testImportIdempotent runs the import contract with existing records
// preloaded (preload > 0) or looked up by key (0).
func testImportIdempotent(t *testing.T, preload int) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		f.app.ImportPreload = preload
		owner := f.members[isms.RoleProcessOwner]
		tests := []struct {
			name                        string
			csv                         string
			dry                         bool
			created, updated, unchanged int
		}{
			{"first import creates", removals, false, 3, 0, 0},
			{"same file changes nothing", removals, false, 0, 0, 3},
			{"dry run of a change stores nothing", strings.Replace(removals, "T-3", "T-3b", 1), true, 0, 1, 2},
			{"changed row updates", strings.Replace(removals, "aws,2026-10-30T10:00:00Z,", "aws,2026-10-30T10:00:00Z,2026-10-30T12:00:00Z", 1), false, 0, 1, 2},
		}
		for _, tt := range tests {
			res := mustImport(t, f.app, owner, "acme", isms.KindAccessRemovals, tt.csv, tt.dry)
			if res.Created != tt.created || res.Updated != tt.updated || res.Unchanged != tt.unchanged {
				t.Errorf("%s: got %d/%d/%d created/updated/unchanged, want %d/%d/%d", tt.name, res.Created, res.Updated, res.Unchanged, tt.created, tt.updated, tt.unchanged)
			}
		}
		ctx := context.Background()
		recs, total, err := f.app.Records(ctx, owner, "acme", isms.KindAccessRemovals, store.RecordFilter{Query: "carol"})
		if err != nil || total != 1 {
			t.Fatalf("records: %d, %v", total, err)
		}
		if recs[0].Attributes["ticket"] != "T-3" {
			t.Errorf("dry run changed the attribute: %v", recs[0].Attributes)
		}
		if _, ok := recs[0].Times["access_removed_at"]; !ok {
			t.Errorf("update did not store access_removed_at")
		}
		h, err := f.app.Record(ctx, f.members[isms.RoleAuditor], "acme", isms.KindAccessRemovals, recs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range h.Events {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "record.update,records.import" {
			t.Errorf("history = %v, want the update then the creating import", actions)
		}
		// A viewer sees the record but not the audit history.
		h, err = f.app.Record(ctx, f.members[isms.RoleViewer], "acme", isms.KindAccessRemovals, recs[0].ID)
		if err != nil || len(h.Events) != 0 {
			t.Errorf("viewer history: %d events, %v", len(h.Events), err)
		}
	})
}

// TestImportInBatches imports more rows than one lookup batch holds into
// a register looked up by key, then changes rows in the first, a middle
// and the last batch: each is found, and nothing else changes.
func TestImportInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		f.app.ImportPreload = 0
		owner := f.members[isms.RoleProcessOwner]
		n := 2*store.KeyBatch + 50
		file := func(changed ...int) string {
			var b strings.Builder
			b.WriteString("person,system,employment_ended_at,access_removed_at,ticket\n")
			for i := range n {
				ticket := fmt.Sprintf("T-%d", i)
				if slices.Contains(changed, i) {
					ticket += "b"
				}
				fmt.Fprintf(&b, "person-%d,github,2026-10-01,2026-10-02,%s\n", i, ticket)
			}
			return b.String()
		}
		for _, tt := range []struct {
			name                        string
			csv                         string
			created, updated, unchanged int
		}{
			{"first import", file(), n, 0, 0},
			{"again", file(), 0, 0, n},
			{"three rows changed", file(0, store.KeyBatch, n-1), 0, 3, n - 3},
		} {
			res := mustImport(t, f.app, owner, "acme", isms.KindAccessRemovals, tt.csv, false)
			if res.Created != tt.created || res.Updated != tt.updated || res.Unchanged != tt.unchanged {
				t.Errorf("%s: got %d/%d/%d created/updated/unchanged, want %d/%d/%d", tt.name, res.Created, res.Updated, res.Unchanged, tt.created, tt.updated, tt.unchanged)
			}
		}
		counts, err := f.app.RecordCounts(context.Background(), owner, "acme")
		if err != nil || counts[isms.KindAccessRemovals] != n {
			t.Errorf("stored %d records, want %d (%v)", counts[isms.KindAccessRemovals], n, err)
		}
		recs, total, err := f.app.Records(context.Background(), owner, "acme", isms.KindAccessRemovals, store.RecordFilter{Query: fmt.Sprintf("person-%d", store.KeyBatch)})
		if err != nil || total != 1 || recs[0].Attributes["ticket"] != fmt.Sprintf("T-%db", store.KeyBatch) {
			t.Errorf("the changed row of the second batch: %+v, %d, %v", recs, total, err)
		}
	})
}

func TestImportRejectsWholeFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		admin := f.members[isms.RoleAdmin]
		mustImport(t, f.app, admin, "acme", isms.KindSuppliers, "name,critical\nCloudCo,yes\n", false)
		bad := `supplier,assessed_at,result
CloudCo,2026-10-01,ok
Nobody Ltd,2026-10-02,ok
CloudCo,2026-10-01,ok again
CloudCo,2026-03-29 03:30,ok
`
		_, err := f.app.Import(context.Background(), admin, app.ImportRequest{Org: "acme", Kind: isms.KindSupplierAssessments, Format: importer.FormatCSV, File: strings.NewReader(bad)})
		var ie *importer.Error
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v, want *importer.Error", err)
		}
		var lines []int
		for _, e := range ie.Errors {
			lines = append(lines, e.Line)
		}
		if len(lines) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
			t.Errorf("bad lines = %v, want [3 4 5] (unknown supplier, duplicate key, non-existent local time): %v", lines, ie.Errors)
		}
		counts, err := f.app.RecordCounts(context.Background(), admin, "acme")
		if err != nil || counts[isms.KindSupplierAssessments] != 0 {
			t.Errorf("after a rejected file: %d assessments stored, %v", counts[isms.KindSupplierAssessments], err)
		}
	})
}

func TestImportNeedsRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		for _, tt := range []struct {
			name string
			p    app.Principal
			code string
		}{
			{"auditor", f.members[isms.RoleAuditor], isms.EFORBIDDEN},
			{"management", f.members[isms.RoleManagement], isms.EFORBIDDEN},
			{"other org's admin", other.members[isms.RoleAdmin], isms.ENOTFOUND},
			{"isms manager", f.members[isms.RoleISMSManager], ""},
		} {
			_, err := f.app.Import(context.Background(), tt.p, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV, File: strings.NewReader(removals)})
			if got := isms.ErrorCode(err); got != tt.code {
				t.Errorf("%s: code %q, want %q (%v)", tt.name, got, tt.code, err)
			}
		}
	})
}

func TestMeasureFromImportedRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme") // Europe/Helsinki
		admin := f.members[isms.RoleAdmin]
		mustImport(t, f.app, admin, "acme", isms.KindAccessRemovals, removals, false)
		ctx := context.Background()
		// alice: exactly 24 h (met); bob: 48 h (missed); carol: open, deadline 2026-10-31T10:00Z.
		for _, tt := range []struct {
			asOf                 string
			value                float64
			met, missed, pending int
			status               string
		}{
			{"2026-10-31T00:00:00Z", 50, 1, 1, 1, "red"},
			{"2026-11-05T00:00:00Z", 33.33, 1, 2, 0, "red"},
		} {
			asOf, _ := time.Parse(time.RFC3339, tt.asOf)
			rated, err := f.app.Measure(ctx, admin, "acme", "2026-10", asOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(rated) != 9 {
				t.Fatalf("%d ratings, want the 9 built-ins", len(rated))
			}
			r := rated[0]
			if r.Key != "access-removal" || r.Period.String() != "2026-10" || r.Rounded() == nil || *r.Rounded() != tt.value ||
				r.Met != tt.met || r.Missed != tt.missed || r.Pending != tt.pending || string(r.Status) != tt.status {
				t.Errorf("as of %s: %s %s %v met %d missed %d pending %d %s", tt.asOf, r.Key, r.Period, r.Rounded(), r.Met, r.Missed, r.Pending, r.Status)
			}
		}
		// A quarter rates each monthly metric for each of its months.
		rated, err := f.app.Measure(ctx, admin, "acme", "2026-Q4", time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(rated) != 5*3+4 {
			t.Errorf("quarter: %d ratings, want 19 (5 monthly x 3 + 4 quarterly)", len(rated))
		}
		if _, err := f.app.Measure(ctx, admin, "acme", "2026-13", time.Now()); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("bad period: %v", err)
		}
	})
}

func TestRecomputeStoresTwelvePeriods(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		n, err := f.app.RecomputeMetrics(context.Background(), f.org.ID)
		if err != nil || n != 9*app.TrendPeriods {
			t.Fatalf("recompute: %d, %v", n, err)
		}
		ms, err := f.app.StoredMeasurements(context.Background(), f.members[isms.RoleViewer], "acme")
		if err != nil || len(ms) != 9*app.TrendPeriods {
			t.Fatalf("stored: %d, %v", len(ms), err)
		}
		// Recomputing replaces, it does not add.
		if _, err := f.app.RecomputeMetrics(context.Background(), f.org.ID); err != nil {
			t.Fatal(err)
		}
		ms, _ = f.app.StoredMeasurements(context.Background(), f.members[isms.RoleViewer], "acme")
		if len(ms) != 9*app.TrendPeriods {
			t.Errorf("after a second recompute: %d stored", len(ms))
		}
	})
}

package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// removalsCSV is an access removals file of n rows, persons p<from>…
func removalsCSV(from, n int, ticket string) string {
	var b strings.Builder
	b.WriteString("person,system,employment_ended_at,access_removed_at,ticket\n")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "p%d,github,2026-10-01 09:00,2026-10-02 09:00,%s\n", i, ticket)
	}
	return b.String()
}

// rawCount counts rows of a table as stored, hidden ones included.
func rawCount(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Writer().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// A large import writes its new rows ahead of its final transaction, a
// chunk per short transaction: between chunks another organisation writes
// (on SQLite, whose writer is single, this would wait for the whole import
// before), and no read sees a row of the import until it commits.
func TestImportWritesAheadInChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		admin := f.members[isms.RoleAdmin]
		other := &isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
		if err := f.app.CreateOrg(ctx, app.System, other); err != nil {
			t.Fatal(err)
		}
		mustImport(t, f.app, admin, "acme", isms.KindAccessRemovals, removalsCSV(0, 3, "T-old"), false)
		f.app.ImportAhead, f.app.ImportAheadChunk = 10, 7
		var chunks []int
		app.SetImportChunkHook(f.app, func(written int) {
			chunks = append(chunks, written)
			if len(chunks) != 2 {
				return
			}
			// Another organisation's write completes now, in the middle.
			if _, err := f.app.Import(ctx, app.System, app.ImportRequest{Org: "other", Kind: isms.KindSuppliers, Format: importer.FormatCSV,
				File: strings.NewReader("name,critical\nCloudCo,yes\n")}); err != nil {
				t.Errorf("write in the other organisation: %v", err)
			}
			// Reads of the organisation do not see the rows written so far.
			counts, err := f.app.RecordCounts(ctx, admin, "acme")
			if err != nil || counts[isms.KindAccessRemovals] != 3 {
				t.Errorf("during the import %d records are visible (%v), want the 3 stored before", counts[isms.KindAccessRemovals], err)
			}
			recs, total, err := f.app.Records(ctx, admin, "acme", isms.KindAccessRemovals, store.RecordFilter{Query: "p1", Limit: 50})
			if err != nil || total != 1 || len(recs) != 1 {
				t.Errorf("during the import the list finds %d of %d records for p1 (%v), want only the stored p1", len(recs), total, err)
			}
		})
		// 30 rows: the 3 stored ones (p0 changed), 27 new.
		file := strings.Replace(removalsCSV(0, 30, "T-old"), "p0,github,2026-10-01 09:00,2026-10-02 09:00,T-old", "p0,github,2026-10-01 09:00,2026-10-02 09:00,T-new", 1)
		res, err := f.app.Import(ctx, admin, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
			File: strings.NewReader(file), FileName: "big.csv"})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if fmt.Sprint(chunks) != "[7 14 21 27]" {
			t.Errorf("rows written ahead after each chunk = %v, want [7 14 21 27]", chunks)
		}
		if res.Created != 27 || res.Updated != 1 || res.Unchanged != 2 || res.ImportID == 0 {
			t.Errorf("result = %+v, want 27 created, 1 updated, 2 unchanged", res)
		}
		counts, err := f.app.RecordCounts(ctx, admin, "acme")
		if err != nil || counts[isms.KindAccessRemovals] != 30 {
			t.Errorf("after the import %d records (%v), want 30", counts[isms.KindAccessRemovals], err)
		}
		if n := rawCount(t, db, "SELECT COUNT(*) FROM import_pending"); n != 0 {
			t.Errorf("%d imports still pending", n)
		}
		p0, _, err := f.app.Records(ctx, admin, "acme", isms.KindAccessRemovals, store.RecordFilter{Query: "p0", Limit: 1})
		if err != nil || len(p0) != 1 || p0[0].Attributes["ticket"] != "T-new" {
			t.Errorf("p0 = %+v (%v), want its ticket updated to T-new", p0, err)
		}
	})
}

// An import that fails while writing ahead (here: its request is
// cancelled) leaves nothing: no visible record, no hidden row, no import.
func TestImportWriteAheadFailureLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		admin := f.members[isms.RoleAdmin]
		f.app.ImportAhead, f.app.ImportAheadChunk = 10, 5
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		app.SetImportChunkHook(f.app, func(written int) {
			if written == 10 {
				cancel()
			}
		})
		_, err := f.app.Import(ctx, admin, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
			File: strings.NewReader(removalsCSV(0, 40, "T")), FileName: "big.csv"})
		if err == nil {
			t.Fatal("a cancelled import succeeded")
		}
		for _, q := range []string{"SELECT COUNT(*) FROM rec_access_removals", "SELECT COUNT(*) FROM import_pending", "SELECT COUNT(*) FROM imports"} {
			if n := rawCount(t, db, q); n != 0 {
				t.Errorf("%s = %d after a failed import, want 0", q, n)
			}
		}
	})
}

// A second import of the same kind waits while the first writes ahead
// (their hidden rows could share keys), then compares its rows with the
// first's: overlapping keys are unchanged, not a conflict.
func TestImportOfSameKindWaitsForWriteAhead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		admin := f.members[isms.RoleAdmin]
		f.app.ImportAhead, f.app.ImportAheadChunk = 10, 5
		var once sync.Once
		second := make(chan error, 1)
		var res2 *app.ImportResult
		app.SetImportChunkHook(f.app, func(int) {
			once.Do(func() {
				go func() {
					var err error
					// 5 rows, 3 of them also in the first file: below the
					// write-ahead threshold, written in one transaction.
					res2, err = f.app.Import(ctx, admin, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
						File: strings.NewReader(removalsCSV(17, 5, "T")), FileName: "small.csv"})
					second <- err
				}()
			})
		})
		res1, err := f.app.Import(ctx, admin, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
			File: strings.NewReader(removalsCSV(0, 20, "T")), FileName: "big.csv"})
		if err != nil {
			t.Fatalf("first import: %v", err)
		}
		if err := <-second; err != nil {
			t.Fatalf("second import: %v", err)
		}
		if res1.Created != 20 {
			t.Errorf("first import = %+v, want 20 created", res1)
		}
		// Either order is fair; the sum must be 22 distinct records and the
		// overlap counted once as created, once as unchanged.
		if res1.Created+res2.Created != 22 || res2.Unchanged+res1.Unchanged != 3 {
			t.Errorf("second import = %+v, first %+v: want 22 created in all and the 3 shared rows unchanged", res2, res1)
		}
		counts, err := f.app.RecordCounts(ctx, admin, "acme")
		if err != nil || counts[isms.KindAccessRemovals] != 22 {
			t.Errorf("%d records (%v), want 22", counts[isms.KindAccessRemovals], err)
		}
	})
}

// A key stored by another writer after the file was read (here written
// straight through the store, as the deviation register's mirror does) is
// compared again in the final transaction: an update, not a conflict.
func TestImportWriteAheadKeyStoredMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		admin := f.members[isms.RoleAdmin]
		f.app.ImportAhead, f.app.ImportAheadChunk = 10, 5
		app.SetImportChunkHook(f.app, func(written int) {
			if written != 5 {
				return
			}
			spec, _ := isms.LookupKind(string(isms.KindAccessRemovals))
			r := isms.Record{Kind: isms.KindAccessRemovals, Texts: map[string]string{"person": "p12", "system": "github"},
				Times: map[string]time.Time{"employment_ended_at": time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)}, Bools: map[string]bool{}}
			r.Key = spec.NaturalKey(r)
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertRecord(ctx, f.org.ID, &r, 0) }); err != nil {
				t.Errorf("store p12 meanwhile: %v", err)
			}
		})
		res, err := f.app.Import(ctx, admin, app.ImportRequest{Org: "acme", Kind: isms.KindAccessRemovals, Format: importer.FormatCSV,
			File: strings.NewReader(removalsCSV(0, 20, "T")), FileName: "big.csv"})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if res.Created != 19 || res.Updated != 1 {
			t.Errorf("result = %+v, want 19 created and p12 updated", res)
		}
		counts, err := f.app.RecordCounts(ctx, admin, "acme")
		if err != nil || counts[isms.KindAccessRemovals] != 20 {
			t.Errorf("%d records (%v), want 20", counts[isms.KindAccessRemovals], err)
		}
	})
}

// Rows left hidden by a process that died while writing ahead are removed
// by housekeeping once the import has given no sign of life for
// app.PendingStaleAfter, and only then.
func TestHousekeepingRemovesAbandonedImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		err := db.Write(ctx, func(tx *store.Tx) error {
			p, err := tx.BeginPending(ctx, &store.Import{OrgID: f.org.ID, Kind: isms.KindAccessRemovals, Format: "csv", FileName: "died.csv", Actor: "x"})
			if err != nil {
				return err
			}
			spec, _ := isms.LookupKind(string(isms.KindAccessRemovals))
			var recs []isms.Record
			for i := range 60 {
				r := isms.Record{Kind: isms.KindAccessRemovals, Texts: map[string]string{"person": fmt.Sprint("d", i), "system": "github"}, Times: map[string]time.Time{}, Bools: map[string]bool{}}
				r.Key = spec.NaturalKey(r)
				recs = append(recs, r)
			}
			return tx.InsertRecords(ctx, f.org.ID, recs, p.ImportID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := f.app.Housekeeping(ctx); err != nil || r.AbandonedImports != 0 {
			t.Fatalf("housekeeping right away = %+v, %v; want nothing removed", r, err)
		}
		if n := rawCount(t, db, "SELECT COUNT(*) FROM rec_access_removals"); n != 60 {
			t.Fatalf("%d hidden rows, want 60", n)
		}
		now = now.Add(app.PendingStaleAfter + time.Minute)
		if r, err := f.app.Housekeeping(ctx); err != nil || r.AbandonedImports != 1 {
			t.Fatalf("housekeeping later = %+v, %v; want 1 abandoned import removed", r, err)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM rec_access_removals", "SELECT COUNT(*) FROM import_pending", "SELECT COUNT(*) FROM imports"} {
			if n := rawCount(t, db, q); n != 0 {
				t.Errorf("%s = %d after housekeeping, want 0", q, n)
			}
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Every read of records hides the rows of an import still pending, and
// shows them once it is committed; deleting a pending import's rows stops
// once it is committed.
func TestPendingImportRowsHidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}
		kind := isms.KindIncidents
		spec, _ := isms.LookupKind(string(kind))
		rec := func(ref string) isms.Record {
			r := isms.Record{Kind: kind, Texts: map[string]string{"ref": ref, "title": "t", "severity": "high"},
				Times: map[string]time.Time{"detected_at": time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)}, Bools: map[string]bool{}}
			r.Key = spec.NaturalKey(r)
			return r
		}
		var pend store.PendingImport
		var hiddenID int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, &org); err != nil {
				return err
			}
			shown := rec("INC-1")
			if err := tx.InsertRecord(ctx, org.ID, &shown, 0); err != nil {
				return err
			}
			var err error
			if pend, err = tx.BeginPending(ctx, &store.Import{OrgID: org.ID, Kind: kind, Format: "csv", FileName: "f.csv", Actor: "a"}); err != nil {
				return err
			}
			hidden := rec("INC-2")
			if err := tx.InsertRecord(ctx, org.ID, &hidden, pend.ImportID); err != nil {
				return err
			}
			hiddenID = hidden.ID
			return tx.InsertRecords(ctx, org.ID, []isms.Record{rec("INC-3")}, pend.ImportID)
		})
		if err != nil {
			t.Fatal(err)
		}
		// reads returns what each read of records sees, as one string.
		reads := func(tx *store.Tx) map[string]string {
			out := map[string]string{}
			var keys []string
			_ = tx.EachRecord(ctx, org.ID, kind, func(r isms.Record) error { keys = append(keys, r.Texts["ref"]); return nil })
			out["EachRecord"] = fmt.Sprint(keys)
			all, _ := tx.Records(ctx, org.ID, kind)
			out["Records"] = fmt.Sprint(len(all))
			_, err := tx.RecordByID(ctx, org.ID, kind, hiddenID)
			out["RecordByID"] = fmt.Sprint(isms.ErrorCode(err) != isms.ENOTFOUND)
			_, err = tx.RecordByKey(ctx, org.ID, kind, rec("INC-2").Key)
			out["RecordByKey"] = fmt.Sprint(isms.ErrorCode(err) != isms.ENOTFOUND)
			n := 0
			_ = tx.RecordsByKeys(ctx, org.ID, kind, []string{rec("INC-1").Key, rec("INC-2").Key, rec("INC-3").Key}, func(isms.Record) error { n++; return nil })
			out["RecordsByKeys"] = fmt.Sprint(n)
			list, total, _ := tx.ListRecords(ctx, org.ID, kind, store.RecordFilter{})
			out["ListRecords"] = fmt.Sprint(len(list), "/", total)
			counts, _ := tx.CountRecords(ctx, org.ID)
			out["CountRecords"] = fmt.Sprint(counts[kind])
			upTo, _ := tx.CountRecordsOfUpTo(ctx, org.ID, kind, 10)
			out["CountRecordsOfUpTo"] = fmt.Sprint(upTo)
			_, err = tx.RecordImportID(ctx, org.ID, kind, hiddenID)
			out["RecordImportID"] = fmt.Sprint(isms.ErrorCode(err) != isms.ENOTFOUND)
			n = 0
			_ = tx.EachRecordFields(ctx, org.ID, kind, []string{"detected_at"}, store.Window{Mode: store.WindowRange, Field: "detected_at",
				From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, func(isms.Record) error { n++; return nil })
			out["EachRecordFields"] = fmt.Sprint(n)
			return out
		}
		check := func(when string, want map[string]string) {
			t.Helper()
			err := db.Read(ctx, func(tx *store.Tx) error {
				got := reads(tx)
				for k, w := range want {
					if got[k] != w {
						t.Errorf("%s: %s sees %s, want %s", when, k, got[k], w)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		check("pending", map[string]string{"EachRecord": "[INC-1]", "Records": "1", "RecordByID": "false", "RecordByKey": "false", "RecordsByKeys": "1",
			"ListRecords": "1/1", "CountRecords": "1", "CountRecordsOfUpTo": "1", "RecordImportID": "false", "EachRecordFields": "1"})
		err = db.Write(ctx, func(tx *store.Tx) error { return tx.CommitPending(ctx, pend) })
		if err != nil {
			t.Fatal(err)
		}
		check("committed", map[string]string{"EachRecord": "[INC-1 INC-2 INC-3]", "Records": "3", "RecordByID": "true", "RecordByKey": "true", "RecordsByKeys": "3",
			"ListRecords": "3/3", "CountRecords": "3", "CountRecordsOfUpTo": "3", "RecordImportID": "true", "EachRecordFields": "3"})
		err = db.Write(ctx, func(tx *store.Tx) error {
			n, err := tx.DeletePendingRows(ctx, pend, 100)
			if n != 0 {
				t.Errorf("deleted %d rows of a committed import", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CommitPending(ctx, pend) }); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("committing twice: %v, want ECONFLICT", err)
		}
	})
}

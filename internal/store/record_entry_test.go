package store_test

import (
	"context"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// A record an import is still writing ahead cannot be deleted by hand (it
// is not there yet), but its key is taken and its ref numbered.
func TestRecordEntryAndPendingRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}
		kind := isms.KindIncidents
		rec := func(ref string) isms.Record {
			return isms.Record{Kind: kind, Key: ref, Texts: map[string]string{"ref": ref}}
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, &org); err != nil {
				return err
			}
			shown := rec("INC-2026-0007")
			if err := tx.InsertRecord(ctx, org.ID, &shown, 0); err != nil {
				return err
			}
			pend, err := tx.BeginPending(ctx, &store.Import{OrgID: org.ID, Kind: kind, Format: "csv", FileName: "f.csv", Actor: "a"})
			if err != nil {
				return err
			}
			hidden := rec("INC-2026-0041")
			if err := tx.InsertRecord(ctx, org.ID, &hidden, pend.ImportID); err != nil {
				return err
			}
			if err := tx.DeleteRecord(ctx, org.ID, kind, hidden.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("delete a pending row: %v, want not found", err)
			}
			if taken, err := tx.RecordKeyTaken(ctx, org.ID, kind, hidden.Key, 0); err != nil || !taken {
				t.Errorf("pending key taken = %v, %v", taken, err)
			}
			if taken, err := tx.RecordKeyTaken(ctx, org.ID, kind, shown.Key, shown.ID); err != nil || taken {
				t.Errorf("a record's own key taken = %v, %v", taken, err)
			}
			if n, err := tx.LastRefNumber(ctx, org.ID, kind, "INC-2026-"); err != nil || n != 41 {
				t.Errorf("last ref number = %d, %v; want 41", n, err)
			}
			if n, err := tx.LastRefNumber(ctx, org.ID, kind, "INC-2027-"); err != nil || n != 0 {
				t.Errorf("last ref number of a new year = %d, %v", n, err)
			}
			if err := tx.DeleteRecord(ctx, org.ID, kind, shown.ID); err != nil {
				t.Errorf("delete: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

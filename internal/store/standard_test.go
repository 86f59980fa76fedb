package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestStandardTagStorage (issue 19): tags round trip in isms.StandardKeys
// order, replacing removes the old ones, an organisation never reads
// another's tags for the same entity id, and the standards in use always
// include ISO/IEC 27001 (the meaning of "untagged").
func TestStandardTagStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		var acme, other isms.Organization
		must(db.Write(ctx, func(tx *store.Tx) error {
			acme, other = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}, isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			must(tx.CreateOrg(ctx, &acme))
			must(tx.CreateOrg(ctx, &other))
			must(tx.SetStandardTags(ctx, acme.ID, isms.TagProcess, "7", []string{isms.StdISO27001}))
			must(tx.SetStandardTags(ctx, acme.ID, isms.TagProcess, "7", []string{isms.StdISO9001, isms.StdISO42001}))
			must(tx.SetStandardTags(ctx, acme.ID, isms.TagMetric, "open-deviations", []string{isms.StdISO9001}))
			return tx.SetStandardTags(ctx, other.ID, isms.TagProcess, "8", []string{isms.StdISO22301})
		}))
		must(db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.StandardTags(ctx, acme.ID, isms.TagProcess, "7")
			if err != nil || !slices.Equal(got, []string{isms.StdISO9001, isms.StdISO42001}) {
				t.Errorf("acme's process 7: %v %v", got, err)
			}
			if got, err := tx.StandardTags(ctx, other.ID, isms.TagProcess, "7"); err != nil || len(got) != 0 {
				t.Errorf("other reads acme's tags of process 7: %v %v", got, err)
			}
			m, err := tx.StandardTagsOf(ctx, acme.ID, isms.TagProcess, []string{"7", "8", "9"})
			if err != nil || len(m) != 1 || len(m["8"]) != 0 {
				t.Errorf("acme's processes 7, 8, 9: %v %v", m, err)
			}
			if got, err := tx.StandardTags(ctx, acme.ID, isms.TagDeviation, "7"); err != nil || len(got) != 0 {
				t.Errorf("deviation 7 shares process 7's tags: %v %v", got, err)
			}
			inUse, err := tx.StandardsInUse(ctx, acme.ID)
			if err != nil || !slices.Equal(inUse, []string{isms.StdISO27001, isms.StdISO9001, isms.StdISO42001}) {
				t.Errorf("acme uses %v %v", inUse, err)
			}
			return nil
		}))
		must(db.Write(ctx, func(tx *store.Tx) error { return tx.SetStandardTags(ctx, acme.ID, isms.TagProcess, "7", nil) }))
		must(db.Read(ctx, func(tx *store.Tx) error {
			if got, err := tx.StandardTags(ctx, acme.ID, isms.TagProcess, "7"); err != nil || len(got) != 0 {
				t.Errorf("after clearing: %v %v", got, err)
			}
			if got, err := tx.StandardTags(ctx, other.ID, isms.TagProcess, "8"); err != nil || !slices.Equal(got, []string{isms.StdISO22301}) {
				t.Errorf("clearing acme's touched other's: %v %v", got, err)
			}
			return nil
		}))
	})
}

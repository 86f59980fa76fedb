package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// BenchmarkPagedLists reads a page of 50 of the members, API tokens,
// deliveries, processes, management reviews, internal audits and risks of an
// organisation that has 1,000 or 100,000 of each, as the pages and the API
// do (store.MemberPage, TokenPage, DeliveryPage, ProcessPage, ReviewPage,
// InternalAuditPage, RiskPage): the
// first page with its count, the first page alone, a page half way down
// (offset n/2, no count), a filtered first page with its count, and,
// for comparison, reading one row by its key. It prints figures and
// asserts nothing about time:
//
//	go test -run '^$' -bench PagedLists -benchtime 200x ./internal/store/
func BenchmarkPagedLists(b *testing.B) {
	benchOrgOfSizes(b, []int{1_000, 100_000}, func(b *testing.B, db *store.DB, org *isms.Organization, n int) {
		ctx := context.Background()
		var oneMember, oneToken, oneDelivery, oneProcess, oneReview, oneAudit int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SeedListsForBench(ctx, org.ID, n); err != nil {
				return err
			}
			// A row from the middle of each list, to read by its key.
			ms, err := tx.MemberPage(ctx, org.ID, store.MemberFilter{PageSpec: store.PageSpec{Limit: 1, Offset: n / 2}})
			if err != nil {
				return err
			}
			ts, err := tx.TokenPage(ctx, org.ID, store.TokenFilter{PageSpec: store.PageSpec{Limit: 1, Offset: n / 2}})
			if err != nil {
				return err
			}
			ds, err := tx.DeliveryPage(ctx, org.ID, store.DeliveryFilter{PageSpec: store.PageSpec{Limit: 1, Offset: n / 2}})
			if err != nil {
				return err
			}
			ps, err := tx.ProcessPage(ctx, org.ID, store.ProcessFilter{PageSpec: store.PageSpec{Limit: 1, Offset: n / 2}})
			if err != nil {
				return err
			}
			rs, err := tx.ReviewPage(ctx, org.ID, store.ReviewFilter{PageSpec: store.PageSpec{Limit: 1, Offset: n / 2}})
			if err != nil {
				return err
			}
			as, err := tx.InternalAuditPage(ctx, org.ID, 0, store.PageSpec{Limit: 1, Offset: n / 2})
			if err != nil {
				return err
			}
			oneMember, oneToken, oneDelivery = ms.Items[0].UserID, ts.Items[0].ID, ds.Items[0].ID
			oneProcess, oneReview, oneAudit = ps.Items[0].ID, rs.Items[0].ID, as.Items[0].ID
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		first := store.PageSpec{Limit: 50, Count: true}
		half := store.PageSpec{Limit: 50, Offset: n / 2}
		type list struct {
			name string
			read func(tx *store.Tx) (int, int, error) // rows on the page, total
		}
		member := func(f store.MemberFilter) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				p, err := tx.MemberPage(ctx, org.ID, f)
				if err != nil {
					return 0, 0, err
				}
				return len(p.Items), p.Total, nil
			}
		}
		token := func(f store.TokenFilter) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				f.Now = tx.Now
				p, err := tx.TokenPage(ctx, org.ID, f)
				if err != nil {
					return 0, 0, err
				}
				return len(p.Items), p.Total, nil
			}
		}
		delivery := func(f store.DeliveryFilter) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				p, err := tx.DeliveryPage(ctx, org.ID, f)
				if err != nil {
					return 0, 0, err
				}
				return len(p.Items), p.Total, nil
			}
		}
		process := func(f store.ProcessFilter) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				p, err := tx.ProcessPage(ctx, org.ID, f)
				if err != nil {
					return 0, 0, err
				}
				return len(p.Items), p.Total, nil
			}
		}
		review := func(f store.ReviewFilter) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				p, err := tx.ReviewPage(ctx, org.ID, f)
				if err != nil {
					return 0, 0, err
				}
				return len(p.Items), p.Total, nil
			}
		}
		audit := func(year int, ps store.PageSpec) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				p, err := tx.InternalAuditPage(ctx, org.ID, year, ps)
				if err != nil {
					return 0, 0, err
				}
				return len(p.Items), p.Total, nil
			}
		}
		var oneRisk int64
		var halfWay store.RiskKey // the risk at n/2: a keyset page after it
		err = db.Read(ctx, func(tx *store.Tx) error {
			rs, _, err := tx.RiskPage(ctx, org.ID, store.RiskFilter{Limit: 1, Offset: n / 2})
			if err == nil {
				oneRisk, halfWay = rs[0].ID, store.RiskKey{CreatedAt: rs[0].CreatedAt, ID: rs[0].ID}
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		risk := func(f store.RiskFilter) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) {
				f.Now = tx.Now
				rs, total, err := tx.RiskPage(ctx, org.ID, f)
				if err == nil && (len(rs[0].Controls) != 2 || len(rs[0].ProcessIDs) != 1) {
					err = fmt.Errorf("risk %d links: %v %v", rs[0].ID, rs[0].Controls, rs[0].ProcessIDs)
				}
				return len(rs), total, err
			}
		}
		one := func(read func(tx *store.Tx) error) func(tx *store.Tx) (int, int, error) {
			return func(tx *store.Tx) (int, int, error) { return 1, 1, read(tx) }
		}
		for _, l := range []list{
			{"members/one", one(func(tx *store.Tx) error { _, err := tx.Membership(ctx, org.ID, oneMember); return err })},
			{"members/first-counted", member(store.MemberFilter{PageSpec: first})},
			{"members/first", member(store.MemberFilter{PageSpec: store.PageSpec{Limit: 50}})},
			{"members/half-way", member(store.MemberFilter{PageSpec: half})},
			{"members/role-counted", member(store.MemberFilter{Role: isms.RoleAuditor, PageSpec: first})},
			{"members/q-counted", member(store.MemberFilter{Query: "person 12", PageSpec: first})},
			{"tokens/one", one(func(tx *store.Tx) error { _, err := tx.TokenByID(ctx, org.ID, oneToken); return err })},
			{"tokens/first-counted", token(store.TokenFilter{PageSpec: first})},
			{"tokens/first", token(store.TokenFilter{PageSpec: store.PageSpec{Limit: 50}})},
			{"tokens/half-way", token(store.TokenFilter{PageSpec: half})},
			{"tokens/active-counted", token(store.TokenFilter{State: store.TokenActive, PageSpec: first})},
			{"deliveries/one", one(func(tx *store.Tx) error { _, err := tx.DeliveryByID(ctx, oneDelivery); return err })},
			{"deliveries/first-counted", delivery(store.DeliveryFilter{PageSpec: first})},
			{"deliveries/first", delivery(store.DeliveryFilter{PageSpec: store.PageSpec{Limit: 50}})},
			{"deliveries/half-way", delivery(store.DeliveryFilter{PageSpec: half})},
			{"deliveries/after-half-way", delivery(store.DeliveryFilter{PageSpec: store.PageSpec{Limit: 50, AfterID: oneDelivery}})},
			{"deliveries/failed-counted", delivery(store.DeliveryFilter{Status: isms.DeliveryFailed, PageSpec: first})},
			{"processes/one", one(func(tx *store.Tx) error { _, err := tx.Process(ctx, org.ID, oneProcess); return err })},
			{"processes/first-counted", process(store.ProcessFilter{PageSpec: first})},
			{"processes/first", process(store.ProcessFilter{PageSpec: store.PageSpec{Limit: 50}})},
			{"processes/half-way", process(store.ProcessFilter{PageSpec: half})},
			{"processes/q-counted", process(store.ProcessFilter{Query: "process 12", PageSpec: first})},
			{"reviews/one", one(func(tx *store.Tx) error { _, err := tx.Review(ctx, org.ID, oneReview); return err })},
			{"reviews/first-counted", review(store.ReviewFilter{PageSpec: first})},
			{"reviews/first", review(store.ReviewFilter{PageSpec: store.PageSpec{Limit: 50}})},
			{"reviews/half-way", review(store.ReviewFilter{PageSpec: half})},
			{"reviews/signed-counted", review(store.ReviewFilter{Status: isms.ReviewSigned, PageSpec: first})},
			{"audits/one", one(func(tx *store.Tx) error { _, err := tx.InternalAudit(ctx, org.ID, oneAudit); return err })},
			{"audits/all-first-counted", audit(0, first)},
			{"audits/all-half-way", audit(0, half)},
			{"audits/year-counted", audit(2025, first)},
			{"risks/one", one(func(tx *store.Tx) error { _, _, err := tx.RiskWithHistory(ctx, org.ID, oneRisk); return err })},
			{"risks/first-counted", risk(store.RiskFilter{Limit: 50})},
			{"risks/first", risk(store.RiskFilter{Limit: 50, NoCount: true})},
			{"risks/half-way-counted", risk(store.RiskFilter{Limit: 50, Offset: n / 2})},
			{"risks/half-way", risk(store.RiskFilter{Limit: 50, Offset: n / 2, NoCount: true})},
			{"risks/half-way-keyset", risk(store.RiskFilter{Limit: 50, After: &halfWay, NoCount: true})},
			{"risks/level-counted", risk(store.RiskFilter{Level: isms.LevelMedium, Limit: 50})},
		} {
			b.Run(l.name, func(b *testing.B) {
				b.ReportAllocs()
				var shown, total int
				for b.Loop() {
					err := db.Read(ctx, func(tx *store.Tx) error {
						var err error
						shown, total, err = l.read(tx)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if shown == 0 {
					b.Fatalf("an empty page (of %d)", total)
				}
				if total >= 0 {
					b.ReportMetric(float64(total), "matching")
				}
			})
		}
	})
}

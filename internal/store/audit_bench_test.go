package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// BenchmarkAuditTrail reads a page of 50 of an organisation's audit trail
// of 1,000 or 100,000 events (store.Tx.Events, as the audit trail's page
// and list-audit-events read it): the newest, the page before the event at
// n/2 (before=), and pages filtered by an entity (a sixth of the events),
// one object's history (entity and id), a rare action (one in 1,000), an
// actor (a fifth), a day half way (since and until), the newest 5,000
// events (since) and the older half (until). It prints figures
// and asserts nothing about time:
//
//	go test -run '^$' -bench AuditTrail -benchtime 20x ./internal/store/
func BenchmarkAuditTrail(b *testing.B) {
	benchOrgOfSizes(b, []int{1_000, 100_000}, func(b *testing.B, db *store.DB, org *isms.Organization, n int) {
		ctx := context.Background()
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SeedEventsForBench(ctx, org.ID, n, start) }); err != nil {
			b.Fatal(err)
		}
		if db.Engine == store.Postgres {
			if _, err := db.Writer().ExecContext(ctx, `ANALYZE audit_events`); err != nil {
				b.Fatal(err)
			}
		}
		// One read first: the connections' first statements are not the figures.
		if err := db.Read(ctx, func(tx *store.Tx) error { _, err := tx.Events(ctx, store.EventFilter{OrgID: org.ID}); return err }); err != nil {
			b.Fatal(err)
		}
		mid := start.Add(time.Duration(n/2) * time.Minute)
		dayEnd := mid.Add(24 * time.Hour)
		lastDays := start.Add(time.Duration(n-5000) * time.Minute) // the newest 5,000 events
		for _, c := range []struct {
			name string
			f    store.EventFilter
		}{
			{"newest", store.EventFilter{}},
			{"before-half-way", store.EventFilter{BeforeSeq: int64(n / 2)}},
			{"entity", store.EventFilter{Entity: "deviation"}},
			{"one-object", store.EventFilter{Entity: "risk", EntityID: "7"}},
			{"rare-action", store.EventFilter{Action: "export.download"}},
			{"actor", store.EventFilter{ActorID: 3}},
			{"one-day", store.EventFilter{Since: &mid, Until: &dayEnd}},
			{"since", store.EventFilter{Since: &lastDays}},
			{"until-half-way", store.EventFilter{Until: &mid}},
		} {
			b.Run(c.name, func(b *testing.B) {
				f := c.f
				f.OrgID, f.Limit = org.ID, 50
				benchPage(b, db, func(ctx context.Context, tx *store.Tx) (int, error) {
					es, err := tx.Events(ctx, f)
					return len(es), err
				})
			})
		}
	})
}

// BenchmarkAppendEvent is a write transaction that appends one event to
// the trail: what the trail's indexes cost every change (migration 0044
// added three). It prints figures and asserts nothing about time:
//
//	go test -run '^$' -bench AppendEvent -benchtime 3000x ./internal/store/
func BenchmarkAppendEvent(b *testing.B) {
	benchOrgOfSizes(b, []int{1}, func(b *testing.B, db *store.DB, org *isms.Organization, _ int) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			err := db.Write(ctx, func(tx *store.Tx) error {
				return tx.AppendEvent(ctx, &isms.Event{OrgID: org.ID, ActorID: int64(1 + i%5), Actor: "someone", Action: "risk.update",
					Entity: "risk", EntityID: fmt.Sprint(1 + i%500), After: `{"title":"x"}`})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

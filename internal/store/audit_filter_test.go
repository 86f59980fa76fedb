package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Every filter of the audit trail, alone and combined, paged with
// before= as the pages and the API page it, gives exactly the events an
// independent filter over the whole trail gives, newest (highest seq)
// first, on both engines: also when times do not rise with seq (two
// transactions appending out of their start order), and with another
// organisation's events beside.
func TestEventsFiltersMatchEveryEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(27001, 44))
		start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		entities, actions := []string{"risk", "record", "deviation"}, []string{"create", "update", "export.download"}
		var acme, other isms.Organization
		var all []isms.Event
		err := db.Write(ctx, func(tx *store.Tx) error {
			acme, other = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}, isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			for _, o := range []*isms.Organization{&acme, &other} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			for i := range 300 {
				org := acme.ID
				if i%7 == 0 {
					org = other.ID
				}
				// Mostly rising times, a tenth of them earlier than the event before.
				at := start.Add(time.Duration(i)*time.Hour - time.Duration(rng.IntN(10)/9)*90*time.Minute)
				e := isms.Event{OrgID: org, ActorID: int64(1 + rng.IntN(3)), Actor: "someone", Entity: entities[rng.IntN(3)],
					EntityID: fmt.Sprint(1 + rng.IntN(4)), Action: actions[rng.IntN(3)], At: at, After: "{}"}
				if err := tx.AppendEventAt(ctx, &e); err != nil {
					return err
				}
				if org == acme.ID {
					all = append(all, e)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(all, func(a, b isms.Event) int { return int(b.Seq - a.Seq) })
		day := func(d int) *time.Time { x := start.Add(time.Duration(d) * 24 * time.Hour); return &x }
		filters := []store.EventFilter{{}}
		for _, e := range entities {
			filters = append(filters, store.EventFilter{Entity: e}, store.EventFilter{Entity: e, EntityID: "2"})
		}
		for _, a := range actions {
			filters = append(filters, store.EventFilter{Action: a}, store.EventFilter{Action: a, ActorID: 2})
		}
		filters = append(filters,
			store.EventFilter{ActorID: 3},
			store.EventFilter{Since: day(4)},
			store.EventFilter{Until: day(6)},
			store.EventFilter{Since: day(3), Until: day(5)},
			store.EventFilter{Since: day(3), Until: day(5), Entity: "risk"},
			store.EventFilter{Since: day(2), Until: day(9), Action: "update", ActorID: 1},
			store.EventFilter{Since: day(20), Until: day(30)}, // after the last event: nothing
		)
		for _, f := range filters {
			var want []int64
			for _, e := range all {
				if (f.Entity == "" || e.Entity == f.Entity) && (f.EntityID == "" || e.EntityID == f.EntityID) && (f.Action == "" || e.Action == f.Action) &&
					(f.ActorID == 0 || e.ActorID == f.ActorID) && (f.Since == nil || !e.At.Before(*f.Since)) && (f.Until == nil || e.At.Before(*f.Until)) {
					want = append(want, e.Seq)
				}
			}
			var got []int64
			for page := 0; ; page++ {
				pf := f
				pf.OrgID, pf.Limit = acme.ID, 7
				if len(got) > 0 {
					pf.BeforeSeq = got[len(got)-1]
				}
				var es []isms.Event
				if err := db.Read(ctx, func(tx *store.Tx) (err error) { es, err = tx.Events(ctx, pf); return err }); err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					got = append(got, e.Seq)
				}
				if len(es) < pf.Limit || page > 100 {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("filter %s: paged %v, want %v", describe(f), got, want)
			}
		}
	})
}

func describe(f store.EventFilter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "entity=%q id=%q action=%q actor=%d", f.Entity, f.EntityID, f.Action, f.ActorID)
	if f.Since != nil {
		b.WriteString(" since=" + f.Since.Format(time.RFC3339))
	}
	if f.Until != nil {
		b.WriteString(" until=" + f.Until.Format(time.RFC3339))
	}
	return b.String()
}

// TestEventsPlans: on SQLite each filter of the audit trail seeks the index
// of migration 0044 made for it, and only a window of days sorts (its own
// events); none reads the trail from its newest event through a filter.
func TestEventsPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Engine != store.SQLite {
			return // PostgreSQL plans by statistics (BenchmarkAuditTrail measures both)
		}
		day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		next := day.AddDate(0, 0, 1)
		for _, c := range []struct {
			f           store.EventFilter
			index       string
			sortsItsOwn bool
		}{
			{store.EventFilter{}, "audit_events_org_seq_key", false},
			{store.EventFilter{BeforeSeq: 500}, "audit_events_org_seq_key", false},
			{store.EventFilter{Entity: "risk", EntityID: "7"}, "audit_events_entity_idx", false},
			{store.EventFilter{Entity: "risk", EntityID: "7", BeforeSeq: 500}, "audit_events_entity_idx", false},
			{store.EventFilter{Action: "export.download"}, "audit_events_action_idx", false},
			{store.EventFilter{ActorID: 3}, "audit_events_actor_idx", false},
			{store.EventFilter{Since: &day}, "audit_events_org_seq_key", false},
			{store.EventFilter{Since: &day, Until: &next}, "audit_events_at_idx", true},
		} {
			c.f.OrgID, c.f.Limit = 1, 50
			q, args := store.EventsQuery(db.Engine, c.f)
			plan := queryPlan(t, db, q, args...)
			if !strings.Contains(plan, c.index) || strings.Contains(plan, "TEMP B-TREE") != c.sortsItsOwn {
				t.Errorf("%s: plan %s; want %s, a sort %v", describe(c.f), plan, c.index, c.sortsItsOwn)
			}
		}
	})
}

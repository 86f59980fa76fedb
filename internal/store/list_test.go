package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Lists of records are newest first by the kind's main time, filtered by
// a period read in the organisation's zone (half-open), open or closed,
// severity and person, and paged, all by the database.
func TestListRecordsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "Europe/Helsinki"}
		at := func(s string) time.Time {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		spec, _ := isms.LookupKind(string(isms.KindIncidents))
		inc := func(ref, sev, detected, resolved string) isms.Record {
			r := isms.Record{Kind: isms.KindIncidents, Texts: map[string]string{"ref": ref, "title": "t", "severity": sev},
				Times: map[string]time.Time{}, Bools: map[string]bool{}}
			if detected != "" {
				r.Times["detected_at"] = at(detected)
			}
			if resolved != "" {
				r.Times["resolved_at"] = at(resolved)
			}
			r.Key = spec.NaturalKey(r)
			return r
		}
		tspec, _ := isms.LookupKind(string(isms.KindTraining))
		train := func(person, due string, done bool) isms.Record {
			r := isms.Record{Kind: isms.KindTraining, Texts: map[string]string{"person": person, "course": "awareness"},
				Times: map[string]time.Time{"due_at": at(due)}, Bools: map[string]bool{}}
			if done {
				r.Times["completed_at"] = at(due)
			}
			r.Key = tspec.NaturalKey(r)
			return r
		}
		recs := []isms.Record{
			inc("INC-1", "high", "2026-09-30T20:59:00Z", "2026-10-02T00:00:00Z"),     // 23:59 Helsinki: September
			inc("INC-2", "low", "2026-09-30T21:30:00Z", ""),                          // 00:30 Helsinki: October
			inc("INC-3", "high", "2026-10-31T21:59:59Z", ""),                         // 23:59:59 Helsinki (EET): October
			inc("INC-4", "critical", "2026-10-31T22:00:00Z", "2026-11-03T00:00:00Z"), // November
			inc("INC-5", "high", "", ""),                                             // not yet detected: last when newest first
			train("Alice", "2026-10-10T00:00:00Z", false),
			train("bob", "2026-10-11T00:00:00Z", true),
			train("alice", "2026-12-01T00:00:00Z", true),
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, &org); err != nil {
				return err
			}
			for i := range recs {
				if err := tx.InsertRecord(ctx, org.ID, &recs[i], 0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		period := func(s string) (time.Time, time.Time) {
			p, err := measure.ParsePeriod(s, org.Location())
			if err != nil {
				t.Fatal(err)
			}
			return p.Start, p.End
		}
		oct, nov := period("2026-10")
		q4, q4end := period("2026-Q4")
		list := func(kind isms.RecordKind, f store.RecordFilter) string {
			var out []string
			var total int
			err := db.Read(ctx, func(tx *store.Tx) error {
				rs, n, err := tx.ListRecords(ctx, org.ID, kind, f)
				for _, r := range rs {
					out = append(out, r.Texts["ref"]+r.Texts["person"])
				}
				total = n
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%s (%d)", strings.Join(out, " "), total)
		}
		for _, c := range []struct {
			name string
			kind isms.RecordKind
			f    store.RecordFilter
			want string
		}{
			{"newest first, empty last", isms.KindIncidents, store.RecordFilter{}, "INC-4 INC-3 INC-2 INC-1 INC-5 (5)"},
			{"October in Helsinki", isms.KindIncidents, store.RecordFilter{From: oct, To: nov}, "INC-3 INC-2 (2)"},
			{"Q4 in Helsinki", isms.KindIncidents, store.RecordFilter{From: q4, To: q4end}, "INC-4 INC-3 INC-2 (3)"},
			{"open", isms.KindIncidents, store.RecordFilter{Status: "open"}, "INC-3 INC-2 INC-5 (3)"},
			{"closed", isms.KindIncidents, store.RecordFilter{Status: "closed"}, "INC-4 INC-1 (2)"},
			{"open high in Q4", isms.KindIncidents, store.RecordFilter{Status: "open", Severity: "high", From: q4, To: q4end}, "INC-3 (1)"},
			{"paged", isms.KindIncidents, store.RecordFilter{Limit: 2, Offset: 1}, "INC-3 INC-2 (5)"},
			{"sorted by a column, empty last", isms.KindIncidents, store.RecordFilter{Sort: "detected_at"}, "INC-1 INC-2 INC-3 INC-4 INC-5 (5)"},
			{"sorted by id", isms.KindIncidents, store.RecordFilter{Sort: "id"}, "INC-1 INC-2 INC-3 INC-4 INC-5 (5)"},
			{"key search kept", isms.KindIncidents, store.RecordFilter{Query: "inc-4"}, "INC-4 (1)"},
			{"training by due date", isms.KindTraining, store.RecordFilter{}, "alice bob Alice (3)"},
			{"person, any case", isms.KindTraining, store.RecordFilter{Owner: "ALICE"}, "alice Alice (2)"},
			{"person and open", isms.KindTraining, store.RecordFilter{Owner: "alice", Status: "open"}, "Alice (1)"},
			{"training in October", isms.KindTraining, store.RecordFilter{From: oct, To: nov}, "bob Alice (2)"},
		} {
			if got := list(c.kind, c.f); got != c.want {
				t.Errorf("%s: got %s, want %s", c.name, got, c.want)
			}
		}
	})
}

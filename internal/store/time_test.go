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

// TestIntegerTimesMigration migrates a database to 0029, writes times as
// text exactly as the SQLite driver wrote them before (fractions of 0 to 9
// digits with trailing zeros dropped, other offsets, a "T" and "Z" form),
// migrates up and checks that each became the right integer microseconds
// on SQLite, that NULLs and integers are left alone, that every time reads
// back the same through the store on both engines, and that an audit chain
// written before the migration still verifies after it.
func TestIntegerTimesMigration(t *testing.T) {
	cases := []struct {
		text       string
		want       time.Time
		sqliteOnly bool // PostgreSQL rounds a 7th digit where pdca never wrote one
	}{
		{text: "2026-03-04 05:06:07+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)},
		{text: "2026-03-04 05:06:07.123+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 123000000, time.UTC)},
		{text: "2026-03-04 05:06:07.123456+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)},
		{text: "2026-03-04 05:06:07.000001+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 1000, time.UTC)},
		{text: "2026-03-04 05:06:07.9999+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 999900000, time.UTC)},
		{text: "2026-03-04 05:06:07.5-07:00", want: time.Date(2026, 3, 4, 12, 6, 7, 500000000, time.UTC)},
		{text: "2026-12-31 23:30:00.25+05:30", want: time.Date(2026, 12, 31, 18, 0, 0, 250000000, time.UTC)},
		{text: "2026-03-04T05:06:07.25Z", want: time.Date(2026, 3, 4, 5, 6, 7, 250000000, time.UTC)},
		{text: "1969-12-31 23:59:59+00:00", want: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
		{text: "0001-01-01 00:00:00+00:00", want: time.Time{}},
		{text: "2026-03-04 05:06:07.123456789+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC), sqliteOnly: true},
		{text: "2026-03-04 05:06:07.9999999+00:00", want: time.Date(2026, 3, 4, 5, 6, 7, 999999000, time.UTC), sqliteOnly: true},
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateTo(ctx, 29); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.Writer().ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			for i, c := range cases {
				if c.sqliteOnly && engine != store.SQLite {
					continue
				}
				slug := fmt.Sprintf("o%02d", i)
				exec(`INSERT INTO organizations (slug, name, time_zone, created_at) VALUES ($1, $1, 'UTC', $2)`, slug, c.text)
			}
			var already int64 = 1764900000123456 // 2025-12-05 02:00:00.123456 UTC
			if engine == store.SQLite {
				// A value already stored as an integer is left alone.
				exec(`INSERT INTO organizations (slug, name, time_zone, created_at) VALUES ('int', 'int', 'UTC', $1)`, already)
			}
			// A nullable column: NULL stays NULL, text is converted.
			exec(`INSERT INTO users (email, name, created_at, password_changed_at, sessions_valid_since) VALUES ('a@example.org', 'A', $1, NULL, $2)`,
				"2026-01-02 03:04:05.5+00:00", "2026-01-02 03:04:06.000002+00:00")

			// An audit chain and a record as the old code wrote them: the
			// driver's text form of a UTC time truncated to microseconds.
			var orgID int64
			if err := db.Writer().QueryRowContext(ctx, `SELECT id FROM organizations WHERE slug = 'o00'`).Scan(&orgID); err != nil {
				t.Fatal(err)
			}
			const oldFormat = "2006-01-02 15:04:05.999999999-07:00"
			at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
			prev := ""
			var seq int64
			for i, step := range []time.Duration{0, 120 * time.Millisecond, 123456 * time.Microsecond, 100 * time.Microsecond} {
				at = at.Add(step)
				seq = int64(i + 1)
				e := isms.Event{OrgID: orgID, Seq: seq, ActorID: 7, Actor: "a@example.org", Action: "test.event", Entity: "test", EntityID: fmt.Sprint(i),
					Before: "", After: `{"n":1}`, At: at, PrevHash: prev}
				e.Hash = e.ComputeHash()
				exec(`INSERT INTO audit_events (org_id, seq, actor_id, actor, action, entity, entity_id, before_json, after_json, at, prev_hash, hash)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
					e.OrgID, e.Seq, e.ActorID, e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, at.Format(oldFormat), e.PrevHash, e.Hash)
				prev = e.Hash
			}
			exec(`INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, $2, $3)`, orgID, seq, prev)
			detected := time.Date(2026, 2, 3, 4, 5, 6, 789000000, time.UTC)
			exec(`INSERT INTO rec_incidents (org_id, natural_key, ref, detected_at, resolved_at, attributes, created_at, updated_at)
				VALUES ($1, 'INC-1', 'INC-1', $2, NULL, '{}', $3, $3)`, orgID, detected.Format(oldFormat), at.Format(oldFormat))

			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}

			if engine == store.SQLite {
				for i, c := range cases {
					var typ string
					var got int64
					slug := fmt.Sprintf("o%02d", i)
					if err := db.Reader().QueryRowContext(ctx, `SELECT typeof(created_at), created_at FROM organizations WHERE slug = $1`, slug).Scan(&typ, &got); err != nil {
						t.Fatalf("%s: %v", c.text, err)
					}
					if typ != "integer" || got != c.want.UnixMicro() {
						t.Errorf("%q became %s %d, want integer %d (%s)", c.text, typ, got, c.want.UnixMicro(), c.want.Format(time.RFC3339Nano))
					}
				}
				var got int64
				if err := db.Reader().QueryRowContext(ctx, `SELECT created_at FROM organizations WHERE slug = 'int'`).Scan(&got); err != nil || got != already {
					t.Errorf("integer created_at = %d, %v; want %d unchanged", got, err, already)
				}
				var changed, valid any
				if err := db.Reader().QueryRowContext(ctx, `SELECT password_changed_at, sessions_valid_since FROM users`).Scan(&changed, &valid); err != nil {
					t.Fatal(err)
				}
				if changed != nil || valid != int64(1767323046000002) {
					t.Errorf("users times = %v, %v; want NULL, 1767323046000002", changed, valid)
				}
				var texts int
				if err := db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM audit_events WHERE typeof(at) <> 'integer')
					+ (SELECT COUNT(*) FROM rec_incidents WHERE typeof(detected_at) <> 'integer' OR typeof(created_at) <> 'integer' OR resolved_at IS NOT NULL)`).Scan(&texts); err != nil || texts != 0 {
					t.Errorf("%d audit or record times not converted (%v)", texts, err)
				}
			}

			err = db.Read(ctx, func(tx *store.Tx) error {
				for i, c := range cases {
					if c.sqliteOnly && engine != store.SQLite {
						continue
					}
					o, err := tx.OrgBySlug(ctx, fmt.Sprintf("o%02d", i))
					if err != nil {
						return err
					}
					if !o.CreatedAt.Equal(c.want) || o.CreatedAt.Location() != time.UTC {
						t.Errorf("%q reads back as %s, want %s", c.text, o.CreatedAt.Format(time.RFC3339Nano), c.want.Format(time.RFC3339Nano))
					}
				}
				events, err := tx.Events(ctx, store.EventFilter{OrgID: orgID})
				if err != nil {
					return err
				}
				if len(events) != 4 || !events[0].At.Equal(at) {
					t.Fatalf("events = %d, newest at %v; want 4, %v", len(events), events[0].At, at)
				}
				for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
					events[i], events[j] = events[j], events[i]
				}
				if p := isms.VerifyChain(orgID, events, seq, prev); p != nil {
					t.Errorf("chain written before the migration does not verify after it: %+v", p)
				}
				n := 0
				err = tx.EachRecord(ctx, orgID, isms.KindIncidents, func(r isms.Record) error {
					n++
					if got := r.Times["detected_at"]; !got.Equal(detected) {
						t.Errorf("detected_at = %v, want %v", got, detected)
					}
					if _, ok := r.Times["resolved_at"]; ok {
						t.Errorf("resolved_at set, want NULL")
					}
					return nil
				})
				if n != 1 {
					t.Errorf("%d incidents read, want 1", n)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTimesRoundTrip writes times through the store and reads them back
// equal, in UTC, on both engines; on SQLite they are stored as integer
// microseconds, so comparisons and order are the times'.
func TestTimesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		zone := time.FixedZone("X", -7*3600)
		created := time.Date(2026, 7, 8, 9, 10, 11, 123456789, zone) // stored truncated to µs
		o := &isms.Organization{Slug: "rt", Name: "RT", TimeZone: "UTC"}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateOrg(ctx, o); err != nil {
				return err
			}
			return tx.BackdateOrg(ctx, o.ID, created) // a comparison with a stored time, then a write
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.OrgBySlug(ctx, "rt")
			if err != nil {
				return err
			}
			want := created.UTC().Truncate(time.Microsecond)
			if !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
				t.Errorf("created_at = %v, want %v in UTC", got.CreatedAt, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if db.Engine == store.SQLite {
			var typ string
			var us int64
			if err := db.Reader().QueryRowContext(ctx, `SELECT typeof(created_at), created_at FROM organizations WHERE slug = 'rt'`).Scan(&typ, &us); err != nil {
				t.Fatal(err)
			}
			if typ != "integer" || us != created.UnixMicro() {
				t.Errorf("stored %s %d, want integer %d", typ, us, created.UnixMicro())
			}
		}
	})
}

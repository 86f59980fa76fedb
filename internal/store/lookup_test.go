package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestOneQueryLookups checks the lookups that every request makes in one
// query (organisation and role, token and owner) and the narrow reads of
// a deviation's page (one metric, its figures for some periods, the
// deviations of one cause), on both engines.
func TestOneQueryLookups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var org, other isms.Organization
		var member, outsider, loner isms.User
		var tok isms.Token
		err := db.Write(ctx, func(tx *store.Tx) error {
			org = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "Europe/Helsinki"}
			other = isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			member = isms.User{Email: "m@acme.test", Name: "M"}
			outsider = isms.User{Email: "o@acme.test", Name: "O"}
			loner = isms.User{Email: "l@acme.test", Name: "L"} // a member of nothing
			for _, o := range []*isms.Organization{&org, &other} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			for _, u := range []*isms.User{&member, &outsider, &loner} {
				if err := tx.CreateUser(ctx, u, ""); err != nil {
					return err
				}
			}
			if err := tx.AddMembership(ctx, &isms.Membership{OrgID: org.ID, UserID: member.ID, Role: isms.RoleAuditor}); err != nil {
				return err
			}
			if err := tx.AddMembership(ctx, &isms.Membership{OrgID: other.ID, UserID: outsider.ID, Role: isms.RoleAdmin}); err != nil {
				return err
			}
			tok = isms.Token{OrgID: org.ID, UserID: member.ID, Name: "ci", Scope: isms.ScopeRead}
			if err := tx.CreateToken(ctx, &tok, "hash-1"); err != nil {
				return err
			}
			for _, def := range []string{`{"v":1}`, `{"v":2}`} {
				if err := tx.AddMetricVersion(ctx, &store.MetricDefinition{OrgID: org.ID, Key: "m1", Definition: def, ChangedBy: "t"}); err != nil {
					return err
				}
			}
			for _, p := range []string{"2026-09", "2026-10", "2026-11"} {
				if err := tx.SaveMeasurement(ctx, &store.Measurement{OrgID: org.ID, Key: "m1", Period: p, Status: "green", AsOf: tx.Now}); err != nil {
					return err
				}
			}
			// The same metric and period in another organisation.
			if err := tx.SaveMeasurement(ctx, &store.Measurement{OrgID: other.ID, Key: "m1", Period: "2026-10", Status: "red", AsOf: tx.Now}); err != nil {
				return err
			}
			for i, c := range []struct {
				cat     string
				process int64
			}{{"process", 0}, {"process", 0}, {"process", 7}, {"people", 0}} {
				d := isms.Deviation{OrgID: org.ID, Ref: "DEV-" + string(rune('A'+i)), Title: "d", Kind: "minor", Source: "complaint",
					Severity: "low", Status: isms.DevOpen, DetectedAt: tx.Now.Add(time.Duration(i) * time.Hour), Category: c.cat, ProcessID: c.process}
				if err := tx.InsertDeviation(ctx, &d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		roles := []struct {
			slug   string
			user   int64
			role   isms.Role
			errors string
		}{
			{"acme", member.ID, isms.RoleAuditor, ""},
			{"acme", outsider.ID, "", ""}, // a member of another organisation only
			{"acme", 0, "", ""},           // the system principal has no membership
			{"other", outsider.ID, isms.RoleAdmin, ""},
			{"nope", member.ID, "", isms.ENOTFOUND},
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			for _, c := range roles {
				o, role, err := tx.OrgAndRole(ctx, c.slug, c.user)
				if isms.ErrorCode(err) != c.errors || role != c.role || (err == nil && (o.Slug != c.slug || o.TimeZone == "")) {
					t.Errorf("OrgAndRole(%s, %d) = %+v, %q, %v", c.slug, c.user, o, role, err)
				}
			}
			s, err := tx.TokenForSignIn(ctx, "hash-1")
			if err != nil || s.Token.ID != tok.ID || s.Token.Scope != isms.ScopeRead || s.Email != member.Email || !s.Member {
				t.Errorf("TokenForSignIn = %+v, %v", s, err)
			}
			if _, err := tx.TokenForSignIn(ctx, "hash-2"); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("unknown hash: %v", err)
			}
			if d, err := tx.CurrentMetric(ctx, org.ID, "m1"); err != nil || d.Version != 2 || d.Definition != `{"v":2}` {
				t.Errorf("CurrentMetric = %+v, %v", d, err)
			}
			for _, o := range []int64{org.ID, other.ID} {
				if _, err := tx.CurrentMetric(ctx, o, map[int64]string{org.ID: "m2", other.ID: "m1"}[o]); isms.ErrorCode(err) != isms.ENOTFOUND {
					t.Errorf("CurrentMetric of a missing metric: %v", err)
				}
			}
			ms, err := tx.MeasurementsOf(ctx, org.ID, "m1", "2026-11", "2026-09", "2025-01")
			if err != nil || len(ms) != 2 || ms[0].Period != "2026-09" || ms[1].Period != "2026-11" || ms[0].Status != "green" {
				t.Errorf("MeasurementsOf = %+v, %v", ms, err)
			}
			if ms, err := tx.MeasurementsOf(ctx, other.ID, "m1", "2026-10"); err != nil || len(ms) != 1 || ms[0].Status != "red" {
				t.Errorf("MeasurementsOf (other organisation) = %+v, %v", ms, err)
			}
			ds, err := tx.DeviationsWithCause(ctx, org.ID, "process", 0)
			if err != nil || len(ds) != 2 || ds[0].Ref != "DEV-B" || ds[1].Ref != "DEV-A" {
				t.Errorf("DeviationsWithCause = %+v, %v", ds, err)
			}
			if ds, err := tx.DeviationsWithCause(ctx, other.ID, "process", 0); err != nil || len(ds) != 0 {
				t.Errorf("DeviationsWithCause (other organisation) = %+v, %v", ds, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The same lookups in one statement each, outside a transaction.
		var version string
		_ = db.Read(ctx, func(tx *store.Tx) error {
			version, err = tx.DataVersion(ctx, org.ID)
			return err
		})
		err = db.ReadOne(ctx, func(tx *store.Tx) error {
			for _, c := range roles {
				o, role, v, err := tx.OrgAccess(ctx, c.slug, c.user)
				if isms.ErrorCode(err) != c.errors || role != c.role || (err == nil && (o.Slug != c.slug || o.TimeZone == "")) {
					t.Errorf("OrgAccess(%s, %d) = %+v, %q, %v", c.slug, c.user, o, role, err)
				}
				if c.slug == "acme" && v != version {
					t.Errorf("OrgAccess version %q, DataVersion %q", v, version)
				}
			}
			u, ms, err := tx.UserAndMemberships(ctx, member.ID)
			if err != nil || u.Email != member.Email || len(ms) != 1 || ms[0].OrgSlug != "acme" || ms[0].Role != isms.RoleAuditor ||
				ms[0].OrgTimeZone != "Europe/Helsinki" || ms[0].Email != member.Email || ms[0].CreatedAt.IsZero() {
				t.Errorf("UserAndMemberships(member) = %+v, %+v, %v", u, ms, err)
			}
			if u, ms, err := tx.UserAndMemberships(ctx, loner.ID); err != nil || u.Name != "L" || len(ms) != 0 {
				t.Errorf("UserAndMemberships(loner) = %+v, %+v, %v", u, ms, err)
			}
			if _, _, err := tx.UserAndMemberships(ctx, loner.ID+100); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("UserAndMemberships(unknown) = %v", err)
			}
			if err := tx.RemoveMembership(ctx, org.ID, member.ID); err == nil {
				t.Error("ReadOne allowed a write")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// A token whose owner left its organisation is no longer a member's.
		err = db.Write(ctx, func(tx *store.Tx) error { return tx.RemoveMembership(ctx, org.ID, member.ID) })
		if err != nil {
			t.Fatal(err)
		}
		_ = db.Read(ctx, func(tx *store.Tx) error {
			if s, err := tx.TokenForSignIn(ctx, "hash-1"); err != nil || s.Member {
				t.Errorf("TokenForSignIn after leaving = %+v, %v", s, err)
			}
			return nil
		})
	})
}

// TestDeviationPage pages and filters the register of deviations in the
// database: newest first, the total of all that match, overdue as the
// domain defines it, one organisation only.
func TestDeviationPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		var org, other isms.Organization
		var all []isms.Deviation
		err := db.Write(ctx, func(tx *store.Tx) error {
			org = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}
			other = isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			for _, o := range []*isms.Organization{&org, &other} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			past, future := now.Add(-time.Hour), now.Add(time.Hour)
			for i := range 7 {
				d := isms.Deviation{OrgID: org.ID, Ref: fmt.Sprintf("DEV-%d", i), Title: "d", Kind: "minor", Source: "complaint",
					Severity: "low", Status: isms.DevOpen, DetectedAt: now.AddDate(0, 0, -i)}
				switch i {
				case 1: // overdue
					d.DueAt = &past
				case 2: // due later
					d.DueAt = &future
				case 3: // past due but closed: not overdue
					d.DueAt, d.Status = &past, isms.DevClosed
				}
				if err := tx.InsertDeviation(ctx, &d); err != nil {
					return err
				}
				all = append(all, d)
			}
			d := isms.Deviation{OrgID: other.ID, Ref: "DEV-X", Title: "x", Kind: "minor", Source: "complaint", Severity: "low",
				Status: isms.DevOpen, DetectedAt: now, DueAt: &past}
			return tx.InsertDeviation(ctx, &d)
		})
		if err != nil {
			t.Fatal(err)
		}
		refs := func(ds []isms.Deviation) string {
			var out []string
			for _, d := range ds {
				out = append(out, d.Ref)
			}
			return strings.Join(out, ",")
		}
		_ = db.Read(ctx, func(tx *store.Tx) error {
			for _, c := range []struct {
				f     store.DeviationFilter
				want  string
				total int
			}{
				{store.DeviationFilter{}, "DEV-0,DEV-1,DEV-2,DEV-3,DEV-4,DEV-5,DEV-6", 7},
				{store.DeviationFilter{Limit: 3}, "DEV-0,DEV-1,DEV-2", 7},
				{store.DeviationFilter{Limit: 3, Offset: 3}, "DEV-3,DEV-4,DEV-5", 7},
				{store.DeviationFilter{Limit: 3, Offset: 6}, "DEV-6", 7},
				{store.DeviationFilter{Limit: 3, Offset: 9}, "", 7},
				{store.DeviationFilter{Status: "closed"}, "DEV-3", 1},
				{store.DeviationFilter{Status: "overdue", Now: now}, "DEV-1", 1},
				{store.DeviationFilter{Status: "overdue", Now: now.Add(2 * time.Hour), Limit: 1}, "DEV-1", 2},
				{store.DeviationFilter{Status: "no such status"}, "", 0},
			} {
				ds, total, err := tx.DeviationPage(ctx, org.ID, c.f)
				if err != nil || refs(ds) != c.want || total != c.total {
					t.Errorf("DeviationPage(%+v) = %s (%d in all), %v; want %s (%d)", c.f, refs(ds), total, err, c.want, c.total)
				}
				// The domain's own rule agrees with the query's.
				if c.f.Status == "overdue" && c.f.Limit == 0 {
					var want []isms.Deviation
					for _, d := range all {
						if d.Overdue(c.f.Now) {
							want = append(want, d)
						}
					}
					if refs(want) != c.want {
						t.Errorf("isms.Deviation.Overdue says %s, the query %s", refs(want), c.want)
					}
				}
			}
			return nil
		})
	})
}

package store_test

import (
	"context"
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
		var member, outsider isms.User
		var tok isms.Token
		err := db.Write(ctx, func(tx *store.Tx) error {
			org = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "Europe/Helsinki"}
			other = isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			member = isms.User{Email: "m@acme.test", Name: "M"}
			outsider = isms.User{Email: "o@acme.test", Name: "O"}
			for _, o := range []*isms.Organization{&org, &other} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			for _, u := range []*isms.User{&member, &outsider} {
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
		err = db.Read(ctx, func(tx *store.Tx) error {
			for _, c := range []struct {
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
			} {
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

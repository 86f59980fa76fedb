package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// A period is read in the organisation's zone, half-open.
func TestPeriodRange(t *testing.T) {
	org := &isms.Organization{TimeZone: "Europe/Helsinki"}
	for _, c := range []struct {
		period   string
		from, to string
		bad      bool
	}{
		{"2026-10", "2026-09-30T21:00:00Z", "2026-10-31T22:00:00Z", false}, // EEST to EET
		{"2026-q4", "2026-09-30T21:00:00Z", "2026-12-31T22:00:00Z", false},
		{"", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", false},
		{"2026-13", "", "", true},
		{"October", "", "", true},
		{"2026-Q5", "", "", true},
	} {
		from, to, err := app.PeriodRange(org, c.period)
		if c.bad {
			if isms.ErrorCode(err) != isms.EINVALID {
				t.Errorf("%q: %v, want EINVALID", c.period, err)
			}
			continue
		}
		if err != nil || from.Format(time.RFC3339) != c.from || to.Format(time.RFC3339) != c.to {
			t.Errorf("%q: [%s, %s) %v, want [%s, %s)", c.period, from.Format(time.RFC3339), to.Format(time.RFC3339), err, c.from, c.to)
		}
	}
}

// The register is paged by the database, newest first, with each risk's
// links read for the page; the owner filter and the heat map of the whole
// register hold on every page.
func TestRiskRegisterPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		proc := mustRiskProcess(t, f, "Backups")
		owner := string(isms.RoleProcessOwner) + "@acme.example"
		for i := range 55 {
			rf := app.RiskFields{Asset: fmt.Sprintf("asset %02d", i), Threat: "loss", Treatment: isms.TreatModify, Plan: "plan"}
			if i == 0 {
				rf.ProcessIDs, rf.Controls = []int64{proc}, []string{"A.8.13", "A.5.1"}
			}
			if i%10 == 0 {
				rf.OwnerEmail = owner
			}
			mustRisk(t, f, rf, 1+i%5, 1+(i/5)%5)
		}
		viewer := f.members[isms.RoleViewer]
		reg, err := f.app.Risks(ctx, viewer, "acme", app.RiskFilter{Limit: 50})
		if err != nil || len(reg.Risks) != 50 || reg.Matching != 55 || reg.Total != 55 || reg.Risks[0].Asset != "asset 54" {
			t.Fatalf("first page: %d risks of %d (%d), first %v, %v", len(reg.Risks), reg.Matching, reg.Total, reg.Risks[0].Asset, err)
		}
		cells := 0
		for _, row := range reg.HeatMap {
			for _, c := range row.Cells {
				cells += c.Count
			}
		}
		if cells != 55 {
			t.Errorf("heat map counts %d risks, want the whole register, 55", cells)
		}
		reg, err = f.app.Risks(ctx, viewer, "acme", app.RiskFilter{Limit: 50, Offset: 50})
		if err != nil || len(reg.Risks) != 5 {
			t.Fatalf("second page: %d, %v", len(reg.Risks), err)
		}
		first := reg.Risks[4]
		slices.Sort(first.Controls)
		if first.Asset != "asset 00" || !slices.Equal(first.Controls, []string{"A.5.1", "A.8.13"}) || !slices.Equal(first.ProcessIDs, []int64{proc}) {
			t.Errorf("oldest risk on the last page: %s, controls %v, processes %v", first.Asset, first.Controls, first.ProcessIDs)
		}
		for _, r := range reg.Risks[:4] {
			if len(r.Controls) != 0 || len(r.ProcessIDs) != 0 {
				t.Errorf("%s has links it was not given: %v %v", r.Asset, r.Controls, r.ProcessIDs)
			}
		}
		reg, err = f.app.Risks(ctx, viewer, "acme", app.RiskFilter{Owner: "PROCESS_OWNER@acme.example"})
		if err != nil || reg.Matching != 6 || len(reg.Risks) != 6 || reg.Risks[0].Asset != "asset 50" {
			t.Errorf("owner filter: %d risks, %v", reg.Matching, err)
		}
		if _, err := f.app.Risks(ctx, viewer, "acme", app.RiskFilter{Level: "severe"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("unknown level: %v, want EINVALID", err)
		}
		reg, err = f.app.Risks(ctx, viewer, "acme", app.RiskFilter{Treatment: "none"})
		if err != nil || reg.Matching != 0 {
			t.Errorf("treatment none: %d, %v", reg.Matching, err)
		}
	})
}

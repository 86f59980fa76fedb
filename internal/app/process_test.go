package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func TestProcessUseCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		owner := f.members[isms.RoleProcessOwner]
		p, err := app.ProcessFromTemplate("access", owner.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.CreateProcess(ctx, owner, "acme", p); err != nil {
			t.Fatalf("create: %v", err)
		}
		for _, tt := range []struct {
			name   string
			p      app.Principal
			change func(*isms.Process)
			code   string
		}{
			{"viewer may not", f.members[isms.RoleViewer], func(*isms.Process) {}, isms.EFORBIDDEN},
			{"auditor may not", f.members[isms.RoleAuditor], func(*isms.Process) {}, isms.EFORBIDDEN},
			{"other org's admin sees nothing", other.members[isms.RoleAdmin], func(*isms.Process) {}, isms.ENOTFOUND},
			{"owner from another org", f.members[isms.RoleAdmin], func(p *isms.Process) { p.OwnerID = other.members[isms.RoleAdmin].UserID }, isms.EINVALID},
			{"unknown metric", f.members[isms.RoleAdmin], func(p *isms.Process) { p.Metrics = []string{"no-such-metric"} }, isms.EINVALID},
			{"same name", f.members[isms.RoleAdmin], func(*isms.Process) {}, isms.ECONFLICT},
			{"isms manager may", f.members[isms.RoleISMSManager], func(p *isms.Process) { p.Name = "Access granting" }, ""},
		} {
			q, _ := app.ProcessFromTemplate("access", owner.UserID)
			tt.change(q)
			err := f.app.CreateProcess(ctx, tt.p, "acme", q)
			if got := isms.ErrorCode(err); got != tt.code {
				t.Errorf("%s: code %q, want %q (%v)", tt.name, got, tt.code, err)
			}
		}
		// Rescoring moves the process to the top and is audited.
		p.Impact, p.Recurrence, p.Risk = 5, 5, 5
		if err := f.app.UpdateProcess(ctx, owner, "acme", p); err != nil {
			t.Fatal(err)
		}
		ps, err := f.app.Processes(ctx, f.members[isms.RoleViewer], "acme")
		if err != nil || len(ps) != 2 || ps[0].ID != p.ID || ps[0].Score() != 125 {
			t.Fatalf("register order: %v %v", ps, err)
		}
		evs, err := f.app.Events(ctx, f.members[isms.RoleAuditor], "acme", store.EventFilter{Entity: "process"})
		if err != nil || len(evs) != 3 || evs[0].Action != "process.update" || !strings.Contains(evs[0].Before, `"Impact":3`) {
			t.Errorf("audit: %d events, %v", len(evs), err)
		}
		if _, err := f.app.Process(ctx, other.members[isms.RoleAdmin], "beta", p.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("other org reads the process by id: %v", err)
		}
	})
}

func TestCycleBaselineAndDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme") // Europe/Helsinki
		admin := f.members[isms.RoleAdmin]
		owner := f.members[isms.RoleProcessOwner]
		// September: one removal late (red); the removals of the current
		// and last month are all on time.
		now := time.Now().UTC()
		last := now.AddDate(0, -1, 0).Format("2006-01")
		mustImport(t, f.app, admin, "acme", isms.KindAccessRemovals, `person,system,employment_ended_at,access_removed_at
ann,erp,2026-09-10T08:00:00Z,2026-09-13T08:00:00Z
ben,erp,2026-09-11T08:00:00Z,2026-09-11T09:00:00Z
cid,erp,`+last+`-10T08:00:00Z,`+last+`-10T09:00:00Z
`, false)
		var ids []int64
		for _, key := range []string{"access", "incident", "backup"} {
			p, _ := app.ProcessFromTemplate(key, owner.UserID)
			if err := f.app.CreateProcess(ctx, admin, "acme", p); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		start := time.Date(2026, 10, 1, 0, 0, 0, 0, f.org.Location())
		c := &isms.Cycle{Name: "Q4", Start: start, End: start.AddDate(0, 0, 89), Goals: "remove access on time", ProcessIDs: ids}
		if err := f.app.CreateCycle(ctx, owner, "acme", c); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("process owner starts a cycle: %v", err)
		}
		bad := *c
		bad.ProcessIDs = []int64{ids[0], 999999}
		if err := f.app.CreateCycle(ctx, admin, "acme", &bad); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("unknown process: %v", err)
		}
		if err := f.app.CreateCycle(ctx, admin, "acme", c); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.RecomputeMetrics(ctx, f.org.ID); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Cycle(ctx, f.members[isms.RoleViewer], "acme", c.ID)
		if err != nil || len(v.Processes) != 3 {
			t.Fatalf("cycle view: %+v %v", v, err)
		}
		access := v.Processes[0]
		if len(access.Baseline) != 1 || access.Baseline[0].Period != "2026-09" || access.Baseline[0].Status != "red" || *access.Baseline[0].Value != 50 {
			t.Errorf("baseline = %+v, want access-removal 2026-09 red 50", access.Baseline)
		}
		if len(access.Now) != 1 || access.Now[0].Period != last || access.Now[0].Status != "green" {
			t.Errorf("now = %+v, want access-removal %s green", access.Now, last)
		}
		d, err := f.app.Dashboard(ctx, owner, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Mine) != 3 || d.LatestCycle == nil || d.LatestCycle.ID != c.ID || d.RestoreTestDue == nil || d.RestoreTestDone {
			t.Errorf("dashboard: mine %d, cycle %v, restore due %v done %v", len(d.Mine), d.LatestCycle, d.RestoreTestDue, d.RestoreTestDone)
		}
		if d.Counts["green"]+d.Counts["red"]+d.Counts["yellow"]+d.Counts["grey"] != 9 {
			t.Errorf("counts %v do not cover the 9 metrics", d.Counts)
		}
	})
}

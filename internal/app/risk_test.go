package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// riskClock pins the database's clock; advance moves it on.
type riskClock struct{ now time.Time }

func (c *riskClock) set(db *store.DB) { db.Now = func() time.Time { return c.now } }

// mustRiskProcess creates a process in the fixture's organisation.
func mustRiskProcess(t *testing.T, f *fixture, name string) int64 {
	t.Helper()
	owner := f.members[isms.RoleProcessOwner]
	p := &isms.Process{Name: name, OwnerID: owner.UserID, Trigger: "an employment ends", Deadline: "24 h", Impact: 3, Recurrence: 3, Risk: 3}
	if err := f.app.CreateProcess(context.Background(), f.members[isms.RoleAdmin], f.org.Slug, p); err != nil {
		t.Fatalf("create process: %v", err)
	}
	return p.ID
}

func mustRisk(t *testing.T, f *fixture, rf app.RiskFields, l, i int) *isms.Risk {
	t.Helper()
	r, err := f.app.CreateRisk(context.Background(), f.members[isms.RoleISMSManager], f.org.Slug, rf, l, i, "")
	if err != nil {
		t.Fatalf("create risk: %v", err)
	}
	return r
}

func TestRiskLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := &riskClock{now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
		clock.set(db)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		proc := mustRiskProcess(t, f, "Access management")
		owner := f.members[isms.RoleProcessOwner]

		r, err := f.app.CreateRisk(ctx, owner, "acme", app.RiskFields{Asset: "customer database", Threat: "ransomware", Vulnerability: "flat network",
			Treatment: isms.TreatModify, Plan: "offline backups", Controls: []string{"A.8.13", " A.8.7", "A.8.13"}, ProcessIDs: []int64{proc}}, 4, 4, "")
		if err != nil {
			t.Fatal(err)
		}
		if r.Ref() != "R-001" || r.Score() != 16 || r.Level() != isms.LevelHigh || r.OwnerID != owner.UserID {
			t.Errorf("created %+v", r)
		}
		if want := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC); !r.NextReview.Equal(want) {
			t.Errorf("next review %v, want %v (high: 3 months)", r.NextReview, want)
		}
		d, err := f.app.Risk(ctx, f.members[isms.RoleViewer], "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Risk.Controls) != 2 || d.Risk.Controls[0] != "A.8.13" || len(d.Risk.ProcessIDs) != 1 || d.Risk.ProcessIDs[0] != proc {
			t.Errorf("links %v %v", d.Risk.Controls, d.Risk.ProcessIDs)
		}
		if len(d.History) != 1 || d.History[0].Score != 16 || d.History[0].Note != "initial assessment" || d.History[0].Actor != owner.Label {
			t.Errorf("history %+v", d.History)
		}

		// Reassess a month later: lower score, so 6 months from now.
		clock.now = clock.now.AddDate(0, 1, 0)
		if _, err := f.app.ReassessRisk(ctx, owner, "acme", r.ID, 2, 3, " "); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("reassess without note: %v", err)
		}
		if _, err := f.app.ReassessRisk(ctx, owner, "acme", r.ID, 6, 3, "x"); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("reassess with likelihood 6: %v", err)
		}
		if _, err := f.app.ReassessRisk(ctx, f.members[isms.RoleAuditor], "acme", r.ID, 2, 3, "x"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("auditor reassesses: %v", err)
		}
		if _, err := f.app.ReassessRisk(ctx, owner, "acme", 999, 2, 3, "x"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("reassess a missing risk: %v", err)
		}
		r2, err := f.app.ReassessRisk(ctx, owner, "acme", r.ID, 2, 3, "backups tested offline")
		if err != nil {
			t.Fatal(err)
		}
		if r2.Level() != isms.LevelMedium || !r2.NextReview.Equal(time.Date(2026, 10, 10, 9, 0, 0, 0, time.UTC)) || !r2.AssessedAt.Equal(clock.now) {
			t.Errorf("reassessed: %s next %v assessed %v", r2.Level(), r2.NextReview, r2.AssessedAt)
		}
		d, _ = f.app.Risk(ctx, owner, "acme", r.ID)
		if len(d.History) != 2 || d.History[1].Score != 6 || d.History[1].Note != "backups tested offline" || d.History[0].Score != 16 {
			t.Errorf("history %+v", d.History)
		}

		// The changes of the month of the reassessment: one, from 16 to 6.
		changes, err := f.app.RiskChanges(ctx, f.members[isms.RoleManagement], "acme", clock.now.AddDate(0, 0, -1), clock.now.Add(time.Second))
		if err != nil || len(changes) != 1 || changes[0].Before == nil || changes[0].Before.Score != 16 || changes[0].After.Score != 6 || changes[0].Risk.ID != r.ID {
			t.Errorf("changes %+v, %v", changes, err)
		}
		all, _ := f.app.RiskChanges(ctx, f.members[isms.RoleManagement], "acme", clock.now.AddDate(-1, 0, 0), clock.now.AddDate(1, 0, 0))
		if len(all) != 2 || all[0].Before != nil || all[1].Before == nil {
			t.Errorf("all changes %+v", all)
		}

		// Update changes the description, not the score.
		up, err := f.app.UpdateRisk(ctx, owner, "acme", r.ID, app.RiskFields{Asset: "customer database", Threat: "ransomware", Treatment: isms.TreatAccept,
			OwnerEmail: f.members[isms.RoleISMSManager].Label})
		if err != nil {
			t.Fatal(err)
		}
		if up.Score() != 6 || up.OwnerID != f.members[isms.RoleISMSManager].UserID || len(up.Controls) != 0 || len(up.ProcessIDs) != 0 {
			t.Errorf("updated %+v", up)
		}
		if _, err := f.app.UpdateRisk(ctx, owner, "acme", r.ID, app.RiskFields{Asset: "x", Threat: "y", OwnerEmail: "nobody@acme.example"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("owner not a member: %v", err)
		}
		if _, err := f.app.CreateRisk(ctx, f.members[isms.RoleViewer], "acme", app.RiskFields{Asset: "x", Threat: "y"}, 1, 1, ""); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer creates: %v", err)
		}
		if _, err := f.app.CreateRisk(ctx, app.System, "acme", app.RiskFields{Asset: "x", Threat: "y"}, 1, 1, ""); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("no owner: %v", err)
		}
		if r3 := mustRisk(t, f, app.RiskFields{Asset: "laptops", Threat: "theft"}, 1, 1); r3.Ref() != "R-002" {
			t.Errorf("second risk is %s", r3.Ref())
		}

		events, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "risk", EntityID: "R-001"})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range events {
			actions[e.Action]++
		}
		if actions["risk.create"] != 1 || actions["risk.reassess"] != 1 || actions["risk.update"] != 1 {
			t.Errorf("audit events %v", actions)
		}
	})
}

func TestRiskIntervalsAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := &riskClock{now: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
		clock.set(db)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		st, err := f.app.RiskStats(ctx, f.members[isms.RoleViewer], "acme")
		if err != nil || st.Total != 0 || st.NextReassessment != nil || len(st.ByLevel) != 4 {
			t.Fatalf("empty stats %+v, %v", st, err)
		}
		crit := mustRisk(t, f, app.RiskFields{Asset: "payments", Threat: "fraud"}, 5, 5)                                           // untreated
		mustRisk(t, f, app.RiskFields{Asset: "web shop", Threat: "DDoS", Treatment: isms.TreatShare, Plan: "CDN contract"}, 3, 4)  // high, treated
		mustRisk(t, f, app.RiskFields{Asset: "office", Threat: "flood", Treatment: isms.TreatAccept}, 3, 3)                        // medium
		mustRisk(t, f, app.RiskFields{Asset: "printer", Threat: "jam", Treatment: isms.TreatAccept, Justification: "cheap"}, 1, 2) // low
		mustRisk(t, f, app.RiskFields{Asset: "HR files", Threat: "leak", Treatment: isms.TreatModify}, 2, 5)                       // high, no plan

		if err := f.app.SetReviewIntervals(ctx, f.members[isms.RoleProcessOwner], "acme", isms.DefaultReviewIntervals()); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("process owner sets intervals: %v", err)
		}
		bad := isms.ReviewIntervals{isms.LevelCritical: 6, isms.LevelHigh: 3, isms.LevelMedium: 6, isms.LevelLow: 12}
		if err := f.app.SetReviewIntervals(ctx, f.members[isms.RoleISMSManager], "acme", bad); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("critical less often than high: %v", err)
		}
		ri := isms.ReviewIntervals{isms.LevelCritical: 1, isms.LevelHigh: 2, isms.LevelMedium: 6, isms.LevelLow: 12}
		if err := f.app.SetReviewIntervals(ctx, f.members[isms.RoleISMSManager], "acme", ri); err != nil {
			t.Fatal(err)
		}
		reg, err := f.app.Risks(ctx, f.members[isms.RoleViewer], "acme", app.RiskFilter{})
		if err != nil || len(reg.Risks) != 5 || reg.Intervals[isms.LevelCritical] != 1 {
			t.Fatalf("register %+v, %v", reg, err)
		}
		// Newest first (ties by id): the critical risk, added first, is last.
		if !reg.Risks[4].NextReview.Equal(time.Date(2026, 2, 15, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("critical next review %v after the change, want a month after assessment", reg.Risks[4].NextReview)
		}

		// Three months on: critical (1) and the two high (2) are overdue.
		clock.now = clock.now.AddDate(0, 3, 0)
		st, err = f.app.RiskStats(ctx, f.members[isms.RoleViewer], "acme")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"low": 1, "medium": 1, "high": 2, "critical": 1}
		for k, v := range want {
			if st.ByLevel[k] != v {
				t.Errorf("by level %v, want %v", st.ByLevel, want)
			}
		}
		if st.Total != 5 || st.ReassessmentsOverdue != 3 || st.Untreated != 2 {
			t.Errorf("stats %+v, want 5 total, 3 overdue, 2 untreated", st)
		}
		if st.NextReassessment == nil || !st.NextReassessment.Equal(time.Date(2026, 2, 15, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("next reassessment %v", st.NextReassessment)
		}
		// The register filters: heat map cell, level, overdue, untreated.
		for _, tt := range []struct {
			f    app.RiskFilter
			want int
		}{
			{app.RiskFilter{Likelihood: 5, Impact: 5}, 1}, {app.RiskFilter{Level: isms.LevelHigh}, 2}, {app.RiskFilter{Due: true}, 3},
			{app.RiskFilter{Untreated: true}, 2}, {app.RiskFilter{Treatment: isms.TreatAccept}, 2},
		} {
			reg, err := f.app.Risks(ctx, f.members[isms.RoleViewer], "acme", tt.f)
			if err != nil || len(reg.Risks) != tt.want || reg.Total != 5 {
				t.Errorf("filter %+v: %d risks, want %d (%v)", tt.f, len(reg.Risks), tt.want, err)
			}
		}
		// Reassessing a medium accepted risk up to high makes it untreated.
		med := reg.Risks[2]
		if _, err := f.app.ReassessRisk(ctx, f.members[isms.RoleISMSManager], "acme", med.ID, 4, 4, "flood zone map changed"); err != nil {
			t.Fatal(err)
		}
		if st, _ := f.app.RiskStats(ctx, app.System, "acme"); st.Untreated != 3 || st.ByLevel["high"] != 3 {
			t.Errorf("after reassessment %+v", st)
		}
		if _, err := f.app.RiskStats(ctx, app.Principal{UserID: 9999, Label: "stranger"}, "acme"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("a non-member reads stats: %v", err)
		}
		_ = crit
	})
}

func TestRiskTenantScoping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustFixture(t, db, "alpha")
		b := mustFixture(t, db, "beta")
		ctx := context.Background()
		procB := mustRiskProcess(t, b, "Beta backups")
		procA := mustRiskProcess(t, a, "Alpha backups")
		_, err := a.app.CreateRisk(ctx, a.members[isms.RoleAdmin], "alpha", app.RiskFields{Asset: "x", Threat: "y", ProcessIDs: []int64{procB}}, 1, 1, "")
		if isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("link another organisation's process: %v, want EINVALID", err)
		}
		rA := mustRisk(t, a, app.RiskFields{Asset: "x", Threat: "y", ProcessIDs: []int64{procA}}, 1, 1)
		if _, err := a.app.UpdateRisk(ctx, a.members[isms.RoleAdmin], "alpha", rA.ID, app.RiskFields{Asset: "x", Threat: "y", ProcessIDs: []int64{procB}}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("update to another organisation's process: %v", err)
		}
		rB := mustRisk(t, b, app.RiskFields{Asset: "beta secret", Threat: "y"}, 1, 1)
		if _, err := a.app.Risk(ctx, a.members[isms.RoleAdmin], "alpha", rB.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("read B's risk through A: %v", err)
		}
		if _, err := a.app.ReassessRisk(ctx, a.members[isms.RoleAdmin], "alpha", rB.ID, 5, 5, "x"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("reassess B's risk through A: %v", err)
		}
		if _, err := a.app.Risk(ctx, a.members[isms.RoleAdmin], "beta", rB.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("A's admin reads in B: %v", err)
		}
		if _, err := a.app.UpdateSoA(ctx, a.members[isms.RoleAdmin], "alpha", isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "law",
			Status: isms.StatusPlanned, ProcessIDs: []int64{procB}}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("SoA link to B's process: %v", err)
		}
		reg, _ := a.app.Risks(ctx, a.members[isms.RoleAdmin], "alpha", app.RiskFilter{})
		if len(reg.Risks) != 1 || reg.Risks[0].Ref() != "R-001" || len(reg.Processes) != 1 || reg.Processes[0].ID != procA {
			t.Errorf("A's register %+v", reg)
		}
		if rB.Ref() != "R-001" {
			t.Errorf("numbers are per organisation: B's first is %s", rB.Ref())
		}
	})
}

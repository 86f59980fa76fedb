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

func TestInternalAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		po, mgr, viewer := f.members[isms.RoleProcessOwner], f.members[isms.RoleISMSManager], f.members[isms.RoleViewer]
		proc, err := app.ProcessFromTemplate("access", po.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.CreateProcess(ctx, app.System, "acme", proc); err != nil {
			t.Fatal(err)
		}
		in := app.AuditInput{Title: "Access audit", Clauses: []string{"9.2"}, Controls: []string{"A.5.15"}, Processes: []int64{proc.ID},
			PlannedOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), LeadEmail: po.Label}
		if _, err := f.app.CreateAudit(ctx, viewer, "acme", in); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("viewer plans an audit: %v", err)
		}
		if _, err := f.app.CreateAudit(ctx, mgr, "acme", in); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("the owner of a process in scope leads its audit without a reason: %v", err)
		}
		bad := in
		bad.Processes = []int64{proc.ID + 100}
		bad.LeadEmail = mgr.Label
		if _, err := f.app.CreateAudit(ctx, mgr, "acme", bad); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("unknown process: %v", err)
		}
		in.Override = "the only trained auditor; reviewed by the CEO"
		au, err := f.app.CreateAudit(ctx, mgr, "acme", in)
		if err != nil || au.Year != 2026 {
			t.Fatalf("audit with an override: %+v, %v", au, err)
		}
		minor, err := f.app.RaiseFinding(ctx, mgr, "acme", au.ID, "minor", "leavers keep badges")
		if err != nil || minor.Ref != "F-2026-001" || minor.DeviationID == 0 {
			t.Fatalf("minor finding: %+v, %v", minor, err)
		}
		obs, err := f.app.RaiseFinding(ctx, mgr, "acme", au.ID, "observation", "reviews are informal")
		if err != nil || obs.Ref != "F-2026-002" || obs.DeviationID != 0 {
			t.Fatalf("observation: %+v, %v", obs, err)
		}
		if _, err := f.app.RaiseFinding(ctx, mgr, "acme", au.ID, "grave", "x"); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("bad kind: %v", err)
		}
		d, err := f.app.Deviation(ctx, viewer, "acme", minor.DeviationID)
		if err != nil || d.Source != "audit_finding" || d.Kind != "minor" || d.FindingID != minor.ID || d.ProcessID != proc.ID {
			t.Fatalf("deviation of the finding: %+v, %v", d, err)
		}
		if err := f.app.CloseFinding(ctx, mgr, "acme", au.ID, minor.ID); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("closing a minor finding by hand: %v", err)
		}
		if err := f.app.CloseFinding(ctx, mgr, "acme", au.ID, obs.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.app.CloseFinding(ctx, mgr, "acme", au.ID, obs.ID); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("closing twice: %v", err)
		}
		st, err := f.app.DeviationStats(ctx, viewer, "acme")
		if err != nil || st.OpenFindings != 1 || st.OverdueFindings != 0 || st.Open != 1 {
			t.Errorf("stats = %+v, %v", st, err)
		}

		// Close the deviation through its whole path: the finding closes too.
		id := d.ID
		steps := []func() (*isms.Deviation, error){
			func() (*isms.Deviation, error) { return f.app.Transition(ctx, mgr, "acme", id, "analyse", "") },
			func() (*isms.Deviation, error) {
				return f.app.RecordRootCause(ctx, mgr, "acme", id, []string{"no checklist"}, "no leaver checklist", "process")
			},
			func() (*isms.Deviation, error) {
				return f.app.AddCorrectiveAction(ctx, mgr, "acme", id, app.ActionInput{Title: "checklist", DueAt: now})
			},
			func() (*isms.Deviation, error) { return f.app.Transition(ctx, mgr, "acme", id, "plan", "") },
			func() (*isms.Deviation, error) { return f.app.Transition(ctx, mgr, "acme", id, "start", "") },
		}
		for i, s := range steps {
			if _, err := s(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		v, _ := f.app.Deviation(ctx, mgr, "acme", id)
		if _, err := f.app.CompleteAction(ctx, mgr, "acme", id, v.Actions[0].ID, "wiki page", nil, now.AddDate(0, 0, -31)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Transition(ctx, mgr, "acme", id, "verify", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.RecordCheck(ctx, mgr, "acme", id, isms.VerdictEffective, "no badge kept since"); err != nil {
			t.Fatal(err)
		}
		got, err := f.app.Audit(ctx, viewer, "acme", au.ID)
		if err != nil || len(got.Findings) != 2 || got.Findings[0].ClosedAt == nil || !got.Findings[0].ClosedAt.Equal(now) {
			t.Fatalf("audit after closing the deviation: %+v, %v", got, err)
		}
		recs, _, err := f.app.Records(ctx, app.System, "acme", isms.KindAuditFindings, store.RecordFilter{Limit: 10})
		if err != nil || len(recs) != 2 || recs[0].Texts["audit"] != "Access audit" || recs[0].Times["closed_at"].IsZero() {
			t.Fatalf("finding records = %+v, %v", recs, err)
		}
		if err := f.app.SetAuditHeld(ctx, mgr, "acme", au.ID, now.AddDate(0, 0, 1)); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("held in the future: %v", err)
		}
		if err := f.app.SetAuditHeld(ctx, mgr, "acme", au.ID, now); err != nil {
			t.Fatal(err)
		}
		prog, err := f.app.Audits(ctx, viewer, "acme", 2026)
		if err != nil || len(prog) != 1 || prog[0].ActualOn == nil {
			t.Fatalf("programme: %+v, %v", prog, err)
		}
		if prog, _ := f.app.Audits(ctx, viewer, "acme", 2027); len(prog) != 0 {
			t.Errorf("2027 programme: %+v", prog)
		}
	})
}

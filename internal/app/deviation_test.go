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

// clock fixes the database's clock at *now.
func clock(db *store.DB, now *time.Time) { db.Now = func() time.Time { return *now } }

// devImport imports a CSV of a kind as the system.
func devImport(t *testing.T, f *fixture, kind isms.RecordKind, csv string) {
	t.Helper()
	mustImport(t, f.app, app.System, f.org.Slug, kind, csv, false)
}

// lateRemovals makes access-removal red in October 2026: one removal four
// days late.
const lateRemovals = "person,system,employment_ended_at,access_removed_at\nalice,github,2026-10-05 09:00,2026-10-09 09:00\n"

func mustRecompute(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.app.RecomputeMetrics(context.Background(), f.org.ID); err != nil {
		t.Fatalf("recompute: %v", err)
	}
}

func mustDeviations(t *testing.T, f *fixture) []isms.Deviation {
	t.Helper()
	ds, err := f.app.Deviations(context.Background(), app.System, f.org.Slug, "")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestRedMetricOpensOneDeviation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		owner := f.members[isms.RoleProcessOwner]
		if _, err := f.app.UpdateMetric(ctx, app.System, "acme", "access-removal", app.MetricChange{OwnerEmail: &owner.Label}); err != nil {
			t.Fatal(err)
		}
		devImport(t, f, isms.KindAccessRemovals, lateRemovals)
		mustRecompute(t, f)
		mustRecompute(t, f) // red twice in a row: still one deviation
		ds := mustDeviations(t, f)
		if len(ds) != 1 {
			t.Fatalf("deviations = %d, want 1: %+v", len(ds), ds)
		}
		d := ds[0]
		if d.Source != "metric" || d.MetricKey != "access-removal" || d.MetricPeriod != "2026-10" || d.OwnerID != owner.UserID || d.Status != isms.DevOpen {
			t.Errorf("deviation = %+v", d)
		}
		if d.Ref != "DEV-2026-001" || d.OpenedReason != "Access removed within 24 h of employment end was red in October 2026: 0 % is below the yellow limit 95 %." {
			t.Errorf("ref %s, reason %q", d.Ref, d.OpenedReason)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "deviation"})
		if err != nil || len(evs) != 1 || evs[0].Actor != "pdca (automatic)" || evs[0].Action != "deviation.open" {
			t.Fatalf("events = %+v, %v", evs, err)
		}
		recs, _, err := f.app.Records(ctx, app.System, "acme", isms.KindDeviations, store.RecordFilter{Limit: 10})
		if err != nil || len(recs) != 1 || recs[0].Key != d.Ref || recs[0].Texts["source"] != "metric" {
			t.Fatalf("deviation records = %+v, %v", recs, err)
		}

		// Still red a month later (November complete): the open deviation
		// stands for the metric, no second one.
		now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		devImport(t, f, isms.KindAccessRemovals, "person,system,employment_ended_at,access_removed_at\nbob,github,2026-11-05 09:00,2026-11-20 09:00\n")
		mustRecompute(t, f)
		if ds := mustDeviations(t, f); len(ds) != 1 {
			t.Fatalf("deviations after a second red month = %d, want 1", len(ds))
		}
		if _, err := f.app.Transition(ctx, app.System, "acme", d.ID, "close-observation", "x"); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("closing a minor deviation without a check: %v", err)
		}
		// Once it is closed, the next red period opens a new one; the
		// period it was opened for never again.
		mustClose(t, f, d.ID, now)
		mustRecompute(t, f)
		mustRecompute(t, f)
		ds = mustDeviations(t, f)
		if len(ds) != 2 || ds[0].MetricPeriod != "2026-11" || ds[0].Status != isms.DevOpen {
			t.Fatalf("after closing: %+v", ds)
		}
	})
}

func TestCriticalIncidentOpensDeviation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		devImport(t, f, isms.KindIncidents, "ref,title,severity,detected_at,action_started_at,resolved_at,root_cause\n"+
			"INC-1,Ransomware,critical,2026-10-01 08:00,2026-10-01 09:00,,\n"+
			"INC-2,Old,critical,2026-06-01 08:00,2026-06-01 09:00,,\n"+
			"INC-3,Phish,high,2026-10-02 08:00,2026-10-02 09:00,,\n")
		mustRecompute(t, f)
		mustRecompute(t, f)
		ds := mustDeviations(t, f)
		if len(ds) != 1 {
			t.Fatalf("deviations = %d, want 1 (INC-1 only): %+v", len(ds), ds)
		}
		d := ds[0]
		if d.Source != "incident" || d.RecordKind != "incidents" || d.RecordID == 0 || d.Kind != "major" || d.Severity != "critical" ||
			!strings.Contains(d.OpenedReason, "critical incident INC-1") || d.OwnerID != f.members[isms.RoleISMSManager].UserID {
			t.Errorf("deviation = %+v", d)
		}
	})
}

func TestDeviationLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		po, viewer := f.members[isms.RoleProcessOwner], f.members[isms.RoleViewer]
		devImport(t, f, isms.KindAccessRemovals, lateRemovals)
		mustRecompute(t, f)
		id := mustDeviations(t, f)[0].ID
		step := func(name string, err error, code string) {
			t.Helper()
			if got := isms.ErrorCode(err); got != code {
				t.Fatalf("%s: code %q, want %q (%v)", name, got, code, err)
			}
		}
		_, err := f.app.RecordCorrection(ctx, viewer, "acme", id, "x")
		step("viewer corrects", err, isms.EFORBIDDEN)
		_, err = f.app.Transition(ctx, po, "acme", id, "analyse", "")
		step("analyse", err, "")
		_, err = f.app.Transition(ctx, po, "acme", id, "plan", "")
		step("plan without root cause", err, isms.EINVALID)
		_, err = f.app.RecordCorrection(ctx, po, "acme", id, "removed alice's access")
		step("correction", err, "")
		_, err = f.app.RecordRootCause(ctx, po, "acme", id, []string{"HR told IT late", "no leaver checklist"}, "no leaver checklist", "process")
		step("root cause", err, "")
		d, err := f.app.AddCorrectiveAction(ctx, po, "acme", id, app.ActionInput{Title: "leaver checklist", DueAt: now.AddDate(0, 0, 14)})
		step("action", err, "")
		_, err = f.app.Transition(ctx, po, "acme", id, "plan", "")
		step("plan", err, "")
		_, err = f.app.Transition(ctx, po, "acme", id, "start", "")
		step("start", err, "")
		_, err = f.app.Transition(ctx, po, "acme", id, "verify", "")
		step("verify before done", err, isms.EINVALID)
		d, err = f.app.CompleteAction(ctx, po, "acme", id, d.Actions[0].ID, "checklist v1 in the wiki", nil, time.Time{})
		step("done", err, "")
		// Done on 10 November, plus 30 days: the first complete month after
		// that is January 2027, so the check is possible once January is over
		// (midnight in the organisation's zone).
		loc := f.org.Location()
		if want := time.Date(2027, 2, 1, 0, 0, 0, 0, loc); d.CheckDueAt == nil || !d.CheckDueAt.Equal(want) {
			t.Fatalf("check due %v, want %v", d.CheckDueAt, want)
		}
		_, err = f.app.Transition(ctx, po, "acme", id, "verify", "")
		step("verify", err, "")
		_, err = f.app.RecordCheck(ctx, po, "acme", id, isms.VerdictEffective, "fine")
		step("check before due", err, isms.EINVALID)

		// In December, November is complete but began before the actions
		// could take effect: the check reads January and proposes nothing yet.
		now = time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC)
		mustRecompute(t, f)
		v, err := f.app.Deviation(ctx, po, "acme", id)
		step("view", err, "")
		if ev := v.Evidence; ev.BeforePeriod != "2026-10" || ev.Before == nil || ev.Before.Status != "red" || ev.AfterPeriod != "2027-01" || ev.Complete || ev.Proposed != "" {
			t.Fatalf("evidence in December = %+v", ev)
		}

		// January over, with no leavers in it: no data, so no proposal.
		now = time.Date(2027, 2, 2, 12, 0, 0, 0, time.UTC)
		mustRecompute(t, f)
		v, err = f.app.Deviation(ctx, po, "acme", id)
		step("view", err, "")
		if ev := v.Evidence; ev.AfterPeriod != "2027-01" || ev.After == nil || ev.After.Status != "grey" || !ev.Complete || ev.Proposed != "" {
			t.Fatalf("evidence after an empty January = %+v", ev)
		}
		d, err = f.app.RecordCheck(ctx, po, "acme", id, isms.VerdictNotEffective, "no leavers yet to show it")
		step("failed check", err, "")
		if d.Status != isms.DevAnalysing || len(d.Checks) != 1 || d.Checks[0].Proposed != "" {
			t.Fatalf("after a failed check: %s, %+v", d.Status, d.Checks)
		}
		for _, tr := range []string{"plan", "start", "verify"} {
			_, err = f.app.Transition(ctx, po, "acme", id, tr, "")
			step(tr+" again", err, "")
		}
		// A January leaver imported late, who lost access the same day:
		// January is green and the check proposes "effective".
		devImport(t, f, isms.KindAccessRemovals, "person,system,employment_ended_at,access_removed_at\ncarol,github,2027-01-12 09:00,2027-01-12 15:00\n")
		mustRecompute(t, f)
		v, err = f.app.Deviation(ctx, po, "acme", id)
		step("view", err, "")
		if v.Evidence.Proposed != isms.VerdictEffective {
			t.Fatalf("evidence after a green January = %+v", v.Evidence)
		}
		d, err = f.app.RecordCheck(ctx, po, "acme", id, isms.VerdictEffective, "two leavers in time since")
		step("passed check", err, "")
		if d.Status != isms.DevClosed || d.ClosedAt == nil {
			t.Fatalf("after a passed check: %+v", d)
		}
		_, err = f.app.RecordCorrection(ctx, po, "acme", id, "more")
		step("change a closed deviation", err, isms.ECONFLICT)
		recs, _, err := f.app.Records(ctx, app.System, "acme", isms.KindDeviations, store.RecordFilter{Limit: 10})
		if err != nil || len(recs) != 1 || !recs[0].Times["closed_at"].Equal(now) {
			t.Fatalf("mirrored record = %+v, %v", recs, err)
		}
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "deviation"})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			seen[e.Action] = true
		}
		for _, a := range []string{"deviation.open", "deviation.analyse", "deviation.correction", "deviation.root_cause", "deviation.action_add",
			"deviation.plan", "deviation.start", "deviation.action_done", "deviation.verify", "deviation.check_failed", "deviation.check_passed"} {
			if !seen[a] {
				t.Errorf("no audit event %s", a)
			}
		}
		// A later deviation with the same cause category and process is
		// "seen before".
		d2, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "again", Kind: "minor", Source: "complaint", Severity: "low"})
		step("create", err, "")
		_, err = f.app.RecordRootCause(ctx, po, "acme", d2.ID, nil, "no checklist for contractors", "process")
		step("root cause 2", err, "")
		v, err = f.app.Deviation(ctx, po, "acme", d2.ID)
		if err != nil || len(v.SeenBefore) != 1 || v.SeenBefore[0].ID != id {
			t.Fatalf("seen before = %+v, %v", v.SeenBefore, err)
		}
		// Another cause category is not "seen before", and the earlier
		// deviation does not list the later one.
		d3, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "other", Kind: "minor", Source: "complaint", Severity: "low"})
		step("create", err, "")
		_, err = f.app.RecordRootCause(ctx, po, "acme", d3.ID, nil, "a supplier was late", "supplier")
		step("root cause 3", err, "")
		if v, err = f.app.Deviation(ctx, po, "acme", d3.ID); err != nil || len(v.SeenBefore) != 0 {
			t.Fatalf("seen before of another cause = %+v, %v", v.SeenBefore, err)
		}
		if v, err = f.app.Deviation(ctx, po, "acme", id); err != nil || len(v.SeenBefore) != 0 {
			t.Fatalf("seen before of the first deviation = %+v, %v", v.SeenBefore, err)
		}
	})
}

func TestCloseObservationAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		po, mgr := f.members[isms.RoleProcessOwner], f.members[isms.RoleISMSManager]
		due := now.AddDate(0, 0, -1)
		obs, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "tidy desks", Kind: "observation", Source: "observation",
			Severity: "low", DetectedAt: now.AddDate(0, 0, -40), DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "late review", Kind: "minor", Source: "complaint", Severity: "medium"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.AddCorrectiveAction(ctx, po, "acme", d.ID, app.ActionInput{Title: "overdue", DueAt: now.AddDate(0, 0, -2)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "x", Kind: "minor", Source: "complaint", Severity: "medium", DetectedAt: now.AddDate(0, 0, 1)}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("detected in the future: %v", err)
		}
		if _, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "x", Kind: "minor", Source: "complaint", Severity: "medium", ControlRef: "A.9.9"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("unknown control: %v", err)
		}
		st, err := f.app.DeviationStats(ctx, f.members[isms.RoleViewer], "acme")
		if err != nil {
			t.Fatal(err)
		}
		if st.Open != 2 || st.OpenBefore != 1 || st.OverdueActions != 1 || st.OverdueDeviations != 1 || st.ChecksDue != 0 || st.NextCheck != nil {
			t.Errorf("stats = %+v", st)
		}
		if _, err := f.app.Transition(ctx, po, "acme", obs.ID, "close-observation", "desks are tidy now"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("a process owner closes an observation without a check: %v", err)
		}
		if _, err := f.app.Transition(ctx, mgr, "acme", obs.ID, "close-observation", ""); isms.ErrorCode(err) != isms.EINVALID {
			t.Fatalf("without a reason: %v", err)
		}
		c, err := f.app.Transition(ctx, mgr, "acme", obs.ID, "close-observation", "desks are tidy now")
		if err != nil || c.Status != isms.DevClosed || c.CloseReason != "desks are tidy now" {
			t.Fatalf("close observation: %+v, %v", c, err)
		}
		if st, _ := f.app.DeviationStats(ctx, app.System, "acme"); st.Open != 1 || st.OverdueDeviations != 0 {
			t.Errorf("stats after closing = %+v", st)
		}
		if err := f.app.SetCheckAfterDays(ctx, po, "acme", 10); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("process owner sets the check delay: %v", err)
		}
		if err := f.app.SetCheckAfterDays(ctx, mgr, "acme", 10); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Deviation(ctx, po, "acme", d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CompleteAction(ctx, po, "acme", d.ID, v.Actions[0].ID, " ", nil, time.Time{}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("complete without evidence: %v", err)
		}
		if _, err := f.app.CompleteAction(ctx, po, "acme", d.ID, v.Actions[0].ID+100, "x", nil, time.Time{}); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("complete an unknown action: %v", err)
		}
		big := &store.EvidenceFile{Name: "big.bin", Content: make([]byte, app.MaxEvidenceFile+1)}
		if _, err := f.app.CompleteAction(ctx, po, "acme", d.ID, v.Actions[0].ID, "", big, time.Time{}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("a file over 5 MB: %v", err)
		}
		if _, err := f.app.CompleteAction(ctx, po, "acme", d.ID, v.Actions[0].ID, "done", nil, now.AddDate(0, 0, 1)); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("done in the future: %v", err)
		}
		file := &store.EvidenceFile{Name: `C:\scans\review.pdf`, Content: []byte("%PDF-1.7")}
		done, err := f.app.CompleteAction(ctx, po, "acme", d.ID, v.Actions[0].ID, "", file, now.AddDate(0, 0, -3))
		if err != nil || !done.CheckDueAt.Equal(now.AddDate(0, 0, 7)) || done.Actions[0].EvidenceFile != "review.pdf" {
			t.Fatalf("check due with 10 days: %v, %v", done, err)
		}
		got, err := f.app.ActionEvidenceFile(ctx, f.members[isms.RoleViewer], "acme", d.ID, v.Actions[0].ID)
		if err != nil || got.Name != "review.pdf" || string(got.Content) != "%PDF-1.7" {
			t.Fatalf("evidence file: %+v, %v", got, err)
		}
		if _, err := f.app.ActionEvidenceFile(ctx, app.System, "acme", obs.ID, v.Actions[0].ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("evidence file through another deviation: %v", err)
		}
		if _, err := f.app.AssignDeviation(ctx, po, "acme", obs.ID, mgr.Label, nil); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("assign a closed deviation: %v", err)
		}
		if _, err := f.app.AssignDeviation(ctx, po, "acme", d.ID, "nobody@acme.example", nil); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("assign to a stranger: %v", err)
		}
		later := now.AddDate(0, 0, 20)
		if a, err := f.app.AssignDeviation(ctx, po, "acme", d.ID, mgr.Label, &later); err != nil || a.OwnerID != mgr.UserID || !a.DueAt.Equal(later) {
			t.Errorf("assign: %+v, %v", a, err)
		}
		if _, err := f.app.AssignDeviation(ctx, f.members[isms.RoleAuditor], "acme", d.ID, "", nil); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("an auditor assigns: %v", err)
		}
		if _, err := f.app.Deviation(ctx, app.System, "acme", 999); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("unknown deviation: %v", err)
		}
	})
}

// mustClose takes a deviation through its whole path to closed, as the
// system, with the action done long enough ago for the check to be due
// (95 days: 30 days' wait and the whole month after it are over).
func mustClose(t *testing.T, f *fixture, id int64, now time.Time) {
	t.Helper()
	ctx := context.Background()
	p := app.System
	run := func(d *isms.Deviation, err error) *isms.Deviation {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	run(f.app.Transition(ctx, p, "acme", id, "analyse", ""))
	run(f.app.RecordRootCause(ctx, p, "acme", id, nil, "no leaver checklist", "process"))
	d := run(f.app.AddCorrectiveAction(ctx, p, "acme", id, app.ActionInput{Title: "checklist", DueAt: now}))
	run(f.app.Transition(ctx, p, "acme", id, "plan", ""))
	run(f.app.Transition(ctx, p, "acme", id, "start", ""))
	run(f.app.CompleteAction(ctx, p, "acme", id, d.Actions[0].ID, "wiki", nil, now.AddDate(0, 0, -95)))
	run(f.app.Transition(ctx, p, "acme", id, "verify", ""))
	if d := run(f.app.RecordCheck(ctx, p, "acme", id, isms.VerdictEffective, "fine")); d.Status != isms.DevClosed {
		t.Fatalf("status %s after a passed check", d.Status)
	}
}

// TestAdvanceDeviation checks that AdvanceDeviation applies the forward
// transitions the recorded facts call for, each audited, stops where a
// person must act, and is for those who may write.
func TestAdvanceDeviation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		po := f.members[isms.RoleProcessOwner]
		devImport(t, f, isms.KindAccessRemovals, lateRemovals)
		mustRecompute(t, f)
		id := mustDeviations(t, f)[0].ID
		if _, err := f.app.AdvanceDeviation(ctx, f.members[isms.RoleViewer], "acme", id); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Fatalf("a viewer advances: %v", err)
		}
		advance := func(want isms.DeviationStatus) {
			t.Helper()
			d, err := f.app.AdvanceDeviation(ctx, po, "acme", id)
			if err != nil || d.Status != want {
				t.Fatalf("advance: %v, %v; want %s", d.Status, err, want)
			}
		}
		advance(isms.DevOpen) // nothing recorded: nothing moves
		if _, err := f.app.RecordCorrection(ctx, po, "acme", id, "removed"); err != nil {
			t.Fatal(err)
		}
		advance(isms.DevAnalysing)
		if _, err := f.app.RecordRootCause(ctx, po, "acme", id, nil, "no checklist", "process"); err != nil {
			t.Fatal(err)
		}
		advance(isms.DevAnalysing) // no action yet
		d, err := f.app.AddCorrectiveAction(ctx, po, "acme", id, app.ActionInput{Title: "checklist", DueAt: now.AddDate(0, 0, 10)})
		if err != nil {
			t.Fatal(err)
		}
		advance(isms.DevActionsPlanned)
		if _, err := f.app.CompleteAction(ctx, po, "acme", id, d.Actions[0].ID, "wiki", nil, time.Time{}); err != nil {
			t.Fatal(err)
		}
		advance(isms.DevVerifying) // start and verify at once
		evs, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Entity: "deviation"})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, e := range evs {
			n[e.Action]++
		}
		for _, a := range []string{"deviation.analyse", "deviation.plan", "deviation.start", "deviation.verify"} {
			if n[a] != 1 {
				t.Errorf("%s audited %d times, want once: %v", a, n[a], n)
			}
		}
	})
}

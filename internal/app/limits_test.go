package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestFieldLimits sends one field too long to every use case that takes
// free text: each answers EINVALID naming the field and its limit, and
// nothing is stored (the organisation's audit chain does not move). Before
// issue 13 a 900 KB title was stored.
func TestFieldLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		a, sys := f.app, app.System
		owner := f.members[isms.RoleProcessOwner]
		r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), ChairID: f.members[isms.RoleManagement].UserID}
		if err := a.CreateReview(ctx, sys, "acme", r); err != nil {
			t.Fatal(err)
		}
		dev, err := a.CreateDeviation(ctx, sys, "acme", app.DeviationInput{Title: "Shared password", Kind: "minor", Source: "complaint", Severity: "high", DetectedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		name, text := strings.Repeat("é", isms.MaxName+1), strings.Repeat("x", isms.MaxText+1)
		now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		cases := []struct {
			aggregate, want string
			call            func() error
		}{
			{"deviation", "title: at most 200 characters (this one has 201)", func() error {
				_, err := a.CreateDeviation(ctx, sys, "acme", app.DeviationInput{Title: name, Kind: "minor", Source: "complaint", Severity: "high", DetectedAt: now})
				return err
			}},
			{"deviation", "description: at most 20000 characters", func() error {
				_, err := a.CreateDeviation(ctx, sys, "acme", app.DeviationInput{Title: "t", Description: text, Kind: "minor", Source: "complaint", Severity: "high", DetectedAt: now})
				return err
			}},
			{"deviation correction", "correction: at most 20000", func() error { _, err := a.RecordCorrection(ctx, sys, "acme", dev.ID, text); return err }},
			{"deviation root cause", "cause: at most 20000", func() error {
				_, err := a.RecordRootCause(ctx, sys, "acme", dev.ID, []string{"why"}, text, "process")
				return err
			}},
			{"corrective action", "title: at most 200", func() error {
				_, err := a.AddCorrectiveAction(ctx, sys, "acme", dev.ID, app.ActionInput{Title: name, DueAt: now})
				return err
			}},
			{"deviation close", "reason: at most 20000", func() error { _, err := a.Transition(ctx, sys, "acme", dev.ID, "close", text); return err }},
			{"process", "name: at most 200", func() error {
				return a.CreateProcess(ctx, sys, "acme", &isms.Process{Name: name, OwnerID: owner.UserID, Trigger: "t", Deadline: "1 d"})
			}},
			{"process", "steps: at most 20000", func() error {
				return a.CreateProcess(ctx, sys, "acme", &isms.Process{Name: "p", Steps: text, OwnerID: owner.UserID, Trigger: "t", Deadline: "1 d"})
			}},
			{"cycle", "goals: at most 20000", func() error { return a.CreateCycle(ctx, sys, "acme", &isms.Cycle{Name: "c", Goals: text}) }},
			{"risk", "asset: at most 200", func() error {
				_, err := a.CreateRisk(ctx, sys, "acme", app.RiskFields{Asset: name, Threat: "t", Vulnerability: "v", OwnerEmail: owner.Label}, 2, 2, "")
				return err
			}},
			{"risk", "plan: at most 20000", func() error {
				_, err := a.CreateRisk(ctx, sys, "acme", app.RiskFields{Asset: "a", Threat: "t", Vulnerability: "v", Plan: text, OwnerEmail: owner.Label}, 2, 2, "")
				return err
			}},
			{"risk assessment", "note: at most 20000", func() error {
				_, err := a.CreateRisk(ctx, sys, "acme", app.RiskFields{Asset: "a", Threat: "t", Vulnerability: "v", OwnerEmail: owner.Label}, 2, 2, text)
				return err
			}},
			{"internal audit", "title: at most 200", func() error {
				_, err := a.CreateAudit(ctx, sys, "acme", app.AuditInput{Title: name, PlannedOn: now})
				return err
			}},
			{"finding", "title: at most 200", func() error { _, err := a.RaiseFinding(ctx, sys, "acme", 1, "minor", name); return err }},
			{"review", "attendees: at most 20000", func() error {
				return a.CreateReview(ctx, sys, "acme", &isms.Review{Period: "2027-Q1", Attendees: text, HeldOn: now})
			}},
			{"review", "comment on metrics: at most 20000", func() error {
				return a.UpdateReview(ctx, sys, "acme", r.ID, app.ReviewEdit{Comments: map[string]string{"metrics": text}})
			}},
			{"decision", "title: at most 200", func() error {
				return a.AddDecision(ctx, sys, "acme", r.ID, &isms.ReviewAction{Kind: isms.DecisionChange, Title: name})
			}},
			{"decision", "note: at most 20000", func() error { return a.CompleteDecision(ctx, sys, "acme", r.ID, 1, text) }},
			{"metric definition", "name: at most 200", func() error {
				_, err := a.CreateMetric(ctx, sys, "acme", measure.Definition{Key: "own", Name: name, Measure: measure.MeasureManual, Frequency: measure.FrequencyMonth})
				return err
			}},
			{"metric definition", "name: at most 200", func() error {
				_, err := a.UpdateMetric(ctx, sys, "acme", "open-deviations", app.MetricChange{Name: &name})
				return err
			}},
			{"manual value", "note: at most 20000", func() error { return a.SetManualValue(ctx, sys, "acme", "x", "2026-10", 1, text) }},
			{"organisation", "name: at most 200", func() error {
				return a.CreateOrg(ctx, sys, &isms.Organization{Slug: "long", Name: name, TimeZone: "UTC"})
			}},
			{"user", "name: at most 200", func() error { return a.CreateUser(ctx, sys, &isms.User{Email: "long@acme.example", Name: name}, "") }},
			{"user", "email: at most 254", func() error {
				return a.CreateUser(ctx, sys, &isms.User{Email: strings.Repeat("a", 250) + "@acme.example", Name: "n"}, "")
			}},
			{"invitation", "email: at most 254", func() error {
				_, err := a.Invite(ctx, sys, "acme", strings.Repeat("a", 250)+"@acme.example", isms.RoleViewer)
				return err
			}},
			{"token", "name: at most 200", func() error {
				_, _, err := a.CreateToken(ctx, sys, "acme", "admin@acme.example", name, isms.ScopeRead)
				return err
			}},
		}
		before := chainLength(t, a, "acme")
		for _, tc := range cases {
			err := tc.call()
			if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want EINVALID with %q", tc.aggregate, err, tc.want)
			}
		}
		if after := chainLength(t, a, "acme"); after != before {
			t.Errorf("the audit chain moved from %d to %d events: something was stored", before, after)
		}
		if orgs, err := a.Orgs(ctx, sys); err != nil || len(orgs) != 1 {
			t.Errorf("organisations: %d %v", len(orgs), err)
		}
	})
}

func chainLength(t *testing.T, a *app.App, slug string) int64 {
	t.Helper()
	evs, err := a.Events(context.Background(), app.System, slug, store.EventFilter{Limit: 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("events: %v", err)
	}
	return evs[0].Seq
}

package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
)

// ActLoop adds what a year of ISMS work leaves besides records: a risk
// register, Statement of Applicability decisions, an internal audit with
// findings, and the last quarter's management review, signed.
func ActLoop(ctx context.Context, a *app.App, org *isms.Organization, now time.Time) error {
	sys := app.System
	risks := []struct {
		f      app.RiskFields
		l, imp int
	}{
		{app.RiskFields{Asset: "Customer database", Threat: "Former employee keeps access", Vulnerability: "Leavers' accounts removed late", Treatment: isms.TreatModify,
			Plan: "Daily leaver feed from HR", OwnerEmail: "it.lead@demo.example", Controls: []string{"A.5.18", "A.8.2"}}, 3, 5},
		{app.RiskFields{Asset: "Backups", Threat: "Ransomware", Vulnerability: "Restores not tested every quarter", Treatment: isms.TreatModify,
			Plan: "Quarterly restore tests of every critical system", OwnerEmail: "it.lead@demo.example", Controls: []string{"A.8.13"}}, 3, 4},
		{app.RiskFields{Asset: "Payroll service", Threat: "Supplier breach", Vulnerability: "Supplier not assessed this year", Treatment: isms.TreatShare,
			Plan: "Contract clause and yearly assessment", OwnerEmail: "isms@demo.example", Controls: []string{"A.5.19", "A.5.21"}}, 2, 4},
		{app.RiskFields{Asset: "Office", Threat: "Burglary", Vulnerability: "Ground-floor windows", Treatment: isms.TreatAccept,
			Justification: "Laptops are encrypted and nothing is stored on site", OwnerEmail: "isms@demo.example", Controls: []string{"A.7.1"}}, 2, 2},
	}
	for _, r := range risks {
		if _, err := a.CreateRisk(ctx, sys, org.Slug, r.f, r.l, r.imp, "initial assessment"); err != nil {
			return fmt.Errorf("demo risk: %w", err)
		}
	}
	soa := []isms.SoAEntry{
		{ControlID: "A.5.18", Applicable: true, Justification: "Risk R-001: access of leavers", Status: isms.StatusPartial},
		{ControlID: "A.8.13", Applicable: true, Justification: "Risk R-002: ransomware", Status: isms.StatusImplemented},
		{ControlID: "A.5.19", Applicable: true, Justification: "Risk R-003: suppliers", Status: isms.StatusPlanned},
		{ControlID: "A.7.1", Applicable: true, Justification: "Risk R-004: office", Status: isms.StatusImplemented},
		{ControlID: "A.8.28", Applicable: false, Justification: "No software is developed in house"},
	}
	for _, e := range soa {
		e.Catalogue = isms.CatalogueAnnexA2022
		if _, err := a.UpdateSoA(ctx, sys, org.Slug, e); err != nil {
			return fmt.Errorf("demo SoA %s: %w", e.ControlID, err)
		}
	}
	loc := org.Location()
	held := now.AddDate(0, -2, 0)
	au, err := a.CreateAudit(ctx, sys, org.Slug, app.AuditInput{Title: "Internal audit of access and suppliers", Clauses: []string{"9.1", "9.2", "10.2"},
		Controls: []string{"A.5.18", "A.5.19"}, PlannedOn: held, ActualOn: &held, LeadEmail: "auditor@demo.example"})
	if err != nil {
		return fmt.Errorf("demo audit: %w", err)
	}
	for _, f := range []struct{ kind, title string }{
		{"minor", "Two leavers' accounts were removed after 3 days"},
		{"observation", "Supplier questionnaire has no date"},
		{"opportunity", "Automate the leaver feed"},
	} {
		if _, err := a.RaiseFinding(ctx, sys, org.Slug, au.ID, f.kind, f.title); err != nil {
			return fmt.Errorf("demo finding: %w", err)
		}
	}
	// Last quarter's review, held and signed.
	q := measure.PeriodContaining(measure.FrequencyQuarter, now, loc).Prev()
	members, err := a.Members(ctx, sys, org.Slug)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, m := range members {
		ids[m.Email] = m.UserID
	}
	rv := &isms.Review{Period: q.String(), HeldOn: q.End.AddDate(0, 0, 10), ChairID: ids["ceo@demo.example"], ChairRole: "CEO",
		Attendees: "Cecilia CEO (CEO), Ilona ISMS (ISMS manager), Ivo IT Lead (IT lead)"}
	if err := a.CreateReview(ctx, sys, org.Slug, rv); err != nil {
		return fmt.Errorf("demo review: %w", err)
	}
	deadline := q.End.AddDate(0, 2, 0)
	if err := a.AddDecision(ctx, sys, org.Slug, rv.ID, &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Daily leaver feed from HR to IT",
		OwnerID: ids["it.lead@demo.example"], Deadline: &deadline}); err != nil {
		return err
	}
	if err := a.AddDecision(ctx, sys, org.Slug, rv.ID, &isms.ReviewAction{Kind: isms.DecisionChange, Title: "Add the payroll supplier to the critical suppliers"}); err != nil {
		return err
	}
	if _, err := a.MoveReview(ctx, sys, org.Slug, rv.ID, isms.ReviewHeld); err != nil {
		return err
	}
	// The chair signs.
	ceo := app.Principal{UserID: ids["ceo@demo.example"], Label: "ceo@demo.example"}
	_, err = a.MoveReview(ctx, ceo, org.Slug, rv.ID, isms.ReviewSigned)
	return err
}

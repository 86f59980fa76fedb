package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The deviations and internal audits plug into the generated tests: an
// open deviation with one planned action, and an audit with an open
// observation and a minor finding (which opened a second deviation).
func init() {
	registerAggregate(aggregate{
		name: "deviations",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			ctx := context.Background()
			d, err := a.CreateDeviation(ctx, app.System, o.Slug, app.DeviationInput{Title: "Badge access not removed at " + o.Name, Kind: "minor",
				Source: "complaint", Severity: "medium", OwnerEmail: o.users[isms.RoleProcessOwner].Email})
			if err != nil {
				t.Fatalf("create deviation: %v", err)
			}
			d, err = a.AddCorrectiveAction(ctx, app.System, o.Slug, d.ID, app.ActionInput{Title: "Revoke badges on the last day",
				OwnerEmail: o.users[isms.RoleProcessOwner].Email, DueAt: time.Now().AddDate(0, 1, 0)})
			if err != nil {
				t.Fatalf("add action: %v", err)
			}
			if d, err = a.CompleteAction(ctx, app.System, o.Slug, d.ID, d.Actions[0].ID, "badge log", &store.EvidenceFile{Name: "badges.csv", Content: []byte("badge,revoked\n17,yes\n")}, time.Time{}); err != nil {
				t.Fatalf("complete action: %v", err)
			}
			au, err := a.CreateAudit(ctx, app.System, o.Slug, app.AuditInput{Title: "ISMS audit of " + o.Name, Clauses: []string{"9.2", "10.2"},
				Controls: []string{"A.5.15"}, PlannedOn: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), LeadEmail: o.users[isms.RoleAuditor].Email})
			if err != nil {
				t.Fatalf("create audit: %v", err)
			}
			f, err := a.RaiseFinding(ctx, app.System, o.Slug, au.ID, "observation", "Audit log reviews are informal")
			if err != nil {
				t.Fatalf("raise finding: %v", err)
			}
			if _, err := a.RaiseFinding(ctx, app.System, o.Slug, au.ID, "minor", "Leavers keep badges"); err != nil {
				t.Fatalf("raise finding: %v", err)
			}
			return map[string]string{"deviations.id": id(d.ID), "deviations.aid": id(d.Actions[0].ID), "audits.id": id(au.ID), "audits.fid": id(f.ID)}
		},
		pages: map[string]pageRequest{
			"deviations":    {path: "/o/acme/deviations", want: []string{"<h1>Deviations</h1>", "Badge access not removed at Acme Oy", "Leavers keep badges", "DEV-"}},
			"deviation_new": {path: "/o/acme/deviations/new", want: []string{"Open a deviation", "opportunity", "complaint"}},
			"deviation":     {path: "/o/acme/deviations/{deviations.id}", want: []string{"Badge access not removed at Acme Oy", "Revoke badges on the last day", "badges.csv</a>", "Record the correction", `aria-current="step"`}},
			"iaudits":       {path: "/o/acme/audits?year=2026", want: []string{"Internal audits 2026", "ISMS audit of Acme Oy", "9.2, 10.2", "independent", "<td>4</td><td><strong class=\"overdue\">not covered</strong>", "<td>9</td><td>ISMS audit of Acme Oy</td>"}},
			"iaudit":        {path: "/o/acme/audits/{audits.id}", want: []string{"<h1>ISMS audit of Acme Oy</h1>", "Audit log reviews are informal", "open for 0 days", "Raise a finding"}},
			"iaudit_report": {path: "/o/acme/audits/{audits.id}/report", want: []string{"Internal audit report: ISMS audit of Acme Oy", "Independence statement", "Findings (2)"}},
		},
		bodies: map[string]jsonBody{
			"create-deviation":            `{"title":"From the API","kind":"minor","source":"complaint","severity":"low"}`,
			"set-deviation-settings":      `{"check_after_days":30}`,
			"assign-deviation":            `{"due_at":"2026-12-31T00:00:00Z"}`,
			"deviation-analyse":           `{}`,
			"deviation-plan":              `{}`,
			"deviation-start":             `{}`,
			"deviation-verify":            `{}`,
			"deviation-close":             `{}`,
			"deviation-reopen":            `{"reason":"a test"}`,
			"deviation-close-observation": `{"reason":"a test"}`,
			"record-deviation-correction": `{"correction":"contained by a test"}`,
			"record-deviation-root-cause": `{"whys":["no checklist"],"cause":"no leaver checklist","category":"process"}`,
			"add-corrective-action":       `{"title":"From the API","due_at":"2026-12-31T00:00:00Z"}`,
			"complete-corrective-action":  `{"evidence":"ticket 1"}`,
			"record-effectiveness-check":  `{"verdict":"effective","note":"a test"}`,
			"create-internal-audit":       `{"title":"From the API","clauses":["9.2"],"planned_on":"2026-09-01T00:00:00Z","lead_auditor_email":"auditor@acme.example"}`,
			"raise-audit-finding":         `{"kind":"observation","title":"From the API"}`,
		},
	})
}

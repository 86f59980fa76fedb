package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// registerActLoop plugs the Act loop (deviations, audits, risks) into the
// exports, the management review and the POA&M.
func registerActLoop(a *App) {
	for _, r := range actLoopRegisters() {
		a.OnRegister(r)
	}
	a.OnReviewInput(riskChanges)
	a.OnReviewInput(rootCauses)
	a.OnReviewInput(opportunities)
}

func actLoopRegisters() []RegisterSource {
	return []RegisterSource{
		{Name: "reviews", Title: "Management reviews and decisions", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			rs, err := tx.Reviews(ctx, o.ID)
			if err != nil {
				return nil, err
			}
			t := &export.Table{Columns: []string{"period", "held_on", "status", "attendees", "signed_at", "signed_by", "snapshot_sha256", "decision", "kind", "owner", "deadline", "decision_status", "done_at"}, Types: map[string]export.Type{"held_on": export.Time, "signed_at": export.Time, "deadline": export.Time, "done_at": export.Time}}
			for _, r := range rs {
				base := []string{r.Period, fmtTime(&r.HeldOn), string(r.Status), r.Attendees, fmtTime(r.SignedAt), r.SignedBy, r.SnapshotSHA256}
				ds, err := tx.ReviewActions(ctx, o.ID, r.ID)
				if err != nil {
					return nil, err
				}
				if len(ds) == 0 {
					t.Rows = append(t.Rows, append(base, "", "", "", "", "", ""))
				}
				for _, d := range ds {
					t.Rows = append(t.Rows, append(append([]string{}, base...), d.Title, string(d.Kind), d.OwnerName, fmtTime(d.Deadline), d.Status, fmtTime(d.DoneAt)))
				}
			}
			return t, nil
		}},
		{Name: "deviations", Title: "Deviations", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			ds, err := tx.Deviations(ctx, o.ID)
			t := &export.Table{Columns: []string{"ref", "title", "kind", "source", "severity", "status", "owner", "detected_at", "due_at", "metric", "correction",
				"root_cause", "category", "whys", "check_due_at", "closed_at", "close_reason", "opened_reason"}, Types: map[string]export.Type{"detected_at": export.Time, "due_at": export.Time, "check_due_at": export.Time, "closed_at": export.Time}}
			for _, d := range ds {
				t.Rows = append(t.Rows, []string{d.Ref, d.Title, d.Kind, d.Source, d.Severity, string(d.Status), d.OwnerName, fmtTime(&d.DetectedAt), fmtTime(d.DueAt),
					strings.Trim(d.MetricKey+" "+d.MetricPeriod, " "), d.Correction, d.RootCause, d.Category, strings.Join(d.Whys, " / "), fmtTime(d.CheckDueAt),
					fmtTime(d.ClosedAt), d.CloseReason, d.OpenedReason})
			}
			return t, err
		}},
		{Name: "corrective-actions", Title: "Corrective actions", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			ds, err := tx.Deviations(ctx, o.ID)
			t := &export.Table{Columns: []string{"deviation", "action", "owner", "deadline", "status", "done_at", "evidence", "evidence_file"}, Types: map[string]export.Type{"deadline": export.Time, "done_at": export.Time}}
			for _, d := range ds {
				acts, err := tx.CorrectiveActions(ctx, o.ID, d.ID)
				if err != nil {
					return nil, err
				}
				for _, c := range acts {
					t.Rows = append(t.Rows, []string{d.Ref, c.Title, c.OwnerName, fmtTime(&c.DueAt), c.Status, fmtTime(c.DoneAt), c.Evidence, c.EvidenceFile})
				}
			}
			return t, err
		}},
		{Name: "internal-audits", Title: "Internal audits and findings", Action: isms.ActRead, Build: func(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
			t := &export.Table{Columns: []string{"audit", "year", "planned_on", "actual_on", "lead_auditor", "independence_override", "scope", "finding", "kind", "title", "raised_at", "closed_at"}, Types: map[string]export.Type{"year": export.Number, "planned_on": export.Time, "actual_on": export.Time, "raised_at": export.Time, "closed_at": export.Time}}
			for year := tx.Now.Year() - 3; year <= tx.Now.Year()+1; year++ {
				audits, err := tx.InternalAudits(ctx, o.ID, year)
				if err != nil {
					return nil, err
				}
				for _, au := range audits {
					full, err := tx.InternalAudit(ctx, o.ID, au.ID)
					if err != nil {
						return nil, err
					}
					scope := strings.Join(append(append([]string{}, full.Clauses...), full.Controls...), " ")
					base := []string{full.Title, strconv.Itoa(full.Year), fmtTime(&full.PlannedOn), fmtTime(full.ActualOn), full.LeadName, full.Override, scope}
					if len(full.Findings) == 0 {
						t.Rows = append(t.Rows, append(base, "", "", "", "", ""))
					}
					for _, f := range full.Findings {
						t.Rows = append(t.Rows, append(append([]string{}, base...), f.Ref, f.Kind, f.Title, fmtTime(&f.RaisedAt), fmtTime(f.ClosedAt)))
					}
				}
			}
			return t, nil
		}},
	}
}

// riskChanges: changes in risks since the period began (9.3.2 b, c):
// assessments made in the period, overdue reassessments, the register
// by level.
func riskChanges(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	risks, err := tx.Risks(ctx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	in := &ReviewInput{Key: "risks", Title: "Changes in risks", Columns: []string{"Risk", "Asset", "Threat", "Score", "Level", "Treatment", "Assessed", "Next reassessment"}}
	byLevel := map[string]int{}
	overdue, changed := 0, 0
	for _, r := range risks {
		byLevel[string(r.Level())]++
		if r.Overdue(s.Now) {
			overdue++
		}
		if !s.Period.Contains(r.AssessedAt) && !r.Overdue(s.Now) {
			continue
		}
		if s.Period.Contains(r.AssessedAt) {
			changed++
		}
		in.Rows = append(in.Rows, []string{r.Ref(), r.Asset, r.Threat, strconv.Itoa(r.Score()), string(r.Level()), string(r.Treatment),
			r.AssessedAt.In(s.Org.Location()).Format(time.DateOnly), r.NextReview.In(s.Org.Location()).Format(time.DateOnly)})
	}
	var levels []string
	for _, l := range isms.RiskLevels() {
		levels = append(levels, fmt.Sprintf("%d %s", byLevel[string(l)], l))
	}
	in.Summary = fmt.Sprintf("%d risks (%s); %d assessed in %s; %d reassessments overdue.", len(risks), strings.Join(levels, ", "), changed, s.Period, overdue)
	in.Status = "green"
	if overdue > 0 {
		in.Status = "red"
	}
	if len(risks) == 0 {
		in.Summary, in.Status = "The risk register is empty.", "grey"
	}
	return in, nil
}

// rootCauses: the root causes of the deviations open during the period
// (9.3.2 c 1, 10.2), from the same list as the nonconformities input, so
// their counts agree: the rows are those of that list that pdca works.
func rootCauses(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	list, err := deviationsOpenDuring(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	in := &ReviewInput{Key: "root-causes", Title: "Deviations and their root causes", Columns: []string{"Deviation", "Title", "Grade", "Status", "Category", "Root cause"}}
	cats := map[string]int{}
	analysed := 0
	for _, od := range list {
		d := od.Worked
		if d == nil {
			continue
		}
		if d.Category != "" {
			cats[d.Category]++
		}
		if strings.TrimSpace(d.RootCause) != "" {
			analysed++
		}
		cause := d.RootCause
		if strings.TrimSpace(cause) == "" && !isms.IsNonconformity(d.Kind) {
			cause = "none needed: not a nonconformity"
		}
		in.Rows = append(in.Rows, []string{d.Ref, d.Title, isms.GradeWords(d.Kind), deviationStatusWord(d.Status), d.Category, cause})
	}
	var parts []string
	for _, c := range isms.CauseCategories {
		if cats[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", cats[c], c))
		}
	}
	in.Summary = fmt.Sprintf("Of the %s open during %s, %d %s worked in pdca, %d with a root cause", plural(len(list), "deviation", "deviations"), s.Period, len(in.Rows), isAre(len(in.Rows)), analysed)
	if len(parts) > 0 {
		in.Summary += " (" + strings.Join(parts, ", ") + ")"
	}
	in.Summary += "."
	return in, nil
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// opportunities: open opportunities for improvement (9.3.2 g).
func opportunities(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	ds, err := tx.Deviations(ctx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	in := &ReviewInput{Key: "opportunities", Title: "Opportunities for improvement", Columns: []string{"Ref", "Title", "Source", "Detected"}}
	for _, d := range ds {
		if d.Kind == "opportunity" && d.ClosedAt == nil {
			in.Rows = append(in.Rows, []string{d.Ref, d.Title, d.Source, d.DetectedAt.In(s.Org.Location()).Format(time.DateOnly)})
		}
	}
	in.Summary = fmt.Sprintf("%s for improvement open.", plural(len(in.Rows), "opportunity", "opportunities"))
	return in, nil
}

// POAM exports the organisation's open deviations with their corrective
// actions as an OSCAL 1.0.4 Plan of Action and Milestones. Requires read.
func (a *App) POAM(ctx context.Context, p Principal, slug string) ([]byte, error) {
	var out []byte
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		ds, err := tx.Deviations(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		var ncs []export.Nonconformity
		for _, d := range ds {
			if d.ClosedAt != nil {
				continue
			}
			full, err := tx.Deviation(ctx, m.Org.ID, d.ID)
			if err != nil {
				return err
			}
			nc := export.Nonconformity{Ref: full.Ref, Title: full.Title, Description: full.Description, Kind: full.Kind, Source: full.Source,
				Severity: full.Severity, Status: string(full.Status), DetectedAt: full.DetectedAt, Due: full.DueAt, Owner: full.OwnerName,
				Correction: full.Correction, CorrectedAt: full.CorrectionAt, RootCause: full.RootCause, Category: full.Category}
			for _, c := range full.Actions {
				due := c.DueAt
				nc.Actions = append(nc.Actions, export.CorrectiveAction{Title: c.Title, Owner: c.OwnerName, Deadline: &due, Done: c.DoneAt})
			}
			ncs = append(ncs, nc)
		}
		out, err = export.POAM(m.Org.Slug, m.Org.Name, tx.Now, ncs)
		return err
	})
	return out, err
}

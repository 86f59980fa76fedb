package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// SoARegister is the export name of the Statement of Applicability.
const SoARegister = "statement-of-applicability"

// riskRegisters are the exportable registers of risks and the SoA, in
// the evidence bundle too.
func riskRegisters() []RegisterSource {
	return []RegisterSource{
		{Name: "risks", Title: "Risk register", Action: isms.ActRead, Build: risksTable},
		{Name: "risk-assessments", Title: "Risk score history", Action: isms.ActRead, Build: riskHistoryTable},
		{Name: SoARegister, Title: "Statement of Applicability", Action: isms.ActRead, Build: soaTable},
	}
}

func processNames(ids []int64, procs []store.ProcessChoice) string {
	var names []string
	for _, id := range ids {
		for _, p := range procs {
			if p.ID == id {
				names = append(names, p.Name)
			}
		}
	}
	return strings.Join(names, "; ")
}

func risksTable(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
	risks, err := tx.Risks(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	procs, err := tx.LinkableProcesses(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	t := &export.Table{Columns: []string{"ref", "asset", "threat", "vulnerability", "likelihood", "impact", "score", "level", "treatment", "treatment_plan",
		"justification", "owner_email", "controls", "processes", "assessed_at", "next_reassessment", "untreated"}, Types: map[string]export.Type{"likelihood": export.Number, "impact": export.Number, "score": export.Number, "assessed_at": export.Time, "next_reassessment": export.Time, "untreated": export.Bool}}
	for _, r := range risks {
		t.Rows = append(t.Rows, []string{r.Ref(), r.Asset, r.Threat, r.Vulnerability, strconv.Itoa(r.Likelihood), strconv.Itoa(r.Impact), strconv.Itoa(r.Score()),
			string(r.Level()), string(r.Treatment), r.Plan, r.Justification, r.OwnerEmail, strings.Join(r.Controls, " "), processNames(r.ProcessIDs, procs),
			fmtTime(&r.AssessedAt), r.NextReview.UTC().Format(time.DateOnly), strconv.FormatBool(r.Untreated())})
	}
	return t, nil
}

func riskHistoryTable(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
	risks, err := tx.Risks(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	refs := map[int64]string{}
	for _, r := range risks {
		refs[r.ID] = r.Ref()
	}
	// Every assessment: none is dated after the year 3000.
	as, err := tx.RiskAssessmentsBefore(ctx, o.ID, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	t := &export.Table{Columns: []string{"ref", "assessed_at", "likelihood", "impact", "score", "level", "actor", "note"}, Types: map[string]export.Type{"assessed_at": export.Time, "likelihood": export.Number, "impact": export.Number, "score": export.Number}}
	for _, a := range as {
		t.Rows = append(t.Rows, []string{refs[a.RiskID], fmtTime(&a.At), strconv.Itoa(a.Likelihood), strconv.Itoa(a.Impact), strconv.Itoa(a.Score),
			string(a.Level), a.Actor, a.Note})
	}
	return t, nil
}

// soaTable is every control of the catalogue with the organisation's
// decision ("not yet decided" when none).
func soaTable(ctx context.Context, tx *store.Tx, o *isms.Organization) (*export.Table, error) {
	rows, _, err := soaRows(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	yesNo := map[bool]string{true: "yes", false: "no"}
	t := &export.Table{Columns: []string{"control_id", "theme", "short_title", "new_in_2022", "decision", "applicable", "justification", "status",
		"risks", "processes", "updated_by", "updated_at"}, Types: map[string]export.Type{"updated_at": export.Time}}
	for _, c := range rows {
		applicable := ""
		if c.Decided {
			applicable = yesNo[c.Applicable]
		}
		refs := make([]string, len(c.Risks))
		for i, r := range c.Risks {
			refs[i] = r.Ref()
		}
		procs := make([]string, len(c.Processes))
		for i, p := range c.Processes {
			procs[i] = p.Name
		}
		t.Rows = append(t.Rows, []string{c.ID, c.Theme, c.Title, yesNo[c.New], c.Decision(), applicable, c.Justification, string(c.Status),
			strings.Join(refs, " "), strings.Join(procs, "; "), c.UpdatedBy, fmtTime(c.UpdatedAt)})
	}
	return t, nil
}

package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
)

// demoProcesses are the demo's key processes: template, owner and the
// impact, recurrence and risk scores a compliance lead would give them.
var demoProcesses = []struct {
	template, owner          string
	impact, recurrence, risk int
}{
	{"access", "it.lead@demo.example", 5, 4, 5},
	{"incident", "isms@demo.example", 5, 3, 5},
	{"supplier", "isms@demo.example", 4, 2, 4},
	{"change", "it.lead@demo.example", 3, 5, 3},
	{"backup", "it.lead@demo.example", 5, 2, 3},
}

// Processes creates the five template processes with owners and scores,
// and an improvement cycle for the current quarter with the three of
// highest priority, as the ISMS manager would.
func Processes(ctx context.Context, a *app.App, org *isms.Organization, now time.Time) error {
	members, err := a.Members(ctx, app.System, org.Slug)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, m := range members {
		ids[m.Email] = m.UserID
	}
	var created []*isms.Process
	for _, dp := range demoProcesses {
		p, err := app.ProcessFromTemplate(dp.template, ids[dp.owner])
		if err != nil {
			return err
		}
		p.Impact, p.Recurrence, p.Risk = dp.impact, dp.recurrence, dp.risk
		if err := a.CreateProcess(ctx, app.System, org.Slug, p); err != nil {
			return fmt.Errorf("demo process %s: %w", dp.template, err)
		}
		created = append(created, p)
	}
	q := measure.PeriodContaining(measure.FrequencyQuarter, now, org.Location())
	c := &isms.Cycle{Name: q.String() + " improvement cycle", Start: q.Start, End: q.Start.AddDate(0, 0, 89),
		Goals:      "Remove access within 24 h every time; act on every critical incident within 4 h; assess every critical supplier.",
		ProcessIDs: []int64{created[0].ID, created[1].ID, created[2].ID}}
	if err := a.CreateCycle(ctx, app.System, org.Slug, c); err != nil {
		return fmt.Errorf("demo cycle: %w", err)
	}
	return nil
}

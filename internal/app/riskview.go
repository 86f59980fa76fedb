package app

import (
	"context"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RiskFilter narrows the register; zero values do not filter.
type RiskFilter struct {
	Level      isms.RiskLevel
	Likelihood int
	Impact     int
	Treatment  isms.Treatment
	Due        bool // reassessment overdue
	Untreated  bool
}

func (f RiskFilter) match(r *isms.Risk, now time.Time) bool {
	return (f.Level == "" || r.Level() == f.Level) && (f.Likelihood == 0 || r.Likelihood == f.Likelihood) &&
		(f.Impact == 0 || r.Impact == f.Impact) && (f.Treatment == "" || r.Treatment == f.Treatment) &&
		(!f.Due || r.Overdue(now)) && (!f.Untreated || r.Untreated())
}

// RiskRegister is the register filtered, with the heat map of every risk.
type RiskRegister struct {
	Risks     []*isms.Risk
	Total     int
	HeatMap   []isms.HeatRow
	Intervals isms.ReviewIntervals
	Processes []store.ProcessChoice
	Now       time.Time
}

// Risks returns the organisation's register, filtered. Requires read.
func (a *App) Risks(ctx context.Context, p Principal, slug string, f RiskFilter) (*RiskRegister, error) {
	out := &RiskRegister{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		all, err := tx.Risks(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		out.Now, out.Total, out.HeatMap = tx.Now, len(all), isms.HeatMapOf(all)
		for _, r := range all {
			if f.match(r, tx.Now) {
				out.Risks = append(out.Risks, r)
			}
		}
		if out.Intervals, err = tx.ReviewIntervals(ctx, m.Org.ID); err != nil {
			return err
		}
		out.Processes, err = tx.LinkableProcesses(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// RiskDetail is one risk with its score history and the organisation's
// processes (named, for links and forms).
type RiskDetail struct {
	Risk      *isms.Risk
	History   []isms.RiskAssessment
	Processes []store.ProcessChoice
	Now       time.Time
}

// Risk returns one risk with its history. Requires read. ENOTFOUND.
func (a *App) Risk(ctx context.Context, p Principal, slug string, id int64) (*RiskDetail, error) {
	out := &RiskDetail{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if out.Risk, err = tx.Risk(ctx, m.Org.ID, id); err != nil {
			return err
		}
		if out.History, err = tx.RiskAssessments(ctx, m.Org.ID, id); err != nil {
			return err
		}
		out.Now = tx.Now
		out.Processes, err = tx.LinkableProcesses(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// RiskChange is a reassessment made in a period, with the assessment
// before it (nil for a risk first assessed in the period).
type RiskChange struct {
	Risk   *isms.Risk
	Before *isms.RiskAssessment
	After  isms.RiskAssessment
}

// RiskChanges returns the assessments made from from (inclusive) to to
// (exclusive), each with the one before, by risk and time: the "changes
// in risks" a management review looks at. Requires read.
func (a *App) RiskChanges(ctx context.Context, p Principal, slug string, from, to time.Time) ([]RiskChange, error) {
	var out []RiskChange
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		risks, err := tx.Risks(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		byID := map[int64]*isms.Risk{}
		for _, r := range risks {
			byID[r.ID] = r
		}
		as, err := tx.RiskAssessmentsBefore(ctx, m.Org.ID, to)
		if err != nil {
			return err
		}
		for i, as1 := range as {
			if as1.At.Before(from) {
				continue
			}
			c := RiskChange{Risk: byID[as1.RiskID], After: as1}
			if i > 0 && as[i-1].RiskID == as1.RiskID {
				prev := as[i-1]
				c.Before = &prev
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

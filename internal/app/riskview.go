package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RiskFilter narrows the register; zero values do not filter.
type RiskFilter struct {
	Level      isms.RiskLevel
	Likelihood int
	Impact     int
	Treatment  isms.Treatment // a treatment option, or "none" for undecided
	Owner      string         // the owner's email
	Due        bool           // reassessment overdue
	Untreated  bool
	// Limit is the page size (0: 50, at most 500); Offset skips.
	Limit, Offset int
	// PageOnly leaves out what only the register's page shows (the heat
	// map of all risks, the review intervals, the linkable processes):
	// the API's list needs the page and the count.
	PageOnly bool
	// NoCount skips counting the matching risks: Matching is then -1
	// while more follow the page, else the offset plus the page's risks.
	NoCount bool
	// After starts the page after this risk (a keyset page); Offset must
	// then be 0 and NoCount set: a count belongs to the first page (the
	// store would count only the risks after the key).
	After *store.RiskKey
}

// Active reports whether any filter is set (paging aside).
func (f RiskFilter) Active() bool {
	f.Limit, f.Offset, f.PageOnly, f.NoCount, f.After = 0, 0, false, false, nil
	return f != RiskFilter{}
}

// check returns EINVALID for a level or treatment pdca does not know.
func (f RiskFilter) check() error {
	if f.Level != "" && !slices.Contains(isms.RiskLevels(), f.Level) {
		return isms.Errorf(isms.EINVALID, "level %q: give low, medium, high or critical", f.Level)
	}
	if f.Treatment != "" && f.Treatment != "none" && !slices.Contains(isms.Treatments(), f.Treatment) {
		var names []string
		for _, t := range isms.Treatments() {
			names = append(names, string(t))
		}
		return isms.Errorf(isms.EINVALID, "treatment %q: give one of %s, or none", f.Treatment, strings.Join(names, ", "))
	}
	if f.Likelihood < 0 || f.Likelihood > 5 || f.Impact < 0 || f.Impact > 5 {
		return isms.Errorf(isms.EINVALID, "likelihood and impact: give 1 to 5")
	}
	return checkAfter(f.After != nil, f.Offset, !f.NoCount)
}

// RiskRegister is one page of the register, filtered, with the heat map of
// every risk.
type RiskRegister struct {
	Risks []*isms.Risk
	// Total counts the whole register, Matching the risks the filter
	// keeps; Offset is the page's start.
	Total, Matching, Offset int
	HeatMap                 []isms.HeatRow
	Intervals               isms.ReviewIntervals
	Processes               []store.ProcessChoice
	Now                     time.Time
}

// Risks returns one page of the organisation's register, filtered, newest
// first, and the heat map of all of it; the database filters, pages and
// counts. Requires read. EINVALID for an unknown level or treatment.
func (a *App) Risks(ctx context.Context, p Principal, slug string, f RiskFilter) (*RiskRegister, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	out := &RiskRegister{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out.Now, out.Offset = tx.Now, max(0, f.Offset)
		out.Risks, out.Matching, err = tx.RiskPage(ctx, m.Org.ID, store.RiskFilter{Level: f.Level, Likelihood: f.Likelihood, Impact: f.Impact,
			Treatment: string(f.Treatment), Owner: f.Owner, Due: f.Due, Untreated: f.Untreated, Now: tx.Now, Limit: f.Limit, Offset: out.Offset, NoCount: f.NoCount, After: f.After})
		if err != nil || f.PageOnly {
			return err
		}
		counts, total, err := tx.RiskHeat(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		out.Total, out.HeatMap = total, isms.HeatMapOf(nil)
		for _, c := range counts {
			if c.Likelihood >= 1 && c.Likelihood <= 5 && c.Impact >= 1 && c.Impact <= 5 {
				out.HeatMap[5-c.Likelihood].Cells[c.Impact-1].Count = c.Count
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
	return a.risk(ctx, p, slug, id, true)
}

// RiskWithHistory is Risk without the organisation's processes (which
// only the page's form needs): the API's read of one risk.
func (a *App) RiskWithHistory(ctx context.Context, p Principal, slug string, id int64) (*RiskDetail, error) {
	return a.risk(ctx, p, slug, id, false)
}

func (a *App) risk(ctx context.Context, p Principal, slug string, id int64, processes bool) (*RiskDetail, error) {
	out := &RiskDetail{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if out.Risk, out.History, err = tx.RiskWithHistory(ctx, m.Org.ID, id); err != nil {
			return err
		}
		out.Now = tx.Now
		if processes {
			out.Processes, err = tx.LinkableProcesses(ctx, m.Org.ID)
		}
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

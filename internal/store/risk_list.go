package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// RiskFilter selects a page of the register; zero values do not filter.
type RiskFilter struct {
	Level      isms.RiskLevel
	Likelihood int
	Impact     int
	// Treatment is a treatment option, or "none" for risks without one.
	Treatment string
	Owner     string // the owner's email, case-insensitive
	Due       bool   // reassessment overdue at Now
	Untreated bool   // isms.Risk.Untreated, in SQL
	Now       time.Time
	// Limit is the page size (at most 500, default 50); Offset skips.
	Limit, Offset int
	// NoCount skips counting the matching risks: the total returned is
	// then uncounted's.
	NoCount bool
	// After, when set, starts the page right after this risk in the
	// page's order (a keyset page: its cost does not grow with how deep
	// into the register it is); Offset is then ignored.
	After *RiskKey
}

// RiskKey is a risk's place in the register's order (newest first by
// creation, ties by id): what a keyset page starts after.
type RiskKey struct {
	CreatedAt time.Time
	ID        int64
}

// untreatedSQL is isms.Risk.Untreated as a condition: a high or critical
// risk with no treatment, accepted without a reason, or treated another
// way without a plan.
const untreatedSQL = `(r.level IN ('high', 'critical') AND (r.treatment = ''
	OR (r.treatment = 'accept' AND r.justification = '')
	OR (r.treatment NOT IN ('', 'accept') AND r.treatment_plan = '')))`

// riskOrder is the register's order, newest first by creation; riskAfter
// the condition of a keyset page after a risk: a row value, so that SQLite
// reads the index on (org_id, created_at, id) of migration 0029 from that
// point on (TestRiskKeysetPlan) instead of skipping rows; risks created
// in the same microsecond follow by id (TestRiskKeysetPages).
const (
	riskOrder = `r.created_at DESC, r.id DESC`
	riskAfter = `(r.created_at, r.id) < (%s, %s)`
)

// RiskPage returns one page of the organisation's risks matching the
// filter, newest first (by creation, ties by id), with their links (the
// copies on each row), and how many match: the database filters, pages
// and counts (readPage: no count when the page ends the list; none at
// all with NoCount).
func (tx *Tx) RiskPage(ctx context.Context, orgID int64, f RiskFilter) ([]*isms.Risk, int, error) {
	w := whereOrg(orgID, "r.org_id")
	if f.Level != "" {
		w.and(`r.level = %s`, string(f.Level))
	}
	if f.Likelihood != 0 {
		w.and(`r.likelihood = %s`, f.Likelihood)
	}
	if f.Impact != 0 {
		w.and(`r.impact = %s`, f.Impact)
	}
	switch f.Treatment {
	case "":
	case "none":
		w.and(`r.treatment = ''`)
	default:
		w.and(`r.treatment = %s`, f.Treatment)
	}
	if f.Owner != "" {
		w.and(`r.owner_id IN (SELECT id FROM users WHERE LOWER(email) = %s)`, strings.ToLower(strings.TrimSpace(f.Owner)))
	}
	if f.Due {
		w.and(`r.next_review < %s`, tx.ts(f.Now))
	}
	if f.Untreated {
		w.and(untreatedSQL)
	}
	if f.After != nil {
		w.and(riskAfter, tx.ts(f.After.CreatedAt), f.After.ID)
		f.Offset = 0
	}
	p, err := readPage(ctx, tx, "risks", riskColumns, riskFrom, ` FROM risks r`, w, riskOrder,
		PageSpec{Limit: f.Limit, Offset: f.Offset, Count: !f.NoCount}, func(rows *sql.Rows) (*isms.Risk, error) { return scanRisk(rows) })
	if err != nil {
		return nil, 0, err
	}
	return p.Items, p.total(), nil
}

// setRiskLinks sets a risk's controls and processes from the copies on
// its row (control_ids, process_ids: comma-separated).
func setRiskLinks(r *isms.Risk, controls, processes string) error {
	if controls != "" {
		r.Controls = strings.Split(controls, ",")
	}
	for _, p := range strings.Split(processes, ",") {
		if p == "" {
			continue
		}
		pid, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return fmt.Errorf("risk %d: process id %q: %w", r.ID, p, err)
		}
		r.ProcessIDs = append(r.ProcessIDs, pid)
	}
	return nil
}

// HeatCount is how many risks have one likelihood and impact.
type HeatCount struct {
	Likelihood, Impact, Count int
}

// RiskHeat counts the organisation's risks per likelihood and impact, in
// the database (the heat map of the whole register).
func (tx *Tx) RiskHeat(ctx context.Context, orgID int64) ([]HeatCount, int, error) {
	rows, err := tx.query(ctx, `SELECT likelihood, impact, COUNT(*) FROM risks WHERE org_id = $1 GROUP BY likelihood, impact`, orgID)
	if err != nil {
		return nil, 0, fmt.Errorf("risk heat map: %w", err)
	}
	defer rows.Close()
	var out []HeatCount
	total := 0
	for rows.Next() {
		var h HeatCount
		if err := rows.Scan(&h.Likelihood, &h.Impact, &h.Count); err != nil {
			return nil, 0, err
		}
		total += h.Count
		out = append(out, h)
	}
	return out, total, rows.Err()
}

package store

import (
	"context"
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
}

// untreatedSQL is isms.Risk.Untreated as a condition: a high or critical
// risk with no treatment, accepted without a reason, or treated another
// way without a plan.
const untreatedSQL = `(r.level IN ('high', 'critical') AND (r.treatment = ''
	OR (r.treatment = 'accept' AND r.justification = '')
	OR (r.treatment NOT IN ('', 'accept') AND r.treatment_plan = '')))`

// RiskPage returns one page of the organisation's risks matching the
// filter, newest first (by creation, ties by id), with their links, and
// how many match: the database filters and pages, and the links are read
// for the page's risks only, one query per relation.
func (tx *Tx) RiskPage(ctx context.Context, orgID int64, f RiskFilter) ([]*isms.Risk, int, error) {
	where, args := ` WHERE r.org_id = $1`, []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Level != "" {
		where += ` AND r.level = ` + arg(string(f.Level))
	}
	if f.Likelihood != 0 {
		where += ` AND r.likelihood = ` + arg(f.Likelihood)
	}
	if f.Impact != 0 {
		where += ` AND r.impact = ` + arg(f.Impact)
	}
	switch f.Treatment {
	case "":
	case "none":
		where += ` AND r.treatment = ''`
	default:
		where += ` AND r.treatment = ` + arg(f.Treatment)
	}
	if f.Owner != "" {
		where += ` AND r.owner_id IN (SELECT id FROM users WHERE LOWER(email) = ` + arg(strings.ToLower(strings.TrimSpace(f.Owner))) + `)`
	}
	if f.Due {
		where += ` AND r.next_review < ` + arg(tx.ts(f.Now))
	}
	if f.Untreated {
		where += ` AND ` + untreatedSQL
	}
	var total int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM risks r`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count risks: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT ` + riskColumns + riskFrom + where + ` ORDER BY r.created_at DESC, r.id DESC LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(max(0, f.Offset))
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list risks: %w", err)
	}
	var out []*isms.Risk
	for rows.Next() {
		r, err := scanRisk(rows)
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("scan risk: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	return out, total, rows.Err()
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

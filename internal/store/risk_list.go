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
	// On PostgreSQL each row carries its links, aggregated by correlated
	// subqueries on the links' primary key: one round trip for the page
	// instead of one per relation after it. On SQLite, where a statement
	// costs no round trip, the aggregate's sort per row cost more than two
	// batched link queries (issue 16 item 1, docs/BENCHMARKS.md).
	inline := tx.db.Engine == Postgres
	cols := riskColumns
	if inline {
		cols += `, ` + riskLinkColumns
	}
	q := `SELECT ` + cols + riskFrom + where + ` ORDER BY r.created_at DESC, r.id DESC LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(max(0, f.Offset))
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list risks: %w", err)
	}
	var out []*isms.Risk
	for rows.Next() {
		var controls, processes sql.NullString
		var r *isms.Risk
		err := scanJoined(rows, func(sc rowScanner) error {
			var err error
			r, err = scanRisk(sc)
			return err
		}, func(sc rowScanner) error {
			if !inline {
				return sc.Scan()
			}
			return sc.Scan(&controls, &processes)
		})
		if err == nil {
			err = setRiskLinks(r, controls, processes)
		}
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("scan risk: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || inline {
		return out, total, err
	}
	return out, total, tx.riskLinksOf(ctx, orgID, out)
}

// riskLinkColumns are a risk's Annex A controls and processes, each
// aggregated into one comma-separated column, for a risk row r.
const riskLinkColumns = `(SELECT string_agg(c.control_id, ',' ORDER BY c.control_id) FROM risk_controls c
		WHERE +c.org_id = r.org_id AND c.catalogue = '` + isms.CatalogueAnnexA2022 + `' AND c.risk_id = r.id),
	(SELECT string_agg(CAST(p.process_id AS TEXT), ',' ORDER BY p.process_id) FROM risk_processes p WHERE +p.org_id = r.org_id AND p.risk_id = r.id)`

// setRiskLinks sets a risk's controls and processes from riskLinkColumns.
func setRiskLinks(r *isms.Risk, controls, processes sql.NullString) error {
	if controls.String != "" {
		r.Controls = strings.Split(controls.String, ",")
	}
	for _, p := range strings.Split(processes.String, ",") {
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

// linkBatch is how many risks' links one query reads; shorter lists are
// padded with the last id, so each relation has one statement.
const linkBatch = 50

// The link queries of riskLinksOf: linkBatch risk ids from $3 (controls)
// or $2 (processes). "+org_id" still scopes to the organisation but keeps
// SQLite from choosing the (org_id, ...) index, which read every link of
// the organisation and sorted them for each page; the primary key
// (risk_id, ...) reads only the page's (PostgreSQL ignores the plus).
// TestRiskLinkPlans checks the plans.
var (
	riskControlsOf  = `SELECT risk_id, control_id FROM risk_controls WHERE +org_id = $1 AND catalogue = $2 AND risk_id IN ` + marks(3, linkBatch) + ` ORDER BY risk_id, control_id`
	riskProcessesOf = `SELECT risk_id, process_id FROM risk_processes WHERE +org_id = $1 AND risk_id IN ` + marks(2, linkBatch) + ` ORDER BY risk_id, process_id`
)

// marks returns n placeholders from $first, in parentheses.
func marks(first, n int) string {
	m := make([]string, n)
	for i := range m {
		m[i] = fmt.Sprintf("$%d", i+first)
	}
	return `(` + strings.Join(m, ", ") + `)`
}

// riskLinksOf fills the controls and processes of the risks (a page of
// them), reading only theirs: one query per relation per linkBatch risks.
func (tx *Tx) riskLinksOf(ctx context.Context, orgID int64, rs []*isms.Risk) error {
	byID := map[int64]*isms.Risk{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	controls, processes := riskControlsOf, riskProcessesOf
	for len(rs) > 0 {
		n := min(len(rs), linkBatch)
		ids := make([]any, linkBatch)
		for i := range ids {
			ids[i] = rs[min(i, n-1)].ID
		}
		rows, err := tx.query(ctx, controls, append([]any{orgID, isms.CatalogueAnnexA2022}, ids...)...)
		if err != nil {
			return fmt.Errorf("risk controls: %w", err)
		}
		for rows.Next() {
			var id int64
			var c string
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return err
			}
			byID[id].Controls = append(byID[id].Controls, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if rows, err = tx.query(ctx, processes, append([]any{orgID}, ids...)...); err != nil {
			return fmt.Errorf("risk processes: %w", err)
		}
		for rows.Next() {
			var id, p int64
			if err := rows.Scan(&id, &p); err != nil {
				rows.Close()
				return err
			}
			byID[id].ProcessIDs = append(byID[id].ProcessIDs, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rs = rs[n:]
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

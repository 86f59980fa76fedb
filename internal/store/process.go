package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

const processColumns = `p.id, p.org_id, p.name, p.purpose, p.owner_id, p.trigger_event, p.deadline, p.deadline_hours, p.steps, p.recorded,
	p.template, p.impact, p.recurrence, p.risk, p.created_at, p.updated_at, COALESCE(u.name, ''), COALESCE(u.email, '')`

const processFrom = ` FROM processes p LEFT JOIN users u ON u.id = p.owner_id`

func scanProcess(row interface{ Scan(...any) error }) (*isms.Process, error) {
	var p isms.Process
	var owner sql.NullInt64
	var dh sql.NullFloat64
	if err := row.Scan(&p.ID, &p.OrgID, &p.Name, &p.Purpose, &owner, &p.Trigger, &p.Deadline, &dh, &p.Steps, &p.Recorded,
		&p.Template, &p.Impact, &p.Recurrence, &p.Risk, tm(&p.CreatedAt), tm(&p.UpdatedAt), &p.OwnerName, &p.OwnerEmail); err != nil {
		return nil, err
	}
	p.OwnerID = owner.Int64
	if dh.Valid {
		p.DeadlineHours = &dh.Float64
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

func dhArg(p *isms.Process) any {
	if p.DeadlineHours == nil {
		return nil
	}
	return *p.DeadlineHours
}

// CreateProcess stores a process and its metric links. ECONFLICT when the
// organisation has a process of that name.
func (tx *Tx) CreateProcess(ctx context.Context, p *isms.Process) error {
	p.CreatedAt, p.UpdatedAt = tx.Now, tx.Now
	err := tx.queryRow(ctx, `INSERT INTO processes (org_id, name, purpose, owner_id, trigger_event, deadline, deadline_hours, steps, recorded,
		template, impact, recurrence, risk, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		p.OrgID, p.Name, p.Purpose, p.OwnerID, p.Trigger, p.Deadline, dhArg(p), p.Steps, p.Recorded, p.Template,
		p.Impact, p.Recurrence, p.Risk, tx.ts(tx.Now)).Scan(&p.ID)
	if err != nil {
		return conflict(err, fmt.Sprintf("a process named %q exists; choose another name", p.Name))
	}
	return tx.setProcessMetrics(ctx, p)
}

// UpdateProcess replaces a process's fields and metric links.
func (tx *Tx) UpdateProcess(ctx context.Context, p *isms.Process) error {
	p.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE processes SET name = $3, purpose = $4, owner_id = $5, trigger_event = $6, deadline = $7, deadline_hours = $8,
		steps = $9, recorded = $10, impact = $11, recurrence = $12, risk = $13, updated_at = $14 WHERE org_id = $1 AND id = $2`,
		p.OrgID, p.ID, p.Name, p.Purpose, p.OwnerID, p.Trigger, p.Deadline, dhArg(p), p.Steps, p.Recorded, p.Impact, p.Recurrence, p.Risk, tx.ts(tx.Now))
	if err != nil {
		return conflict(err, fmt.Sprintf("a process named %q exists; choose another name", p.Name))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "process not found")
	}
	if _, err := tx.exec(ctx, `DELETE FROM process_metrics WHERE org_id = $1 AND process_id = $2`, p.OrgID, p.ID); err != nil {
		return err
	}
	return tx.setProcessMetrics(ctx, p)
}

func (tx *Tx) setProcessMetrics(ctx context.Context, p *isms.Process) error {
	for _, k := range p.Metrics {
		if _, err := tx.exec(ctx, `INSERT INTO process_metrics (org_id, process_id, metric_key) VALUES ($1, $2, $3)`, p.OrgID, p.ID, k); err != nil {
			return fmt.Errorf("link metric %s: %w", k, err)
		}
	}
	return nil
}

// Process returns one process of the organisation; ENOTFOUND.
func (tx *Tx) Process(ctx context.Context, orgID, id int64) (*isms.Process, error) {
	p, err := scanProcess(tx.queryRow(ctx, `SELECT `+processColumns+processFrom+` WHERE p.org_id = $1 AND p.id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "process")
	}
	if err := tx.loadProcessMetrics(ctx, orgID, []*isms.Process{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// Processes returns the organisation's processes, highest score first.
func (tx *Tx) Processes(ctx context.Context, orgID int64) ([]*isms.Process, error) {
	rows, err := tx.query(ctx, `SELECT `+processColumns+processFrom+` WHERE p.org_id = $1
		ORDER BY `+processOrder, orgID)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []*isms.Process
	for rows.Next() {
		p, err := scanProcess(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan process: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.loadProcessMetrics(ctx, orgID, out)
}

// linkBatch is how many parents' links one query reads (a page of
// processes' metrics); shorter lists are padded with the last id, so each
// relation has one statement.
const linkBatch = 50

// marks returns n placeholders from $first, in parentheses.
func marks(first, n int) string {
	m := make([]string, n)
	for i := range m {
		m[i] = fmt.Sprintf("$%d", i+first)
	}
	return `(` + strings.Join(m, ", ") + `)`
}

// processMetricsOf reads the metric links of linkBatch processes from $2;
// "+org_id" keeps SQLite on the primary key (process_id, metric_key), instead of the organisation's every link.
var processMetricsOf = `SELECT process_id, metric_key FROM process_metrics WHERE +org_id = $1 AND process_id IN ` + marks(2, linkBatch) + ` ORDER BY process_id, metric_key`

// loadProcessMetrics fills the metrics of the processes (one, or a page
// of them), reading only theirs: one query per linkBatch processes.
func (tx *Tx) loadProcessMetrics(ctx context.Context, orgID int64, ps []*isms.Process) error {
	byID := map[int64]*isms.Process{}
	for _, p := range ps {
		byID[p.ID] = p
		p.Metrics = nil
	}
	for len(ps) > 0 {
		n := min(len(ps), linkBatch)
		args := make([]any, 1+linkBatch)
		args[0] = orgID
		for i := range linkBatch {
			args[1+i] = ps[min(i, n-1)].ID
		}
		rows, err := tx.query(ctx, processMetricsOf, args...)
		if err != nil {
			return fmt.Errorf("process metrics: %w", err)
		}
		for rows.Next() {
			var id int64
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				rows.Close()
				return err
			}
			byID[id].Metrics = append(byID[id].Metrics, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ps = ps[n:]
	}
	return nil
}

// CycleProcess is a process chosen for a cycle, with the figures of its
// metrics when it was chosen (JSON, as evidence of the starting point).
type CycleProcess struct {
	ProcessID int64
	Baseline  string
}

// CreateCycle stores a cycle and its chosen processes.
func (tx *Tx) CreateCycle(ctx context.Context, c *isms.Cycle, chosen []CycleProcess) error {
	c.CreatedAt = tx.Now
	if err := tx.queryRow(ctx, `INSERT INTO cycles (org_id, name, starts_on, ends_on, goals, length_reason, focus_reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.OrgID, c.Name, tx.ts(c.Start), tx.ts(c.End), c.Goals, c.LengthReason, c.FocusReason, tx.ts(tx.Now)).Scan(&c.ID); err != nil {
		return fmt.Errorf("create cycle: %w", err)
	}
	for _, cp := range chosen {
		if _, err := tx.exec(ctx, `INSERT INTO cycle_processes (org_id, cycle_id, process_id, baseline) VALUES ($1, $2, $3, $4)`,
			c.OrgID, c.ID, cp.ProcessID, cp.Baseline); err != nil {
			return fmt.Errorf("choose process %d: %w", cp.ProcessID, err)
		}
	}
	return nil
}

const cycleColumns = `id, org_id, name, starts_on, ends_on, goals, length_reason, focus_reason, created_at`

func scanCycle(row interface{ Scan(...any) error }) (*isms.Cycle, error) {
	var c isms.Cycle
	if err := row.Scan(&c.ID, &c.OrgID, &c.Name, tm(&c.Start), tm(&c.End), &c.Goals, &c.LengthReason, &c.FocusReason, tm(&c.CreatedAt)); err != nil {
		return nil, err
	}
	c.Start, c.End, c.CreatedAt = c.Start.UTC(), c.End.UTC(), c.CreatedAt.UTC()
	return &c, nil
}

// Cycles returns the organisation's cycles, newest first.
func (tx *Tx) Cycles(ctx context.Context, orgID int64) ([]*isms.Cycle, error) {
	rows, err := tx.query(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE org_id = $1 ORDER BY starts_on DESC, id DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	defer rows.Close()
	var out []*isms.Cycle
	for rows.Next() {
		c, err := scanCycle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Cycle returns one cycle with its chosen processes; ENOTFOUND.
func (tx *Tx) Cycle(ctx context.Context, orgID, id int64) (*isms.Cycle, []CycleProcess, error) {
	c, err := scanCycle(tx.queryRow(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return nil, nil, notFound(err, "cycle")
	}
	rows, err := tx.query(ctx, `SELECT process_id, baseline FROM cycle_processes WHERE org_id = $1 AND cycle_id = $2 ORDER BY process_id`, orgID, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var chosen []CycleProcess
	for rows.Next() {
		var cp CycleProcess
		if err := rows.Scan(&cp.ProcessID, &cp.Baseline); err != nil {
			return nil, nil, err
		}
		chosen = append(chosen, cp)
		c.ProcessIDs = append(c.ProcessIDs, cp.ProcessID)
	}
	return c, chosen, rows.Err()
}

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

func joinIDs(ids []int64) string {
	var s []string
	for _, id := range ids {
		s = append(s, strconv.FormatInt(id, 10))
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func splitText(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// InsertInternalAudit stores a new audit and sets its ID.
func (tx *Tx) InsertInternalAudit(ctx context.Context, a *isms.InternalAudit) error {
	a.CreatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO internal_audits (org_id, year, title, clauses, controls, processes, planned_on, actual_on, lead_id,
		independence_override, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		a.OrgID, a.Year, a.Title, strings.Join(a.Clauses, ","), strings.Join(a.Controls, ","), joinIDs(a.Processes), tx.ts(a.PlannedOn),
		tx.devTime(a.ActualOn), a.LeadID, a.Override, tx.ts(a.CreatedAt)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert internal audit: %w", err)
	}
	return nil
}

// SetAuditActual stores the date an audit was actually held.
func (tx *Tx) SetAuditActual(ctx context.Context, orgID, id int64, on time.Time) error {
	res, err := tx.exec(ctx, `UPDATE internal_audits SET actual_on = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`, orgID, id, tx.ts(on), tx.ts(tx.Now))
	if err != nil {
		return fmt.Errorf("update internal audit %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "audit %d not found", id)
	}
	return nil
}

const (
	auditSelect = `a.id, a.org_id, a.year, a.title, a.clauses, a.controls, a.processes, a.planned_on, a.actual_on, a.lead_id,
	COALESCE(u.name, ''), COALESCE(u.email, ''), a.independence_override, a.created_at`
	auditFrom    = ` FROM internal_audits a LEFT JOIN users u ON u.id = a.lead_id`
	auditColumns = auditSelect + auditFrom
)

func scanAudit(row interface{ Scan(...any) error }) (isms.InternalAudit, error) {
	var a isms.InternalAudit
	var clauses, controls, procs string
	var actual nullTime
	err := row.Scan(&a.ID, &a.OrgID, &a.Year, &a.Title, &clauses, &controls, &procs, tm(&a.PlannedOn), &actual, &a.LeadID, &a.LeadName, &a.LeadEmail, &a.Override, tm(&a.CreatedAt))
	a.Clauses, a.Controls, a.Processes = splitText(clauses), splitText(controls), splitIDs(procs)
	a.ActualOn, a.PlannedOn, a.CreatedAt = ptime(actual), a.PlannedOn.UTC(), a.CreatedAt.UTC()
	return a, err
}

// InternalAudit returns one audit with its findings; ENOTFOUND if none.
func (tx *Tx) InternalAudit(ctx context.Context, orgID, id int64) (*isms.InternalAudit, error) {
	a, err := scanAudit(tx.queryRow(ctx, `SELECT `+auditColumns+` WHERE a.org_id = $1 AND a.id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "audit")
	}
	if a.Findings, err = tx.findings(ctx, `WHERE org_id = $1 AND audit_id = $2`, orgID, id); err != nil {
		return nil, err
	}
	return &a, nil
}

// InternalAudits lists the audits of a year (the programme), by planned date.
func (tx *Tx) InternalAudits(ctx context.Context, orgID int64, year int) ([]isms.InternalAudit, error) {
	return tx.auditList(ctx, "internal audits", `a.org_id = $1 AND a.year = $2`, orgID, year)
}

// auditList reads the audits that match cond (a WHERE clause over a), by
// planned date; what names the list in errors.
func (tx *Tx) auditList(ctx context.Context, what, cond string, args ...any) ([]isms.InternalAudit, error) {
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` WHERE `+cond+` ORDER BY a.planned_on, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	var out []isms.InternalAudit
	for rows.Next() {
		a, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("scan internal audit: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// InternalAuditsFor lists the audits of a year that serve a standard
// (tagged with it, or untagged for ISO/IEC 27001), by planned date; every
// audit of the year when standard is "".
func (tx *Tx) InternalAuditsFor(ctx context.Context, orgID int64, year int, standard string) ([]isms.InternalAudit, error) {
	if standard == "" {
		return tx.InternalAudits(ctx, orgID, year)
	}
	return tx.auditList(ctx, "internal audits", `a.org_id = $1 AND a.year = $2 AND `+
		fmt.Sprintf(standardCond(isms.TagAudit, "a.org_id", idText("a.id"), standard), "$3"), orgID, year, standard)
}

// ProcessOwner is a process's name and owner, for the independence check.
type ProcessOwner struct {
	ID      int64
	Name    string
	OwnerID int64
}

// ProcessOwners returns the organisation's processes with their owners.
func (tx *Tx) ProcessOwners(ctx context.Context, orgID int64) ([]ProcessOwner, error) {
	rows, err := tx.query(ctx, `SELECT id, name, owner_id FROM processes WHERE org_id = $1 ORDER BY name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	defer rows.Close()
	var out []ProcessOwner
	for rows.Next() {
		var p ProcessOwner
		var owner sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &owner); err != nil {
			return nil, err
		}
		p.OwnerID = owner.Int64
		out = append(out, p)
	}
	return out, rows.Err()
}

// MetricProcess returns the first process measured by the metric and its
// owner; zeros if none.
func (tx *Tx) MetricProcess(ctx context.Context, orgID int64, key string) (id, owner int64, err error) {
	var o sql.NullInt64
	err = tx.queryRow(ctx, `SELECT p.id, p.owner_id FROM process_metrics pm JOIN processes p ON p.id = pm.process_id
		WHERE pm.org_id = $1 AND pm.metric_key = $2 ORDER BY p.id LIMIT 1`, orgID, key).Scan(&id, &o)
	if err == sql.ErrNoRows {
		return 0, 0, nil
	}
	return id, o.Int64, err
}

// InsertFinding stores a finding and sets its ID. ECONFLICT if its
// reference exists.
func (tx *Tx) InsertFinding(ctx context.Context, f *isms.Finding) error {
	err := tx.queryRow(ctx, `INSERT INTO audit_findings (org_id, audit_id, ref, kind, title, raised_at, closed_at, deviation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		f.OrgID, f.AuditID, f.Ref, f.Kind, f.Title, tx.ts(f.RaisedAt), tx.devTime(f.ClosedAt), f.DeviationID).Scan(&f.ID)
	return conflict(err, fmt.Sprintf("a finding with reference %s exists", f.Ref))
}

// UpdateFinding stores a finding's closure and deviation link.
func (tx *Tx) UpdateFinding(ctx context.Context, f *isms.Finding) error {
	_, err := tx.exec(ctx, `UPDATE audit_findings SET closed_at = $3, deviation_id = $4 WHERE org_id = $1 AND id = $2`,
		f.OrgID, f.ID, tx.devTime(f.ClosedAt), f.DeviationID)
	return err
}

// Finding returns one finding; ENOTFOUND if none.
func (tx *Tx) Finding(ctx context.Context, orgID, id int64) (*isms.Finding, error) {
	fs, err := tx.findings(ctx, `WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, isms.Errorf(isms.ENOTFOUND, "finding not found")
	}
	return &fs[0], nil
}

// CountFindingRefs counts findings whose reference starts with prefix.
func (tx *Tx) CountFindingRefs(ctx context.Context, orgID int64, prefix string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM audit_findings WHERE org_id = $1 AND ref LIKE $2`, orgID, prefix+"%").Scan(&n)
	return n, err
}

func (tx *Tx) findings(ctx context.Context, where string, args ...any) ([]isms.Finding, error) {
	rows, err := tx.query(ctx, `SELECT id, org_id, audit_id, ref, kind, title, raised_at, closed_at, deviation_id FROM audit_findings `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	defer rows.Close()
	var out []isms.Finding
	for rows.Next() {
		var f isms.Finding
		var closed nullTime
		if err := rows.Scan(&f.ID, &f.OrgID, &f.AuditID, &f.Ref, &f.Kind, &f.Title, tm(&f.RaisedAt), &closed, &f.DeviationID); err != nil {
			return nil, fmt.Errorf("scan finding: %w", err)
		}
		f.RaisedAt, f.ClosedAt = f.RaisedAt.UTC(), ptime(closed)
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeviationCounts are the figures of the dashboard's deviation panel.
type DeviationCounts struct {
	Open, OpenBefore, OverdueActions, OverdueDeviations, ChecksDue, OpenFindings, OverdueFindings int
	NextCheck                                                                                     *time.Time
}

// DeviationCounts counts, as of now, open deviations, those open at
// before, overdue actions and deviations, checks due, and open findings
// and those raised before findingsBefore.
func (tx *Tx) DeviationCounts(ctx context.Context, orgID int64, now, before, findingsBefore time.Time) (DeviationCounts, error) {
	var c DeviationCounts
	var next nullTime
	err := tx.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM deviations WHERE org_id = $1 AND status <> 'closed'),
		(SELECT COUNT(*) FROM deviations WHERE org_id = $1 AND detected_at <= $3 AND (closed_at IS NULL OR closed_at > $3)),
		(SELECT COUNT(*) FROM corrective_actions WHERE org_id = $1 AND status <> 'done' AND due_at < $2),
		(SELECT COUNT(*) FROM deviations WHERE org_id = $1 AND status <> 'closed' AND due_at < $2),
		(SELECT COUNT(*) FROM deviations WHERE org_id = $1 AND status = 'verifying' AND check_due_at <= $2),
		(SELECT COUNT(*) FROM audit_findings WHERE org_id = $1 AND closed_at IS NULL),
		(SELECT COUNT(*) FROM audit_findings WHERE org_id = $1 AND closed_at IS NULL AND raised_at < $4)`,
		orgID, tx.ts(now), tx.ts(before), tx.ts(findingsBefore)).Scan(&c.Open, &c.OpenBefore, &c.OverdueActions, &c.OverdueDeviations, &c.ChecksDue,
		&c.OpenFindings, &c.OverdueFindings)
	if err != nil {
		return c, fmt.Errorf("deviation counts: %w", err)
	}
	// The earliest due check: the first row in check_due_at order.
	err = tx.queryRow(ctx, `SELECT check_due_at FROM deviations WHERE org_id = $1 AND status = 'verifying' AND check_due_at IS NOT NULL
		ORDER BY check_due_at LIMIT 1`, orgID).Scan(&next)
	if err != nil && err != sql.ErrNoRows {
		return c, fmt.Errorf("next check: %w", err)
	}
	c.NextCheck = ptime(next)
	return c, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// devNullID stores 0 as NULL, for optional references to users.
func devNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// devTime stores a nil time as NULL.
func (tx *Tx) devTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return tx.ts(*t)
}

const deviationColumns = `d.id, d.org_id, d.ref, d.title, d.description, d.kind, d.source, d.severity, d.status, d.detected_at,
	d.owner_id, COALESCE(u.name, ''), COALESCE(u.email, ''), d.due_at, d.metric_key, d.metric_period, d.record_kind, d.record_id, d.process_id, d.risk_ref,
	d.control_ref, d.finding_id, d.opened_reason, d.correction, d.correction_at, d.whys, d.root_cause, d.cause_category,
	d.check_due_at, d.close_reason, d.closed_at, d.created_at, d.updated_at`

const deviationFrom = ` FROM deviations d LEFT JOIN users u ON u.id = d.owner_id`

func scanDeviation(row interface{ Scan(...any) error }) (isms.Deviation, error) {
	var d isms.Deviation
	var owner sql.NullInt64
	var due, corrAt, checkDue, closed nullTime
	var status, whys string
	err := row.Scan(&d.ID, &d.OrgID, &d.Ref, &d.Title, &d.Description, &d.Kind, &d.Source, &d.Severity, &status, tm(&d.DetectedAt),
		&owner, &d.OwnerName, &d.OwnerEmail, &due, &d.MetricKey, &d.MetricPeriod, &d.RecordKind, &d.RecordID, &d.ProcessID, &d.RiskRef,
		&d.ControlRef, &d.FindingID, &d.OpenedReason, &d.Correction, &corrAt, &whys, &d.RootCause, &d.Category,
		&checkDue, &d.CloseReason, &closed, tm(&d.CreatedAt), tm(&d.UpdatedAt))
	if err != nil {
		return d, err
	}
	d.Status = isms.DeviationStatus(status)
	d.OwnerID = owner.Int64
	d.DueAt, d.CorrectionAt, d.CheckDueAt, d.ClosedAt = ptime(due), ptime(corrAt), ptime(checkDue), ptime(closed)
	d.DetectedAt, d.CreatedAt, d.UpdatedAt = d.DetectedAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if whys != "" {
		_ = json.Unmarshal([]byte(whys), &d.Whys)
	}
	return d, nil
}

func whysJSON(w []string) string {
	if len(w) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(w)
	return string(b)
}

// InsertDeviation stores a new deviation and sets its ID. ECONFLICT if
// its reference exists.
func (tx *Tx) InsertDeviation(ctx context.Context, d *isms.Deviation) error {
	d.CreatedAt, d.UpdatedAt = tx.Now, tx.Now
	err := tx.queryRow(ctx, `INSERT INTO deviations (org_id, ref, title, description, kind, source, severity, status, detected_at,
		owner_id, due_at, metric_key, metric_period, record_kind, record_id, process_id, risk_ref, control_ref, finding_id,
		opened_reason, correction, correction_at, whys, root_cause, cause_category, check_due_at, close_reason, closed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $29)
		RETURNING id`,
		d.OrgID, d.Ref, d.Title, d.Description, d.Kind, d.Source, d.Severity, string(d.Status), tx.ts(d.DetectedAt),
		devNullID(d.OwnerID), tx.devTime(d.DueAt), d.MetricKey, d.MetricPeriod, d.RecordKind, d.RecordID, d.ProcessID, d.RiskRef, d.ControlRef, d.FindingID,
		d.OpenedReason, d.Correction, tx.devTime(d.CorrectionAt), whysJSON(d.Whys), d.RootCause, d.Category, tx.devTime(d.CheckDueAt), d.CloseReason,
		tx.devTime(d.ClosedAt), tx.ts(d.CreatedAt)).Scan(&d.ID)
	return conflict(err, fmt.Sprintf("a deviation with reference %s exists", d.Ref))
}

// UpdateDeviation stores the changeable fields of a deviation.
func (tx *Tx) UpdateDeviation(ctx context.Context, d *isms.Deviation) error {
	d.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE deviations SET title = $3, description = $4, severity = $5, status = $6, owner_id = $7, due_at = $8,
		finding_id = $9, correction = $10, correction_at = $11, whys = $12, root_cause = $13, cause_category = $14, check_due_at = $15,
		close_reason = $16, closed_at = $17, updated_at = $18 WHERE org_id = $1 AND id = $2`,
		d.OrgID, d.ID, d.Title, d.Description, d.Severity, string(d.Status), devNullID(d.OwnerID), tx.devTime(d.DueAt),
		d.FindingID, d.Correction, tx.devTime(d.CorrectionAt), whysJSON(d.Whys), d.RootCause, d.Category, tx.devTime(d.CheckDueAt),
		d.CloseReason, tx.devTime(d.ClosedAt), tx.ts(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("update deviation %d: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "deviation %d not found", d.ID)
	}
	return nil
}

// Deviation returns one deviation with its actions and checks; ENOTFOUND
// if the organisation has none with that id.
func (tx *Tx) Deviation(ctx context.Context, orgID, id int64) (*isms.Deviation, error) {
	d, err := scanDeviation(tx.queryRow(ctx, `SELECT `+deviationColumns+deviationFrom+` WHERE d.org_id = $1 AND d.id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "deviation")
	}
	if d.Actions, err = tx.CorrectiveActions(ctx, orgID, id); err != nil {
		return nil, err
	}
	if d.Checks, err = tx.EffectivenessChecks(ctx, orgID, id); err != nil {
		return nil, err
	}
	return &d, nil
}

// Deviations lists the organisation's deviations, newest first, without
// actions and checks.
func (tx *Tx) Deviations(ctx context.Context, orgID int64) ([]isms.Deviation, error) {
	return tx.deviations(ctx, `WHERE d.org_id = $1`, orgID)
}

// DeviationFilter narrows a list of deviations.
type DeviationFilter struct {
	// Status is a status, "overdue" (not closed and due before Now), or ""
	// for every deviation.
	Status string
	Now    time.Time
	// Owner is the owner's email (case-insensitive); From and To bound
	// detected_at half-open [From, To) (zero: no bound).
	Owner    string
	From, To time.Time
	// Standard is a standard key: deviations that serve it (tagged, or
	// untagged for ISO/IEC 27001); "" does not filter.
	Standard string
	// Limit is the page size (0: no limit); Offset skips that many.
	Limit, Offset int
	// NoCount skips counting the matching deviations when paged (see
	// uncounted).
	NoCount bool
}

// DeviationPage returns one page of the organisation's deviations that
// match the filter, newest first, without actions and checks, and how many
// match in all (uncounted's with NoCount): the database pages, so a long register costs no more than
// a short one.
func (tx *Tx) DeviationPage(ctx context.Context, orgID int64, f DeviationFilter) ([]isms.Deviation, int, error) {
	where, args := `WHERE d.org_id = $1`, []any{orgID}
	switch f.Status {
	case "":
	case "overdue":
		where += ` AND d.status <> 'closed' AND d.due_at IS NOT NULL AND d.due_at < $2`
		args = append(args, tx.ts(f.Now))
	default:
		where += ` AND d.status = $2`
		args = append(args, f.Status)
	}
	if f.Owner != "" {
		args = append(args, strings.ToLower(strings.TrimSpace(f.Owner)))
		where += fmt.Sprintf(` AND d.owner_id IN (SELECT id FROM users WHERE LOWER(email) = $%d)`, len(args))
	}
	if !f.From.IsZero() {
		args = append(args, tx.ts(f.From))
		where += fmt.Sprintf(` AND d.detected_at >= $%d`, len(args))
	}
	if !f.To.IsZero() {
		args = append(args, tx.ts(f.To))
		where += fmt.Sprintf(` AND d.detected_at < $%d`, len(args))
	}
	if f.Standard != "" {
		args = append(args, f.Standard)
		where += ` AND ` + fmt.Sprintf(standardCond(isms.TagDeviation, "d.org_id", idText("d.id"), f.Standard), fmt.Sprintf("$%d", len(args)))
	}
	var total int
	if !f.NoCount || f.Limit <= 0 {
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM deviations d `+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count deviations: %w", err)
		}
	}
	if f.Limit <= 0 {
		ds, err := tx.deviationRows(ctx, where+` ORDER BY d.detected_at DESC, d.id DESC`, args...)
		return ds, total, err
	}
	where += fmt.Sprintf(` ORDER BY d.detected_at DESC, d.id DESC LIMIT $%d OFFSET $%d`, len(args)+1, len(args)+2)
	args = append(args, f.Limit+1, max(0, f.Offset))
	ds, err := tx.deviationRows(ctx, where, args...)
	if err != nil {
		return nil, 0, err
	}
	more := len(ds) > f.Limit
	if more {
		ds = ds[:f.Limit]
	}
	if f.NoCount {
		total = uncounted(max(0, f.Offset), len(ds), more)
	}
	return ds, total, nil
}

// DeviationsWithCause lists the organisation's deviations of one cause
// category and process (0: none), newest first, without actions and
// checks: what a deviation's "seen before" draws from.
func (tx *Tx) DeviationsWithCause(ctx context.Context, orgID int64, category string, processID int64) ([]isms.Deviation, error) {
	return tx.deviations(ctx, `WHERE d.org_id = $1 AND d.cause_category = $2 AND d.process_id = $3`, orgID, category, processID)
}

func (tx *Tx) deviations(ctx context.Context, where string, args ...any) ([]isms.Deviation, error) {
	return tx.deviationRows(ctx, where+` ORDER BY d.detected_at DESC, d.id DESC`, args...)
}

func (tx *Tx) deviationRows(ctx context.Context, where string, args ...any) ([]isms.Deviation, error) {
	rows, err := tx.query(ctx, `SELECT `+deviationColumns+deviationFrom+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list deviations: %w", err)
	}
	defer rows.Close()
	var out []isms.Deviation
	for rows.Next() {
		d, err := scanDeviation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan deviation: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CountDeviationRefs counts the deviations whose reference starts with
// prefix (for numbering).
func (tx *Tx) CountDeviationRefs(ctx context.Context, orgID int64, prefix string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM deviations WHERE org_id = $1 AND ref LIKE $2`, orgID, prefix+"%").Scan(&n)
	return n, err
}

// DeviationRefExists reports whether a deviation has the reference.
func (tx *Tx) DeviationRefExists(ctx context.Context, orgID int64, ref string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM deviations WHERE org_id = $1 AND ref = $2`, orgID, ref).Scan(&n)
	return n > 0, err
}

// OpenDeviationForMetric returns the id of a deviation linked to the
// metric that is not closed, or to the metric and period in any status;
// 0 if none.
func (tx *Tx) OpenDeviationForMetric(ctx context.Context, orgID int64, key, period string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM deviations WHERE org_id = $1 AND metric_key = $2
		AND (status <> 'closed' OR metric_period = $3)`, orgID, key, period).Scan(&id)
	return id, err
}

// DeviationForRecord returns the id of a deviation linked to the record
// in any status; 0 if none.
func (tx *Tx) DeviationForRecord(ctx context.Context, orgID int64, kind string, recordID int64) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM deviations WHERE org_id = $1 AND record_kind = $2 AND record_id = $3`,
		orgID, kind, recordID).Scan(&id)
	return id, err
}

// InsertCorrectiveAction stores a new corrective action and sets its ID.
func (tx *Tx) InsertCorrectiveAction(ctx context.Context, orgID int64, c *isms.CorrectiveAction) error {
	c.CreatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO corrective_actions (org_id, deviation_id, title, owner_id, due_at, status, evidence, done_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		orgID, c.DeviationID, c.Title, devNullID(c.OwnerID), tx.ts(c.DueAt), c.Status, c.Evidence, tx.devTime(c.DoneAt), tx.ts(c.CreatedAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert corrective action: %w", err)
	}
	return nil
}

// UpdateCorrectiveAction stores an action's status, evidence and done time.
func (tx *Tx) UpdateCorrectiveAction(ctx context.Context, orgID int64, c *isms.CorrectiveAction) error {
	res, err := tx.exec(ctx, `UPDATE corrective_actions SET status = $3, evidence = $4, done_at = $5 WHERE org_id = $1 AND id = $2`,
		orgID, c.ID, c.Status, c.Evidence, tx.devTime(c.DoneAt))
	if err != nil {
		return fmt.Errorf("update corrective action %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "corrective action %d not found", c.ID)
	}
	return nil
}

// CorrectiveActions lists a deviation's actions in creation order.
func (tx *Tx) CorrectiveActions(ctx context.Context, orgID, deviationID int64) ([]isms.CorrectiveAction, error) {
	rows, err := tx.query(ctx, `SELECT c.id, c.deviation_id, c.title, c.owner_id, COALESCE(u.name, ''), COALESCE(u.email, ''), c.due_at, c.status, c.evidence, COALESCE(e.file_name, ''),
		c.done_at, c.created_at FROM corrective_actions c LEFT JOIN users u ON u.id = c.owner_id
		LEFT JOIN action_evidence e ON e.org_id = c.org_id AND e.action_id = c.id
		WHERE c.org_id = $1 AND c.deviation_id = $2 ORDER BY c.id`, orgID, deviationID)
	if err != nil {
		return nil, fmt.Errorf("list corrective actions: %w", err)
	}
	defer rows.Close()
	var out []isms.CorrectiveAction
	for rows.Next() {
		var c isms.CorrectiveAction
		var owner sql.NullInt64
		var done nullTime
		if err := rows.Scan(&c.ID, &c.DeviationID, &c.Title, &owner, &c.OwnerName, &c.OwnerEmail, tm(&c.DueAt), &c.Status, &c.Evidence, &c.EvidenceFile, &done, tm(&c.CreatedAt)); err != nil {
			return nil, fmt.Errorf("scan corrective action: %w", err)
		}
		c.OwnerID, c.DoneAt, c.DueAt, c.CreatedAt = owner.Int64, ptime(done), c.DueAt.UTC(), c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertEffectivenessCheck stores a check and sets its ID.
func (tx *Tx) InsertEffectivenessCheck(ctx context.Context, orgID int64, c *isms.EffectivenessCheck) error {
	c.CheckedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO effectiveness_checks (org_id, deviation_id, verdict, proposed, note, checked_by, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		orgID, c.DeviationID, c.Verdict, c.Proposed, c.Note, c.CheckedBy, tx.ts(c.CheckedAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert effectiveness check: %w", err)
	}
	return nil
}

// EffectivenessChecks lists a deviation's checks, oldest first.
func (tx *Tx) EffectivenessChecks(ctx context.Context, orgID, deviationID int64) ([]isms.EffectivenessCheck, error) {
	rows, err := tx.query(ctx, `SELECT id, deviation_id, verdict, proposed, note, checked_by, checked_at FROM effectiveness_checks
		WHERE org_id = $1 AND deviation_id = $2 ORDER BY id`, orgID, deviationID)
	if err != nil {
		return nil, fmt.Errorf("list effectiveness checks: %w", err)
	}
	defer rows.Close()
	var out []isms.EffectivenessCheck
	for rows.Next() {
		var c isms.EffectivenessCheck
		if err := rows.Scan(&c.ID, &c.DeviationID, &c.Verdict, &c.Proposed, &c.Note, &c.CheckedBy, tm(&c.CheckedAt)); err != nil {
			return nil, fmt.Errorf("scan effectiveness check: %w", err)
		}
		c.CheckedAt = c.CheckedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// CheckAfterDays returns the organisation's days between the last
// corrective action done and the effectiveness check (def if unset).
func (tx *Tx) CheckAfterDays(ctx context.Context, orgID int64, def int) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT check_after_days FROM deviation_settings WHERE org_id = $1`, orgID).Scan(&n)
	if err == sql.ErrNoRows {
		return def, nil
	}
	return n, err
}

// SetCheckAfterDays stores the organisation's check delay.
func (tx *Tx) SetCheckAfterDays(ctx context.Context, orgID int64, days int) error {
	_, err := tx.exec(ctx, `INSERT INTO deviation_settings (org_id, check_after_days) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET check_after_days = excluded.check_after_days`, orgID, days)
	return err
}

// EvidenceFile is a file attached to a corrective action as evidence.
type EvidenceFile struct {
	Name    string
	Content []byte
}

// SaveEvidenceFile attaches a file to a corrective action.
func (tx *Tx) SaveEvidenceFile(ctx context.Context, orgID, actionID int64, f *EvidenceFile) error {
	_, err := tx.exec(ctx, `INSERT INTO action_evidence (org_id, action_id, file_name, size, content, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		orgID, actionID, f.Name, len(f.Content), base64.StdEncoding.EncodeToString(f.Content), tx.ts(tx.Now))
	return conflict(err, "the action has an evidence file already")
}

// EvidenceFileOf returns the file attached to a corrective action of the
// deviation; ENOTFOUND if none.
func (tx *Tx) EvidenceFileOf(ctx context.Context, orgID, deviationID, actionID int64) (*EvidenceFile, error) {
	var f EvidenceFile
	var content string
	err := tx.queryRow(ctx, `SELECT e.file_name, e.content FROM action_evidence e JOIN corrective_actions c ON c.id = e.action_id AND c.org_id = e.org_id
		WHERE e.org_id = $1 AND c.deviation_id = $2 AND e.action_id = $3`, orgID, deviationID, actionID).Scan(&f.Name, &content)
	if err != nil {
		return nil, notFound(err, "evidence file")
	}
	if f.Content, err = base64.StdEncoding.DecodeString(content); err != nil {
		return nil, fmt.Errorf("decode evidence file of action %d: %w", actionID, err)
	}
	return &f, nil
}

// MetricDeviations lists the deviations linked to a metric (id, ref,
// status, metric key and period only), oldest first.
func (tx *Tx) MetricDeviations(ctx context.Context, orgID int64) ([]isms.Deviation, error) {
	rows, err := tx.query(ctx, `SELECT id, ref, status, metric_key, metric_period FROM deviations
		WHERE org_id = $1 AND metric_key <> '' ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("metric deviations: %w", err)
	}
	defer rows.Close()
	var out []isms.Deviation
	for rows.Next() {
		var d isms.Deviation
		var status string
		if err := rows.Scan(&d.ID, &d.Ref, &status, &d.MetricKey, &d.MetricPeriod); err != nil {
			return nil, err
		}
		d.Status = isms.DeviationStatus(status)
		out = append(out, d)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

const riskColumns = `r.id, r.org_id, r.number, r.asset, r.threat, r.vulnerability, r.likelihood, r.impact, r.treatment, r.treatment_plan,
	r.justification, r.owner_id, COALESCE(u.email, ''), COALESCE(u.name, ''), r.assessed_at, r.next_review, r.created_at, r.updated_at,
	r.control_ids, r.process_ids`

const riskFrom = ` FROM risks r LEFT JOIN users u ON u.id = r.owner_id`

func scanRisk(sc interface{ Scan(...any) error }) (*isms.Risk, error) {
	var r isms.Risk
	var owner sql.NullInt64
	var treatment, controls, processes string
	if err := sc.Scan(&r.ID, &r.OrgID, &r.Number, &r.Asset, &r.Threat, &r.Vulnerability, &r.Likelihood, &r.Impact, &treatment, &r.Plan,
		&r.Justification, &owner, &r.OwnerEmail, &r.OwnerName, tm(&r.AssessedAt), tm(&r.NextReview), tm(&r.CreatedAt), tm(&r.UpdatedAt),
		&controls, &processes); err != nil {
		return nil, err
	}
	if err := setRiskLinks(&r, controls, processes); err != nil {
		return nil, err
	}
	r.Treatment, r.OwnerID = isms.Treatment(treatment), owner.Int64
	r.AssessedAt, r.NextReview, r.CreatedAt, r.UpdatedAt = r.AssessedAt.UTC(), r.NextReview.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateRisk inserts a risk with the next number of its organisation and
// sets ID, Number, CreatedAt and UpdatedAt. Links are set separately.
func (tx *Tx) CreateRisk(ctx context.Context, r *isms.Risk) error {
	if err := tx.LockOrg(ctx, r.OrgID); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM risks WHERE org_id = $1`, r.OrgID).Scan(&r.Number); err != nil {
		return fmt.Errorf("next risk number: %w", err)
	}
	r.CreatedAt, r.UpdatedAt = tx.Now, tx.Now
	err := tx.queryRow(ctx, `INSERT INTO risks (org_id, number, asset, threat, vulnerability, likelihood, impact, score, level, treatment,
		treatment_plan, justification, owner_id, assessed_at, next_review, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		r.OrgID, r.Number, r.Asset, r.Threat, r.Vulnerability, r.Likelihood, r.Impact, r.Score(), string(r.Level()), string(r.Treatment),
		r.Plan, r.Justification, nullID(r.OwnerID), tx.ts(r.AssessedAt), tx.ts(r.NextReview), tx.ts(r.CreatedAt), tx.ts(r.UpdatedAt)).Scan(&r.ID)
	return conflict(err, "another risk was added at the same moment; try again")
}

// UpdateRisk stores every column of the risk and sets UpdatedAt.
// ENOTFOUND when the organisation has no such risk.
func (tx *Tx) UpdateRisk(ctx context.Context, r *isms.Risk) error {
	r.UpdatedAt = tx.Now
	res, err := tx.exec(ctx, `UPDATE risks SET asset = $1, threat = $2, vulnerability = $3, likelihood = $4, impact = $5, score = $6, level = $7,
		treatment = $8, treatment_plan = $9, justification = $10, owner_id = $11, assessed_at = $12, next_review = $13, updated_at = $14
		WHERE org_id = $15 AND id = $16`,
		r.Asset, r.Threat, r.Vulnerability, r.Likelihood, r.Impact, r.Score(), string(r.Level()), string(r.Treatment), r.Plan, r.Justification,
		nullID(r.OwnerID), tx.ts(r.AssessedAt), tx.ts(r.NextReview), tx.ts(r.UpdatedAt), r.OrgID, r.ID)
	if err != nil {
		return fmt.Errorf("update risk %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return isms.Errorf(isms.ENOTFOUND, "risk %d not found", r.ID)
	}
	return nil
}

// Risk returns one risk of the organisation with its links (the copies on
// its row, migration 0042). ENOTFOUND.
func (tx *Tx) Risk(ctx context.Context, orgID, id int64) (*isms.Risk, error) {
	r, err := scanRisk(tx.queryRow(ctx, `SELECT `+riskColumns+riskFrom+` WHERE r.org_id = $1 AND r.id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, isms.Errorf(isms.ENOTFOUND, "risk %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("risk %d: %w", id, err)
	}
	return r, nil
}

// Risks returns every risk of the organisation with its links, by number.
func (tx *Tx) Risks(ctx context.Context, orgID int64) ([]*isms.Risk, error) {
	rows, err := tx.query(ctx, `SELECT `+riskColumns+riskFrom+` WHERE r.org_id = $1 ORDER BY r.number`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list risks: %w", err)
	}
	var out []*isms.Risk
	for rows.Next() {
		r, err := scanRisk(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan risk: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	return out, rows.Err()
}

// SetRiskLinks replaces the controls and processes a risk links to, in
// the link tables and in the copies on the risk's row (migration 0042),
// and sorts r's: controls in byte order, processes by id. The app checks
// first that the processes are the organisation's.
func (tx *Tx) SetRiskLinks(ctx context.Context, r *isms.Risk) error {
	slices.Sort(r.Controls)
	slices.Sort(r.ProcessIDs)
	ids := make([]string, len(r.ProcessIDs))
	for i, p := range r.ProcessIDs {
		ids[i] = strconv.FormatInt(p, 10)
	}
	if _, err := tx.exec(ctx, `UPDATE risks SET control_ids = $1, process_ids = $2 WHERE org_id = $3 AND id = $4`,
		strings.Join(r.Controls, ","), strings.Join(ids, ","), r.OrgID, r.ID); err != nil {
		return fmt.Errorf("copy risk links: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM risk_controls WHERE org_id = $1 AND risk_id = $2`, r.OrgID, r.ID); err != nil {
		return fmt.Errorf("unlink controls: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM risk_processes WHERE org_id = $1 AND risk_id = $2`, r.OrgID, r.ID); err != nil {
		return fmt.Errorf("unlink processes: %w", err)
	}
	for _, c := range r.Controls {
		if _, err := tx.exec(ctx, `INSERT INTO risk_controls (org_id, risk_id, catalogue, control_id) VALUES ($1, $2, $3, $4)`,
			r.OrgID, r.ID, isms.CatalogueAnnexA2022, c); err != nil {
			return fmt.Errorf("link control %s: %w", c, err)
		}
	}
	for _, p := range r.ProcessIDs {
		if _, err := tx.exec(ctx, `INSERT INTO risk_processes (org_id, risk_id, process_id) VALUES ($1, $2, $3)`, r.OrgID, r.ID, p); err != nil {
			return fmt.Errorf("link process %d: %w", p, err)
		}
	}
	return nil
}

// AddRiskAssessment appends an assessment to a risk's score history.
func (tx *Tx) AddRiskAssessment(ctx context.Context, orgID int64, a *isms.RiskAssessment) error {
	a.At = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO risk_assessments (org_id, risk_id, likelihood, impact, score, level, note, actor_id, actor, assessed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		orgID, a.RiskID, a.Likelihood, a.Impact, a.Score, string(a.Level), a.Note, nullID(a.ActorID), a.Actor, tx.ts(a.At))
	if err != nil {
		return fmt.Errorf("add risk assessment: %w", err)
	}
	return nil
}

// RiskAssessments returns a risk's score history, oldest first.
func (tx *Tx) RiskAssessments(ctx context.Context, orgID, riskID int64) ([]isms.RiskAssessment, error) {
	rows, err := tx.query(ctx, `SELECT risk_id, likelihood, impact, score, level, note, actor_id, actor, assessed_at FROM risk_assessments
		WHERE org_id = $1 AND risk_id = $2 ORDER BY assessed_at, id`, orgID, riskID)
	if err != nil {
		return nil, fmt.Errorf("risk assessments: %w", err)
	}
	return scanAssessments(rows)
}

// assessmentColumns are the columns of risk_assessments a, for scanAssessment.
const assessmentColumns = `a.risk_id, a.likelihood, a.impact, a.score, a.level, a.note, a.actor_id, a.actor, a.assessed_at`

func scanAssessments(rows *sql.Rows) ([]isms.RiskAssessment, error) {
	defer rows.Close()
	var out []isms.RiskAssessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, fmt.Errorf("scan risk assessment: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// scanAssessment reads assessmentColumns.
func scanAssessment(sc rowScanner) (isms.RiskAssessment, error) {
	var a isms.RiskAssessment
	var level string
	var actor sql.NullInt64
	if err := sc.Scan(&a.RiskID, &a.Likelihood, &a.Impact, &a.Score, &level, &a.Note, &actor, &a.Actor, tm(&a.At)); err != nil {
		return a, err
	}
	a.Level, a.ActorID, a.At = isms.RiskLevel(level), actor.Int64, a.At.UTC()
	return a, nil
}

// RiskWithHistory is Risk and RiskAssessments in one statement (one round
// trip on PostgreSQL, issue 16 item 4): a row per assessment, each with
// the risk and its links. A risk has its first assessment from its
// creation; one without any is read with the two statements. ENOTFOUND.
func (tx *Tx) RiskWithHistory(ctx context.Context, orgID, id int64) (*isms.Risk, []isms.RiskAssessment, error) {
	rows, err := tx.query(ctx, `SELECT `+riskColumns+`, `+assessmentColumns+riskFrom+`
		JOIN risk_assessments a ON a.org_id = r.org_id AND a.risk_id = r.id
		WHERE r.org_id = $1 AND r.id = $2 ORDER BY a.assessed_at, a.id`, orgID, id)
	if err != nil {
		return nil, nil, fmt.Errorf("risk %d: %w", id, err)
	}
	var r *isms.Risk
	var hist []isms.RiskAssessment
	for rows.Next() {
		var one *isms.Risk
		var a isms.RiskAssessment
		err := scanJoined(rows, func(sc rowScanner) error {
			var err error
			one, err = scanRisk(sc)
			return err
		}, func(sc rowScanner) error {
			var err error
			a, err = scanAssessment(sc)
			return err
		})
		if err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("scan risk %d: %w", id, err)
		}
		if r == nil {
			r = one
		}
		hist = append(hist, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("risk %d: %w", id, err)
	}
	if r == nil {
		if r, err = tx.Risk(ctx, orgID, id); err != nil {
			return nil, nil, err
		}
		hist, err = tx.RiskAssessments(ctx, orgID, id)
		return r, hist, err
	}
	return r, hist, nil
}

// ReviewIntervals returns the organisation's months between
// reassessments, or the defaults when it set none.
func (tx *Tx) ReviewIntervals(ctx context.Context, orgID int64) (isms.ReviewIntervals, error) {
	var low, medium, high, critical int
	err := tx.queryRow(ctx, `SELECT low_months, medium_months, high_months, critical_months FROM risk_settings WHERE org_id = $1`, orgID).
		Scan(&low, &medium, &high, &critical)
	if err == sql.ErrNoRows {
		return isms.DefaultReviewIntervals(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("review intervals: %w", err)
	}
	return isms.ReviewIntervals{isms.LevelLow: low, isms.LevelMedium: medium, isms.LevelHigh: high, isms.LevelCritical: critical}, nil
}

// SetReviewIntervals stores the organisation's months between
// reassessments.
func (tx *Tx) SetReviewIntervals(ctx context.Context, orgID int64, ri isms.ReviewIntervals) error {
	_, err := tx.exec(ctx, `INSERT INTO risk_settings (org_id, low_months, medium_months, high_months, critical_months, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id) DO UPDATE SET low_months = excluded.low_months, medium_months = excluded.medium_months,
			high_months = excluded.high_months, critical_months = excluded.critical_months, updated_at = excluded.updated_at`,
		orgID, ri[isms.LevelLow], ri[isms.LevelMedium], ri[isms.LevelHigh], ri[isms.LevelCritical], tx.ts(tx.Now))
	if err != nil {
		return fmt.Errorf("set review intervals: %w", err)
	}
	return nil
}

// ProcessChoice is a process of the organisation that records can link to.
type ProcessChoice struct {
	ID   int64
	Name string
}

// LinkableProcesses returns the organisation's processes by name.
func (tx *Tx) LinkableProcesses(ctx context.Context, orgID int64) ([]ProcessChoice, error) {
	rows, err := tx.query(ctx, `SELECT id, name FROM processes WHERE org_id = $1 ORDER BY name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	defer rows.Close()
	var out []ProcessChoice
	for rows.Next() {
		var p ProcessChoice
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RiskAssessmentsBefore returns every assessment of the organisation's
// risks made before the moment, by risk and then oldest first.
func (tx *Tx) RiskAssessmentsBefore(ctx context.Context, orgID int64, before time.Time) ([]isms.RiskAssessment, error) {
	rows, err := tx.query(ctx, `SELECT risk_id, likelihood, impact, score, level, note, actor_id, actor, assessed_at FROM risk_assessments
		WHERE org_id = $1 AND assessed_at < $2 ORDER BY risk_id, assessed_at, id`, orgID, tx.ts(before))
	if err != nil {
		return nil, fmt.Errorf("risk assessments before %v: %w", before, err)
	}
	return scanAssessments(rows)
}

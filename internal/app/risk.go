package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RiskFields are the descriptive fields of a risk: everything but
// likelihood and impact, which change only by reassessment.
type RiskFields struct {
	Asset, Threat, Vulnerability string
	Treatment                    isms.Treatment
	Plan, Justification          string
	// OwnerEmail names a member; empty means the caller (on creation) or
	// the current owner (on update).
	OwnerEmail string
	Controls   []string // Annex A identifiers, e.g. A.5.1
	ProcessIDs []int64  // processes of the same organisation
}

// CreateRisk adds a risk to the register with its first assessment in the
// score history. Requires write_records. EINVALID.
func (a *App) CreateRisk(ctx context.Context, p Principal, slug string, f RiskFields, likelihood, impact int, note string) (*isms.Risk, error) {
	if err := isms.CheckLength("note", note, isms.MaxText); err != nil {
		return nil, err
	}
	var out *isms.Risk
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		r := &isms.Risk{OrgID: m.Org.ID, Likelihood: likelihood, Impact: impact, OwnerID: p.UserID}
		if err := applyRiskFields(ctx, tx, m, r, f); err != nil {
			return err
		}
		ri, err := tx.ReviewIntervals(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		r.AssessedAt = tx.Now
		r.NextReview = ri.NextReassessment(r.Level(), r.AssessedAt)
		if err := tx.CreateRisk(ctx, r); err != nil {
			return err
		}
		if err := tx.SetRiskLinks(ctx, r); err != nil {
			return err
		}
		if strings.TrimSpace(note) == "" {
			note = "initial assessment"
		}
		if err := addAssessment(ctx, tx, m, r, note); err != nil {
			return err
		}
		// Read back for the owner's email.
		if out, err = tx.Risk(ctx, m.Org.ID, r.ID); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "risk.create", "risk", out.Ref(), nil, out)
	})
	return out, err
}

// UpdateRisk changes a risk's descriptive fields, treatment, owner and
// links; likelihood and impact stay (see ReassessRisk). Requires
// write_records. ENOTFOUND, EINVALID.
func (a *App) UpdateRisk(ctx context.Context, p Principal, slug string, id int64, f RiskFields) (*isms.Risk, error) {
	var out *isms.Risk
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		before, err := tx.Risk(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		r := *before
		if err := applyRiskFields(ctx, tx, m, &r, f); err != nil {
			return err
		}
		if err := tx.UpdateRisk(ctx, &r); err != nil {
			return err
		}
		if err := tx.SetRiskLinks(ctx, &r); err != nil {
			return err
		}
		out = &r
		return audit(ctx, tx, m.Org.ID, p, "risk.update", "risk", r.Ref(), before, r)
	})
	return out, err
}

// ReassessRisk records a new likelihood and impact with a note saying what
// was considered, appends it to the score history and sets the next
// reassessment date from the new level. Requires write_records.
// ENOTFOUND, EINVALID.
func (a *App) ReassessRisk(ctx context.Context, p Principal, slug string, id int64, likelihood, impact int, note string) (*isms.Risk, error) {
	if err := isms.CheckLength("note", note, isms.MaxText); err != nil {
		return nil, err
	}
	var out *isms.Risk
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		before, err := tx.Risk(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if err := isms.ValidateScale(likelihood, impact); err != nil {
			return err
		}
		if note = strings.TrimSpace(note); note == "" {
			return isms.Errorf(isms.EINVALID, "note: say what the reassessment considered, e.g. \"new backups tested; likelihood lower\"")
		}
		ri, err := tx.ReviewIntervals(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		r := *before
		r.Likelihood, r.Impact, r.AssessedAt = likelihood, impact, tx.Now
		r.NextReview = ri.NextReassessment(r.Level(), r.AssessedAt)
		if err := tx.UpdateRisk(ctx, &r); err != nil {
			return err
		}
		if err := addAssessment(ctx, tx, m, &r, note); err != nil {
			return err
		}
		out = &r
		after := map[string]any{"likelihood": likelihood, "impact": impact, "score": r.Score(), "level": r.Level(), "note": note, "next_review": r.NextReview}
		beforeScore := map[string]any{"likelihood": before.Likelihood, "impact": before.Impact, "score": before.Score(), "level": before.Level(), "next_review": before.NextReview}
		return audit(ctx, tx, m.Org.ID, p, "risk.reassess", "risk", r.Ref(), beforeScore, after)
	})
	return out, err
}

func addAssessment(ctx context.Context, tx *store.Tx, m *Member, r *isms.Risk, note string) error {
	return tx.AddRiskAssessment(ctx, m.Org.ID, &isms.RiskAssessment{RiskID: r.ID, Likelihood: r.Likelihood, Impact: r.Impact,
		Score: r.Score(), Level: r.Level(), Note: note, ActorID: m.UserID, Actor: m.Label})
}

// applyRiskFields copies f onto r, resolving the owner and checking that
// the processes belong to the organisation, then validates r.
func applyRiskFields(ctx context.Context, tx *store.Tx, m *Member, r *isms.Risk, f RiskFields) error {
	r.Asset, r.Threat, r.Vulnerability = f.Asset, f.Threat, f.Vulnerability
	r.Treatment, r.Plan, r.Justification = f.Treatment, f.Plan, f.Justification
	r.Controls = slices.Compact(slices.Sorted(slices.Values(trimAll(f.Controls))))
	r.ProcessIDs = slices.Compact(slices.Sorted(slices.Values(f.ProcessIDs)))
	if email := strings.TrimSpace(f.OwnerEmail); email != "" {
		id, err := memberByEmail(ctx, tx, m.Org.ID, email)
		if err != nil {
			return err
		}
		r.OwnerID, r.OwnerEmail = id, isms.NormalizeEmail(email)
	}
	if r.OwnerID == 0 {
		return isms.Errorf(isms.EINVALID, "owner: name the member who owns the risk (their email)")
	}
	if err := checkProcesses(ctx, tx, m.Org.ID, r.ProcessIDs); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return checkNotExcluded(ctx, tx, m.Org.ID, r.Controls)
}

// checkNotExcluded returns EINVALID for a control the Statement of
// Applicability excludes: a treatment cannot rely on it (the SoA refuses
// the converse, see UpdateSoA).
func checkNotExcluded(ctx context.Context, tx *store.Tx, orgID int64, controls []string) error {
	if len(controls) == 0 {
		return nil
	}
	entries, err := tx.SoAEntries(ctx, orgID, isms.CatalogueAnnexA2022)
	if err != nil {
		return err
	}
	for _, c := range controls {
		if e, ok := entries[c]; ok && !e.Applicable {
			return isms.Errorf(isms.EINVALID, "controls: %s is excluded in the Statement of Applicability; include it there first or choose another control", c)
		}
	}
	return nil
}

func trimAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// memberByEmail returns the user id of a member of the organisation, or
// EINVALID.
func memberByEmail(ctx context.Context, tx *store.Tx, orgID int64, email string) (int64, error) {
	// Only "not found" is the caller's mistake; a failing database is not.
	u, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return 0, isms.Errorf(isms.EINVALID, "owner: no member with email %s", email)
	} else if err != nil {
		return 0, err
	}
	if _, err := tx.Membership(ctx, orgID, u.User.ID); isms.ErrorCode(err) == isms.ENOTFOUND {
		return 0, isms.Errorf(isms.EINVALID, "owner: no member with email %s", email)
	} else if err != nil {
		return 0, err
	}
	return u.User.ID, nil
}

// checkProcesses returns EINVALID unless every id is a process of the
// organisation (another organisation's process reads as unknown).
func checkProcesses(ctx context.Context, tx *store.Tx, orgID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	ps, err := tx.LinkableProcesses(ctx, orgID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(ps, func(p store.ProcessChoice) bool { return p.ID == id }) {
			return isms.Errorf(isms.EINVALID, "processes: there is no process %d in this organisation", id)
		}
	}
	return nil
}

// SetReviewIntervals changes the organisation's months between
// reassessments per level and moves every risk's next reassessment date
// accordingly (from its last assessment). Requires manage_metrics.
// EINVALID.
func (a *App) SetReviewIntervals(ctx context.Context, p Principal, slug string, ri isms.ReviewIntervals) error {
	if err := ri.Validate(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		before, err := tx.ReviewIntervals(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		if err := tx.SetReviewIntervals(ctx, m.Org.ID, ri); err != nil {
			return err
		}
		risks, err := tx.Risks(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		for _, r := range risks {
			if next := ri.NextReassessment(r.Level(), r.AssessedAt); !next.Equal(r.NextReview) {
				r.NextReview = next
				if err := tx.UpdateRisk(ctx, r); err != nil {
					return err
				}
			}
		}
		return audit(ctx, tx, m.Org.ID, p, "risk.intervals", "organization", m.Org.Slug, before, ri)
	})
}

// RiskStats are the register's figures for the dashboard.
type RiskStats struct {
	Total                int
	ByLevel              map[string]int // every level, zero included
	ReassessmentsOverdue int
	NextReassessment     *time.Time // the earliest due date; nil without risks
	Untreated            int        /* high or critical with treatment accept but no justification, or no treatment plan */
}

// RiskStats counts the register by level, overdue reassessments and
// untreated high and critical risks. Requires read.
func (a *App) RiskStats(ctx context.Context, p Principal, slug string) (RiskStats, error) {
	var st RiskStats
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		st, err = riskStats(ctx, tx, m.Org.ID)
		return err
	})
	return st, err
}

func riskStats(ctx context.Context, tx *store.Tx, orgID int64) (RiskStats, error) {
	st := RiskStats{ByLevel: map[string]int{}}
	for _, l := range isms.RiskLevels() {
		st.ByLevel[string(l)] = 0
	}
	risks, err := tx.Risks(ctx, orgID)
	if err != nil {
		return st, err
	}
	for _, r := range risks {
		st.Total++
		st.ByLevel[string(r.Level())]++
		if r.Overdue(tx.Now) {
			st.ReassessmentsOverdue++
		}
		if r.Untreated() {
			st.Untreated++
		}
		if st.NextReassessment == nil || r.NextReview.Before(*st.NextReassessment) {
			next := r.NextReview
			st.NextReassessment = &next
		}
	}
	return st, nil
}

package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// DefaultCheckAfterDays is the days between the last corrective action
// done and the effectiveness check, unless the organisation sets another.
const DefaultCheckAfterDays = 30

// Automatic is the principal of changes pdca makes by itself.
var Automatic = Principal{Label: "pdca (automatic)"}

// DeviationInput is a deviation opened by a person.
type DeviationInput struct {
	Title, Description, Kind, Source, Severity string
	DetectedAt                                 time.Time
	OwnerEmail                                 string // "" = the person opening it
	DueAt                                      *time.Time
	MetricKey, MetricPeriod                    string
	ProcessID                                  int64
	RiskRef, ControlRef                        string
}

// writeDeviation runs fn on deviation id in a write transaction as a
// member who may perform act, then stores it, mirrors it into records
// and writes the audit event action.
func (a *App) writeDeviation(ctx context.Context, p Principal, slug string, id int64, act isms.Action, action string,
	fn func(tx *store.Tx, m *Member, d *isms.Deviation) error) (*isms.Deviation, error) {
	var out *isms.Deviation
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(act); err != nil {
			return err
		}
		d, err := tx.Deviation(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		before := *d
		if err := fn(tx, m, d); err != nil {
			return err
		}
		if err := a.saveDeviation(ctx, tx, p, &before, d, action); err != nil {
			return err
		}
		out, err = tx.Deviation(ctx, m.Org.ID, id)
		return err
	})
	return out, err
}

// saveDeviation stores d, keeps its record and finding in step and
// audits the change.
func (a *App) saveDeviation(ctx context.Context, tx *store.Tx, p Principal, before, d *isms.Deviation, action string) error {
	if err := tx.UpdateDeviation(ctx, d); err != nil {
		return err
	}
	if err := mirrorDeviation(ctx, tx, d); err != nil {
		return err
	}
	if err := syncFinding(ctx, tx, d); err != nil {
		return err
	}
	if before.Status != isms.DevClosed && d.Status == isms.DevClosed {
		if err := a.deviationEvent(ctx, tx, isms.EventDeviationClosed, d); err != nil {
			return err
		}
	}
	return audit(ctx, tx, d.OrgID, p, action, "deviation", d.Ref, summary(before), summary(d))
}

// summary is what the audit trail keeps of a deviation.
func summary(d *isms.Deviation) map[string]any {
	if d == nil {
		return nil
	}
	return map[string]any{"ref": d.Ref, "title": d.Title, "status": d.Status, "owner_id": d.OwnerID, "correction": d.Correction,
		"whys": d.Whys, "root_cause": d.RootCause, "category": d.Category, "check_due_at": d.CheckDueAt, "close_reason": d.CloseReason,
		"reason": d.OpenedReason}
}

// resolveOwner returns the id of the member with the email.
func resolveOwner(ctx context.Context, tx *store.Tx, orgID int64, email string) (int64, error) {
	u, err := tx.UserByEmail(ctx, isms.NormalizeEmail(email))
	if err != nil {
		return 0, isms.Errorf(isms.EINVALID, "owner: no person with email %s", email)
	}
	if _, err := tx.Membership(ctx, orgID, u.User.ID); err != nil {
		return 0, isms.Errorf(isms.EINVALID, "owner: %s is not a member of this organisation", email)
	}
	return u.User.ID, nil
}

// CreateDeviation opens a deviation by hand. Requires write_records.
// EINVALID.
func (a *App) CreateDeviation(ctx context.Context, p Principal, slug string, in DeviationInput) (*isms.Deviation, error) {
	if err := isms.CheckLengths(isms.Limit{Name: "title", Value: in.Title, Max: isms.MaxName}, isms.Limit{Name: "description", Value: in.Description, Max: isms.MaxText}); err != nil {
		return nil, err
	}
	var out *isms.Deviation
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		d := &isms.Deviation{OrgID: m.Org.ID, Title: in.Title, Description: strings.TrimSpace(in.Description), Kind: in.Kind, Source: in.Source,
			Severity: in.Severity, DetectedAt: in.DetectedAt, OwnerID: p.UserID, DueAt: in.DueAt, MetricKey: strings.TrimSpace(in.MetricKey),
			MetricPeriod: strings.TrimSpace(in.MetricPeriod), ProcessID: in.ProcessID, RiskRef: strings.TrimSpace(in.RiskRef),
			ControlRef: strings.TrimSpace(in.ControlRef), OpenedReason: "opened by " + p.Label}
		if d.DetectedAt.IsZero() {
			d.DetectedAt = tx.Now
		}
		if in.OwnerEmail != "" {
			if d.OwnerID, err = resolveOwner(ctx, tx, m.Org.ID, in.OwnerEmail); err != nil {
				return err
			}
		}
		if err := d.Validate(); err != nil {
			return err
		}
		if d.DetectedAt.After(tx.Now) {
			return isms.Errorf(isms.EINVALID, "detected: the date is in the future")
		}
		if d.DueAt != nil && d.DueAt.Before(d.DetectedAt.Truncate(24*time.Hour)) {
			return isms.Errorf(isms.EINVALID, "due: the due date is before the deviation was detected")
		}
		if d.ControlRef != "" {
			d.ControlRef = strings.ToUpper(d.ControlRef)
			if _, err := isms.AnnexA().Control(d.ControlRef); err != nil {
				return isms.Errorf(isms.EINVALID, "control: %q is not an Annex A control of 2022 (e.g. A.5.15)", d.ControlRef)
			}
		}
		if d.MetricKey != "" {
			if _, err := findMetric(ctx, tx, m.Org.ID, d.MetricKey); err != nil {
				return isms.Errorf(isms.EINVALID, "metric: no metric with key %q", d.MetricKey)
			}
		}
		if err := a.insertDeviation(ctx, tx, p, d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// insertDeviation numbers, stores, mirrors and audits a new deviation.
func (a *App) insertDeviation(ctx context.Context, tx *store.Tx, p Principal, d *isms.Deviation) error {
	d.Status = isms.DevOpen
	ref, err := nextDeviationRef(ctx, tx, d.OrgID, d.DetectedAt.Year())
	if err != nil {
		return err
	}
	d.Ref = ref
	if err := tx.InsertDeviation(ctx, d); err != nil {
		return err
	}
	if err := mirrorDeviation(ctx, tx, d); err != nil {
		return err
	}
	if err := a.deviationEvent(ctx, tx, isms.EventDeviationOpened, d); err != nil {
		return err
	}
	return audit(ctx, tx, d.OrgID, p, "deviation.open", "deviation", d.Ref, nil, summary(d))
}

// nextDeviationRef returns DEV-<year>-NNN, the first number used neither
// by a deviation nor by an imported deviation record.
func nextDeviationRef(ctx context.Context, tx *store.Tx, orgID int64, year int) (string, error) {
	if err := tx.LockOrg(ctx, orgID); err != nil {
		return "", err
	}
	prefix := fmt.Sprintf("DEV-%d-", year)
	n, err := tx.CountDeviationRefs(ctx, orgID, prefix)
	if err != nil {
		return "", err
	}
	for n++; ; n++ {
		ref := fmt.Sprintf("%s%03d", prefix, n)
		exists, err := tx.DeviationRefExists(ctx, orgID, ref)
		if err != nil {
			return "", err
		}
		if _, err := tx.RecordByKey(ctx, orgID, isms.KindDeviations, ref); !exists && isms.ErrorCode(err) == isms.ENOTFOUND {
			return ref, nil
		}
	}
}

// mirrorDeviation upserts the deviations record of d, so that the
// metrics count app deviations like imported ones.
func mirrorDeviation(ctx context.Context, tx *store.Tx, d *isms.Deviation) error {
	spec, _ := isms.LookupKind(string(isms.KindDeviations))
	r := isms.Record{Kind: isms.KindDeviations, Texts: map[string]string{"ref": d.Ref, "title": d.Title, "source": d.Source, "severity": d.Severity,
		"grade": d.Kind},
		Times: map[string]time.Time{"detected_at": d.DetectedAt}, Bools: map[string]bool{}}
	if d.ClosedAt != nil {
		r.Times["closed_at"] = *d.ClosedAt
	}
	r.Key = spec.NaturalKey(r)
	cur, err := tx.RecordByKey(ctx, d.OrgID, isms.KindDeviations, r.Key)
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return tx.InsertRecord(ctx, d.OrgID, &r, 0)
	}
	if err != nil {
		return err
	}
	r.ID, r.Attributes = cur.ID, cur.Attributes
	if r.Equal(cur) {
		return nil
	}
	return tx.UpdateRecord(ctx, d.OrgID, &r)
}

// Transition applies the workflow step called name to deviation id.
// Closing an observation without an effectiveness check is for those who
// hold manage_metrics (exactly admin and isms_manager, the ISMS managers);
// every other step needs write_records. ENOTFOUND, ECONFLICT (wrong
// status), EINVALID (a precondition is missing).
func (a *App) Transition(ctx context.Context, p Principal, slug string, id int64, name, reason string) (*isms.Deviation, error) {
	if err := isms.CheckLength("reason", reason, isms.MaxText); err != nil {
		return nil, err
	}
	t, ok := isms.LookupTransition(name)
	if !ok {
		return nil, isms.Errorf(isms.ENOTFOUND, "no deviation transition %q", name)
	}
	act := isms.ActWriteRecords
	if name == "close-observation" {
		act = isms.ActManageMetrics
	}
	return a.writeDeviation(ctx, p, slug, id, act, "deviation."+name, func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		return applyTransition(tx, d, t, reason)
	})
}

// applyTransition moves d by t if its workflow (the answer the page
// renders its buttons from) allows it now and the reason is given where
// one is needed.
func applyTransition(tx *store.Tx, d *isms.Deviation, t isms.Transition, reason string) error {
	mv, ok := d.Workflow(tx.Now).Move(t.Name)
	if !ok || !mv.Allowed {
		return t.Check(d, reason) // says why, with its code
	}
	if err := t.Check(d, reason); err != nil {
		return err
	}
	d.Status = t.To
	switch t.To {
	case isms.DevClosed:
		now := tx.Now
		d.ClosedAt, d.CloseReason = &now, strings.TrimSpace(reason)
	case isms.DevAnalysing:
		d.ClosedAt = nil
		if t.Name == "reopen" {
			d.CloseReason = "reopened: " + strings.TrimSpace(reason)
		}
	}
	return nil
}

// RecordCorrection records the immediate correction (containment).
// Requires write_records. EINVALID, ECONFLICT when closed.
func (a *App) RecordCorrection(ctx context.Context, p Principal, slug string, id int64, text string) (*isms.Deviation, error) {
	if err := isms.CheckLength("correction", text, isms.MaxText); err != nil {
		return nil, err
	}
	return a.writeDeviation(ctx, p, slug, id, isms.ActWriteRecords, "deviation.correction", func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		if err := d.Allow(isms.OpCorrection, tx.Now); err != nil {
			return err
		}
		if text = strings.TrimSpace(text); text == "" {
			return isms.Errorf(isms.EINVALID, "correction: say what was done to contain the symptom")
		}
		now := tx.Now
		d.Correction, d.CorrectionAt = text, &now
		return nil
	})
}

// RecordRootCause records the five-whys chain, the cause and its
// category. Requires write_records. EINVALID, ECONFLICT when closed.
func (a *App) RecordRootCause(ctx context.Context, p Principal, slug string, id int64, whys []string, cause, category string) (*isms.Deviation, error) {
	return a.writeDeviation(ctx, p, slug, id, isms.ActWriteRecords, "deviation.root_cause", func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		if err := d.Allow(isms.OpRootCause, tx.Now); err != nil {
			return err
		}
		w, err := isms.ValidateRootCause(whys, cause, category)
		if err != nil {
			return err
		}
		d.Whys, d.RootCause, d.Category = w, strings.TrimSpace(cause), category
		return nil
	})
}

// AssignDeviation sets a deviation's owner (a member, by email; "" keeps
// the owner) and due date (nil clears it). Requires write_records.
// ENOTFOUND, EINVALID, ECONFLICT when closed.
func (a *App) AssignDeviation(ctx context.Context, p Principal, slug string, id int64, ownerEmail string, due *time.Time) (*isms.Deviation, error) {
	return a.writeDeviation(ctx, p, slug, id, isms.ActWriteRecords, "deviation.assign", func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		if err := d.Allow(isms.OpAssign, tx.Now); err != nil {
			return err
		}
		if ownerEmail = strings.TrimSpace(ownerEmail); ownerEmail != "" {
			owner, err := resolveOwner(ctx, tx, d.OrgID, ownerEmail)
			if err != nil {
				return err
			}
			d.OwnerID = owner
		}
		if due != nil && due.Before(d.DetectedAt.Truncate(24*time.Hour)) {
			return isms.Errorf(isms.EINVALID, "due: the due date is before the deviation was detected")
		}
		d.DueAt = due
		return nil
	})
}

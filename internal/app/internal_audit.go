package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// AuditInput is a new internal audit.
type AuditInput struct {
	Title     string
	Clauses   []string
	Controls  []string
	Processes []int64
	PlannedOn time.Time
	ActualOn  *time.Time
	LeadEmail string
	// Override is the reason to keep a lead auditor who owns a process in
	// scope.
	Override string
}

// CreateAudit plans an internal audit. The lead auditor must not own a
// process in scope unless an override reason is given. Requires
// write_records. EINVALID.
func (a *App) CreateAudit(ctx context.Context, p Principal, slug string, in AuditInput) (*isms.InternalAudit, error) {
	var out *isms.InternalAudit
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		au := &isms.InternalAudit{OrgID: m.Org.ID, Title: in.Title, Clauses: in.Clauses, Controls: in.Controls, Processes: in.Processes,
			PlannedOn: in.PlannedOn, ActualOn: in.ActualOn, Override: in.Override}
		if in.LeadEmail != "" {
			if au.LeadID, err = resolveOwner(ctx, tx, m.Org.ID, in.LeadEmail); err != nil {
				return isms.Errorf(isms.EINVALID, "lead auditor: %s is not a member of this organisation", in.LeadEmail)
			}
		}
		if err := au.Validate(); err != nil {
			return err
		}
		procs, err := tx.ProcessOwners(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		var owned []string
		for _, id := range au.Processes {
			i := slices.IndexFunc(procs, func(p store.ProcessOwner) bool { return p.ID == id })
			if i < 0 {
				return isms.Errorf(isms.EINVALID, "processes: no process with id %d", id)
			}
			if procs[i].OwnerID == au.LeadID {
				owned = append(owned, procs[i].Name)
			}
		}
		if err := au.Independence(owned); err != nil {
			return err
		}
		if err := tx.InsertInternalAudit(ctx, au); err != nil {
			return err
		}
		out = au
		return audit(ctx, tx, m.Org.ID, p, "audit.plan", "internal_audit", au.ID, nil, au)
	})
	return out, err
}

// SetAuditHeld records the date an audit was actually held. Requires
// write_records. ENOTFOUND, EINVALID.
func (a *App) SetAuditHeld(ctx context.Context, p Principal, slug string, id int64, on time.Time) error {
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		au, err := tx.InternalAudit(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		if on.IsZero() || on.After(tx.Now) {
			return isms.Errorf(isms.EINVALID, "held on: give a date that is not in the future")
		}
		if err := tx.SetAuditActual(ctx, m.Org.ID, id, on); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "audit.held", "internal_audit", id, map[string]any{"actual_on": au.ActualOn}, map[string]any{"actual_on": on})
	})
}

// Audits returns the programme of a year: its audits by planned date.
// Requires read.
func (a *App) Audits(ctx context.Context, p Principal, slug string, year int) ([]isms.InternalAudit, error) {
	var out []isms.InternalAudit
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := a.readMember(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		out, err = tx.InternalAudits(ctx, m.Org.ID, year)
		return err
	})
	return out, err
}

// Audit returns one audit with its findings. Requires read. ENOTFOUND.
func (a *App) Audit(ctx context.Context, p Principal, slug string, id int64) (*isms.InternalAudit, error) {
	var out *isms.InternalAudit
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := a.readMember(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		out, err = tx.InternalAudit(ctx, m.Org.ID, id)
		return err
	})
	return out, err
}

// RaiseFinding adds a finding to an audit; a major or minor finding
// opens a deviation (source audit finding) in the same transaction.
// Requires write_records. ENOTFOUND, EINVALID.
func (a *App) RaiseFinding(ctx context.Context, p Principal, slug string, auditID int64, kind, title string) (*isms.Finding, error) {
	if err := isms.CheckLength("title", title, isms.MaxName); err != nil {
		return nil, err
	}
	var out *isms.Finding
	err := a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		au, err := tx.InternalAudit(ctx, m.Org.ID, auditID)
		if err != nil {
			return err
		}
		f := &isms.Finding{OrgID: m.Org.ID, AuditID: au.ID, Kind: kind, Title: title, RaisedAt: tx.Now}
		if err := f.Validate(); err != nil {
			return err
		}
		if err := tx.LockOrg(ctx, m.Org.ID); err != nil {
			return err
		}
		prefix := fmt.Sprintf("F-%d-", tx.Now.Year())
		n, err := tx.CountFindingRefs(ctx, m.Org.ID, prefix)
		if err != nil {
			return err
		}
		// Skip numbers an imported audit_findings record uses.
		for n++; ; n++ {
			f.Ref = fmt.Sprintf("%s%03d", prefix, n)
			if _, err := tx.RecordByKey(ctx, m.Org.ID, isms.KindAuditFindings, f.Ref); isms.ErrorCode(err) == isms.ENOTFOUND {
				break
			}
		}
		if err := tx.InsertFinding(ctx, f); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, p, "audit.finding", "audit_finding", f.Ref, nil, f); err != nil {
			return err
		}
		if f.OpensDeviation() {
			if err := a.openForFinding(ctx, tx, au, f); err != nil {
				return err
			}
		}
		out = f
		return mirrorFinding(ctx, tx, au, f)
	})
	return out, err
}

func (a *App) openForFinding(ctx context.Context, tx *store.Tx, au *isms.InternalAudit, f *isms.Finding) error {
	owner, err := ismsManager(ctx, tx, au.OrgID)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("%s finding %s of audit %q", isms.GradeWords(f.Kind), f.Ref, au.Title)
	d := &isms.Deviation{OrgID: au.OrgID, Title: f.Title, Description: reason, Kind: f.Kind, Source: "audit_finding", Severity: isms.SeverityOfGrade(f.Kind),
		DetectedAt: f.RaisedAt, OwnerID: owner, FindingID: f.ID, OpenedReason: reason}
	if len(au.Processes) == 1 {
		d.ProcessID = au.Processes[0]
	}
	if err := a.insertDeviation(ctx, tx, Automatic, d); err != nil {
		return err
	}
	f.DeviationID = d.ID
	return tx.UpdateFinding(ctx, f)
}

// CloseFinding closes an observation or opportunity finding; a major or
// minor one closes with its deviation. Requires write_records. ENOTFOUND,
// ECONFLICT.
func (a *App) CloseFinding(ctx context.Context, p Principal, slug string, auditID, findingID int64) error {
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		au, err := tx.InternalAudit(ctx, m.Org.ID, auditID)
		if err != nil {
			return err
		}
		f, err := tx.Finding(ctx, m.Org.ID, findingID)
		if err != nil || f.AuditID != au.ID {
			return isms.Errorf(isms.ENOTFOUND, "finding not found")
		}
		if f.DeviationID != 0 {
			return isms.Errorf(isms.ECONFLICT, "%s closes when its deviation closes", f.Ref)
		}
		if f.ClosedAt != nil {
			return isms.Errorf(isms.ECONFLICT, "%s is already closed", f.Ref)
		}
		now := tx.Now
		f.ClosedAt = &now
		if err := tx.UpdateFinding(ctx, f); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, p, "audit.finding_close", "audit_finding", f.Ref, nil, f); err != nil {
			return err
		}
		return mirrorFinding(ctx, tx, au, f)
	})
}

// syncFinding keeps the finding of a deviation closed while the
// deviation is closed and open otherwise.
func syncFinding(ctx context.Context, tx *store.Tx, d *isms.Deviation) error {
	if d.FindingID == 0 {
		return nil
	}
	f, err := tx.Finding(ctx, d.OrgID, d.FindingID)
	if err != nil {
		return err
	}
	if (f.ClosedAt == nil) == (d.ClosedAt == nil) {
		return nil
	}
	f.ClosedAt = d.ClosedAt
	if err := tx.UpdateFinding(ctx, f); err != nil {
		return err
	}
	au, err := tx.InternalAudit(ctx, d.OrgID, f.AuditID)
	if err != nil {
		return err
	}
	return mirrorFinding(ctx, tx, au, f)
}

// mirrorFinding upserts the audit_findings record of f.
func mirrorFinding(ctx context.Context, tx *store.Tx, au *isms.InternalAudit, f *isms.Finding) error {
	spec, _ := isms.LookupKind(string(isms.KindAuditFindings))
	r := isms.Record{Kind: isms.KindAuditFindings, Texts: map[string]string{"ref": f.Ref, "audit": au.Title, "title": f.Title,
		"grade": f.Kind, "severity": isms.SeverityOfGrade(f.Kind)},
		Times: map[string]time.Time{"raised_at": f.RaisedAt}, Bools: map[string]bool{}}
	if f.ClosedAt != nil {
		r.Times["closed_at"] = *f.ClosedAt
	}
	r.Key = spec.NaturalKey(r)
	cur, err := tx.RecordByKey(ctx, f.OrgID, isms.KindAuditFindings, r.Key)
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return tx.InsertRecord(ctx, f.OrgID, &r, 0)
	}
	if err != nil {
		return err
	}
	r.ID, r.Attributes = cur.ID, cur.Attributes
	if r.Equal(cur) {
		return nil
	}
	return tx.UpdateRecord(ctx, f.OrgID, &r)
}

package app

import (
	"context"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// ActionInput is a new corrective action.
type ActionInput struct {
	Title      string
	OwnerEmail string // "" = the person adding it
	DueAt      time.Time
}

// AddCorrectiveAction adds an action on the deviation's cause. Requires
// write_records. EINVALID, ECONFLICT when the deviation is closed or
// being verified.
func (a *App) AddCorrectiveAction(ctx context.Context, p Principal, slug string, id int64, in ActionInput) (*isms.Deviation, error) {
	if err := isms.CheckLength("title", in.Title, isms.MaxName); err != nil {
		return nil, err
	}
	return a.writeDeviation(ctx, p, slug, id, isms.ActWriteRecords, "deviation.action_add", func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		if err := d.Allow(isms.OpAddAction, tx.Now); err != nil {
			return err
		}
		c := isms.CorrectiveAction{DeviationID: d.ID, Title: strings.TrimSpace(in.Title), OwnerID: p.UserID, DueAt: in.DueAt, Status: isms.ActionPlanned}
		if c.Title == "" {
			return isms.Errorf(isms.EINVALID, "action: say what will be done")
		}
		if c.DueAt.IsZero() {
			return isms.Errorf(isms.EINVALID, "deadline: give the date the action is due")
		}
		if in.OwnerEmail != "" {
			var err error
			if c.OwnerID, err = resolveOwner(ctx, tx, d.OrgID, in.OwnerEmail); err != nil {
				return err
			}
		}
		if err := tx.InsertCorrectiveAction(ctx, d.OrgID, &c); err != nil {
			return err
		}
		d.Actions = append(d.Actions, c)
		return nil
	})
}

// CompleteAction marks a corrective action done with evidence (a note, a
// file of at most MaxEvidenceFile bytes, or both), at doneAt (zero means
// now; not in the future), and schedules the effectiveness
// check the organisation's days after the last action done. Requires
// write_records. ENOTFOUND, EINVALID, ECONFLICT when already done.
func (a *App) CompleteAction(ctx context.Context, p Principal, slug string, id, actionID int64, evidence string, file *store.EvidenceFile, doneAt time.Time) (*isms.Deviation, error) {
	if err := isms.CheckLength("evidence", evidence, isms.MaxText); err != nil {
		return nil, err
	}
	return a.writeDeviation(ctx, p, slug, id, isms.ActWriteRecords, "deviation.action_done", func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		i := slices.IndexFunc(d.Actions, func(c isms.CorrectiveAction) bool { return c.ID == actionID })
		if i < 0 {
			return isms.Errorf(isms.ENOTFOUND, "corrective action %d not found", actionID)
		}
		c := &d.Actions[i]
		if c.Status == isms.ActionDone {
			return isms.Errorf(isms.ECONFLICT, "the action is already done")
		}
		if err := d.Allow(isms.OpCompleteAction, tx.Now); err != nil {
			return err
		}
		// Issue 18: the loop gate (docs/documents.md).
		if err := checkRevisions(ctx, tx, d.OrgID, isms.LinkRequiresAction, c.ID); err != nil {
			return err
		}
		evidence = strings.TrimSpace(evidence)
		if file != nil {
			file.Name = strings.TrimSpace(path.Base(strings.ReplaceAll(file.Name, "\\", "/")))
			if len(file.Content) == 0 || file.Name == "" || file.Name == "." || file.Name == "/" {
				file = nil
			}
		}
		if evidence == "" && file == nil {
			return isms.Errorf(isms.EINVALID, "evidence: say what shows the action is done, or attach a file")
		}
		if file != nil {
			if len(file.Content) > MaxEvidenceFile {
				return isms.Errorf(isms.EINVALID, "evidence file: %s is larger than 5 MB; attach a smaller file or describe it", file.Name)
			}
			if err := tx.SaveEvidenceFile(ctx, d.OrgID, c.ID, file); err != nil {
				return err
			}
			c.EvidenceFile = file.Name
		}
		if doneAt.IsZero() {
			doneAt = tx.Now
		}
		if doneAt.After(tx.Now) {
			return isms.Errorf(isms.EINVALID, "done: the date is in the future")
		}
		c.Status, c.Evidence, c.DoneAt = isms.ActionDone, evidence, &doneAt
		if err := tx.UpdateCorrectiveAction(ctx, d.OrgID, c); err != nil {
			return err
		}
		return scheduleCheck(ctx, tx, m.Org, d)
	})
}

// MaxEvidenceFile is the largest evidence file a corrective action takes.
const MaxEvidenceFile = 5 << 20

// ActionEvidenceFile returns the file attached to a corrective action and
// records the download in the audit trail. Requires read. ENOTFOUND.
func (a *App) ActionEvidenceFile(ctx context.Context, p Principal, slug string, id, actionID int64) (*store.EvidenceFile, error) {
	var out *store.EvidenceFile
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := a.readMember(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		out, err = tx.EvidenceFileOf(ctx, m.Org.ID, id, actionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	// An evidence download is recorded before the file is handed out.
	x := ExportInfo{Kind: "action-evidence", Format: "file", Filters: map[string]string{"deviation_id": itoa(id), "action_id": itoa(actionID), "name": out.Name},
		Bytes: int64(len(out.Content)), SHA256: sum(out.Content)}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return nil, err
	}
	return out, nil
}

// RecordCheck records the effectiveness check of a deviation being
// verified: effective closes it, not effective reopens it (back to
// analysing, the failed check kept). The check may not be made before it
// is due. Requires write_records. EINVALID, ECONFLICT.
func (a *App) RecordCheck(ctx context.Context, p Principal, slug string, id int64, verdict, note string) (*isms.Deviation, error) {
	if err := isms.CheckLength("note", note, isms.MaxText); err != nil {
		return nil, err
	}
	if verdict != isms.VerdictEffective && verdict != isms.VerdictNotEffective {
		return nil, isms.Errorf(isms.EINVALID, "verdict: use effective or not_effective")
	}
	action := "deviation.check_passed"
	if verdict == isms.VerdictNotEffective {
		action = "deviation.check_failed"
	}
	return a.writeDeviation(ctx, p, slug, id, isms.ActWriteRecords, action, func(tx *store.Tx, m *Member, d *isms.Deviation) error {
		if d.Status == isms.DevVerifying && d.CheckDueAt != nil && d.CheckDueAt.After(tx.Now) {
			// The day the check becomes possible, as the organisation reads it.
			return isms.Errorf(isms.EINVALID, "the effectiveness check is possible from %s; effectiveness can't be judged before then", d.CheckDueAt.In(m.Org.Location()).Format(time.DateOnly))
		}
		if err := d.Allow(isms.OpCheck, tx.Now); err != nil {
			return err
		}
		if note = strings.TrimSpace(note); note == "" {
			return isms.Errorf(isms.EINVALID, "note: give the evidence for the verdict")
		}
		ev, err := checkEvidence(ctx, tx, m.Org, d)
		if err != nil {
			return err
		}
		c := isms.EffectivenessCheck{DeviationID: d.ID, Verdict: verdict, Proposed: ev.Proposed, Note: note, CheckedBy: p.Label}
		if err := tx.InsertEffectivenessCheck(ctx, d.OrgID, &c); err != nil {
			return err
		}
		d.Checks = append(d.Checks, c)
		if verdict == isms.VerdictEffective {
			t, _ := isms.LookupTransition("close")
			return applyTransition(tx, d, t, "effectiveness check passed")
		}
		t, _ := isms.LookupTransition("reopen")
		return applyTransition(tx, d, t, "effectiveness check failed: "+note)
	})
}

// DeviationView is a deviation with what its page shows besides.
type DeviationView struct {
	isms.Deviation
	// SeenBefore lists earlier deviations with the same cause category and
	// process ("seen before").
	SeenBefore []isms.Deviation
	Evidence   CheckEvidence
	// Finding is the audit finding the deviation came from, or nil.
	Finding *isms.Finding
	// RecordKey and ProcessName name the linked record and process, so a
	// page shows "Incident INC-2026-103" rather than an id; empty when not
	// linked (or gone).
	RecordKey, ProcessName string
	// MetricName and MetricFrequency describe the linked metric ("" when
	// none, or when it was removed).
	MetricName, MetricFrequency string
	// Revisions lists, per corrective action id, the documents the action
	// requires a revision of (it cannot be completed before each is
	// satisfied: docs/documents.md).
	Revisions map[int64][]store.RevisionRequirement
}

// Deviation returns one deviation with its actions, checks, earlier
// deviations of the same cause and the check's evidence. Requires read.
// ENOTFOUND.
func (a *App) Deviation(ctx context.Context, p Principal, slug string, id int64) (*DeviationView, error) {
	var out *DeviationView
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		d, err := tx.Deviation(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		out = &DeviationView{Deviation: *d}
		if err := linkNames(ctx, tx, m.Org.ID, out); err != nil {
			return err
		}
		if out.Evidence, err = checkEvidence(ctx, tx, m.Org, d); err != nil {
			return err
		}
		if out.Revisions, err = tx.ActionRevisions(ctx, m.Org.ID, d.ID); err != nil {
			return err
		}
		if d.MetricKey != "" {
			if md, err := findMetric(ctx, tx, m.Org.ID, d.MetricKey); err == nil {
				out.MetricName, out.MetricFrequency = md.Name, string(md.Frequency)
			}
		}
		if d.FindingID != 0 {
			if out.Finding, err = tx.Finding(ctx, m.Org.ID, d.FindingID); err != nil {
				return err
			}
		}
		if d.Category == "" {
			return nil
		}
		all, err := tx.DeviationsWithCause(ctx, m.Org.ID, d.Category, d.ProcessID)
		for _, o := range all {
			if o.ID != d.ID && o.DetectedAt.Before(d.DetectedAt.Add(time.Second)) {
				out.SeenBefore = append(out.SeenBefore, o)
			}
		}
		return err
	})
	return out, err
}

// Deviations lists the organisation's deviations, newest first; status ""
// lists all, "overdue" those past their due date. Requires read.
func (a *App) Deviations(ctx context.Context, p Principal, slug, status string) ([]isms.Deviation, error) {
	ds, _, err := a.DeviationList(ctx, p, slug, status, 0, 0)
	return ds, err
}

// DeviationList returns one page of the organisation's deviations, newest
// first (limit 0: all), and how many there are in all; status as for
// Deviations. Requires read.
func (a *App) DeviationList(ctx context.Context, p Principal, slug, status string, limit, offset int) ([]isms.Deviation, int, error) {
	return a.DeviationPage(ctx, p, slug, DeviationQuery{Status: status, Limit: limit, Offset: offset})
}

// DeviationQuery filters and pages the deviations: Status as for
// Deviations, Owner the owner's email, Period a month or quarter of
// detection in the organisation's zone (PeriodRange).
type DeviationQuery struct {
	Status, Owner, Period string
	// Standard is a standard key (issue 19): deviations that serve it.
	Standard      string
	Limit, Offset int
	// NoCount skips counting the matching deviations when paged: the
	// total returned is then -1 while more follow the page, else the
	// offset plus the page's deviations.
	NoCount bool
}

// DeviationPage returns one page of the deviations that match q, newest
// first (limit 0: all), and how many match; filtered and paged by the
// database. Requires read. EINVALID for an unknown status or a period
// that is not a month or quarter.
func (a *App) DeviationPage(ctx context.Context, p Principal, slug string, q DeviationQuery) ([]isms.Deviation, int, error) {
	var out []isms.Deviation
	var total int
	q.Status = strings.ToLower(strings.TrimSpace(q.Status))
	if q.Status != "" && q.Status != "overdue" && !slices.Contains(isms.DeviationStatuses(), isms.DeviationStatus(q.Status)) {
		var names []string
		for _, s := range isms.DeviationStatuses() {
			names = append(names, string(s))
		}
		return nil, 0, isms.Errorf(isms.EINVALID, "status %q: give one of %s, or overdue", q.Status, strings.Join(names, ", "))
	}
	if len(q.Owner) > isms.MaxShort*2 {
		return nil, 0, isms.Errorf(isms.EINVALID, "owner: give the owner's email")
	}
	if err := checkStandardFilter(q.Standard); err != nil {
		return nil, 0, err
	}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		from, to, err := PeriodRange(m.Org, q.Period)
		if err != nil {
			return err
		}
		out, total, err = tx.DeviationPage(ctx, m.Org.ID, store.DeviationFilter{Status: q.Status, Now: tx.Now, Owner: q.Owner, From: from, To: to,
			Standard: q.Standard, Limit: q.Limit, Offset: q.Offset, NoCount: q.NoCount})
		return err
	})
	return out, total, err
}

// SetCheckAfterDays sets the organisation's days between the last
// corrective action done and the effectiveness check. Requires
// manage_metrics (an ISMS manager's setting). EINVALID.
func (a *App) SetCheckAfterDays(ctx context.Context, p Principal, slug string, days int) error {
	if days < 1 || days > 365 {
		return isms.Errorf(isms.EINVALID, "days: give 1 to 365")
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		old, err := tx.CheckAfterDays(ctx, m.Org.ID, DefaultCheckAfterDays)
		if err != nil {
			return err
		}
		if err := tx.SetCheckAfterDays(ctx, m.Org.ID, days); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "deviation.settings", "organization", m.Org.Slug, map[string]int{"check_after_days": old}, map[string]int{"check_after_days": days})
	})
}

// CheckAfterDays returns the organisation's check delay. Requires read.
func (a *App) CheckAfterDays(ctx context.Context, p Principal, slug string) (int, error) {
	var n int
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := a.readMember(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		n, err = tx.CheckAfterDays(ctx, m.Org.ID, DefaultCheckAfterDays)
		return err
	})
	return n, err
}

// readMember resolves a member who may read.
func (a *App) readMember(ctx context.Context, tx *store.Tx, p Principal, slug string) (*Member, error) {
	m, err := member(ctx, tx, p, slug)
	if err != nil {
		return nil, err
	}
	return m, m.can(isms.ActRead)
}

// linkNames fills the names of the record and process a deviation links to.
func linkNames(ctx context.Context, tx *store.Tx, orgID int64, v *DeviationView) error {
	if _, ok := isms.LookupKind(v.RecordKind); ok && v.RecordID != 0 {
		rec, err := tx.RecordByID(ctx, orgID, isms.RecordKind(v.RecordKind), v.RecordID)
		if err != nil && isms.ErrorCode(err) != isms.ENOTFOUND {
			return err
		}
		v.RecordKey = rec.Key
	}
	if v.ProcessID != 0 {
		p, err := tx.Process(ctx, orgID, v.ProcessID)
		if err != nil && isms.ErrorCode(err) != isms.ENOTFOUND {
			return err
		}
		if p != nil {
			v.ProcessName = p.Name
		}
	}
	return nil
}

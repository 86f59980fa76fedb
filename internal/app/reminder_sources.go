package app

import (
	"context"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// builtinDueSources are the due items pdca knows: restore tests and
// supplier assessments (from the records), deviations, corrective
// actions, effectiveness checks, risk reassessments, the preparation of
// management reviews and their decided actions; and, for My work, the
// processes of running improvement cycles and internal audits to hold.
func builtinDueSources() []DueSource {
	return []DueSource{restoreTestItems, supplierItems, deviationItems, riskItems, reviewItems,
		documentReviewItems, // Issue 18: documents.
		// Issue 18: My work.
		cycleItems, internalAuditItems,
	}
}

// templateOwner returns the owner of the process created from a template,
// or 0 (the ISMS managers).
func templateOwner(ctx context.Context, tx *store.Tx, orgID int64, template string) (int64, error) {
	procs, err := tx.Processes(ctx, orgID)
	if err != nil {
		return 0, err
	}
	for _, p := range procs {
		if p.Template == template && p.OwnerID != 0 {
			return p.OwnerID, nil
		}
	}
	return 0, nil
}

func dayKey(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

// restoreTestItems: a passed restore test each quarter, due on the
// quarter's last day unless one passed.
func restoreTestItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	due, _, err := restoreTestDue(ctx, tx, o, now)
	if err != nil {
		return nil, err
	}
	owner, err := templateOwner(ctx, tx, o.ID, "backup")
	if err != nil {
		return nil, err
	}
	q := measure.PeriodContaining(measure.FrequencyQuarter, due, o.Location())
	return []DueItem{{Key: "restore-test:" + q.String(), Kind: "restore-test", Title: "Restore test for " + q.String(),
		Due: due, OwnerID: owner, Link: "/o/" + o.Slug + "/records/" + string(isms.KindRestoreTests)}}, nil
}

// supplierItems: each critical supplier 12 months after its last
// assessment, or now when never assessed.
func supplierItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	sups, err := supplierDues(ctx, tx, o, now)
	if err != nil || len(sups) == 0 {
		return nil, err
	}
	owner, err := templateOwner(ctx, tx, o.ID, "supplier")
	if err != nil {
		return nil, err
	}
	var out []DueItem
	for _, s := range sups {
		// The occasion is the due date the last assessment set, so an
		// overdue assessment keeps its date and escalates.
		it := DueItem{Kind: "supplier-assessment", Title: "Assessment of supplier " + s.Name, OwnerID: owner,
			Link: "/o/" + o.Slug + "/records/" + string(isms.KindSupplierAssessments)}
		if s.Last.IsZero() {
			it.Key, it.Due = "supplier:"+s.Name+":never", now
		} else {
			it.Due = s.Last.AddDate(1, 0, 0)
			it.Key = "supplier:" + s.Name + ":" + dayKey(it.Due, o.Location())
		}
		out = append(out, it)
	}
	return out, nil
}

// deviationItems: open deviations by their due date, open corrective
// actions by their deadline, and effectiveness checks of deviations being
// verified. Audit findings that are nonconformities open a deviation, so
// they are reminded through it.
func deviationItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	devs, err := tx.Deviations(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	loc := o.Location()
	var out []DueItem
	for _, d := range devs {
		if d.Status == isms.DevClosed {
			continue
		}
		link := fmt.Sprintf("/o/%s/deviations/%d", o.Slug, d.ID)
		if d.DueAt != nil {
			out = append(out, DueItem{Key: fmt.Sprintf("deviation:%d:%s", d.ID, dayKey(*d.DueAt, loc)), Kind: "deviation",
				Title: d.Ref + " " + d.Title, Due: *d.DueAt, OwnerID: d.OwnerID, Link: link})
		}
		if d.Status == isms.DevVerifying && d.CheckDueAt != nil {
			out = append(out, DueItem{Key: fmt.Sprintf("check:%d:%s", d.ID, dayKey(*d.CheckDueAt, loc)), Kind: "effectiveness-check",
				Title: "Effectiveness check of " + d.Ref + " " + d.Title, Due: *d.CheckDueAt, OwnerID: d.OwnerID, Link: link})
		}
		actions, err := tx.CorrectiveActions(ctx, o.ID, d.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range actions {
			if c.Status == isms.ActionDone {
				continue
			}
			owner := c.OwnerID
			if owner == 0 {
				owner = d.OwnerID
			}
			out = append(out, DueItem{Key: fmt.Sprintf("action:%d:%s", c.ID, dayKey(c.DueAt, loc)), Kind: "corrective-action",
				Title: "Corrective action of " + d.Ref + ": " + c.Title, Due: c.DueAt, OwnerID: owner, Link: link})
		}
	}
	return out, nil
}

// riskItems: each risk's next reassessment.
func riskItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	risks, err := tx.Risks(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	var out []DueItem
	for _, r := range risks {
		out = append(out, DueItem{Key: fmt.Sprintf("risk:%d:%s", r.ID, dayKey(r.NextReview, o.Location())), Kind: "risk-reassessment",
			Title: "Reassessment of " + r.Ref() + " " + r.Asset + ": " + r.Threat, Due: r.NextReview, OwnerID: r.OwnerID,
			Link: fmt.Sprintf("/o/%s/risks/%d", o.Slug, r.ID)})
	}
	return out, nil
}

// reviewItems: a management review not yet held is due on its date (its
// chair prepares it), and each open action it decided by its deadline.
func reviewItems(ctx context.Context, tx *store.Tx, o *isms.Organization, now time.Time) ([]DueItem, error) {
	reviews, err := tx.Reviews(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	loc := o.Location()
	var out []DueItem
	for _, r := range reviews {
		if r.Status == isms.ReviewDraft && !r.HeldOn.IsZero() {
			out = append(out, DueItem{Key: fmt.Sprintf("review:%d:%s", r.ID, dayKey(r.HeldOn, loc)), Kind: "review-preparation",
				Title: "Prepare the management review " + r.Period, Due: r.HeldOn, OwnerID: r.ChairID, Link: fmt.Sprintf("/o/%s/reviews/%d", o.Slug, r.ID)})
		}
	}
	actions, err := tx.ReviewActions(ctx, o.ID, 0)
	if err != nil {
		return nil, err
	}
	for _, a := range actions {
		if a.Kind != isms.DecisionAction || a.Status == "done" || a.Deadline == nil {
			continue
		}
		out = append(out, DueItem{Key: fmt.Sprintf("review-action:%d:%s", a.ID, dayKey(*a.Deadline, loc)), Kind: "review-action",
			Title: "Review decision: " + a.Title, Due: *a.Deadline, OwnerID: a.OwnerID, Link: fmt.Sprintf("/o/%s/reviews/%d", o.Slug, a.ReviewID)})
	}
	return out, nil
}

package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The events pdca reports to webhooks (issue 17), each emitted inside the
// transaction of the change it reports.

// deviationEvent reports a deviation opened or closed.
func (a *App) deviationEvent(ctx context.Context, tx *store.Tx, t isms.EventType, d *isms.Deviation) error {
	return a.emit(ctx, tx, d.OrgID, t, "", func(o *isms.Organization) isms.EventData {
		id := strconv.FormatInt(d.ID, 10)
		f := map[string]any{"ref": d.Ref, "title": d.Title, "status": d.Status, "kind": d.Kind, "severity": d.Severity, "source": d.Source}
		if t == isms.EventDeviationClosed {
			f["close_reason"] = d.CloseReason
		}
		return isms.EventData{Object: "deviation", ID: id, URL: "/api/v1/orgs/" + o.Slug + "/deviations/" + id,
			HTMLURL: "/o/" + o.Slug + "/deviations/" + id, Summary: d.Ref + " " + d.Title, Fields: f}
	})
}

// metricStatusEvents reports each metric whose rating of its current
// period or of the period before (the last complete one, which deviations
// are opened for) differs from the one stored before this recompute
// (fresh lists every metric's current period first, then older ones).
// A period rated for the first time reports nothing, nor do older
// periods that a backdated import changes.
func (a *App) metricStatusEvents(ctx context.Context, tx *store.Tx, orgID int64, fresh []Rated) error {
	if ok, err := a.subscribed(ctx, tx, orgID, isms.EventMetricStatusChanged); err != nil || !ok {
		return err
	}
	stored, err := tx.Measurements(ctx, orgID)
	if err != nil {
		return err
	}
	before := map[string]string{}
	for _, m := range stored {
		before[m.Key+"\x00"+m.Period] = m.Status
	}
	seen := map[string]int{}
	for _, r := range fresh {
		if seen[r.Key]++; seen[r.Key] > 2 {
			continue // an older period
		}
		period, from, to := r.Period.String(), before[r.Key+"\x00"+r.Period.String()], string(r.Status)
		if from == "" || from == to {
			continue
		}
		err := a.emit(ctx, tx, orgID, isms.EventMetricStatusChanged, "", func(o *isms.Organization) isms.EventData {
			return isms.EventData{Object: "metric", ID: r.Key, URL: "/api/v1/orgs/" + o.Slug + "/metrics/" + r.Key + "/ratings/" + period,
				HTMLURL: "/o/" + o.Slug + "/metrics/" + r.Key, Summary: fmt.Sprintf("%s (%s): %s to %s", r.Name, period, from, to),
				Fields: map[string]any{"key": r.Key, "name": r.Name, "period": period, "from": from, "to": to}}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// actionOverdueEvent reports a corrective action overdue, once per
// subscription and due date (the item's key).
func (a *App) actionOverdueEvent(ctx context.Context, tx *store.Tx, o *isms.Organization, it DueItem) error {
	// Key: action:<id>:<due day>; Link: /o/<slug>/deviations/<id>.
	parts := strings.Split(it.Key, ":")
	devID := it.Link[strings.LastIndex(it.Link, "/")+1:]
	if len(parts) != 3 {
		return nil
	}
	return a.emit(ctx, tx, o.ID, isms.EventActionOverdue, it.Key, func(o *isms.Organization) isms.EventData {
		return isms.EventData{Object: "corrective_action", ID: parts[1], URL: "/api/v1/orgs/" + o.Slug + "/deviations/" + devID,
			HTMLURL: it.Link, Summary: it.Title + " (due " + parts[2] + ")",
			Fields: map[string]any{"deviation_id": devID, "due": parts[2], "title": it.Title}}
	})
}

// reviewSignedEvent reports a management review signed.
func (a *App) reviewSignedEvent(ctx context.Context, tx *store.Tx, r *isms.Review, sha string) error {
	return a.emit(ctx, tx, r.OrgID, isms.EventReviewSigned, "", func(o *isms.Organization) isms.EventData {
		id := strconv.FormatInt(r.ID, 10)
		return isms.EventData{Object: "review", ID: id, URL: "/o/" + o.Slug + "/reviews/" + id + "/pack.pdf",
			HTMLURL: "/o/" + o.Slug + "/reviews/" + id, Summary: "Management review " + r.Period + " signed",
			Fields: map[string]any{"period": r.Period, "held_on": r.HeldOn.Format("2006-01-02"), "snapshot_sha256": sha}}
	})
}

// importEvent reports an import of records completed.
func (a *App) importEvent(ctx context.Context, tx *store.Tx, orgID, importID int64, kind string, res *ImportResult) error {
	return a.emit(ctx, tx, orgID, isms.EventImportCompleted, "", func(o *isms.Organization) isms.EventData {
		return isms.EventData{Object: "import", ID: strconv.FormatInt(importID, 10), URL: "/api/v1/orgs/" + o.Slug + "/records/" + kind,
			HTMLURL: "/o/" + o.Slug + "/records/" + kind,
			Summary: fmt.Sprintf("%s: %d rows, %d created, %d updated", kind, res.Rows, res.Created, res.Updated),
			Fields:  map[string]any{"kind": kind, "rows": res.Rows, "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "sha256": res.SHA256}}
	})
}

// subscribed reports whether an active subscription of the organisation
// chose t.
func (a *App) subscribed(ctx context.Context, tx *store.Tx, orgID int64, t isms.EventType) (bool, error) {
	ws, err := tx.Webhooks(ctx, orgID)
	if err != nil {
		return false, err
	}
	for _, w := range ws {
		if w.Wants(t) {
			return true, nil
		}
	}
	return false, nil
}

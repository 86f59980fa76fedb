package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RecordCounts returns how many records of each kind the organisation
// has. Requires read.
func (a *App) RecordCounts(ctx context.Context, p Principal, slug string) (map[isms.RecordKind]int, error) {
	var out map[isms.RecordKind]int
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.CountRecords(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// Records returns a filtered, sorted page of records and the total
// matching. Requires read. EINVALID for an unknown kind.
func (a *App) Records(ctx context.Context, p Principal, slug string, kind isms.RecordKind, f store.RecordFilter) ([]isms.Record, int, error) {
	if err := checkAfter(f.After != nil, f.Offset, !f.NoCount); err != nil {
		return nil, 0, err
	}
	var out []isms.Record
	var total int
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		spec, err := kindSpec(ctx, tx, m.Org.ID, kind) // issue 19: or a kind of its own
		if err != nil {
			return err
		}
		f.Status, f.Severity = strings.ToLower(strings.TrimSpace(f.Status)), strings.ToLower(strings.TrimSpace(f.Severity))
		f.Owner = strings.TrimSpace(f.Owner)
		if err := spec.CheckListFilter(isms.RecordListFilter{Status: f.Status, Severity: f.Severity, Owner: f.Owner}); err != nil {
			return err
		}
		if f.From, f.To, err = PeriodRange(m.Org, f.Period); err != nil {
			return err
		}
		out, total, err = tx.ListRecords(ctx, m.Org.ID, kind, f)
		return err
	})
	return out, total, err
}

// RecordHistory is one record with the events that made it what it is.
type RecordHistory struct {
	Record isms.Record
	// Events: the import that created the record and every later change,
	// newest first. Only members who may read the audit trail get them.
	Events []isms.Event
}

// Record returns one record and, for those who may read the audit trail,
// its history. Requires read. ENOTFOUND.
func (a *App) Record(ctx context.Context, p Principal, slug string, kind isms.RecordKind, id int64) (*RecordHistory, error) {
	var out RecordHistory
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if _, err := kindSpec(ctx, tx, m.Org.ID, kind); err != nil { // issue 19: or a kind of its own
			return isms.Errorf(isms.ENOTFOUND, "unknown record kind %q", string(kind))
		}
		if out.Record, err = tx.RecordByID(ctx, m.Org.ID, kind, id); err != nil {
			return err
		}
		if m.can(isms.ActReadAudit) != nil {
			return nil
		}
		if out.Events, err = tx.Events(ctx, store.EventFilter{OrgID: m.Org.ID, Entity: string(kind), EntityID: strconv.FormatInt(id, 10), Limit: 1000}); err != nil {
			return err
		}
		imp, err := tx.RecordImportID(ctx, m.Org.ID, kind, id)
		if err != nil || imp == 0 {
			return err
		}
		created, err := tx.Events(ctx, store.EventFilter{OrgID: m.Org.ID, Entity: "import", EntityID: strconv.FormatInt(imp, 10), Limit: 1})
		out.Events = append(out.Events, created...)
		return err
	})
	return &out, err
}

package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Records entered, changed and removed one at a time (issue 15). Each
// value is read by the importer's own parsing (importer.BuildRecord), so a
// value typed into a form means what it means in a file; each change is
// one transaction with its audit event (before → after) and a metric
// recompute, as after an import.

// RecordValues is one record as a person types it: the kind's columns by
// name (an empty value: unknown, or not yet) and, optionally, extra
// columns kept as attributes.
type RecordValues struct {
	Values map[string]string
	// Attributes replace the record's attributes when not nil; nil keeps
	// them on an update (a form does not show them for editing).
	Attributes map[string]string
	// Location is the zone a time without an offset is read in (the
	// person's, on a form); nil means the organisation's, as in an import.
	Location *time.Location
}

// FieldErrors is EINVALID with what is wrong with each value, by column
// name ("" for the record as a whole), so a form can show each problem
// beside its field.
type FieldErrors struct {
	Fields map[string]string
	err    *isms.Error
}

func (e *FieldErrors) Error() string { return e.err.Message }

// Unwrap makes isms.ErrorCode see EINVALID.
func (e *FieldErrors) Unwrap() error { return e.err }

// Problems lists the problems as "column: reason", in column order of
// the kind, for messages and API error details.
func (e *FieldErrors) Problems() []FieldProblem {
	out := make([]FieldProblem, 0, len(e.Fields))
	for f, why := range e.Fields {
		out = append(out, FieldProblem{Field: f, Reason: why})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// FieldProblem is one value's problem.
type FieldProblem struct{ Field, Reason string }

func fieldErrors(errs []importer.RowError) *FieldErrors {
	fe := &FieldErrors{Fields: map[string]string{}}
	var parts []string
	for _, e := range errs {
		if prev, ok := fe.Fields[e.Column]; ok {
			fe.Fields[e.Column] = prev + "; " + e.Reason
		} else {
			fe.Fields[e.Column] = e.Reason
		}
		if e.Column != "" {
			parts = append(parts, e.Column+": "+e.Reason)
		} else {
			parts = append(parts, e.Reason)
		}
	}
	fe.err = isms.Errorf(isms.EINVALID, "nothing was stored: %s", strings.Join(parts, "; "))
	return fe
}

// buildRecord reads in as a record of kind for the organisation.
func buildRecord(ctx context.Context, tx *store.Tx, m *Member, kind isms.RecordKind, in RecordValues) (isms.Record, error) {
	loc := in.Location
	if loc == nil {
		loc = m.Org.Location()
	}
	opts := importer.Options{Kind: kind, Location: loc}
	if kind == isms.KindSupplierAssessments {
		name := strings.ToLower(strings.TrimSpace(in.Values["supplier"]))
		known := false
		if name != "" {
			if err := tx.EachRecord(ctx, m.Org.ID, isms.KindSuppliers, func(r isms.Record) error {
				known = known || strings.ToLower(strings.TrimSpace(r.Texts["name"])) == name
				return nil
			}); err != nil {
				return isms.Record{}, err
			}
		}
		opts.KnownSuppliers = func(string) bool { return known }
	}
	rec, errs := importer.BuildRecord(in.Values, in.Attributes, opts)
	if errs != nil {
		return rec, fieldErrors(errs)
	}
	return rec, nil
}

// keyTaken is ECONFLICT when another record of the kind has rec's key.
func keyTaken(ctx context.Context, tx *store.Tx, m *Member, spec isms.KindSpec, rec isms.Record, exceptID int64) error {
	taken, err := tx.RecordKeyTaken(ctx, m.Org.ID, spec.Kind, rec.Key, exceptID)
	if err != nil || !taken {
		return err
	}
	var names []string
	for _, f := range spec.KeyFields() {
		names = append(names, isms.Lower(f.Name))
	}
	return isms.Errorf(isms.ECONFLICT, "%s: another %s already has the key %s (%s); the key must be unique in the organisation, so choose another or edit that record",
		spec.KeyFields()[0].Name, strings.ToLower(isms.KindSingular(spec.Kind)), rec.Key, strings.Join(names, " / "))
}

// notMirrored is ECONFLICT for a record pdca mirrors from its own
// deviation workflow or internal audits: the workflow is its source and
// would overwrite a change made by hand at its next step.
func notMirrored(ctx context.Context, tx *store.Tx, m *Member, r isms.Record) error {
	mirrored, err := tx.MirroredRecord(ctx, m.Org.ID, r.Kind, r.Key)
	if err != nil || !mirrored {
		return err
	}
	where := "the deviation's page"
	if r.Kind == isms.KindAuditFindings {
		where = "the internal audit's page"
	}
	return isms.Errorf(isms.ECONFLICT, "%s is worked in pdca, and this record follows it; change it on %s instead", r.Key, where)
}

func lookupKind(kind isms.RecordKind) (isms.KindSpec, error) {
	spec, ok := isms.LookupKind(string(kind))
	if !ok {
		return spec, isms.Errorf(isms.ENOTFOUND, "unknown record kind %q", string(kind))
	}
	return spec, nil
}

// CreateRecord stores one record typed by hand. Requires write_records.
// *FieldErrors (EINVALID) names each bad value and stores nothing;
// ECONFLICT when the natural key is taken. Writes record.create and
// enqueues a metric recompute.
func (a *App) CreateRecord(ctx context.Context, p Principal, slug string, kind isms.RecordKind, in RecordValues) (isms.Record, error) {
	var rec isms.Record
	spec, err := lookupKind(kind)
	if err != nil {
		return rec, err
	}
	err = a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		var err error
		if rec, err = buildRecord(ctx, tx, m, kind, in); err != nil {
			return err
		}
		return a.insertRecord(ctx, tx, m, spec, &rec, "record.create")
	})
	return rec, err
}

// insertRecord stores a new record with its audit event (action) and a
// recompute.
func (a *App) insertRecord(ctx context.Context, tx *store.Tx, m *Member, spec isms.KindSpec, rec *isms.Record, action string) error {
	if err := keyTaken(ctx, tx, m, spec, *rec, 0); err != nil {
		return err
	}
	if err := tx.InsertRecord(ctx, m.Org.ID, rec, 0); err != nil {
		return err
	}
	if err := audit(ctx, tx, m.Org.ID, m.Principal, action, string(spec.Kind), rec.ID, nil, recordJSON(*rec)); err != nil {
		return err
	}
	return a.enqueueRecompute(ctx, tx, m.Org.ID)
}

// UpdateRecord replaces the values of one record with in. Requires
// write_records. ENOTFOUND (also for a record an import is still
// writing), *FieldErrors, ECONFLICT when the new key is another record's.
// A time typed to the minute that matches the stored time to the minute
// keeps the stored time (a form shows minutes, so saving a form unchanged
// does not cut seconds). An unchanged record writes nothing; otherwise
// record.update with before and after, and a recompute.
func (a *App) UpdateRecord(ctx context.Context, p Principal, slug string, kind isms.RecordKind, id int64, in RecordValues) (isms.Record, error) {
	var rec isms.Record
	spec, err := lookupKind(kind)
	if err != nil {
		return rec, err
	}
	err = a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		old, err := tx.RecordByID(ctx, m.Org.ID, kind, id)
		if err != nil {
			return err
		}
		if err := notMirrored(ctx, tx, m, old); err != nil {
			return err
		}
		if rec, err = buildRecord(ctx, tx, m, kind, in); err != nil {
			return err
		}
		for name, t := range rec.Times {
			if was, ok := old.Times[name]; ok && !was.Equal(t) && was.Truncate(time.Minute).Equal(t) {
				rec.Times[name] = was
			}
		}
		rec.Key = spec.NaturalKey(rec)
		if in.Attributes == nil {
			rec.Attributes = old.Attributes
		}
		rec.ID = id
		if rec.Equal(old) {
			rec = old
			return nil
		}
		if err := keyTaken(ctx, tx, m, spec, rec, id); err != nil {
			return err
		}
		if err := tx.UpdateRecord(ctx, m.Org.ID, &rec); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, m.Principal, "record.update", string(kind), id, recordJSON(old), recordJSON(rec)); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
	return rec, err
}

// DeleteRecord removes one record. Requires write_records. ENOTFOUND.
// key, when not empty, must be the record's natural key (ECONFLICT
// otherwise): the caller confirms which record goes, so a wrong id
// deletes nothing. The audit trail keeps the record's history and gains
// record.delete with the values it had; a recompute follows.
func (a *App) DeleteRecord(ctx context.Context, p Principal, slug string, kind isms.RecordKind, id int64, key string) error {
	if _, err := lookupKind(kind); err != nil {
		return err
	}
	return a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		old, err := tx.RecordByID(ctx, m.Org.ID, kind, id)
		if err != nil {
			return err
		}
		if key != "" && key != old.Key {
			return isms.Errorf(isms.ECONFLICT, "key: record %d has the key %q, not %q; nothing was deleted, check which record you mean", id, old.Key, key)
		}
		if err := notMirrored(ctx, tx, m, old); err != nil {
			return err
		}
		if err := tx.DeleteRecord(ctx, m.Org.ID, kind, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, m.Principal, "record.delete", string(kind), id, recordJSON(old), nil); err != nil {
			return fmt.Errorf("audit record.delete: %w", err)
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
}

package app

import (
	"context"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 19: record kinds of an organisation's own. A custom kind imports,
// lists, drills down, exports and feeds metrics like a built-in kind; its
// key is what those paths take as the kind.

// RecordKindInfo is a custom kind with what depends on it.
type RecordKindInfo struct {
	store.RecordKindRow
	Records int      // records of the kind
	Metrics []string // keys of the current metrics that read it
}

// RecordKindInput is a definition as given (API body, form).
type RecordKindInput struct {
	Key    string
	Title  string
	Fields []isms.FieldDef
}

// RecordKinds returns the organisation's own record kinds. Requires read.
func (a *App) RecordKinds(ctx context.Context, p Principal, slug string) ([]RecordKindInfo, error) {
	var out []RecordKindInfo
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		ks, err := tx.RecordKinds(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			info, err := kindInfo(ctx, tx, m.Org.ID, k)
			if err != nil {
				return err
			}
			out = append(out, *info)
		}
		return nil
	})
	return out, err
}

// RecordKind returns one of the organisation's own kinds. Requires read.
// ENOTFOUND.
func (a *App) RecordKind(ctx context.Context, p Principal, slug, key string) (*RecordKindInfo, error) {
	var out *RecordKindInfo
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		k, err := tx.RecordKindByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		out, err = kindInfo(ctx, tx, m.Org.ID, k)
		return err
	})
	return out, err
}

func kindInfo(ctx context.Context, tx *store.Tx, orgID int64, k *store.RecordKindRow) (*RecordKindInfo, error) {
	info := &RecordKindInfo{RecordKindRow: *k}
	var err error
	if info.Records, err = tx.CountCustomRecords(ctx, orgID, k.ID); err != nil {
		return nil, err
	}
	info.Metrics, err = metricsReading(ctx, tx, orgID, k.Key)
	return info, err
}

// metricsReading returns the keys of the current metrics that read kind
// (as their kind or their coverage's related kind).
func metricsReading(ctx context.Context, tx *store.Tx, orgID int64, kind string) ([]string, error) {
	ms, err := currentMetrics(ctx, tx, orgID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, md := range ms {
		if md.Kind == kind || md.RelatedKind == kind {
			out = append(out, md.Key)
		}
	}
	return out, nil
}

// CreateRecordKind defines a record kind of the organisation's own.
// Requires manage_metrics. EINVALID (the definition, with where and how
// to fix it), ECONFLICT (the key is taken).
func (a *App) CreateRecordKind(ctx context.Context, p Principal, slug string, in RecordKindInput) (*store.RecordKindRow, error) {
	c, err := isms.NewCustomKind(in.Key, in.Title, in.Fields)
	if err != nil {
		return nil, err
	}
	var out *store.RecordKindRow
	err = a.write(ctx, p, slug, isms.ActManageMetrics, func(tx *store.Tx, m *Member) error {
		ks, err := tx.RecordKinds(ctx, m.Org.ID)
		if err != nil {
			return err
		}
		if len(ks) >= isms.MaxCustomKinds {
			return isms.Errorf(isms.EINVALID, "an organisation may define at most %d record kinds; delete one it no longer uses", isms.MaxCustomKinds)
		}
		out = &store.RecordKindRow{CustomKind: c, OrgID: m.Org.ID, CreatedBy: p.Label}
		if err := tx.CreateRecordKind(ctx, out); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "record_kind.create", "record_kind", c.Key, nil, kindAudit(c))
	})
	return out, err
}

// UpdateRecordKind replaces a kind's title and columns (its key stays).
// Once the kind has records its key columns and the types of the columns
// it keeps cannot change; a metric reading a column must keep finding it.
// Requires manage_metrics. ENOTFOUND, EINVALID.
func (a *App) UpdateRecordKind(ctx context.Context, p Principal, slug, key string, in RecordKindInput) (*store.RecordKindRow, error) {
	var out *store.RecordKindRow
	err := a.write(ctx, p, slug, isms.ActManageMetrics, func(tx *store.Tx, m *Member) error {
		cur, err := tx.RecordKindByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if in.Key == "" {
			in.Key = cur.Key
		}
		next, err := isms.NewCustomKind(in.Key, in.Title, in.Fields)
		if err != nil {
			return err
		}
		if next.Key != cur.Key {
			return isms.Errorf(isms.EINVALID, "key: a kind's key cannot change (it is %q); create a new kind instead", cur.Key)
		}
		n, err := tx.CountCustomRecords(ctx, m.Org.ID, cur.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := cur.CheckChange(next); err != nil {
				return err
			}
		}
		ms, err := currentMetrics(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		for _, md := range ms {
			if md.Kind != key {
				continue
			}
			if err := isms.CheckMetricColumns(next.Spec(), metricColumns(md.Definition)); err != nil {
				return isms.Errorf(isms.EINVALID, "metric %s reads this kind: %v; change the metric first or keep the column", md.Key, err)
			}
		}
		next.ID = cur.ID
		out = &store.RecordKindRow{CustomKind: next, OrgID: m.Org.ID, CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy}
		if err := tx.UpdateRecordKind(ctx, out); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, p, "record_kind.update", "record_kind", key, kindAudit(cur.CustomKind), kindAudit(next)); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
	return out, err
}

// DeleteRecordKind deletes a kind of the organisation's own and all its
// records. It is refused (ECONFLICT, naming them) while metrics read the
// kind. Requires manage_metrics. ENOTFOUND.
func (a *App) DeleteRecordKind(ctx context.Context, p Principal, slug, key string) (int64, error) {
	var n int64
	err := a.write(ctx, p, slug, isms.ActManageMetrics, func(tx *store.Tx, m *Member) error {
		k, err := tx.RecordKindByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		used, err := metricsReading(ctx, tx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return isms.Errorf(isms.ECONFLICT, "record kind %q is read by the metrics %s; change or retire them first", key, strings.Join(used, ", "))
		}
		if n, err = tx.DeleteRecordKind(ctx, m.Org.ID, k.ID); err != nil {
			return err
		}
		after := map[string]any{"records_deleted": n}
		return audit(ctx, tx, m.Org.ID, p, "record_kind.delete", "record_kind", key, kindAudit(k.CustomKind), after)
	})
	return n, err
}

func kindAudit(c isms.CustomKind) map[string]any {
	return map[string]any{"key": c.Key, "title": c.Title, "fields": c.FieldDefs()}
}

// kindSpec returns the specification of a kind the organisation can use:
// a built-in kind, or one of its own. EINVALID if there is no such kind.
func kindSpec(ctx context.Context, tx *store.Tx, orgID int64, kind isms.RecordKind) (isms.KindSpec, error) {
	if spec, ok := isms.LookupKind(string(kind)); ok {
		return spec, nil
	}
	k, err := tx.RecordKindByKey(ctx, orgID, strings.ToLower(strings.TrimSpace(string(kind))))
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return isms.KindSpec{}, isms.Errorf(isms.EINVALID, "unknown record kind %q; use a built-in kind or one defined under Record kinds", string(kind))
	}
	if err != nil {
		return isms.KindSpec{}, err
	}
	return k.Spec(), nil
}

// KindSpecs returns the specification of every kind the organisation can
// use: the built-in kinds, then its own by key. Requires read.
func (a *App) KindSpecs(ctx context.Context, p Principal, slug string) ([]isms.KindSpec, error) {
	out := isms.Kinds()
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		ks, err := tx.RecordKinds(ctx, m.Org.ID)
		for _, k := range ks {
			out = append(out, k.Spec())
		}
		return err
	})
	return out, err
}

// KindSpec returns the specification of a built-in kind or of one of the
// organisation's own. Requires read. ENOTFOUND.
func (a *App) KindSpec(ctx context.Context, p Principal, slug string, kind isms.RecordKind) (isms.KindSpec, error) {
	var out isms.KindSpec
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if out, err = kindSpec(ctx, tx, m.Org.ID, kind); isms.ErrorCode(err) == isms.EINVALID {
			return isms.Errorf(isms.ENOTFOUND, "unknown record kind %q", string(kind))
		}
		return err
	})
	return out, err
}

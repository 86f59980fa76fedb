package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// MetricChange is an edit of a metric's definition; nil fields stay.
type MetricChange struct {
	Name       *string
	Rule       *measure.Rule
	OwnerEmail *string // "" clears the owner
}

// UpdateMetric stores a new version of a metric definition with the change
// applied. Requires manage_metrics. ENOTFOUND, EINVALID.
func (a *App) UpdateMetric(ctx context.Context, p Principal, slug, key string, c MetricChange) (*Metric, error) {
	if c.Name != nil {
		if err := isms.CheckLength("name", *c.Name, isms.MaxName); err != nil {
			return nil, err
		}
	}
	var out *Metric
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		cur, err := findMetric(ctx, tx, m.Org.ID, key)
		if err != nil {
			return err
		}
		next := *cur
		if c.Name != nil {
			next.Name = strings.TrimSpace(*c.Name)
		}
		if c.Rule != nil {
			next.Rule = *c.Rule
		}
		if c.OwnerEmail != nil {
			next.OwnerID = 0
			if *c.OwnerEmail != "" {
				u, err := tx.UserByEmail(ctx, isms.NormalizeEmail(*c.OwnerEmail))
				if err != nil {
					return isms.Errorf(isms.EINVALID, "owner: no person with email %s", *c.OwnerEmail)
				}
				if _, err := tx.Membership(ctx, m.Org.ID, u.User.ID); err != nil {
					return isms.Errorf(isms.EINVALID, "owner: %s is not a member of this organisation", *c.OwnerEmail)
				}
				next.OwnerID = u.User.ID
			}
		}
		if err := validateDefinition(next.Definition); err != nil {
			return err
		}
		if err := checkMetricKind(ctx, tx, m.Org.ID, next.Definition); err != nil {
			return err
		}
		if err := saveMetricVersion(ctx, tx, m, &next); err != nil {
			return err
		}
		out = &next
		if err := audit(ctx, tx, m.Org.ID, p, "metric.update", "metric", key, cur, next); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
	return out, err
}

// CreateMetric adds an organisation's own metric, using one of the engine's
// measures. Requires manage_metrics. EINVALID, ECONFLICT.
func (a *App) CreateMetric(ctx context.Context, p Principal, slug string, d measure.Definition) (*Metric, error) {
	d.Key = strings.TrimSpace(d.Key)
	if err := validateDefinition(d); err != nil {
		return nil, err
	}
	var out *Metric
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		if err := checkMetricKind(ctx, tx, m.Org.ID, d); err != nil {
			return err
		}
		if _, err := findMetric(ctx, tx, m.Org.ID, d.Key); err == nil {
			return isms.Errorf(isms.ECONFLICT, "a metric with key %q exists; choose another key", d.Key)
		}
		out = &Metric{Definition: d}
		if err := saveMetricVersion(ctx, tx, m, out); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, p, "metric.create", "metric", d.Key, nil, d); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
	return out, err
}

// SetManualValue records the typed-in value of a manual metric for one of
// its periods, with a note saying where it comes from. Requires
// manage_metrics. ENOTFOUND, EINVALID.
func (a *App) SetManualValue(ctx context.Context, p Principal, slug, key, period string, value float64, note string) error {
	if err := isms.CheckLength("note", note, isms.MaxText); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return isms.Errorf(isms.EINVALID, "note: say where the value comes from")
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return isms.Errorf(isms.EINVALID, "value: give a finite number")
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		md, err := findMetric(ctx, tx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if md.Measure != measure.MeasureManual {
			return isms.Errorf(isms.EINVALID, "%s is computed from records; only manual metrics take typed values", key)
		}
		per, err := measure.ParsePeriod(period, m.Org.Location())
		if err != nil || per.Frequency != md.Frequency {
			return isms.Errorf(isms.EINVALID, "period %q: %s is rated per %s", period, key, md.Frequency)
		}
		v := &store.ManualValue{Key: key, Period: per.String(), Value: value, Note: note, Actor: p.Label}
		if err := tx.SetManualValue(ctx, m.Org.ID, v); err != nil {
			return err
		}
		if err := audit(ctx, tx, m.Org.ID, p, "metric.value", "metric", key, nil, map[string]any{"period": v.Period, "value": value, "note": note}); err != nil {
			return err
		}
		return a.enqueueRecompute(ctx, tx, m.Org.ID)
	})
}

// MetricVersions returns every version of a metric, oldest first. Requires
// read.
func (a *App) MetricVersions(ctx context.Context, p Principal, slug, key string) ([]Metric, error) {
	var out []Metric
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		vs, err := tx.MetricHistory(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return isms.Errorf(isms.ENOTFOUND, "metric %q not found", key)
		}
		for _, v := range vs {
			md := Metric{Version: v.Version, OwnerID: v.OwnerID}
			if err := json.Unmarshal([]byte(v.Definition), &md.Definition); err != nil {
				return err
			}
			out = append(out, md)
		}
		return nil
	})
	return out, err
}

func findMetric(ctx context.Context, tx *store.Tx, orgID int64, key string) (*Metric, error) {
	d, err := tx.CurrentMetric(ctx, orgID, key)
	if err != nil {
		return nil, err
	}
	m := &Metric{Version: d.Version, OwnerID: d.OwnerID}
	if err := json.Unmarshal([]byte(d.Definition), &m.Definition); err != nil {
		return nil, fmt.Errorf("metric %s version %d: %w", d.Key, d.Version, err)
	}
	return m, nil
}

func saveMetricVersion(ctx context.Context, tx *store.Tx, m *Member, md *Metric) error {
	b, err := json.Marshal(md.Definition)
	if err != nil {
		return err
	}
	v := &store.MetricDefinition{OrgID: m.Org.ID, Key: md.Key, Definition: string(b), OwnerID: md.OwnerID, ChangedBy: m.Label}
	if err := tx.AddMetricVersion(ctx, v); err != nil {
		return err
	}
	md.Version = v.Version
	return nil
}

// validateDefinition turns the engine's validation into EINVALID.
func validateDefinition(d measure.Definition) error {
	if err := d.Validate(); err != nil {
		return isms.Errorf(isms.EINVALID, "metric %s: %v", d.Key, err)
	}
	return nil
}

// checkMetricKind checks, in tx, that the record kinds a definition reads
// exist in the organisation: a built-in kind, or a kind of its own whose
// columns the definition names with the types its measure needs.
func checkMetricKind(ctx context.Context, tx *store.Tx, orgID int64, d measure.Definition) error {
	if d.Measure == measure.MeasureManual || d.Kind == measure.AcknowledgementKind {
		return nil
	}
	for _, kind := range []string{d.Kind, d.RelatedKind} {
		if kind == "" || isms.IsBuiltinKind(kind) {
			continue
		}
		k, err := tx.RecordKindByKey(ctx, orgID, kind)
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return isms.Errorf(isms.EINVALID, "metric %s: unknown record kind %q; define it under Record kinds first", d.Key, kind)
		} else if err != nil {
			return err
		}
		if kind == d.Kind {
			if err := isms.CheckMetricColumns(k.Spec(), metricColumns(d)); err != nil {
				return isms.Errorf(isms.EINVALID, "metric %s: %v", d.Key, err)
			}
		}
	}
	return nil
}

// metricColumns lists the columns a definition reads from its kind and
// the type each must have ("" for any).
func metricColumns(d measure.Definition) []isms.ColumnUse {
	var out []isms.ColumnUse
	add := func(role, name string, t isms.FieldType) {
		if name != "" {
			out = append(out, isms.ColumnUse{Role: role, Name: name, Type: t})
		}
	}
	add("period field", d.PeriodField, isms.FieldTime)
	add("start field", d.StartField, isms.FieldTime)
	add("done field", d.DoneField, isms.FieldTime)
	add("bool field", d.BoolField, isms.FieldBool)
	for i, c := range d.Filter {
		add(fmt.Sprintf("filter %d", i+1), c.Field, "")
	}
	return out
}

// enqueueRecompute asks, in tx, for the organisation's stored figures to
// be recomputed (no-op without a job runner).
func (a *App) enqueueRecompute(ctx context.Context, tx *store.Tx, orgID int64) error {
	if a.Enqueue == nil {
		return nil
	}
	return a.Enqueue(ctx, tx, Job{Kind: JobRecomputeMetrics, OrgID: orgID})
}

package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 19: one management system, several standards. Processes,
// deviations, internal audits, management reviews, metric definitions and
// documents carry the standards they serve as tags (docs/standards.md);
// an untagged one serves ISO/IEC 27001.

// standardAction is the role a change of an entity's tags needs: the one
// that changes the entity itself.
func standardAction(entity string) isms.Action {
	switch entity {
	case isms.TagReview, isms.TagMetric:
		return isms.ActManageMetrics
	default:
		return isms.ActWriteRecords
	}
}

// auditEntity is the audit trail's entity type of a tagged entity.
func auditEntity(entity string) string {
	if entity == isms.TagAudit {
		return "internal_audit"
	}
	return entity
}

// checkTagged returns ENOTFOUND unless the organisation has the entity,
// and its id as standard_tags keys it (a metric's key; an id in decimal).
func checkTagged(ctx context.Context, tx *store.Tx, orgID int64, entity, id string) (string, error) {
	id = strings.TrimSpace(id)
	if !isms.IsStandardEntity(entity) {
		return "", isms.Errorf(isms.EINVALID, "entity: %q cannot carry standards; use one of %s", clipText(entity), strings.Join(isms.StandardEntities, ", "))
	}
	if entity == isms.TagMetric {
		ms, err := currentMetrics(ctx, tx, orgID)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(ms, func(m Metric) bool { return m.Key == id }) {
			return "", isms.Errorf(isms.ENOTFOUND, "metric %q not found", clipText(id))
		}
		return id, nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return "", isms.Errorf(isms.ENOTFOUND, "%s %q not found", entity, clipText(id))
	}
	switch entity {
	case isms.TagProcess:
		_, err = tx.Process(ctx, orgID, n)
	case isms.TagDeviation:
		_, err = tx.Deviation(ctx, orgID, n)
	case isms.TagAudit:
		_, err = tx.InternalAudit(ctx, orgID, n)
	case isms.TagReview:
		_, err = tx.Review(ctx, orgID, n)
	case isms.TagDocument:
		_, err = tx.Document(ctx, orgID, n)
	}
	return strconv.FormatInt(n, 10), err
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// SetStandards replaces the standards an entity serves (entity: process,
// deviation, audit, review, metric, document; id: its id, or a metric's
// key) and returns them in isms.StandardKeys order; none means ISO/IEC
// 27001. Requires the role that changes the entity (write_records;
// manage_metrics for reviews and metrics). EINVALID, ENOTFOUND. Writes
// the event standards.set when the tags change.
func (a *App) SetStandards(ctx context.Context, p Principal, slug, entity, id string, standards []string) ([]string, error) {
	tags, err := isms.NormalizeStandards(standards)
	if err != nil {
		return nil, err
	}
	if !isms.IsStandardEntity(entity) {
		return nil, isms.Errorf(isms.EINVALID, "entity: %q cannot carry standards; use one of %s", clipText(entity), strings.Join(isms.StandardEntities, ", "))
	}
	err = a.write(ctx, p, slug, standardAction(entity), func(tx *store.Tx, m *Member) error {
		key, err := checkTagged(ctx, tx, m.Org.ID, entity, id)
		if err != nil {
			return err
		}
		before, err := tx.StandardTags(ctx, m.Org.ID, entity, key)
		if err != nil {
			return err
		}
		if slices.Equal(before, tags) {
			return nil
		}
		if err := tx.SetStandardTags(ctx, m.Org.ID, entity, key, tags); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "standards.set", auditEntity(entity), key,
			map[string]any{"standards": isms.EffectiveStandards(before)}, map[string]any{"standards": isms.EffectiveStandards(tags)})
	})
	return tags, err
}

// Standards returns the standards an entity is tagged with (empty when
// untagged: it serves ISO/IEC 27001). Requires read. ENOTFOUND.
func (a *App) Standards(ctx context.Context, p Principal, slug, entity, id string) ([]string, error) {
	var out []string
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		key, err := checkTagged(ctx, tx, m.Org.ID, entity, id)
		if err != nil {
			return err
		}
		out, err = tx.StandardTags(ctx, m.Org.ID, entity, key)
		return err
	})
	return out, err
}

// StandardTagsOf returns the tags of several entities of one type, keyed
// by id (untagged ones are absent). Requires read.
func (a *App) StandardTagsOf(ctx context.Context, p Principal, slug, entity string, ids []string) (map[string][]string, error) {
	if !isms.IsStandardEntity(entity) {
		return nil, isms.Errorf(isms.EINVALID, "entity: %q cannot carry standards", clipText(entity))
	}
	var out map[string][]string
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.StandardTagsOf(ctx, m.Org.ID, entity, ids)
		return err
	})
	return out, err
}

// StandardsInUse returns the standards the organisation uses: ISO/IEC
// 27001 and every standard something is tagged with. Requires read.
func (a *App) StandardsInUse(ctx context.Context, p Principal, slug string) ([]string, error) {
	var out []string
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.StandardsInUse(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// checkStandardFilter returns EINVALID for a filter that is not a
// standard key ("" does not filter).
func checkStandardFilter(std string) error {
	if std != "" && !isms.IsStandard(std) {
		return isms.Errorf(isms.EINVALID, "standard: %q is not a standard pdca knows; use one of %s", clipText(std), strings.Join(isms.StandardKeys, ", "))
	}
	return nil
}

// AuditsFor returns the programme of a year restricted to the audits that
// serve a standard ("" for all). Requires read. EINVALID.
func (a *App) AuditsFor(ctx context.Context, p Principal, slug string, year int, standard string) ([]isms.InternalAudit, error) {
	if err := checkStandardFilter(standard); err != nil {
		return nil, err
	}
	var out []isms.InternalAudit
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.InternalAuditsFor(ctx, m.Org.ID, year, standard)
		return err
	})
	return out, err
}

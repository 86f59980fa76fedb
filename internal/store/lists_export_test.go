package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// RecordPageQuery is ListRecords' statement of a first page of the kind
// with no filter, and its arguments.
func (tx *Tx) RecordPageQuery(ctx context.Context, orgID int64, kind isms.RecordKind) (string, []any, error) {
	s, err := tx.statements(ctx, orgID, kind)
	if err != nil {
		return "", nil, err
	}
	where, args := s.recordWhere(tx, RecordFilter{})
	args = append([]any{orgID}, args...)
	return s.pageQuery(where, RecordFilter{}, len(args)), append(args, 51, 0), nil
}

// RiskKeysetQuery is a keyset page of risks (RiskFilter.After).
var RiskKeysetQuery = func() string {
	w := whereOrg(1, "r.org_id")
	w.and(riskAfter, int64(0), int64(0))
	return pageSQL(riskColumns, riskFrom, w, riskOrder)
}()

// PagedListQueries are the unfiltered page queries of the token and
// delivery lists, the query of a page's process metrics, the process
// page and a keyset page of deliveries, for the plan test.
var PagedListQueries = []string{
	pageSQL(tokenColumns, tokenPageFrom, whereOrg(1, "org_id"), tokenPageOrder),
	pageSQL(deliveryPageColumns, deliveryPageFrom, whereOrg(1, "d.org_id"), deliveryPageOrder),
	processMetricsOf,
	pageSQL(processColumns, processFrom, whereOrg(1, "p.org_id"), processOrder),
	func() string {
		w := whereOrg(1, "d.org_id")
		w.and(deliveryAfter, int64(0))
		return pageSQL(deliveryPageColumns, deliveryPageFrom, w, deliveryPageOrder)
	}(),
}

// SeedListsForBench gives the organisation n members (new users, roles
// in turn, names out of creation order), n API tokens of its first
// member (every third revoked), n deliveries (statuses and channels
// in turn), n processes (two metrics each), n management reviews (every
// third signed, with a 1 kB snapshot) and n internal audits over 50
// years, each table in one statement: benchmarks of the paged lists
// need 100,000 rows of each without 100,000 round trips. Times go
// through tx.ts, as every write of the store does.
func (tx *Tx) SeedListsForBench(ctx context.Context, orgID int64, n int) error {
	seq := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) `
	tag := fmt.Sprintf("@org%d.bench", orgID)
	now := tx.ts(tx.Now)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{seq + `INSERT INTO users (email, name, created_at) SELECT 'p' || i || $2, 'Person ' || ((i * 7919) % $1), $3 FROM n`, []any{n, tag, now}},
		{`INSERT INTO memberships (org_id, user_id, role, created_at) SELECT $1, id,
			CASE id % 6 WHEN 0 THEN 'admin' WHEN 1 THEN 'isms_manager' WHEN 2 THEN 'process_owner' WHEN 3 THEN 'management' WHEN 4 THEN 'auditor' ELSE 'viewer' END,
			$2 FROM users WHERE email LIKE $3`, []any{orgID, now, "%" + tag}},
		{seq + `INSERT INTO api_tokens (org_id, user_id, name, scope, token_hash, created_at)
			SELECT $2, (SELECT MIN(user_id) FROM memberships WHERE org_id = $2), 'token ' || i, 'read', $4 || i, $3 FROM n`, []any{n, orgID, now, fmt.Sprintf("h%d-", orgID)}},
		{`UPDATE api_tokens SET revoked_at = created_at WHERE org_id = $1 AND id % 3 = 0`, []any{orgID}},
		{seq + `INSERT INTO deliveries (org_id, user_id, channel, target, kind, subject, body, payload, status, attempts, last_error, created_at)
			SELECT $2, (SELECT MIN(user_id) FROM memberships WHERE org_id = $2),
			CASE WHEN i % 2 = 0 THEN 'email' ELSE 'webhook' END, 'x@example.test', '', 'reminder ' || i, 'body', '',
			CASE i % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'sent' ELSE 'failed' END, 1, '', $3 FROM n`, []any{n, orgID, now}},
		{seq + `INSERT INTO processes (org_id, name, purpose, owner_id, trigger_event, deadline, steps, recorded, template, impact, recurrence, risk, created_at, updated_at)
			SELECT $2, 'Process ' || i, 'purpose', (SELECT MIN(user_id) FROM memberships WHERE org_id = $2), 'trigger', 'deadline', 'steps', 'recorded', '',
			1 + i % 5, 1 + (i / 5) % 5, 1 + (i / 25) % 5, $3, $3 FROM n`, []any{n, orgID, now}},
		{`INSERT INTO process_metrics (org_id, process_id, metric_key) SELECT org_id, id, 'm-' || (id % 9) FROM processes WHERE org_id = $1`, []any{orgID}},
		{`INSERT INTO process_metrics (org_id, process_id, metric_key) SELECT org_id, id, 'shared' FROM processes WHERE org_id = $1`, []any{orgID}},
		{seq + `INSERT INTO reviews (org_id, period, held_on, attendees, chair_id, status, comments, proposals, snapshot, snapshot_sha256, signed_by, created_at, updated_at)
			SELECT $2, 'P' || i, $3, 'attendees', NULL, CASE i % 3 WHEN 0 THEN 'draft' WHEN 1 THEN 'held' ELSE 'signed' END, '{}', '',
			CASE WHEN i % 3 = 2 THEN $4 ELSE '' END, CASE WHEN i % 3 = 2 THEN 'sha' ELSE '' END, '', $3, $3 FROM n`, []any{n, orgID, now, `{"snapshot":"` + strings.Repeat("x", 1000) + `"}`}},
		{seq + `INSERT INTO internal_audits (org_id, year, title, clauses, controls, processes, planned_on, lead_id, independence_override, created_at, updated_at)
			SELECT $2, 2000 + i % 50, 'Audit ' || i, '9.2', 'A.5.35', '', $3, (SELECT MIN(user_id) FROM memberships WHERE org_id = $2), '', $3, $3 FROM n`, []any{n, orgID, now}},
		{seq + `INSERT INTO risks (org_id, number, asset, threat, vulnerability, likelihood, impact, score, level, treatment, treatment_plan, justification,
			owner_id, assessed_at, next_review, created_at, updated_at)
			SELECT $2, i, 'Asset ' || i, 'Ransomware', 'Unpatched hosts', 1 + i % 5, 1 + (i / 5) % 5, (1 + i % 5) * (1 + (i / 5) % 5), 'medium', 'modify', 'Patch within 14 days', '',
			(SELECT MIN(user_id) FROM memberships WHERE org_id = $2), $3, $3, $3, $3 FROM n`, []any{n, orgID, now}},
		{`INSERT INTO risk_controls (org_id, risk_id, catalogue, control_id) SELECT org_id, id, $2, 'A.8.8' FROM risks WHERE org_id = $1`, []any{orgID, isms.CatalogueAnnexA2022}},
		{`INSERT INTO risk_controls (org_id, risk_id, catalogue, control_id) SELECT org_id, id, $2, 'A.8.13' FROM risks WHERE org_id = $1`, []any{orgID, isms.CatalogueAnnexA2022}},
		{`INSERT INTO risk_processes (org_id, risk_id, process_id) SELECT r.org_id, r.id, m.id FROM risks r, (SELECT MIN(id) AS id FROM processes WHERE org_id = $1) m WHERE r.org_id = $1`, []any{orgID}},
		{`UPDATE risks SET control_ids = 'A.8.13,A.8.8', process_ids = CAST((SELECT MIN(id) FROM processes WHERE org_id = $1) AS TEXT) WHERE org_id = $1`, []any{orgID}},
		{`INSERT INTO risk_assessments (org_id, risk_id, likelihood, impact, score, level, note, actor_id, actor, assessed_at)
			SELECT org_id, id, likelihood, impact, score, level, 'first', owner_id, 'Person', assessed_at FROM risks WHERE org_id = $1`, []any{orgID}},
	} {
		if _, err := tx.exec(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("seed %.40s: %w", q.sql, err)
		}
	}
	return nil
}

// SeedEventsForBench appends n audit events to the organisation's trail in
// one statement, for the audit trail's benchmark: seq 1..n, one a minute
// from start; entities in turn (risk, record, deviation, document,
// process, membership), entity ids 1..500 in turn, the entity's create,
// update or delete in turn, except every 1,000th event, an
// export.download; actors 1..5 in turn. The hashes are placeholders: the
// chain does not verify, and the benchmark only reads.
func (tx *Tx) SeedEventsForBench(ctx context.Context, orgID int64, n int, start time.Time) error {
	at := `CAST($3 AS TIMESTAMPTZ) + i * interval '1 minute'`
	if tx.db.Engine == SQLite {
		at = `$3 + i * 60000000`
	}
	_, err := tx.exec(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO audit_events (org_id, seq, actor_id, actor, action, entity, entity_id, before_json, after_json, at, prev_hash, hash)
		SELECT $2, i, 1 + i % 5, 'Person ' || (1 + i % 5),
			CASE WHEN i % 1000 = 0 THEN 'export.download'
				ELSE (CASE i % 6 WHEN 0 THEN 'risk' WHEN 1 THEN 'record' WHEN 2 THEN 'deviation' WHEN 3 THEN 'document' WHEN 4 THEN 'process' ELSE 'membership' END)
				|| (CASE (i / 6) % 3 WHEN 0 THEN '.create' WHEN 1 THEN '.update' ELSE '.delete' END) END,
			CASE i % 6 WHEN 0 THEN 'risk' WHEN 1 THEN 'record' WHEN 2 THEN 'deviation' WHEN 3 THEN 'document' WHEN 4 THEN 'process' ELSE 'membership' END,
			CAST(1 + i % 500 AS TEXT), '', '{"title":"seeded"}', `+at+`, 'prev', 'hash' FROM n`, n, orgID, tx.ts(start))
	return err
}

// EventsQuery is the statement of a page of the audit trail and its
// arguments, for the plan test.
func EventsQuery(engine Engine, f EventFilter) (string, []any) {
	return eventsQuery(engine, f, engine.ts)
}

// AppendEventAt appends e as AppendEvent does, at e.At instead of the
// transaction's time (tests of times that do not rise with seq).
func (tx *Tx) AppendEventAt(ctx context.Context, e *isms.Event) error {
	now := tx.Now
	tx.Now = e.At.UTC().Truncate(time.Microsecond)
	defer func() { tx.Now = now }()
	return tx.AppendEvent(ctx, e)
}

// SeedFrameworkForBench stores a framework of the organisation with n
// controls under n/100 groups (in document order) and decides every third
// control applicable and implemented and every sixth not applicable, in a
// few statements, for the register's benchmark. It returns the framework.
func (tx *Tx) SeedFrameworkForBench(ctx context.Context, orgID int64, key string, n int) (*isms.Framework, error) {
	f := &isms.Framework{OrgID: orgID, Key: key, Title: "Bench framework", Version: "1", Source: "csv", Origin: "bench", Requirements: n}
	if err := tx.queryRow(ctx, `INSERT INTO frameworks (org_id, key, title, version, source, origin, sha256, builtin, requirements, imported_at, imported_by)
		VALUES ($1, $2, $3, '1', 'csv', 'bench', '', false, $4, $5, 'bench') RETURNING id`, orgID, key, f.Title, n, tx.ts(tx.Now)).Scan(&f.ID); err != nil {
		return nil, err
	}
	seq := `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) `
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{seq + `INSERT INTO framework_requirements (framework_id, req_id, parent_id, kind, class, label, title, statement, guidance, withdrawn, position)
			SELECT $2, 'G-' || i, '', 'group', '', 'G-' || i, 'Group ' || i, '', '', false, i * 101 FROM n`, []any{max(1, n/100), f.ID}},
		{seq + `INSERT INTO framework_requirements (framework_id, req_id, parent_id, kind, class, label, title, statement, guidance, withdrawn, position)
			SELECT $2, 'C-' || i, 'G-' || (i / 100), 'control', '', 'C-' || i, 'Control ' || i, 'The organisation shall do thing ' || i || '.', '', false, (i / 100) * 101 + 1 + i % 100 FROM n`, []any{n, f.ID}},
		{seq + `INSERT INTO soa_entries (org_id, catalogue, control_id, applicable, justification, status, updated_by, updated_at)
			SELECT $2, $3, 'C-' || i, i % 6 <> 0, 'decided', CASE WHEN i % 6 <> 0 THEN 'implemented' ELSE '' END, 'bench', $4 FROM n WHERE i % 3 = 0`, []any{n, orgID, key, tx.ts(tx.Now)}},
	} {
		if _, err := tx.exec(ctx, q.sql, q.args...); err != nil {
			return nil, fmt.Errorf("seed %.40s: %w", q.sql, err)
		}
	}
	return f, nil
}

// RegisterSubtreeQuery is the subtree of a framework register's group
// filter ($3 the framework, $4 the group), for the plan test.
var RegisterSubtreeQuery = registerSubtree("$4") + `SELECT req_id FROM sub`

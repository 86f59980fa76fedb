package store

import (
	"context"
	"fmt"
)

// PagedListQueries are the unfiltered page queries of the token and
// delivery lists and the query of a page's process metrics, for the plan
// test.
var PagedListQueries = []string{
	pageSQL(tokenColumns, tokenPageFrom, whereOrg(1, "org_id"), tokenPageOrder),
	pageSQL(deliveryPageColumns, deliveryPageFrom, whereOrg(1, "d.org_id"), deliveryPageOrder),
	processMetricsOf,
}

// SeedListsForBench gives the organisation n members (new users, roles
// in turn, names out of creation order), n API tokens of its first
// member (every third revoked) and n deliveries (statuses and channels
// in turn), each table in one statement: benchmarks of the paged lists
// need 100,000 rows of each without 100,000 round trips. Times go
// through ts, as every write of the store does.
func (tx *Tx) SeedListsForBench(ctx context.Context, orgID int64, n int) error {
	seq := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) `
	tag := fmt.Sprintf("@org%d.bench", orgID)
	now := ts(tx.Now)
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
	} {
		if _, err := tx.exec(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("seed %.40s: %w", q.sql, err)
		}
	}
	return nil
}

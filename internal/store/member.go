package store

import (
	"context"
	"fmt"
)

// RevokeMemberTokens revokes every unrevoked API token of the person in
// the organisation and returns their ids (a removed member's tokens).
func (tx *Tx) RevokeMemberTokens(ctx context.Context, orgID, userID int64) ([]int64, error) {
	rows, err := tx.query(ctx, `UPDATE api_tokens SET revoked_at = $3
		WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`, orgID, userID, tx.ts(tx.Now))
	if err != nil {
		return nil, fmt.Errorf("revoke member tokens: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

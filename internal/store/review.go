package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/pdca/pdca/internal/isms"
)

const reviewColumns = `id, org_id, period, held_on, attendees, chair_id, status, comments, proposals, snapshot, snapshot_sha256, signed_at, signed_by, created_at, updated_at, chair_name, chair_role, signatories`

func scanReview(row interface{ Scan(...any) error }) (*isms.Review, error) {
	var r isms.Review
	var chair sql.NullInt64
	var status, comments string
	var signed nullTime
	if err := row.Scan(&r.ID, &r.OrgID, &r.Period, tm(&r.HeldOn), &r.Attendees, &chair, &status, &comments, &r.Proposals, &r.Snapshot,
		&r.SnapshotSHA256, &signed, &r.SignedBy, tm(&r.CreatedAt), tm(&r.UpdatedAt), &r.ChairName, &r.ChairRole, &r.Signatories); err != nil {
		return nil, err
	}
	r.ChairID, r.Status, r.SignedAt = chair.Int64, isms.ReviewStatus(status), ptime(signed)
	r.HeldOn, r.CreatedAt, r.UpdatedAt = r.HeldOn.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	_ = json.Unmarshal([]byte(comments), &r.Comments)
	if r.Comments == nil {
		r.Comments = map[string]string{}
	}
	return &r, nil
}

// chairID is the chair's user id, NULL for a chair without an account.
func chairID(r *isms.Review) any {
	if r.ChairID == 0 {
		return nil
	}
	return r.ChairID
}

func commentsJSON(r *isms.Review) string {
	b, _ := json.Marshal(r.Comments)
	return string(b)
}

// CreateReview stores a draft review.
func (tx *Tx) CreateReview(ctx context.Context, r *isms.Review) error {
	r.CreatedAt, r.UpdatedAt = tx.Now, tx.Now
	return tx.queryRow(ctx, `INSERT INTO reviews (org_id, period, held_on, attendees, chair_id, status, comments, proposals, snapshot, snapshot_sha256, signed_by, created_at, updated_at,
		chair_name, chair_role, signatories)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', '', '', $9, $9, $10, $11, $12) RETURNING id`,
		r.OrgID, r.Period, tx.ts(r.HeldOn), r.Attendees, chairID(r), string(r.Status), commentsJSON(r), r.Proposals, tx.ts(tx.Now), r.ChairName, r.ChairRole, r.Signatories).Scan(&r.ID)
}

// UpdateReview stores a review's fields, status and snapshot.
func (tx *Tx) UpdateReview(ctx context.Context, r *isms.Review) error {
	r.UpdatedAt = tx.Now
	var signed any
	if r.SignedAt != nil {
		signed = tx.ts(*r.SignedAt)
	}
	res, err := tx.exec(ctx, `UPDATE reviews SET period = $3, held_on = $4, attendees = $5, chair_id = $6, status = $7, comments = $8, proposals = $9,
		snapshot = $10, snapshot_sha256 = $11, signed_at = $12, signed_by = $13, updated_at = $14, chair_name = $15, chair_role = $16, signatories = $17
		WHERE org_id = $1 AND id = $2`,
		r.OrgID, r.ID, r.Period, tx.ts(r.HeldOn), r.Attendees, chairID(r), string(r.Status), commentsJSON(r), r.Proposals, r.Snapshot, r.SnapshotSHA256,
		signed, r.SignedBy, tx.ts(tx.Now), r.ChairName, r.ChairRole, r.Signatories)
	if err != nil {
		return fmt.Errorf("update review: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "review not found")
	}
	return nil
}

// Review returns one review; ENOTFOUND.
func (tx *Tx) Review(ctx context.Context, orgID, id int64) (*isms.Review, error) {
	r, err := scanReview(tx.queryRow(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return nil, notFound(err, "review")
	}
	return r, nil
}

// Reviews returns the organisation's reviews, newest first.
func (tx *Tx) Reviews(ctx context.Context, orgID int64) ([]*isms.Review, error) {
	rows, err := tx.query(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE org_id = $1 ORDER BY held_on DESC, id DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	var out []*isms.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateReviewAction stores a decision.
func (tx *Tx) CreateReviewAction(ctx context.Context, a *isms.ReviewAction) error {
	a.CreatedAt = tx.Now
	var owner, deadline any
	if a.OwnerID != 0 {
		owner = a.OwnerID
	}
	if a.Deadline != nil {
		deadline = tx.ts(*a.Deadline)
	}
	return tx.queryRow(ctx, `INSERT INTO review_actions (org_id, review_id, kind, title, owner_id, deadline, status, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		a.OrgID, a.ReviewID, string(a.Kind), a.Title, owner, deadline, a.Status, a.Note, tx.ts(tx.Now)).Scan(&a.ID)
}

// CompleteReviewAction marks a decision done with a note.
func (tx *Tx) CompleteReviewAction(ctx context.Context, orgID, id int64, note string) error {
	res, err := tx.exec(ctx, `UPDATE review_actions SET status = 'done', done_at = $3, note = $4 WHERE org_id = $1 AND id = $2`, orgID, id, tx.ts(tx.Now), note)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return isms.Errorf(isms.ENOTFOUND, "decision not found")
	}
	return nil
}

// ReviewActions returns the decisions of one review (reviewID > 0) or of
// every review (0), oldest first.
func (tx *Tx) ReviewActions(ctx context.Context, orgID, reviewID int64) ([]isms.ReviewAction, error) {
	rows, err := tx.query(ctx, `SELECT a.id, a.org_id, a.review_id, a.kind, a.title, COALESCE(a.owner_id, 0), a.deadline, a.status, a.done_at, a.note, a.created_at,
		COALESCE(u.name, ''), COALESCE(u.email, ''), r.period
		FROM review_actions a JOIN reviews r ON r.id = a.review_id LEFT JOIN users u ON u.id = a.owner_id
		WHERE a.org_id = $1 AND ($2 = 0 OR a.review_id = $2) ORDER BY a.id`, orgID, reviewID)
	if err != nil {
		return nil, fmt.Errorf("review actions: %w", err)
	}
	defer rows.Close()
	var out []isms.ReviewAction
	for rows.Next() {
		var a isms.ReviewAction
		var kind string
		var deadline, done nullTime
		if err := rows.Scan(&a.ID, &a.OrgID, &a.ReviewID, &kind, &a.Title, &a.OwnerID, &deadline, &a.Status, &done, &a.Note, tm(&a.CreatedAt), &a.OwnerName, &a.OwnerEmail, &a.Period); err != nil {
			return nil, err
		}
		a.Kind, a.Deadline, a.DoneAt = isms.ReviewActionKind(kind), ptime(deadline), ptime(done)
		out = append(out, a)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Issue 18, "My work": what the per-person list reads besides the
// reminder sources, and the private calendar feeds.

// AuditsToHold lists the internal audits not yet held, of every year,
// by planned date.
func (tx *Tx) AuditsToHold(ctx context.Context, orgID int64) ([]isms.InternalAudit, error) {
	return tx.auditList(ctx, "audits to hold", `a.org_id = $1 AND a.actual_on IS NULL`, orgID)
}

// CycleDeadline is a process chosen for an improvement cycle that has not
// ended: its owner improves it by the cycle's last day.
type CycleDeadline struct {
	CycleID     int64
	CycleName   string
	End         time.Time
	ProcessID   int64
	ProcessName string
	OwnerID     int64
}

// CycleDeadlines lists the processes of the cycles whose last day is at
// or after from, by the cycle's end.
func (tx *Tx) CycleDeadlines(ctx context.Context, orgID int64, from time.Time) ([]CycleDeadline, error) {
	rows, err := tx.query(ctx, `SELECT c.id, c.name, c.ends_on, p.id, p.name, COALESCE(p.owner_id, 0)
		FROM cycles c
		JOIN cycle_processes cp ON cp.org_id = c.org_id AND cp.cycle_id = c.id
		JOIN processes p ON p.org_id = cp.org_id AND p.id = cp.process_id
		WHERE c.org_id = $1 AND c.ends_on >= $2
		ORDER BY c.ends_on, c.id, p.name`, orgID, tx.ts(from))
	if err != nil {
		return nil, fmt.Errorf("list cycle deadlines: %w", err)
	}
	defer rows.Close()
	var out []CycleDeadline
	for rows.Next() {
		var d CycleDeadline
		if err := rows.Scan(&d.CycleID, &d.CycleName, tm(&d.End), &d.ProcessID, &d.ProcessName, &d.OwnerID); err != nil {
			return nil, fmt.Errorf("scan cycle deadline: %w", err)
		}
		d.End = d.End.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// CalendarFeed is a person's private feed in one organisation (without
// its token, which is never stored).
type CalendarFeed struct {
	OrgID, UserID int64
	CreatedAt     time.Time
}

// CalendarFeedOf returns the person's feed in the organisation; nil when
// they have none.
func (tx *Tx) CalendarFeedOf(ctx context.Context, orgID, userID int64) (*CalendarFeed, error) {
	f := &CalendarFeed{OrgID: orgID, UserID: userID}
	err := tx.queryRow(ctx, `SELECT created_at FROM calendar_feeds WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(tm(&f.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return f, err
}

// SetCalendarFeed stores the SHA-256 (hex) of the person's new feed
// token, replacing any previous one.
func (tx *Tx) SetCalendarFeed(ctx context.Context, orgID, userID int64, tokenSHA256 string) error {
	if err := tx.DeleteCalendarFeed(ctx, orgID, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO calendar_feeds (org_id, user_id, token_sha256, created_at) VALUES ($1, $2, $3, $4)`,
		orgID, userID, tokenSHA256, tx.ts(tx.Now))
	if err != nil {
		return fmt.Errorf("store calendar feed: %w", err)
	}
	return nil
}

// DeleteCalendarFeed removes the person's feed in the organisation.
func (tx *Tx) DeleteCalendarFeed(ctx context.Context, orgID, userID int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE org_id = $1 AND user_id = $2`, orgID, userID); err != nil {
		return fmt.Errorf("delete calendar feed: %w", err)
	}
	return nil
}

// CalendarFeedByToken returns the feed whose token has this SHA-256
// (hex), with the stored hash for the caller's constant-time check,
// only while its person is still a member of its organisation, by the
// membership the feed was made in (a person removed and added again does
// not get an old URL back); ENOTFOUND otherwise.
func (tx *Tx) CalendarFeedByToken(ctx context.Context, tokenSHA256 string) (*CalendarFeed, string, error) {
	var f CalendarFeed
	var stored string
	err := tx.queryRow(ctx, `SELECT f.org_id, f.user_id, f.created_at, f.token_sha256 FROM calendar_feeds f
		JOIN memberships m ON m.org_id = f.org_id AND m.user_id = f.user_id
		WHERE f.token_sha256 = $1 AND f.created_at >= m.created_at`, tokenSHA256).Scan(&f.OrgID, &f.UserID, tm(&f.CreatedAt), &stored)
	if err != nil {
		return nil, "", notFound(err, "calendar feed")
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return &f, stored, nil
}

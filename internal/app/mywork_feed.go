package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The private iCalendar feed of a person's My work (issue 18): a secret
// URL per person and organisation, which a calendar application fetches
// without a session. Only the SHA-256 of its random token is stored;
// rotating replaces it, revoking removes it. docs/my-work.md.

// MaxFeedItems bounds the events of one feed: the most urgent items
// (overdue first, then by due date) are kept.
const MaxFeedItems = 500

// feedTokenLen is the length of a feed token (rand.Text twice: 52 base32
// characters, 260 bits).
const feedTokenLen = 52

// Feed is what a calendar feed holds: one person's list in one
// organisation.
type Feed struct {
	Org    *isms.Organization
	UserID int64
	Items  []WorkItem
	// Zone is the person's zone (else the organisation's): the days of
	// the events are the due days there, as on the My work page.
	Zone *time.Location
	// Truncated: the list held more than MaxFeedItems items.
	Truncated bool
	At        time.Time
}

// CalendarFeedState returns the caller's feed in the organisation (when
// it was created), nil when they have none. Requires read.
func (a *App) CalendarFeedState(ctx context.Context, p Principal, slug string) (*store.CalendarFeed, error) {
	var out *store.CalendarFeed
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		if p.UserID == 0 {
			return nil
		}
		var err error
		out, err = tx.CalendarFeedOf(ctx, m.Org.ID, p.UserID)
		return err
	})
	return out, err
}

// feedWrite runs fn as the caller, a person, in a write transaction:
// every member may manage their own feed, but a read-only API token may
// not, and a caller that is not a person has no feed.
func (a *App) feedWrite(ctx context.Context, p Principal, slug, op string, fn func(tx *store.Tx, m *Member) error) error {
	return a.write(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		if m.Token != nil && m.Token.Scope == isms.ScopeRead {
			return scopeDenied(isms.Action(op))
		}
		if p.UserID == 0 {
			return isms.Errorf(isms.EINVALID, "a calendar feed belongs to a person; sign in as one")
		}
		return fn(tx, m)
	})
}

// RotateCalendarFeed gives the caller a new secret feed URL token in the
// organisation, which it returns (only its SHA-256 is stored, so it is
// shown once); the previous URL stops working at once. Requires read (a
// read-write token).
func (a *App) RotateCalendarFeed(ctx context.Context, p Principal, slug string) (string, error) {
	token := rand.Text() + rand.Text()
	err := a.feedWrite(ctx, p, slug, "rotate_calendar_feed", func(tx *store.Tx, m *Member) error {
		before, err := tx.CalendarFeedOf(ctx, m.Org.ID, p.UserID)
		if err != nil {
			return err
		}
		if err := tx.SetCalendarFeed(ctx, m.Org.ID, p.UserID, tokenHash(token)); err != nil {
			return err
		}
		action, was := "calendar_feed.create", any(nil)
		if before != nil {
			action, was = "calendar_feed.rotate", map[string]any{"created_at": before.CreatedAt}
		}
		return audit(ctx, tx, m.Org.ID, p, action, "calendar_feed", p.UserID, was, map[string]any{"created_at": tx.Now})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeCalendarFeed removes the caller's feed in the organisation: its
// URL stops working. Revoking a feed the caller does not have changes
// nothing. Requires read (a read-write token).
func (a *App) RevokeCalendarFeed(ctx context.Context, p Principal, slug string) error {
	return a.feedWrite(ctx, p, slug, "revoke_calendar_feed", func(tx *store.Tx, m *Member) error {
		before, err := tx.CalendarFeedOf(ctx, m.Org.ID, p.UserID)
		if err != nil || before == nil {
			return err
		}
		if err := tx.DeleteCalendarFeed(ctx, m.Org.ID, p.UserID); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "calendar_feed.revoke", "calendar_feed", p.UserID, map[string]any{"created_at": before.CreatedAt}, nil)
	})
}

// errNoFeed is the one answer for every token that opens no feed:
// malformed, unknown, rotated, revoked, or of a person who left.
func errNoFeed() error { return isms.Errorf(isms.ENOTFOUND, "calendar feed not found") }

// CalendarFeed returns the list behind a feed token: its person's items
// in its organisation, at most MaxFeedItems. ENOTFOUND for any token that
// opens no feed, whether or not it ever existed. Reading a feed is not
// audited (calendar applications fetch it every few minutes).
func (a *App) CalendarFeed(ctx context.Context, token string) (*Feed, error) {
	if len(token) != feedTokenLen {
		return nil, errNoFeed()
	}
	want := tokenHash(token)
	var out *Feed
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		f, stored, err := tx.CalendarFeedByToken(ctx, want)
		if isms.ErrorCode(err) == isms.ENOTFOUND {
			return errNoFeed()
		}
		if err != nil {
			return err
		}
		// The index found the row by the hash; compare it again in
		// constant time, so no answer depends on how much of it matched.
		if subtle.ConstantTimeCompare([]byte(stored), []byte(want)) != 1 {
			return errNoFeed()
		}
		o, err := tx.OrgByID(ctx, f.OrgID)
		if err != nil {
			return err
		}
		ms, err := tx.Membership(ctx, o.ID, f.UserID)
		if err != nil {
			return err
		}
		items, err := a.myWork(ctx, tx, o, f.UserID, tx.Now)
		if err != nil {
			return err
		}
		out = &Feed{Org: o, UserID: f.UserID, Items: items, At: tx.Now, Zone: memberZone(o, *ms)}
		if len(items) > MaxFeedItems {
			out.Items, out.Truncated = items[:MaxFeedItems], true
		}
		return nil
	})
	return out, err
}

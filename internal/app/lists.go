package app

import (
	"context"
	"slices"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Page is which part of a list to read: Limit items (0: 50, at most 500)
// after skipping Offset, and whether to count every item that matches
// (Total is -1 otherwise).
type Page struct {
	Limit, Offset int
	Count         bool
	// AfterID asks for a keyset page: the items after the one of this id
	// in the list's order (lists ordered by id: deliveries). Not with
	// Offset or Count (a count of the rest would read what keyset pages
	// spare).
	AfterID int64
}

// check returns EINVALID for a page size or offset out of range.
func (p Page) check() error {
	if p.Limit < 0 || p.Limit > store.MaxPageSize {
		return isms.Errorf(isms.EINVALID, "limit %d: give 1 to %d items a page", p.Limit, store.MaxPageSize)
	}
	if p.Offset < 0 {
		return isms.Errorf(isms.EINVALID, "offset %d: give 0 or more items to skip", p.Offset)
	}
	if p.AfterID < 0 {
		return isms.Errorf(isms.EINVALID, "after: not a cursor; pass the next of the page before")
	}
	return checkAfter(p.AfterID != 0, p.Offset, p.Count)
}

// checkAfter is the rule of every keyset page (risks, records,
// deliveries): a page after a cursor takes no offset, and no count (the
// count belongs to the first page; after a key it would count only the
// rest).
func checkAfter(after bool, offset int, count bool) error {
	switch {
	case after && offset != 0:
		return isms.Errorf(isms.EINVALID, "after and offset: give one of them, not both")
	case after && count:
		return isms.Errorf(isms.EINVALID, "count: a page after a cursor is not counted; ask for the count on the first page")
	}
	return nil
}

func (p Page) spec() store.PageSpec {
	return store.PageSpec{Limit: p.Limit, Offset: p.Offset, Count: p.Count, AfterID: p.AfterID}
}

// MemberFilter narrows the list of members; zero values do not filter.
type MemberFilter struct {
	Role  isms.Role
	Query string // part of the name or email
	Page
}

// Active reports whether any filter is set (paging aside).
func (f MemberFilter) Active() bool { return f.Role != "" || strings.TrimSpace(f.Query) != "" }

// MemberList returns one page of the organisation's members by name,
// filtered, paged (and counted when asked) by the database. Requires
// read. EINVALID for an unknown role or a page out of range.
func (a *App) MemberList(ctx context.Context, p Principal, slug string, f MemberFilter) (*store.Page[isms.Membership], error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.Role != "" && !slices.Contains(isms.Roles(), f.Role) {
		return nil, isms.Errorf(isms.EINVALID, "role %q: give one of %s", f.Role, roleNames())
	}
	if len(f.Query) > isms.MaxShort {
		return nil, isms.Errorf(isms.EINVALID, "q: at most %d characters", isms.MaxShort)
	}
	var out *store.Page[isms.Membership]
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.MemberPage(ctx, m.Org.ID, store.MemberFilter{Role: f.Role, Query: f.Query, PageSpec: f.spec()})
		return err
	})
	return out, err
}

func roleNames() string {
	var names []string
	for _, r := range isms.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// TokenFilter narrows the list of API tokens: State is active, revoked
// or expired; empty does not filter.
type TokenFilter struct {
	State string
	Page
}

// TokenList returns one page of the caller's tokens in the organisation
// (an admin's: everyone's) in the order they were created, filtered,
// paged (and counted when asked) by the database. EINVALID for an unknown
// state or a page out of range.
func (a *App) TokenList(ctx context.Context, p Principal, slug string, f TokenFilter) (*store.Page[*isms.Token], error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	switch f.State {
	case "", store.TokenActive, store.TokenRevoked, store.TokenExpired:
	default:
		return nil, isms.Errorf(isms.EINVALID, "state %q: give active, revoked or expired", f.State)
	}
	var out *store.Page[*isms.Token]
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		uid := p.UserID
		if p.System || m.Role.Can(isms.ActManageMembers) {
			uid = 0
		}
		out, err = tx.TokenPage(ctx, m.Org.ID, store.TokenFilter{UserID: uid, State: f.State, Now: tx.Now, PageSpec: f.spec()})
		return err
	})
	return out, err
}

// DeliveryFilter narrows the list of deliveries; zero values do not
// filter.
type DeliveryFilter struct {
	Status  string // pending, sent or failed
	Channel string // email or webhook
	Page
}

// DeliveryList returns one page of the organisation's deliveries, newest
// first, with status, attempts and last error, filtered, paged (and
// counted when asked) by the database. Requires the role of
// manage_members (admins); listing is reading, so an admin's read-only
// token may. EINVALID for an unknown status or channel.
func (a *App) DeliveryList(ctx context.Context, p Principal, slug string, f DeliveryFilter) (*store.Page[*store.Delivery], error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	switch f.Status {
	case "", isms.DeliveryPending, isms.DeliverySent, isms.DeliveryFailed:
	default:
		return nil, isms.Errorf(isms.EINVALID, "status %q: give pending, sent or failed", f.Status)
	}
	switch f.Channel {
	case "", isms.ChannelEmail, isms.ChannelWebhook:
	default:
		return nil, isms.Errorf(isms.EINVALID, "channel %q: give email or webhook", f.Channel)
	}
	var out *store.Page[*store.Delivery]
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := isms.Authorize(m.Role, isms.ActManageMembers); err != nil {
			return err
		}
		out, err = tx.DeliveryPage(ctx, m.Org.ID, store.DeliveryFilter{Status: f.Status, Channel: f.Channel, PageSpec: f.spec()})
		return err
	})
	return out, err
}

// ProcessFilter narrows the list of processes; zero values do not filter.
type ProcessFilter struct {
	Owner string // the owner's email
	Query string // part of the name
	// Standard is a standard key (issue 19): processes that serve it.
	Standard string
	Page
}

// Active reports whether any filter is set (paging aside).
func (f ProcessFilter) Active() bool {
	return strings.TrimSpace(f.Owner) != "" || strings.TrimSpace(f.Query) != "" || f.Standard != ""
}

// ProcessList returns one page of the organisation's processes, highest
// priority first, with their metrics, filtered, paged (and counted when
// asked) by the database. Requires read. EINVALID for a page out of
// range or a filter too long.
func (a *App) ProcessList(ctx context.Context, p Principal, slug string, f ProcessFilter) (*store.Page[*isms.Process], error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if len(f.Owner) > 254 {
		return nil, isms.Errorf(isms.EINVALID, "owner: an email of at most 254 characters")
	}
	if len(f.Query) > isms.MaxShort {
		return nil, isms.Errorf(isms.EINVALID, "q: at most %d characters", isms.MaxShort)
	}
	if err := checkStandardFilter(f.Standard); err != nil {
		return nil, err
	}
	var out *store.Page[*isms.Process]
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.ProcessPage(ctx, m.Org.ID, store.ProcessFilter{Owner: f.Owner, Query: f.Query, Standard: f.Standard, PageSpec: f.spec()})
		return err
	})
	return out, err
}

// ReviewFilter narrows the list of management reviews: Status is draft,
// held or signed; empty does not filter.
type ReviewFilter struct {
	Status isms.ReviewStatus
	Page
}

// ReviewList returns one page of the organisation's reviews, newest
// meeting first, without their snapshots, filtered, paged (and counted
// when asked) by the database. Requires read. EINVALID for an unknown
// status or a page out of range.
func (a *App) ReviewList(ctx context.Context, p Principal, slug string, f ReviewFilter) (*store.Page[*isms.Review], error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	switch f.Status {
	case "", isms.ReviewDraft, isms.ReviewHeld, isms.ReviewSigned:
	default:
		return nil, isms.Errorf(isms.EINVALID, "status %q: give draft, held or signed", f.Status)
	}
	var out *store.Page[*isms.Review]
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.ReviewPage(ctx, m.Org.ID, store.ReviewFilter{Status: f.Status, PageSpec: f.spec()})
		return err
	})
	return out, err
}

// AuditList returns one page of the audit programme of a year (every
// year for 0), by planned date, paged (and counted when asked) by the
// database; the findings are on each audit's own page. Requires read.
// EINVALID for a year out of range or a page out of range.
func (a *App) AuditList(ctx context.Context, p Principal, slug string, year int, pg Page) (*store.Page[isms.InternalAudit], error) {
	return a.AuditListFor(ctx, p, slug, year, "", pg)
}

// AuditListFor is AuditList restricted to the audits that serve a
// standard (issue 19); "" does not filter. EINVALID for an unknown one.
func (a *App) AuditListFor(ctx context.Context, p Principal, slug string, year int, standard string, pg Page) (*store.Page[isms.InternalAudit], error) {
	if err := checkStandardFilter(standard); err != nil {
		return nil, err
	}
	if err := pg.check(); err != nil {
		return nil, err
	}
	if year != 0 && (year < 2000 || year > 2100) {
		return nil, isms.Errorf(isms.EINVALID, "year %d: give a year from 2000 to 2100", year)
	}
	var out *store.Page[isms.InternalAudit]
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		m, err := a.readMember(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		out, err = tx.InternalAuditPageFor(ctx, m.Org.ID, year, standard, pg.spec())
		return err
	})
	return out, err
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Page sizes of the lists paged here (members, tokens, deliveries).
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageSpec is which part of a list to read: Limit rows (0: 50, at most
// 500) after skipping Offset, and whether to count every row that
// matches (a count reads them all; a page does not).
type PageSpec struct {
	Limit, Offset int
	Count         bool
	// AfterID starts a keyset page after the row of this id, for the
	// lists ordered by id alone that take it (deliveries): the page costs
	// what the first does however deep it is, where an offset walks the
	// rows it skips. 0: none. Not with Offset (the use cases check).
	AfterID int64
}

func (p PageSpec) limit() int {
	if p.Limit <= 0 || p.Limit > MaxPageSize {
		return DefaultPageSize
	}
	return p.Limit
}

// Page is one page of a list: its rows, whether more follow, and how many
// match in all (-1 when the caller did not ask for the count).
type Page[T any] struct {
	Items         []T
	More          bool
	Total         int
	Offset, Limit int
}

// total is the page's total for the lists that return it as an int
// beside their rows (risks, records, documents, deviations): the count
// when counted, else uncounted's.
func (p *Page[T]) total() int {
	if p.Total >= 0 {
		return p.Total
	}
	return uncounted(p.Offset, len(p.Items), p.More)
}

// uncounted is what a list that returns its total as an int returns when
// its filter said NoCount: -1 while rows follow the page, else the page's
// offset plus its rows (the total, unless the offset is past the end). A
// caller tells from it whether more follow (total < 0 or offset + rows <
// total) and reports it as a count only when it asked for one.
func uncounted(offset, rows int, more bool) int {
	if more {
		return -1
	}
	return offset + rows
}

// where builds a list's conditions and their arguments; the first
// argument is always the organisation's id ($1).
type where struct {
	sql  string
	args []any
}

func whereOrg(orgID int64, col string) *where {
	return &where{sql: ` WHERE ` + col + ` = $1`, args: []any{orgID}}
}

// and adds a condition; each %s in cond is replaced by a placeholder for
// the next value.
func (w *where) and(cond string, vals ...any) {
	ph := make([]any, len(vals))
	for i, v := range vals {
		w.args = append(w.args, v)
		ph[i] = fmt.Sprintf("$%d", len(w.args))
	}
	w.sql += ` AND ` + fmt.Sprintf(cond, ph...)
}

// pageSQL is the query of a page: the limit and offset follow the
// conditions' arguments.
func pageSQL(columns, from string, w *where, order string) string {
	n := len(w.args)
	return `SELECT ` + columns + from + w.sql + ` ORDER BY ` + order + fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2)
}

// readPage reads one page of from+where in the order given (a stable
// order: its last key is unique), one row more than the page to tell
// whether more follow, and counts the rows of countFrom+where when asked,
// unless the page itself tells how many match: when no row follows it and
// it has rows or starts the list, the total is its offset plus its rows,
// read in the page's own statement (most registers fit on one page).
// countFrom is the list's own table when the filters need no joined one
// (a join per row would double the count's cost).
func readPage[T any](ctx context.Context, tx *Tx, what, columns, from, countFrom string, w *where, order string, p PageSpec,
	scan func(*sql.Rows) (T, error)) (*Page[T], error) {
	out := &Page[T]{Total: -1, Offset: max(0, p.Offset), Limit: p.limit(), Items: []T{}}
	rows, err := tx.query(ctx, pageSQL(columns, from, w, order), append(w.args, out.Limit+1, out.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(out.Items) == out.Limit {
			out.More = true
			break
		}
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		out.Items = append(out.Items, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	switch {
	case !p.Count:
	case !out.More && (len(out.Items) > 0 || out.Offset == 0):
		out.Total = out.Offset + len(out.Items)
	default:
		if err := tx.queryRow(ctx, `SELECT COUNT(*)`+countFrom+w.sql, w.args...).Scan(&out.Total); err != nil {
			return nil, fmt.Errorf("count %s: %w", what, err)
		}
	}
	return out, nil
}

// MemberFilter selects a page of an organisation's members; zero values
// do not filter.
type MemberFilter struct {
	Role  isms.Role
	Query string // part of the name or email, case-insensitive
	PageSpec
}

// MemberPage returns one page of the organisation's members by name
// (then email, then id), filtered, paged and counted by the database.
func (tx *Tx) MemberPage(ctx context.Context, orgID int64, f MemberFilter) (*Page[isms.Membership], error) {
	w := whereOrg(orgID, "m.org_id")
	if f.Role != "" {
		w.and(`m.role = %s`, string(f.Role))
	}
	countFrom := ` FROM memberships m`
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		w.and(`(LOWER(u.name) LIKE %s OR LOWER(u.email) LIKE %s)`, "%"+q+"%", "%"+q+"%")
		countFrom += ` JOIN users u ON u.id = m.user_id`
	}
	return readPage(ctx, tx, "members", `m.org_id, m.user_id, m.role, m.created_at, u.email, u.name, o.slug, o.name, o.time_zone, u.time_zone`,
		` FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id`, countFrom, w,
		`u.name, u.email, m.user_id`, f.PageSpec, func(rows *sql.Rows) (isms.Membership, error) {
			var m isms.Membership
			var role string
			err := rows.Scan(&m.OrgID, &m.UserID, &role, tm(&m.CreatedAt), &m.Email, &m.Name, &m.OrgSlug, &m.OrgName, &m.OrgTimeZone, &m.UserTimeZone)
			m.Role = isms.Role(role)
			return m, err
		})
}

// Token states a list of tokens filters by.
const (
	TokenActive  = "active"
	TokenRevoked = "revoked"
	TokenExpired = "expired"
)

// TokenFilter selects a page of an organisation's API tokens; zero values
// do not filter.
type TokenFilter struct {
	UserID int64  // one person's tokens
	State  string // TokenActive, TokenRevoked or TokenExpired (not revoked, expired at Now)
	Now    time.Time
	PageSpec
}

// The tables and orders of the token and delivery lists; the indexes of
// migration 0031 read them in this order (TestPagedListPlans).
const (
	tokenPageFrom     = ` FROM api_tokens`
	tokenPageOrder    = `id`
	deliveryPageFrom  = ` FROM deliveries d`
	deliveryPageOrder = `d.id DESC`
	// deliveryAfter is a keyset page's condition: newest first, the page
	// after a delivery holds the older ones.
	deliveryAfter = `d.id < %s`
)

// TokenPage returns one page of the organisation's tokens in the order
// they were created (by id), filtered, paged and counted by the database.
func (tx *Tx) TokenPage(ctx context.Context, orgID int64, f TokenFilter) (*Page[*isms.Token], error) {
	w := whereOrg(orgID, "org_id")
	if f.UserID != 0 {
		w.and(`user_id = %s`, f.UserID)
	}
	switch f.State {
	case TokenActive:
		w.and(`revoked_at IS NULL AND (expires_at IS NULL OR expires_at > %s)`, tx.ts(f.Now))
	case TokenRevoked:
		w.sql += ` AND revoked_at IS NOT NULL`
	case TokenExpired:
		w.and(`revoked_at IS NULL AND expires_at <= %s`, tx.ts(f.Now))
	}
	return readPage(ctx, tx, "tokens", tokenColumns, tokenPageFrom, tokenPageFrom, w, tokenPageOrder, f.PageSpec,
		func(rows *sql.Rows) (*isms.Token, error) { return scanToken(rows) })
}

// DeliveryFilter selects a page of an organisation's deliveries; zero
// values do not filter.
type DeliveryFilter struct {
	Status  string // pending, sent or failed
	Channel string // email or webhook
	PageSpec
}

// deliveryPageColumns are deliveryColumns with the person's email read
// for the rows of the page only, not for every row an offset skips.
const deliveryPageColumns = `d.id, d.org_id, d.user_id, d.channel, d.target, d.kind, d.subject, d.body, d.payload, d.status, d.attempts, d.last_error, d.created_at, d.sent_at,
	(SELECT u.email FROM users u WHERE u.id = d.user_id)`

// DeliveryPage returns one page of the organisation's deliveries, newest
// first (by id), filtered, paged and counted by the database.
func (tx *Tx) DeliveryPage(ctx context.Context, orgID int64, f DeliveryFilter) (*Page[*Delivery], error) {
	w := whereOrg(orgID, "d.org_id")
	if f.Status != "" {
		w.and(`d.status = %s`, f.Status)
	}
	if f.Channel != "" {
		w.and(`d.channel = %s`, f.Channel)
	}
	if f.AfterID > 0 {
		w.and(deliveryAfter, f.AfterID)
	}
	return readPage(ctx, tx, "deliveries", deliveryPageColumns, deliveryPageFrom, deliveryPageFrom, w, deliveryPageOrder, f.PageSpec, func(rows *sql.Rows) (*Delivery, error) { return scanDelivery(rows) })
}

// ProcessFilter selects a page of an organisation's processes; zero
// values do not filter.
type ProcessFilter struct {
	Owner string // the owner's email, case-insensitive
	Query string // part of the name, case-insensitive
	// Standard is a standard key: processes that serve it (tagged, or
	// untagged for ISO/IEC 27001); "" does not filter.
	Standard string
	PageSpec
}

// processOrder is the processes' order: highest priority (impact ×
// recurrence × risk) first, then by name (unique in an organisation).
const processOrder = `p.impact * p.recurrence * p.risk DESC, p.name, p.id`

// ProcessPage returns one page of the organisation's processes, highest
// priority first, filtered, paged and counted by the database, with the
// metrics of the page's processes read in one query.
func (tx *Tx) ProcessPage(ctx context.Context, orgID int64, f ProcessFilter) (*Page[*isms.Process], error) {
	w := whereOrg(orgID, "p.org_id")
	if o := strings.ToLower(strings.TrimSpace(f.Owner)); o != "" {
		w.and(`p.owner_id IN (SELECT id FROM users WHERE LOWER(email) = %s)`, o)
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		w.and(`LOWER(p.name) LIKE %s`, "%"+q+"%")
	}
	if f.Standard != "" {
		w.and(standardCond(isms.TagProcess, "p.org_id", idText("p.id"), f.Standard), f.Standard)
	}
	pg, err := readPage(ctx, tx, "processes", processColumns, processFrom, ` FROM processes p`, w, processOrder, f.PageSpec, func(rows *sql.Rows) (*isms.Process, error) { return scanProcess(rows) })
	if err != nil {
		return nil, err
	}
	if err := tx.loadProcessMetrics(ctx, orgID, pg.Items); err != nil {
		return nil, err
	}
	// Issue 19: the page's processes' standards, in one query.
	ids := make([]string, len(pg.Items))
	for i, p := range pg.Items {
		ids[i] = idString(p.ID)
	}
	tags, err := tx.StandardTagsOf(ctx, orgID, isms.TagProcess, ids)
	for i, p := range pg.Items {
		p.Standards = tags[ids[i]]
	}
	return pg, err
}

// reviewListColumns are reviewColumns without the snapshot (the frozen
// JSON of a signed review's inputs, the largest column): a list shows its
// SHA-256, the review's page its content.
const reviewListColumns = `id, org_id, period, held_on, attendees, chair_id, status, comments, proposals, '', snapshot_sha256, signed_at, signed_by, created_at, updated_at, chair_name, chair_role, signatories`

// ReviewFilter selects a page of an organisation's management reviews;
// zero values do not filter.
type ReviewFilter struct {
	Status isms.ReviewStatus
	PageSpec
}

// ReviewPage returns one page of the organisation's reviews, newest
// meeting first (ties by id), without their snapshots, filtered, paged
// and counted by the database.
func (tx *Tx) ReviewPage(ctx context.Context, orgID int64, f ReviewFilter) (*Page[*isms.Review], error) {
	w := whereOrg(orgID, "org_id")
	if f.Status != "" {
		w.and(`status = %s`, string(f.Status))
	}
	return readPage(ctx, tx, "reviews", reviewListColumns, ` FROM reviews`, ` FROM reviews`, w, `held_on DESC, id DESC`, f.PageSpec,
		func(rows *sql.Rows) (*isms.Review, error) { return scanReview(rows) })
}

// InternalAuditPage returns one page of the audit programme of a year (every
// year when year is 0), by planned date (ties by id), paged and counted
// by the database; an audit's findings are not read (its page reads them).
func (tx *Tx) InternalAuditPage(ctx context.Context, orgID int64, year int, p PageSpec) (*Page[isms.InternalAudit], error) {
	return tx.InternalAuditPageFor(ctx, orgID, year, "", p)
}

// InternalAuditPageFor is InternalAuditPage restricted to the audits that
// serve a standard (issue 19; tagged, or untagged for ISO/IEC 27001); ""
// does not filter.
func (tx *Tx) InternalAuditPageFor(ctx context.Context, orgID int64, year int, standard string, p PageSpec) (*Page[isms.InternalAudit], error) {
	w := whereOrg(orgID, "a.org_id")
	if year != 0 {
		w.and(`a.year = %s`, year)
	}
	if standard != "" {
		w.and(standardCond(isms.TagAudit, "a.org_id", idText("a.id"), standard), standard)
	}
	return readPage(ctx, tx, "internal audits", auditSelect, auditFrom, ` FROM internal_audits a`, w, `a.planned_on, a.id`, p, func(rows *sql.Rows) (isms.InternalAudit, error) { return scanAudit(rows) })
}

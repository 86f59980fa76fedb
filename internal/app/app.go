// Package app holds pdca's use cases. It is the only code that changes
// data: each use case checks the caller's role, validates, opens the
// transaction, writes the audit trail in that same transaction, and
// enqueues background jobs.
package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/outbound"
	"github.com/pdca/pdca/internal/store"
)

// App is the set of use cases over one database.
type App struct {
	DB  *store.DB
	Log *slog.Logger
	// Passwords hashes and checks passwords; tests may use cheaper params.
	Passwords PasswordHasher
	// PasswordSlots bounds the password hashes computed at once (each
	// argon2id hash takes 64 MiB); 0 means the number of CPUs.
	// PasswordWait is how long a sign-in waits for a slot before it is
	// refused with ETOOMANY; 0 means DefaultPasswordWait (issue 13).
	PasswordSlots int
	PasswordWait  time.Duration
	hashes        hashGate
	// MFAKey, 32 bytes when set, seals TOTP secrets at rest (AES-256-GCM).
	MFAKey []byte
	// Enqueue, when set, is called inside write transactions to schedule
	// background work (River's InsertTx). Nil means no background work.
	Enqueue func(ctx context.Context, tx *store.Tx, job Job) error

	// ImportPreload is how many existing records of a kind an import loads
	// to compare rows with; above it, the stored records of each batch of
	// rows are looked up by their natural keys (store.KeyBatch at a time),
	// so a small import into a large register stays short and memory stays
	// bounded. Measured (BenchmarkImport1kInto20k, docs/BENCHMARKS.md):
	// batched lookups cost about what a preload does even when a file
	// touches the whole register.
	ImportPreload int
	// ImportAhead is how many new rows an import must have before they are
	// written ahead of its final transaction, ImportAheadChunk rows per
	// short transaction (hidden until the final one commits), so that a
	// large import never holds the single SQLite writer for long and other
	// organisations' writes wait one chunk at most. 0 means the defaults.
	ImportAhead, ImportAheadChunk int
	importChunkHook               func(written int) // tests: after each chunk commits
	// AnalyzeAfter is how many records an import must create before
	// PostgreSQL's statistics of their table are refreshed when it
	// commits (store.DB.AnalyzeRecords). 0 means DefaultAnalyzeAfter.
	AnalyzeAfter int

	// AuditKey, when set (serve --audit-key), signs the audit checkpoints
	// the server takes daily and when a management review is signed.
	AuditKey ed25519.PrivateKey

	// UploadDir holds uploaded import files between preview and confirm.
	// Housekeeping removes ones left unconfirmed for a day.
	UploadDir string

	orgCreated []OrgHook
	measured   []MeasuredHook
	registers  []RegisterSource
	// reviewInputs assemble a management review's inputs.
	reviewInputs []ReviewInputSource
	// dueSources list what reminders are sent for (issue 6).
	dueSources []DueSource
	// PublicURL, e.g. https://pdca.example.com, makes the links in
	// reminders absolute; empty leaves them as paths (issue 6).
	PublicURL string
	// OrgCreation is who may create organisations in the UI: operators
	// (""), anyone or no (serve --allow-org-create, issue 18).
	OrgCreation string
	// Mail sends the emails of invitations and password resets at once
	// (issue 18); nil: email is not configured.
	Mail Mailer
	// Webhooks is what a webhook URL may point at besides public
	// addresses (serve --webhook-allow); the zero Policy: public only.
	Webhooks outbound.Policy

	// dash caches each organisation's dashboard by data version;
	// dashFlight computes it once for concurrent views that miss.
	dash         dashCache
	dashFlight   singleflight.Group
	dashComputed atomic.Int64 // how many times, for tests

	// denials throttles token.denied events per process (issue 13).
	denials tokenDenials
}

// OnOrgCreated registers a hook run in every organisation's creation.
func (a *App) OnOrgCreated(h OrgHook) { a.orgCreated = append(a.orgCreated, h) }

// Job is background work requested by a use case.
type Job struct {
	Kind  string // e.g. "recompute_metrics"
	OrgID int64
	// DeliveryID is the delivery a JobDeliver sends (issue 6).
	DeliveryID int64
}

// New returns an App with production password parameters.
func New(db *store.DB, log *slog.Logger) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{DB: db, Log: log, Passwords: DefaultPasswordHasher(), UploadDir: filepath.Join(os.TempDir(), "pdca-uploads"), ImportPreload: 1000}
	a.OnOrgCreated(createBuiltinMetrics)
	// Processes and improvement cycles (issue 4).
	// Deviations, corrective actions, internal audits (issue 5).
	a.OnMeasured(a.openAutomatically)
	// Risks and the Statement of Applicability (issue 5).
	for _, r := range riskRegisters() {
		a.OnRegister(r)
	}
	// Reminders, notifications and evidence exports (issue 6).
	for _, src := range builtinDueSources() {
		a.OnDueItems(src)
	}
	for _, r := range builtinRegisters() {
		a.OnRegister(r)
	}
	for _, src := range builtinReviewInputs() {
		a.OnReviewInput(src)
	}
	registerActLoop(a)
	// Issue 18: acknowledgement of policies.
	a.OnRegister(ackRegister())
	a.OnDueItems(ackDueItems)
	return a
}

// Principal is who is calling: a signed-in person, an API token, or the
// command line (System).
type Principal struct {
	UserID int64
	Label  string // email or "cli"
	System bool   // the command line run by the operator: every right
	// Token, when the caller authenticated with an API token: the token is
	// bound to one organisation and scope.
	Token *isms.Token
	// in, when set, is the organisation the request is in and the
	// principal's role there, read with the token (AuthenticateTokenIn)
	// for this request's reads.
	in *orgRole
}

type orgRole struct {
	org  *isms.Organization
	role isms.Role
}

// System is the principal of the command line.
var System = Principal{System: true, Label: "cli"}

// Member is a principal acting inside one organisation with a role.
type Member struct {
	Principal
	Org  *isms.Organization
	Role isms.Role
}

// member resolves the principal's membership of the organisation. It
// returns ENOTFOUND, not EFORBIDDEN, when the principal is not a member, so
// that other organisations' existence does not leak.
func member(ctx context.Context, tx *store.Tx, p Principal, slug string) (*Member, error) {
	org, role, err := tx.OrgAndRole(ctx, slug, p.UserID)
	if err != nil {
		return nil, err
	}
	return memberOf(p, org, role)
}

// memberOf is p as a member of org, where p's role is role ("" for none);
// ENOTFOUND for a non-member, as if the organisation did not exist.
func memberOf(p Principal, org *isms.Organization, role isms.Role) (*Member, error) {
	if p.System {
		return &Member{Principal: p, Org: org, Role: isms.RoleAdmin}, nil
	}
	if role == "" || (p.Token != nil && p.Token.OrgID != org.ID) {
		return nil, isms.Errorf(isms.ENOTFOUND, "organisation %q not found", org.Slug)
	}
	return &Member{Principal: p, Org: org, Role: role}, nil
}

// can checks the member's role and, for tokens, the token's scope.
func (m *Member) can(a isms.Action) error {
	if err := isms.Authorize(m.Role, a); err != nil {
		return err
	}
	if m.Token != nil && m.Token.Scope == isms.ScopeRead && a != isms.ActRead && a != isms.ActReadAudit {
		return scopeDenied(a) // audited by AuditTokenDenied (issue 13)
	}
	return nil
}

// Authorize resolves p's membership of the organisation and checks that it
// may perform a. ENOTFOUND for a non-member, EFORBIDDEN for a missing right.
func (a *App) Authorize(ctx context.Context, p Principal, slug string, act isms.Action) (*Member, error) {
	var m *Member
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if m, err = member(ctx, tx, p, slug); err != nil {
			return err
		}
		return m.can(act)
	})
	return m, err
}

// audit appends an event for a change, in the change's transaction.
func audit(ctx context.Context, tx *store.Tx, orgID int64, p Principal, action, entity string, id any, before, after any) error {
	e := isms.Event{OrgID: orgID, ActorID: p.UserID, Actor: p.Label, Action: action, Entity: entity,
		EntityID: fmt.Sprint(id), Before: redactSecrets(toJSON(before)), After: redactSecrets(toJSON(after))}
	if p.Token != nil {
		e.Actor = p.Label + " (token " + strconv.FormatInt(p.Token.ID, 10) + ")"
	}
	return tx.AppendEvent(ctx, &e)
}

func toJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

// write runs fn in a write transaction as the principal's membership of
// the organisation, after checking it may perform act (ENOTFOUND for a
// non-member, EFORBIDDEN for a missing right). fn writes the audit event.
func (a *App) write(ctx context.Context, p Principal, slug string, act isms.Action, fn func(tx *store.Tx, m *Member) error) error {
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(act); err != nil {
			return err
		}
		return fn(tx, m)
	})
}

// read runs fn in a read transaction as the principal's membership of the
// organisation, after checking it may perform act (ENOTFOUND for a
// non-member, EFORBIDDEN for a missing right).
func (a *App) read(ctx context.Context, p Principal, slug string, act isms.Action, fn func(tx *store.Tx, m *Member) error) error {
	return a.DB.Read(ctx, func(tx *store.Tx) error {
		var m *Member
		var err error
		if p.in != nil && p.in.org.Slug == slug {
			m, err = memberOf(p, p.in.org, p.in.role) // read with the token, this request
		} else {
			m, err = member(ctx, tx, p, slug)
		}
		if err != nil {
			return err
		}
		if err := m.can(act); err != nil {
			return err
		}
		return fn(tx, m)
	})
}

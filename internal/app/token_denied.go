package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// TokenDeniedEvery is how often a token's denials by scope are audited: at
// most one token.denied event per token per window, so a client looping
// on a denied call cannot flood the audit chain (or the writer). The
// event names the first denied action of the window.
const TokenDeniedEvery = 10 * time.Minute

// ScopeDenied is the error of an API token whose scope does not allow an
// action; its code is EFORBIDDEN.
type ScopeDenied struct {
	Action isms.Action
	err    *isms.Error
}

func (e *ScopeDenied) Error() string { return e.err.Error() }

// Unwrap gives the domain error, so isms.ErrorCode sees EFORBIDDEN.
func (e *ScopeDenied) Unwrap() error { return e.err }

func scopeDenied(a isms.Action) error {
	return &ScopeDenied{Action: a, err: isms.Errorf(isms.EFORBIDDEN, "this API token is read-only; %s needs a write token", a)}
}

// tokenDenials remembers, per process, when each token's denial was last
// audited, so repeated denials cost no database write at all.
type tokenDenials struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

// due reports whether token id's denial at now should be audited, and
// notes it if so.
func (d *tokenDenials) due(id int64, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last == nil {
		d.last = map[int64]time.Time{}
	}
	if t, ok := d.last[id]; ok && now.Sub(t) < TokenDeniedEvery {
		return false
	}
	if len(d.last) > 10_000 { // bounded: forget everything rather than grow
		clear(d.last)
	}
	d.last[id] = now
	return true
}

// AuditTokenDenied writes a token.denied event when err is a denial by
// scope of p's token, at most once per token per TokenDeniedEvery (across
// processes: the token row records when it was last audited). It is
// called after the denied use case has rolled back. Failures are logged,
// not returned: the caller answers 403 either way.
func (a *App) AuditTokenDenied(ctx context.Context, p Principal, err error) {
	var sd *ScopeDenied
	if p.Token == nil || !errors.As(err, &sd) {
		return
	}
	if !a.denials.due(p.Token.ID, a.DB.Now()) {
		return
	}
	werr := a.DB.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.MarkTokenDenied(ctx, p.Token.OrgID, p.Token.ID, tx.Now.Add(-TokenDeniedEvery))
		if err != nil || !ok {
			return err
		}
		return audit(ctx, tx, p.Token.OrgID, p, "token.denied", "token", p.Token.ID, nil,
			map[string]any{"action": sd.Action, "scope": p.Token.Scope, "window": TokenDeniedEvery.String()})
	})
	if werr != nil {
		a.Log.Error("audit token denial", "token_id", p.Token.ID, "err", werr.Error())
	}
}

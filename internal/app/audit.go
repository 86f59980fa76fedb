package app

import (
	"context"
	"fmt"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Events lists the organisation's audit trail, newest first. Requires
// read_audit (admins, ISMS managers, auditors).
func (a *App) Events(ctx context.Context, p Principal, slug string, f store.EventFilter) ([]isms.Event, error) {
	var out []isms.Event
	err := a.read(ctx, p, slug, isms.ActReadAudit, func(tx *store.Tx, m *Member) error {
		var err error
		f.OrgID = m.Org.ID
		out, err = tx.Events(ctx, f)
		return err
	})
	return out, err
}

// EachEvent streams the organisation's whole audit trail in chain order
// (for exports). Requires read_audit.
func (a *App) EachEvent(ctx context.Context, p Principal, slug string, fn func(isms.Event) error) error {
	return a.read(ctx, p, slug, isms.ActReadAudit, func(tx *store.Tx, m *Member) error {
		return tx.EachEvent(ctx, m.Org.ID, fn)
	})
}

// ChainReport is the result of verifying one chain.
type ChainReport struct {
	OrgID   int64
	OrgSlug string // "" for the system chain
	Events  int64
	Problem *isms.ChainProblem
}

// VerifyAudit recomputes every audit chain and reports each chain's state;
// ok is false when any chain is broken. Only the command line may run it.
func (a *App) VerifyAudit(ctx context.Context, p Principal) (reports []ChainReport, ok bool, err error) {
	if !p.System {
		return nil, false, isms.Errorf(isms.EFORBIDDEN, "audit verification runs on the command line (pdca audit verify)")
	}
	ok = true
	err = a.DB.Read(ctx, func(tx *store.Tx) error {
		ids, err := tx.ChainOrgIDs(ctx)
		if err != nil {
			return err
		}
		orgs, err := tx.ListOrgs(ctx)
		if err != nil {
			return err
		}
		// Every organisation has a chain from its creation (org.create):
		// one without is a chain deleted with its head.
		hasChain := map[int64]bool{}
		for _, id := range ids {
			hasChain[id] = true
		}
		for _, o := range orgs {
			if !hasChain[o.ID] {
				ok = false
				reports = append(reports, ChainReport{OrgID: o.ID, OrgSlug: o.Slug, Problem: &isms.ChainProblem{OrgID: o.ID, Seq: 1,
					Reason: "the organisation exists but its audit chain is missing: every event and the chain head were removed"}})
			}
		}
		for _, id := range ids {
			r := ChainReport{OrgID: id}
			if id != isms.SystemOrgID {
				if o, err := tx.OrgByID(ctx, id); err == nil {
					r.OrgSlug = o.Slug
				}
			}
			headSeq, headHash, err := tx.ChainHead(ctx, id)
			noHead := isms.ErrorCode(err) == isms.ENOTFOUND
			if err != nil && !noHead {
				return err
			}
			v := isms.ChainVerifier{OrgID: id}
			if err := tx.EachEvent(ctx, id, func(e isms.Event) error {
				if v.Add(e) {
					r.Events++
				}
				return nil
			}); err != nil {
				return fmt.Errorf("verify chain %d: %w", id, err)
			}
			if v.Problem == nil && noHead && r.Events > 0 {
				r.Problem = &isms.ChainProblem{OrgID: id, Seq: r.Events, Reason: fmt.Sprintf("the chain's head (its recorded length and last hash) is missing; %d events remain", r.Events)}
			} else {
				r.Problem = v.Finish(headSeq, headHash)
			}
			if r.Problem != nil {
				ok = false
			}
			reports = append(reports, r)
		}
		return nil
	})
	return reports, ok, err
}

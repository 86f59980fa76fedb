package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// checkpointPrincipal signs the checkpoints the server takes by itself.
var checkpointPrincipal = Principal{System: true, Label: "audit checkpoint"}

// Checkpoint reasons.
const (
	CheckpointDaily  = "daily"
	CheckpointReview = "review"
	CheckpointCLI    = "cli"
)

// TakeCheckpoint signs a statement of every chain's head with key (the
// server's AuditKey when key is nil), stores it with one statement per
// organisation, sends each organisation's to its admins' channels when
// deliver is set, and writes an audit.checkpoint event with its hash to
// the system chain. Only the command line and the server itself may;
// EFORBIDDEN otherwise, EINVALID without a key.
func (a *App) TakeCheckpoint(ctx context.Context, p Principal, key ed25519.PrivateKey, reason string, deliver bool) (*isms.Checkpoint, error) {
	if !p.System {
		return nil, isms.Errorf(isms.EFORBIDDEN, "checkpoints are taken by the server or on the command line (pdca audit checkpoint)")
	}
	if key == nil {
		key = a.AuditKey
	}
	if key == nil {
		return nil, isms.Errorf(isms.EINVALID, "no audit key: start the server with --audit-key or pass --key")
	}
	var out *isms.Checkpoint
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = a.takeCheckpoint(ctx, tx, key, reason, deliver, 0)
		return err
	})
	return out, err
}

// takeCheckpoint does TakeCheckpoint in the caller's transaction and also
// returns the statement of organisation orgID's chain (nil for 0); with
// an orgID, only that organisation's statement is delivered.
func (a *App) takeCheckpoint(ctx context.Context, tx *store.Tx, key ed25519.PrivateKey, reason string, deliver bool, orgID int64) (all, own *isms.Checkpoint, err error) {
	heads, err := tx.ChainHeads(ctx)
	if err != nil {
		return nil, nil, err
	}
	var named []isms.ChainHead
	for _, h := range heads {
		switch {
		case h.OrgID == isms.SystemOrgID:
			h.Org = isms.SystemChainSlug
		case h.Org == "":
			continue // a head without an organisation: verify reports it
		}
		named = append(named, h)
	}
	all, err = signedCheckpoint(ctx, tx, key, reason, "all", 0, named)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range named {
		if h.OrgID == isms.SystemOrgID {
			continue
		}
		one, err := signedCheckpoint(ctx, tx, key, reason, "org", h.OrgID, []isms.ChainHead{h})
		if err != nil {
			return nil, nil, err
		}
		if h.OrgID == orgID {
			own = one
		}
		// A review's checkpoint goes to the reviewing organisation only.
		if deliver && (orgID == 0 || h.OrgID == orgID) {
			if err := a.deliverCheckpoint(ctx, tx, h, one); err != nil {
				return nil, nil, err
			}
		}
	}
	after := map[string]any{"sha256": all.SHA256(), "time": all.Time, "key_id": all.KeyID, "reason": reason, "chains": len(named)}
	if err := audit(ctx, tx, isms.SystemOrgID, checkpointPrincipal, "audit.checkpoint", "audit_checkpoint", all.SHA256(), nil, after); err != nil {
		return nil, nil, err
	}
	return all, own, nil
}

func signedCheckpoint(ctx context.Context, tx *store.Tx, key ed25519.PrivateKey, reason, scope string, orgID int64, heads []isms.ChainHead) (*isms.Checkpoint, error) {
	c, err := isms.NewCheckpoint(tx.Now, scope, heads)
	if err != nil {
		return nil, err
	}
	if err := c.Sign(key); err != nil {
		return nil, err
	}
	err = tx.AddCheckpoint(ctx, &store.StoredCheckpoint{OrgID: orgID, TakenAt: tx.Now, Reason: reason, SHA256: c.SHA256(), Statement: string(c.JSON())})
	return c, err
}

// deliverCheckpoint sends an organisation's statement to its admins'
// channels (email, webhook) as they chose them, so copies live outside
// the database.
func (a *App) deliverCheckpoint(ctx context.Context, tx *store.Tx, h isms.ChainHead, c *isms.Checkpoint) error {
	ms, err := tx.Members(ctx, h.OrgID)
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("[%s] Audit trail checkpoint %s", h.Org, c.Time)
	text := fmt.Sprintf("The audit trail of %s had %d events at %s, the last with hash %s.\n"+
		"Keep this signed statement: \"pdca audit verify --checkpoint FILE --public-key KEY.pub\" fails if the trail is later rewound or rewritten.\n\n%s",
		h.Org, h.Seq, c.Time, h.Hash, c.JSON())
	for _, m := range ms {
		if m.Role != isms.RoleAdmin {
			continue
		}
		pr, err := tx.NotificationPrefs(ctx, h.OrgID, m.UserID)
		if err != nil {
			return err
		}
		if pr.Paused(tx.Now) {
			continue
		}
		var ds []*store.Delivery
		if pr.Email && m.Email != "" {
			ds = append(ds, &store.Delivery{OrgID: h.OrgID, UserID: m.UserID, Channel: isms.ChannelEmail, Target: m.Email, Subject: subject, Body: text})
		}
		if pr.WebhookURL != "" {
			var payload any = map[string]any{"organisation": h.Org, "kind": "audit_checkpoint", "title": subject, "checkpoint": c}
			if pr.WebhookKind == isms.WebhookSlack {
				payload = map[string]string{"text": subject + "\n" + strings.TrimSpace(text)}
			}
			b, _ := json.Marshal(payload) // strings and numbers only
			ds = append(ds, &store.Delivery{OrgID: h.OrgID, UserID: m.UserID, Channel: isms.ChannelWebhook, Target: pr.WebhookURL, Kind: pr.WebhookKind,
				Subject: subject, Body: text, Payload: string(b)})
		}
		for _, d := range ds {
			if err := tx.AddDelivery(ctx, d); err != nil {
				return err
			}
			if a.Enqueue != nil {
				if err := a.Enqueue(ctx, tx, Job{Kind: JobDeliver, OrgID: h.OrgID, DeliveryID: d.ID}); err != nil {
					return fmt.Errorf("enqueue delivery %d: %w", d.ID, err)
				}
			}
		}
	}
	return nil
}

// LatestCheckpoint returns the organisation's newest signed checkpoint
// statement (nil when none was taken). Requires read_audit.
func (a *App) LatestCheckpoint(ctx context.Context, p Principal, slug string) (*isms.Checkpoint, error) {
	var out *isms.Checkpoint
	err := a.read(ctx, p, slug, isms.ActReadAudit, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = latestCheckpoint(ctx, tx, m.Org.ID)
		return err
	})
	return out, err
}

func latestCheckpoint(ctx context.Context, tx *store.Tx, orgID int64) (*isms.Checkpoint, error) {
	c, err := tx.LatestCheckpoint(ctx, orgID)
	if isms.ErrorCode(err) == isms.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return isms.ParseCheckpoint([]byte(c.Statement))
}

// VerifyCheckpoint checks that every chain a checkpoint names still
// extends it (its signature is the caller's to check first, with the
// public key). Only the command line may run it.
func (a *App) VerifyCheckpoint(ctx context.Context, p Principal, c *isms.Checkpoint) ([]isms.CheckpointProblem, error) {
	if !p.System {
		return nil, isms.Errorf(isms.EFORBIDDEN, "audit verification runs on the command line (pdca audit verify)")
	}
	var out []isms.CheckpointProblem
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		now := map[int64]isms.ChainNow{}
		for _, h := range c.Heads {
			exists, err := tx.ChainExists(ctx, h.OrgID)
			if err != nil {
				return err
			}
			n := isms.ChainNow{Exists: exists}
			if n.HeadSeq, _, err = tx.ChainHead(ctx, h.OrgID); err != nil && isms.ErrorCode(err) != isms.ENOTFOUND {
				return err
			}
			if n.HashAtSeq, err = tx.EventHash(ctx, h.OrgID, h.Seq); err != nil {
				return err
			}
			now[h.OrgID] = n
		}
		out = isms.CompareCheckpoint(c, now)
		return nil
	})
	return out, err
}

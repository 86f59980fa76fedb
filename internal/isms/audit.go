package isms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// SystemOrgID is the chain of events that belong to no organisation
// (users created on the command line, for instance).
const SystemOrgID int64 = 0

// Event is one entry of the append-only audit trail. Each event carries the
// hash of the previous event of its organisation, so altering or removing
// any event breaks the chain from that point on.
type Event struct {
	ID       int64
	OrgID    int64
	Seq      int64 // 1, 2, 3... per organisation
	ActorID  int64 // 0 for the system or the command line
	Actor    string
	Action   string // e.g. "org.create", "member.add", "token.revoke"
	Entity   string // e.g. "organization", "user", "token"
	EntityID string
	Before   string // JSON, "" when nothing existed before
	After    string // JSON, "" when nothing exists after
	At       time.Time
	PrevHash string
	Hash     string
}

// ComputeHash returns the hex SHA-256 of the event's fields and its
// predecessor's hash. The input is a JSON array with a fixed order, so it
// can be recomputed offline by anyone with the export.
func (e Event) ComputeHash() string {
	b, err := json.Marshal([]any{e.OrgID, e.Seq, e.ActorID, e.Actor, e.Action, e.Entity, e.EntityID,
		e.Before, e.After, e.At.UTC().Format(time.RFC3339Nano), e.PrevHash})
	if err != nil {
		panic(fmt.Sprintf("audit hash: %v", err)) // cannot happen: only strings and numbers
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ChainProblem describes the first break found in a chain.
type ChainProblem struct {
	OrgID  int64
	Seq    int64
	Reason string
}

// ChainVerifier checks one organisation's chain event by event, so a long
// trail is verified in bounded memory.
type ChainVerifier struct {
	OrgID   int64
	prev    string
	next    int64
	Problem *ChainProblem
}

// Add checks the next event (in Seq order). It returns false once the chain
// is broken; Problem then names the first break.
func (v *ChainVerifier) Add(e Event) bool {
	if v.Problem != nil {
		return false
	}
	if v.next == 0 {
		v.next = 1
	}
	switch {
	case e.Seq != v.next:
		v.Problem = &ChainProblem{v.OrgID, v.next, fmt.Sprintf("event %d is missing (found %d next)", v.next, e.Seq)}
	case e.PrevHash != v.prev:
		v.Problem = &ChainProblem{v.OrgID, e.Seq, fmt.Sprintf("event %d (id %d, %s) does not point to the hash of event %d", e.Seq, e.ID, e.Action, e.Seq-1)}
	case e.ComputeHash() != e.Hash:
		v.Problem = &ChainProblem{v.OrgID, e.Seq, fmt.Sprintf("event %d (id %d, %s) was altered: its content does not match its hash", e.Seq, e.ID, e.Action)}
	default:
		v.prev = e.Hash
		v.next++
		return true
	}
	return false
}

// Finish compares the end of the chain with the recorded head (the number
// of events written and the last hash), which catches removed tail events.
func (v *ChainVerifier) Finish(headSeq int64, headHash string) *ChainProblem {
	if v.Problem != nil {
		return v.Problem
	}
	last := v.next - 1
	if v.next == 0 {
		last = 0
	}
	if headSeq != last {
		v.Problem = &ChainProblem{v.OrgID, last + 1, fmt.Sprintf("the chain ends at event %d but %d were written: events after %d were removed", last, headSeq, last)}
	} else if headHash != v.prev {
		v.Problem = &ChainProblem{v.OrgID, last, fmt.Sprintf("event %d does not match the recorded head hash", last)}
	}
	return v.Problem
}

// VerifyChain checks one organisation's events, given in Seq order, against
// the recorded head. It returns nil when the chain is intact.
func VerifyChain(orgID int64, events []Event, headSeq int64, headHash string) *ChainProblem {
	v := ChainVerifier{OrgID: orgID}
	for _, e := range events {
		if !v.Add(e) {
			break
		}
	}
	return v.Finish(headSeq, headHash)
}

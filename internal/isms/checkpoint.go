package isms

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CheckpointFormat names the version of the signed checkpoint statement
// and is the first line of its canonical encoding.
const CheckpointFormat = "pdca-audit-checkpoint/v1"

// SystemChainSlug stands for the system chain (organisation 0) in a
// checkpoint.
const SystemChainSlug = "(system)"

// ChainHead is one chain's state in a checkpoint: the organisation, the
// number of events and the hash of the last one.
type ChainHead struct {
	OrgID int64  `json:"org_id"`
	Org   string `json:"org"`
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
}

// Checkpoint is a signed statement of audit chain heads, as Certificate
// Transparency's signed tree heads: anyone holding the public key can
// later check that every chain still extends it, so a rewound or
// re-chained trail is caught even by someone who could write the whole
// database. Scope is "all" (every chain, for the operator) or "org" (one
// organisation's chain, for copies handed to that organisation).
type Checkpoint struct {
	Format    string      `json:"format"`
	Time      string      `json:"time"` // RFC 3339, UTC, seconds
	Scope     string      `json:"scope"`
	Heads     []ChainHead `json:"heads"`
	KeyID     string      `json:"key_id"`    // KeyFingerprint of the signing key
	Signature string      `json:"signature"` // base64 (standard) Ed25519 signature of CanonicalBytes
}

// NewCheckpoint returns an unsigned statement of heads at t, sorted by
// organisation id. EINVALID for a slug or hash that cannot be encoded.
func NewCheckpoint(t time.Time, scope string, heads []ChainHead) (*Checkpoint, error) {
	hs := append([]ChainHead(nil), heads...)
	sort.Slice(hs, func(i, j int) bool { return hs[i].OrgID < hs[j].OrgID })
	c := &Checkpoint{Format: CheckpointFormat, Time: t.UTC().Truncate(time.Second).Format(time.RFC3339), Scope: scope, Heads: hs}
	if _, err := c.CanonicalBytes(); err != nil {
		return nil, err
	}
	return c, nil
}

// CanonicalBytes is what the signature covers: UTF-8 lines ending in "\n",
//
//	pdca-audit-checkpoint/v1
//	time <RFC 3339 UTC>
//	scope <all|org>
//	key <key id>
//	chain <org id> <org slug> <seq> <hash>     (one per chain, by org id)
//
// EINVALID when a field would break the line format.
func (c *Checkpoint) CanonicalBytes() ([]byte, error) {
	if c.Format != CheckpointFormat {
		return nil, Errorf(EINVALID, "checkpoint format %q: this pdca reads %s", c.Format, CheckpointFormat)
	}
	if _, err := time.Parse(time.RFC3339, c.Time); err != nil || !strings.HasSuffix(c.Time, "Z") {
		return nil, Errorf(EINVALID, "checkpoint time %q: want RFC 3339 in UTC", c.Time)
	}
	if c.Scope != "all" && c.Scope != "org" {
		return nil, Errorf(EINVALID, "checkpoint scope %q: want all or org", c.Scope)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\ntime %s\nscope %s\nkey %s\n", c.Format, c.Time, c.Scope, c.KeyID)
	prev := int64(-1)
	for _, h := range c.Heads {
		if h.OrgID <= prev {
			return nil, Errorf(EINVALID, "checkpoint chains must be listed once each, by organisation id (%d after %d)", h.OrgID, prev)
		}
		prev = h.OrgID
		if h.Org == "" || strings.ContainsAny(h.Org, " \t\r\n") || h.Seq < 0 || strings.ContainsAny(h.Hash, " \t\r\n") {
			return nil, Errorf(EINVALID, "checkpoint chain %d (%q): a slug without spaces, a seq of 0 or more and a hex hash are required", h.OrgID, h.Org)
		}
		fmt.Fprintf(&b, "chain %d %s %d %s\n", h.OrgID, h.Org, h.Seq, h.Hash)
	}
	if strings.ContainsAny(c.KeyID, " \t\r\n") {
		return nil, Errorf(EINVALID, "checkpoint key id %q contains spaces", c.KeyID)
	}
	return b.Bytes(), nil
}

// SHA256 is the hex SHA-256 of the canonical bytes: the checkpoint's
// identity in the audit trail.
func (c *Checkpoint) SHA256() string {
	b, err := c.CanonicalBytes()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Sign sets the key id and signs the canonical bytes.
func (c *Checkpoint) Sign(priv ed25519.PrivateKey) error {
	c.KeyID = KeyFingerprint(priv.Public().(ed25519.PublicKey))
	b, err := c.CanonicalBytes()
	if err != nil {
		return err
	}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, b))
	return nil
}

// Verify checks the signature with pub. EINVALID when the statement is
// malformed, was signed by another key or was changed after signing.
func (c *Checkpoint) Verify(pub ed25519.PublicKey) error {
	b, err := c.CanonicalBytes()
	if err != nil {
		return err
	}
	if fp := KeyFingerprint(pub); c.KeyID != fp {
		return Errorf(EINVALID, "the checkpoint was signed by key %s, not by this public key (%s)", c.KeyID, fp)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, b, sig) {
		return Errorf(EINVALID, "the checkpoint's signature is not valid: it was changed after signing")
	}
	return nil
}

// JSON is the statement as written to files, stored and delivered.
func (c *Checkpoint) JSON() []byte {
	b, _ := json.MarshalIndent(c, "", "  ") // strings and numbers only
	return append(b, '\n')
}

// ParseCheckpoint reads a statement written by JSON. EINVALID.
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, Errorf(EINVALID, "checkpoint: not a pdca checkpoint JSON document: %v", err)
	}
	if _, err := c.CanonicalBytes(); err != nil {
		return nil, err
	}
	return &c, nil
}

// For returns the statement's head of one organisation.
func (c *Checkpoint) For(orgID int64) (ChainHead, bool) {
	for _, h := range c.Heads {
		if h.OrgID == orgID {
			return h, true
		}
	}
	return ChainHead{}, false
}

// ChainNow is what the database holds today for a chain a checkpoint
// names: whether the chain exists (a head row or any event), its head's
// seq, and the hash of the event at the checkpoint's seq ("" when there
// is none).
type ChainNow struct {
	Exists    bool
	HeadSeq   int64
	HashAtSeq string
}

// CheckpointProblem is one chain that no longer extends a checkpoint.
type CheckpointProblem struct {
	OrgID  int64
	Org    string
	Reason string
}

// CompareCheckpoint checks that every chain of the checkpoint is still
// there and extends it: at least as long, with the same event at the
// checkpoint's seq. Chains created since are not its business.
func CompareCheckpoint(c *Checkpoint, now map[int64]ChainNow) []CheckpointProblem {
	var out []CheckpointProblem
	for _, h := range c.Heads {
		n, ok := now[h.OrgID]
		p := CheckpointProblem{OrgID: h.OrgID, Org: h.Org}
		switch {
		case !ok || !n.Exists:
			p.Reason = fmt.Sprintf("the chain is missing: the checkpoint of %s recorded %d events", c.Time, h.Seq)
		case n.HeadSeq < h.Seq:
			p.Reason = fmt.Sprintf("the chain was rewound: its head is at event %d but the checkpoint of %s recorded %d events", n.HeadSeq, c.Time, h.Seq)
		case h.Seq > 0 && n.HashAtSeq == "":
			p.Reason = fmt.Sprintf("event %d, the head at the checkpoint of %s, is missing", h.Seq, c.Time)
		case n.HashAtSeq != h.Hash:
			p.Reason = fmt.Sprintf("the history was rewritten: event %d's hash is %s, the checkpoint of %s recorded %s", h.Seq, short(n.HashAtSeq), c.Time, short(h.Hash))
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// KeyFingerprint names a public key: "ed25519:" and the hex SHA-256 of
// its 32 raw bytes.
func KeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:])
}

// GenerateKey returns a new Ed25519 key pair as PEM: the private key in
// PKCS #8, the public key in PKIX (both readable by openssl).
func GenerateKey() (privPEM, pubPEM []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	px, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: px}), nil
}

// ParsePrivateKey reads a PEM PKCS #8 Ed25519 private key. EINVALID.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, Errorf(EINVALID, "not a PEM private key (want the file written by pdca audit keygen)")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if priv, ok := k.(ed25519.PrivateKey); err == nil && ok {
		return priv, nil
	}
	return nil, Errorf(EINVALID, "not an Ed25519 private key (want the file written by pdca audit keygen)")
}

// ParsePublicKey reads a PEM PKIX Ed25519 public key. EINVALID.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, Errorf(EINVALID, "not a PEM public key (want the .pub file written by pdca audit keygen)")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
		return pub, nil
	}
	return nil, Errorf(EINVALID, "not an Ed25519 public key (want the .pub file written by pdca audit keygen)")
}

// orgLabel names a chain for messages.
func orgLabel(id int64, slug string) string {
	if slug == "" {
		return "organisation " + strconv.FormatInt(id, 10)
	}
	return slug
}

// String names the problem's organisation and what is wrong.
func (p CheckpointProblem) String() string { return orgLabel(p.OrgID, p.Org) + ": " + p.Reason }

package isms_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func testKeys(t *testing.T) ([]byte, []byte) {
	t.Helper()
	priv, pub, err := isms.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func TestCheckpointSignVerifyRoundTrip(t *testing.T) {
	privPEM, pubPEM := testKeys(t)
	priv, err := isms.ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := isms.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 4, 17, 3, 4, 500, time.FixedZone("CET", 3600))
	c, err := isms.NewCheckpoint(at, "all", []isms.ChainHead{{OrgID: 2, Org: "beta", Seq: 5, Hash: "bb"}, {OrgID: 0, Org: isms.SystemChainSlug, Seq: 1, Hash: "00"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sign(priv); err != nil {
		t.Fatal(err)
	}
	b, _ := c.CanonicalBytes()
	want := "pdca-audit-checkpoint/v1\ntime 2026-12-04T16:03:04Z\nscope all\nkey " + isms.KeyFingerprint(pub) +
		"\nchain 0 (system) 1 00\nchain 2 beta 5 bb\n"
	if string(b) != want {
		t.Fatalf("canonical bytes:\n%q\nwant\n%q", b, want)
	}
	back, err := isms.ParseCheckpoint(c.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(pub); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if back.SHA256() != c.SHA256() || len(c.SHA256()) != 64 {
		t.Fatalf("sha256 %q vs %q", back.SHA256(), c.SHA256())
	}
}

func TestCheckpointVerifyRefuses(t *testing.T) {
	privPEM, pubPEM := testKeys(t)
	priv, _ := isms.ParsePrivateKey(privPEM)
	pub, _ := isms.ParsePublicKey(pubPEM)
	_, otherPEM := testKeys(t)
	other, _ := isms.ParsePublicKey(otherPEM)
	signed := func() *isms.Checkpoint {
		c, err := isms.NewCheckpoint(time.Now(), "all", []isms.ChainHead{{OrgID: 1, Org: "acme", Seq: 3, Hash: "aa"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Sign(priv); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		change func(c *isms.Checkpoint)
		key    []byte
		want   string
	}{
		{"seq lowered", func(c *isms.Checkpoint) { c.Heads[0].Seq = 2 }, nil, "signature is not valid"},
		{"hash changed", func(c *isms.Checkpoint) { c.Heads[0].Hash = "ab" }, nil, "signature is not valid"},
		{"chain dropped", func(c *isms.Checkpoint) { c.Heads = nil }, nil, "signature is not valid"},
		{"time moved", func(c *isms.Checkpoint) { c.Time = "2020-01-01T00:00:00Z" }, nil, "signature is not valid"},
		{"signature garbage", func(c *isms.Checkpoint) { c.Signature = "!!" }, nil, "signature is not valid"},
		{"other key", func(c *isms.Checkpoint) {}, otherPEM, "not by this public key"},
		{"unknown format", func(c *isms.Checkpoint) { c.Format = "x/v9" }, nil, "format"},
		{"slug with newline", func(c *isms.Checkpoint) { c.Heads[0].Org = "a\nchain 9 x 1 y" }, nil, "slug without spaces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := signed()
			tc.change(c)
			k := pub
			if tc.key != nil {
				k = other
			}
			err := c.Verify(k)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCompareCheckpoint(t *testing.T) {
	c, err := isms.NewCheckpoint(time.Now(), "all", []isms.ChainHead{{OrgID: 0, Org: isms.SystemChainSlug, Seq: 0, Hash: ""}, {OrgID: 1, Org: "acme", Seq: 3, Hash: "h3"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		now  map[int64]isms.ChainNow
		want string // "" for none; else a part of the single problem
	}{
		{"same", map[int64]isms.ChainNow{0: {Exists: true}, 1: {Exists: true, HeadSeq: 3, HashAtSeq: "h3"}}, ""},
		{"extended", map[int64]isms.ChainNow{0: {Exists: true, HeadSeq: 4}, 1: {Exists: true, HeadSeq: 9, HashAtSeq: "h3"}}, ""},
		{"rewound", map[int64]isms.ChainNow{0: {Exists: true}, 1: {Exists: true, HeadSeq: 2, HashAtSeq: ""}}, "acme: the chain was rewound: its head is at event 2"},
		{"re-chained", map[int64]isms.ChainNow{0: {Exists: true}, 1: {Exists: true, HeadSeq: 3, HashAtSeq: "x3"}}, "acme: the history was rewritten: event 3"},
		{"event gone, head kept", map[int64]isms.ChainNow{0: {Exists: true}, 1: {Exists: true, HeadSeq: 3}}, "acme: event 3, the head at the checkpoint"},
		{"missing", map[int64]isms.ChainNow{0: {Exists: true}}, "acme: the chain is missing"},
		{"missing system chain", map[int64]isms.ChainNow{1: {Exists: true, HeadSeq: 3, HashAtSeq: "h3"}}, "(system): the chain is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := isms.CompareCheckpoint(c, tc.now)
			if tc.want == "" {
				if len(ps) != 0 {
					t.Fatalf("problems %v", ps)
				}
				return
			}
			if len(ps) != 1 || !strings.Contains(ps[0].String(), tc.want) {
				t.Fatalf("problems %v, want one with %q", ps, tc.want)
			}
		})
	}
}

func TestParseKeysRefuseOtherFiles(t *testing.T) {
	privPEM, pubPEM := testKeys(t)
	if _, err := isms.ParsePrivateKey(pubPEM); err == nil {
		t.Fatal("a public key parsed as private")
	}
	if _, err := isms.ParsePublicKey(privPEM); err == nil {
		t.Fatal("a private key parsed as public")
	}
	if _, err := isms.ParsePublicKey([]byte("hello")); err == nil {
		t.Fatal("garbage parsed")
	}
}

package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func mustKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// dropTriggers lifts the append-only triggers, as an attacker with write
// access to the database can.
func dropTriggers(t *testing.T, db *store.DB) {
	t.Helper()
	drop := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
	if db.Engine == store.Postgres {
		drop = []string{`DROP TRIGGER audit_events_no_update ON audit_events`}
	}
	for _, q := range drop {
		if _, err := db.Writer().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Writer().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func chainOf(t *testing.T, db *store.DB, orgID int64) []isms.Event {
	t.Helper()
	var es []isms.Event
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.EachEvent(context.Background(), orgID, func(e isms.Event) error { es = append(es, e); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return es
}

// rechain edits event seq of the chain and recomputes every later hash and
// the head, so the chain alone verifies again.
func rechain(t *testing.T, db *store.DB, orgID, seq int64) {
	es := chainOf(t, db, orgID)
	prev := ""
	for i := range es {
		e := &es[i]
		if e.Seq == seq {
			e.After = `{"role":"admin"}`
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		mustExec(t, db, `UPDATE audit_events SET after_json = $1, prev_hash = $2, hash = $3 WHERE id = $4`, e.After, e.PrevHash, e.Hash, e.ID)
	}
	mustExec(t, db, `UPDATE audit_heads SET hash = $1 WHERE org_id = $2`, prev, orgID)
}

// TestCheckpointCatchesTampering runs each attack of issue 13 item 6 on
// both engines: the chain check alone passes for the first two (the
// reason for checkpoints), the checkpoint names the organisation.
func TestCheckpointCatchesTampering(t *testing.T) {
	tests := []struct {
		name      string
		attack    func(t *testing.T, db *store.DB, orgID int64)
		chainOK   bool   // what VerifyAudit says without a checkpoint
		chainWant string // part of its problem when not ok
		want      string // part of the checkpoint problem; "" for none
	}{
		{"honest, grown since", func(t *testing.T, db *store.DB, orgID int64) {}, true, "", ""},
		{"rewound tail", func(t *testing.T, db *store.DB, orgID int64) {
			// Remove the event added since and the checkpoint's head.
			es := chainOf(t, db, orgID)
			keep := es[len(es)-3]
			dropTriggers(t, db)
			mustExec(t, db, `DELETE FROM audit_events WHERE org_id = $1 AND seq > $2`, orgID, keep.Seq)
			mustExec(t, db, `UPDATE audit_heads SET seq = $1, hash = $2 WHERE org_id = $3`, keep.Seq, keep.Hash, orgID)
		}, true, "", "the chain was rewound"},
		{"re-chained after an edit", func(t *testing.T, db *store.DB, orgID int64) {
			dropTriggers(t, db)
			rechain(t, db, orgID, 3)
		}, true, "", "the history was rewritten: event"},
		{"whole chain and head deleted", func(t *testing.T, db *store.DB, orgID int64) {
			dropTriggers(t, db)
			mustExec(t, db, `DELETE FROM audit_events WHERE org_id = $1`, orgID)
			mustExec(t, db, `DELETE FROM audit_heads WHERE org_id = $1`, orgID)
		}, false, "audit chain is missing", "the chain is missing"},
		{"head deleted", func(t *testing.T, db *store.DB, orgID int64) {
			mustExec(t, db, `DELETE FROM audit_heads WHERE org_id = $1`, orgID)
		}, false, "head (its recorded length and last hash) is missing", "the chain was rewound"},
		{"head ahead of its events", func(t *testing.T, db *store.DB, orgID int64) {
			mustExec(t, db, `UPDATE audit_heads SET seq = seq + 1 WHERE org_id = $1`, orgID)
		}, false, "were removed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				f := mustFixture(t, db, "acme")
				mustFixture(t, db, "beta")
				_, priv := mustKey(t)
				cp, err := f.app.TakeCheckpoint(ctx, app.System, priv, app.CheckpointCLI, false)
				if err != nil {
					t.Fatal(err)
				}
				if h, ok := cp.For(f.org.ID); !ok || h.Org != "acme" || h.Seq < 4 {
					t.Fatalf("checkpoint heads %+v", cp.Heads)
				}
				// Changes after the checkpoint extend the chain.
				if _, err := f.app.AddMember(ctx, app.System, "acme", string(isms.RoleViewer)+"@beta.example", isms.RoleViewer); err != nil {
					t.Fatal(err)
				}
				tt.attack(t, db, f.org.ID)
				reports, ok, err := f.app.VerifyAudit(ctx, app.System)
				if err != nil {
					t.Fatal(err)
				}
				if ok != tt.chainOK {
					t.Fatalf("VerifyAudit ok = %v, want %v: %+v", ok, tt.chainOK, reports)
				}
				if !ok {
					found := false
					for _, r := range reports {
						if r.Problem != nil && r.OrgSlug == "acme" && strings.Contains(r.Problem.Reason, tt.chainWant) {
							found = true
						}
					}
					if !found {
						t.Errorf("no acme problem with %q in %+v", tt.chainWant, reports)
					}
				}
				problems, err := f.app.VerifyCheckpoint(ctx, app.System, cp)
				if err != nil {
					t.Fatal(err)
				}
				if tt.want == "" {
					if len(problems) != 0 {
						t.Fatalf("problems: %v", problems)
					}
					return
				}
				if len(problems) != 1 || problems[0].Org != "acme" || !strings.Contains(problems[0].String(), tt.want) {
					t.Fatalf("problems %v, want one for acme with %q", problems, tt.want)
				}
			})
		})
	}
}

func TestTakeCheckpointStoresAuditsAndDelivers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		pub, priv := mustKey(t)
		if _, err := f.app.TakeCheckpoint(ctx, f.members[isms.RoleAdmin], priv, app.CheckpointCLI, false); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("checkpoint by a web admin: %v", err)
		}
		if _, err := f.app.TakeCheckpoint(ctx, app.System, nil, app.CheckpointDaily, true); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("checkpoint without a key: %v", err)
		}
		f.app.AuditKey = priv
		cp, err := f.app.TakeCheckpoint(ctx, app.System, nil, app.CheckpointDaily, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := cp.Verify(pub); err != nil {
			t.Fatal(err)
		}
		own, err := f.app.LatestCheckpoint(ctx, f.members[isms.RoleAuditor], "acme")
		if err != nil || own == nil {
			t.Fatalf("latest: %v %v", own, err)
		}
		if own.Scope != "org" || len(own.Heads) != 1 || own.Heads[0].Org != "acme" || own.Verify(pub) != nil {
			t.Errorf("the organisation's statement: %+v", own)
		}
		if _, err := f.app.LatestCheckpoint(ctx, f.members[isms.RoleViewer], "acme"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("a viewer reads the checkpoint: %v", err)
		}
		es := chainOf(t, db, isms.SystemOrgID)
		last := es[len(es)-1]
		if last.Action != "audit.checkpoint" || last.EntityID != cp.SHA256() || !strings.Contains(last.After, cp.SHA256()) {
			t.Errorf("last system event %+v, want audit.checkpoint %s", last, cp.SHA256())
		}
		ds, err := f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Target != f.members[isms.RoleAdmin].Label || !strings.Contains(ds[0].Body, own.Signature) {
			t.Errorf("deliveries %+v, want one email to the admin with the statement", ds)
		}
	})
}

func TestSignedReviewAndBundleCarryTheCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		beta := mustFixture(t, db, "beta")
		pub, priv := mustKey(t)
		f.app.AuditKey = priv
		mgr, boss := f.members[isms.RoleISMSManager], f.members[isms.RoleManagement]
		r := &isms.Review{Period: "2026-Q3", HeldOn: time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC), ChairID: boss.UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.MoveReview(ctx, mgr, "acme", r.ID, isms.ReviewHeld); err != nil {
			t.Fatal(err)
		}
		before := chainOf(t, db, f.org.ID)
		signed, err := f.app.MoveReview(ctx, boss, "acme", r.ID, isms.ReviewSigned)
		if err != nil {
			t.Fatal(err)
		}
		var snap struct {
			Checkpoint *isms.Checkpoint `json:"audit_checkpoint"`
		}
		if err := json.Unmarshal([]byte(signed.Snapshot), &snap); err != nil || snap.Checkpoint == nil {
			t.Fatalf("snapshot without a checkpoint: %v\n%s", err, signed.Snapshot)
		}
		if err := snap.Checkpoint.Verify(pub); err != nil {
			t.Fatal(err)
		}
		if h, _ := snap.Checkpoint.For(f.org.ID); h.Seq != int64(len(before)) || h.Hash != before[len(before)-1].Hash {
			t.Errorf("snapshot checkpoint head %+v, want the head before signing (%d)", h, len(before))
		}
		// The review's checkpoint is sent to acme's admin, not to beta's.
		if ds, err := f.app.Deliveries(ctx, f.members[isms.RoleAdmin], "acme"); err != nil || len(ds) != 1 || !strings.Contains(ds[0].Body, snap.Checkpoint.Signature) {
			t.Errorf("acme deliveries %+v %v", ds, err)
		}
		if ds, err := beta.app.Deliveries(ctx, beta.members[isms.RoleAdmin], "beta"); err != nil || len(ds) != 0 {
			t.Errorf("beta deliveries %+v %v", ds, err)
		}
		var zipped bytes.Buffer
		manifest, err := f.app.EvidenceBundle(ctx, f.members[isms.RoleAuditor], "acme", &zipped)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(manifest, "  "+app.CheckpointFile+"\n") {
			t.Fatalf("manifest lacks %s:\n%s", app.CheckpointFile, manifest)
		}
		zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			if zf.Name != app.CheckpointFile {
				continue
			}
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			cp, err := isms.ParseCheckpoint(b)
			if err != nil || cp.Verify(pub) != nil || cp.Scope != "org" || len(cp.Heads) != 1 {
				t.Fatalf("bundle checkpoint %s: %v", b, err)
			}
			return
		}
		t.Fatal("no checkpoint file in the zip")
	})
}

// TestExportsAreAudited downloads each kind of export through the app
// and checks the export.download event: who, what, how many rows, the
// SHA-256 of the bytes handed out.
func TestExportsAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		auditor := f.members[isms.RoleAuditor]
		lastExport := func(t *testing.T) app.ExportInfo {
			t.Helper()
			es, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "export.download", Limit: 1})
			if err != nil || len(es) != 1 {
				t.Fatalf("export events: %v %v", es, err)
			}
			if es[0].Actor != auditor.Label {
				t.Errorf("actor %q", es[0].Actor)
			}
			var x app.ExportInfo
			if err := json.Unmarshal([]byte(es[0].After), &x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		b, tab, err := f.app.RegisterFile(ctx, auditor, "acme", "processes", "csv")
		if err != nil {
			t.Fatal(err)
		}
		if x := lastExport(t); x.Kind != "processes" || x.Format != "csv" || x.Rows != len(tab.Rows) || x.SHA256 != fmt.Sprintf("%x", sha(b)) || x.Via != "web" {
			t.Errorf("register event %+v", x)
		}
		if _, _, err := f.app.RegisterFile(ctx, f.members[isms.RoleViewer], "acme", "audit-trail", "xlsx"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer exports the audit trail: %v", err)
		}
		doc, err := f.app.POAMDownload(ctx, auditor, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if x := lastExport(t); x.Kind != "poam" || x.SHA256 != fmt.Sprintf("%x", sha(doc)) {
			t.Errorf("poam event %+v", x)
		}
		var zipped bytes.Buffer
		if _, err := f.app.EvidenceBundle(ctx, auditor, "acme", &zipped); err != nil {
			t.Fatal(err)
		}
		if x := lastExport(t); x.Kind != "evidence-bundle" || x.Format != "zip" || x.SHA256 != fmt.Sprintf("%x", sha(zipped.Bytes())) || x.Rows == 0 {
			t.Errorf("bundle event %+v", x)
		}
		// Exactly one event per bundle, not one per file in it.
		es, _ := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "export.download", Limit: 100})
		if len(es) != 3 {
			t.Errorf("%d export events, want 3", len(es))
		}
	})
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

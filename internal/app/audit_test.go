package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// tamper runs SQL behind pdca's back, lifting the append-only triggers
// the way an attacker with database access could.
func tamper(t *testing.T, db *store.DB, q string) {
	t.Helper()
	ctx := context.Background()
	drop := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
	if db.Engine == store.Postgres {
		drop = []string{`DROP TRIGGER audit_events_no_update ON audit_events`}
	}
	for _, d := range drop {
		if _, err := db.Writer().ExecContext(ctx, d); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	if _, err := db.Writer().ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAuditVerify(t *testing.T) {
	tests := []struct {
		name    string
		sql     string
		wantSeq int64
		reason  string
	}{
		{"honest database", "", 0, ""},
		{"edited event", `UPDATE audit_events SET after_json = '{"role":"admin"}' WHERE seq = 3 AND org_id <> 0`, 3, "altered"},
		{"removed event", `DELETE FROM audit_events WHERE seq = 4 AND org_id <> 0`, 4, "missing"},
		{"removed last event", `DELETE FROM audit_events WHERE org_id <> 0 AND seq = (SELECT MAX(seq) FROM audit_events WHERE org_id <> 0)`, 0, "removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := mustFixture(t, db, "acme")
				if tt.sql != "" {
					tamper(t, db, tt.sql)
				}
				reports, ok, err := f.app.VerifyAudit(context.Background(), app.System)
				if err != nil {
					t.Fatal(err)
				}
				if ok != (tt.sql == "") {
					t.Fatalf("ok = %v", ok)
				}
				var broken *isms.ChainProblem
				for _, r := range reports {
					if r.Problem != nil {
						if r.OrgSlug != "acme" {
							t.Errorf("problem reported on chain %q", r.OrgSlug)
						}
						broken = r.Problem
					}
				}
				if tt.sql == "" {
					if len(reports) != 2 {
						t.Errorf("%d chains, want system and acme", len(reports))
					}
					return
				}
				if broken == nil || !strings.Contains(broken.Reason, tt.reason) || (tt.wantSeq != 0 && broken.Seq != tt.wantSeq) {
					t.Errorf("problem = %+v, want seq %d and %q", broken, tt.wantSeq, tt.reason)
				}
			})
		})
	}
	if _, _, err := (&app.App{}).VerifyAudit(context.Background(), app.Principal{UserID: 1}); isms.ErrorCode(err) != isms.EFORBIDDEN {
		t.Errorf("verify by a web user: %v", err)
	}
}

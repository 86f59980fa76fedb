package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestActLoopFeedsPOAMReviewAndExports opens deviations through the app
// and checks they reach the POA&M (valid OSCAL), the management review's
// inputs and the registers.
func TestActLoopFeedsPOAMReviewAndExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgr := f.members[isms.RoleISMSManager]
		now := time.Now().UTC()
		due := now.AddDate(0, 1, 0)
		d, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Access removed late", Description: "Two accounts stayed active.",
			Kind: "minor", Source: "metric", Severity: "high", DetectedAt: now.Add(-48 * time.Hour), DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.RecordCorrection(ctx, mgr, "acme", d.ID, "Accounts disabled"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.AddCorrectiveAction(ctx, mgr, "acme", d.ID, app.ActionInput{Title: "Daily leaver feed", DueAt: due}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Lunch-room whiteboard", Kind: "opportunity", Source: "observation", Severity: "low", DetectedAt: now}); err != nil {
			t.Fatal(err)
		}
		doc, err := f.app.POAM(ctx, f.members[isms.RoleViewer], "acme")
		if err != nil {
			t.Fatal(err)
		}
		if err := export.ValidatePOAM(doc); err != nil {
			t.Fatal(err)
		}
		var poam struct {
			P struct {
				Items []struct{ Title string } `json:"poam-items"`
				Risks []struct {
					Remediations []struct {
						Lifecycle string
						Tasks     []struct{ Title string }
					}
				}
			} `json:"plan-of-action-and-milestones"`
		}
		if err := json.Unmarshal(doc, &poam); err != nil {
			t.Fatal(err)
		}
		if len(poam.P.Items) != 2 || !strings.Contains(poam.P.Items[0].Title+poam.P.Items[1].Title, d.Ref+": Access removed late") {
			t.Errorf("poam items: %+v", poam.P.Items)
		}
		found := false
		for _, r := range poam.P.Risks {
			for _, rem := range r.Remediations {
				if rem.Lifecycle == "planned" && len(rem.Tasks) == 1 && rem.Tasks[0].Title == "Daily leaver feed" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("the corrective action is not a planned milestone: %s", doc)
		}
		if _, err := f.app.POAM(ctx, app.Principal{UserID: 999999, Label: "stranger"}, "acme"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("a stranger reads the POA&M: %v", err)
		}

		q := now.In(f.org.Location())
		period := q.Format("2006") + "-Q" + string(rune('1'+(int(q.Month())-1)/3))
		r := &isms.Review{Period: period, HeldOn: now, ChairID: f.members[isms.RoleManagement].UserID}
		if err := f.app.CreateReview(ctx, mgr, "acme", r); err != nil {
			t.Fatal(err)
		}
		v, err := f.app.Review(ctx, mgr, "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]app.ReviewInput{}
		for _, in := range v.Inputs {
			keys[in.Key] = in
		}
		if rc := keys["root-causes"]; len(rc.Rows) != 2 {
			t.Errorf("root causes input: %+v", rc)
		}
		if op := keys["opportunities"]; len(op.Rows) != 1 || op.Rows[0][1] != "Lunch-room whiteboard" {
			t.Errorf("opportunities input: %+v", op)
		}
		if _, ok := keys["risks"]; !ok {
			t.Error("no risks input")
		}
		for _, name := range []string{"deviations", "corrective-actions", "internal-audits"} {
			tb, err := f.app.ExportRegister(ctx, mgr, "acme", name)
			if err != nil || (name != "internal-audits" && len(tb.Rows) == 0) {
				t.Errorf("register %s: %v %v", name, tb, err)
			}
		}
	})
}

package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestDemoHasTheActLoop checks the demo shows every part of the loop:
// risks, SoA decisions, an audit with findings, deviations opened by it
// and by red metrics, and a signed review whose snapshot verifies.
func TestDemoHasTheActLoop(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	a := newApp(storetest.Open(t, store.SQLite), now)
	if _, err := a.SeedDemo(ctx, demo.Seeder(now)); err != nil {
		t.Fatal(err)
	}
	rs, err := a.RiskStats(ctx, app.System, app.DemoOrgSlug)
	if err != nil || rs.Total != 4 {
		t.Errorf("risks: %+v %v", rs, err)
	}
	audits, err := a.Audits(ctx, app.System, app.DemoOrgSlug, now.AddDate(0, -2, 0).Year())
	if err != nil || len(audits) != 1 {
		t.Fatalf("audits: %v %v", audits, err)
	}
	devs, err := a.Deviations(ctx, app.System, app.DemoOrgSlug, "")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]int{}
	for _, d := range devs {
		sources[d.Source]++
	}
	if sources["metric"] == 0 || sources["audit finding"]+sources["audit_finding"] == 0 {
		t.Errorf("deviations by source: %v", sources)
	}
	reviews, err := a.Reviews(ctx, app.System, app.DemoOrgSlug)
	if err != nil || len(reviews) != 1 || reviews[0].Status != isms.ReviewSigned || !app.VerifyReviewSnapshot(reviews[0]) {
		t.Fatalf("reviews: %v %v", reviews, err)
	}
}

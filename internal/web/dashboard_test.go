package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestDashboardIsRoleAware checks that a process owner sees their own
// processes before the organisation's figures, and that management sees
// the organisation first and no "your processes" of someone else.
func TestDashboardIsRoleAware(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		p, _ := app.ProcessFromTemplate("access", o.users[isms.RoleProcessOwner].ID)
		if err := a.CreateProcess(context.Background(), app.System, o.Slug, p); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RecomputeMetrics(context.Background(), o.ID); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			role      isms.Role
			mineFirst bool
			mine      bool
		}{
			{isms.RoleProcessOwner, true, true},
			{isms.RoleManagement, false, false},
		} {
			r := e.do(t, e.signIn(t, o.users[tt.role].Email), http.MethodGet, "/o/acme/", nil, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d", tt.role, r.status)
			}
			mine, metrics := strings.Index(r.body, "Your processes"), strings.Index(r.body, "Metrics in their last complete period")
			if (mine >= 0) != tt.mine || metrics < 0 {
				t.Errorf("%s: your processes at %d, metrics at %d", tt.role, mine, metrics)
			}
			if tt.mineFirst && !(mine < metrics) {
				t.Errorf("%s: own processes should come first", tt.role)
			}
		}
	})
}

package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

func init() {
	registerAggregate(aggregate{
		name: "reviews",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			ctx := context.Background()
			r := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), ChairID: o.users[isms.RoleManagement].ID, Attendees: "Board of " + o.Name}
			if err := a.CreateReview(ctx, app.System, o.Slug, r); err != nil {
				t.Fatal(err)
			}
			dl := time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)
			d := &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Hire a second admin at " + o.Name, OwnerID: o.users[isms.RoleProcessOwner].ID, Deadline: &dl}
			if err := a.AddDecision(ctx, app.System, o.Slug, r.ID, d); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"reviews.id": id(r.ID), "reviews.action": id(d.ID)}
		},
		pages: map[string]pageRequest{
			"reviews": {path: "/o/acme/reviews", want: []string{"Management reviews", "2026-Q4", "Prepare a review"}},
			"review":  {path: "/o/acme/reviews/{reviews.id}", want: []string{"Management review 2026-Q4", "Hire a second admin at Acme Oy", "Metrics and their trend", "Actions from earlier reviews", "Mark as held"}},
		},
	})
}

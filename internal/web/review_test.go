package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
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

// TestDecisionRouteChecksReview completes a decision of review A through
// review B's path: the decision is not B's, so the answer is 404 and
// nothing changes; through A's path it is done. (Before issue 13 the review
// id in the path was ignored.)
func TestDecisionRouteChecksReview(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		ctx := context.Background()
		var reviews [2]*isms.Review
		for i, period := range []string{"2026-Q3", "2026-Q4"} {
			reviews[i] = &isms.Review{Period: period, HeldOn: time.Date(2027, 1, 15+i, 0, 0, 0, 0, time.UTC), ChairID: o.users[isms.RoleManagement].ID}
			if err := a.CreateReview(ctx, app.System, "acme", reviews[i]); err != nil {
				t.Fatal(err)
			}
		}
		dl := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
		d := &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Rotate the backup keys", OwnerID: o.users[isms.RoleProcessOwner].ID, Deadline: &dl}
		if err := a.AddDecision(ctx, app.System, "acme", reviews[0].ID, d); err != nil {
			t.Fatal(err)
		}
		c := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		wrong := "/o/acme/reviews/" + id(reviews[1].ID) + "/decisions/" + id(d.ID) + "/done"
		if r := e.do(t, c, http.MethodPost, wrong, url.Values{"note": {"through the other review"}}, nil); r.status != http.StatusNotFound {
			t.Fatalf("decision of review A done through review B: %d %s", r.status, r.body)
		}
		if err := a.CompleteDecision(ctx, app.System, "acme", reviews[1].ID, d.ID, "x"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Fatalf("app: decision of review A through review B: %v", err)
		}
		v, err := a.Review(ctx, app.System, "acme", reviews[0].ID)
		if err != nil || len(v.Decisions) != 1 || v.Decisions[0].Status != "open" {
			t.Fatalf("decision after the refused calls: %+v %v", v.Decisions, err)
		}
		right := "/o/acme/reviews/" + id(reviews[0].ID) + "/decisions/" + id(d.ID) + "/done"
		if r := e.do(t, c, http.MethodPost, right, url.Values{"note": {"done"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("decision done through its own review: %d %s", r.status, r.body)
		}
		v, _ = a.Review(ctx, app.System, "acme", reviews[0].ID)
		if v.Decisions[0].Status != "done" {
			t.Fatalf("decision after completion: %+v", v.Decisions[0])
		}
	})
}

// TestReviewFormErrorsBesideTheField: marking a review held before its
// meeting day, or moving a held review's meeting into the future, answers
// 422 with the error beside the date field (not replacing the page), and
// stores nothing; a chair without an account can be typed in.
func TestReviewFormErrorsBesideTheField(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		c := e.signIn(t, o.users[isms.RoleISMSManager].Email)
		loc := o.Location()
		today := time.Now().In(loc)
		future := today.AddDate(0, 0, 14).Format(time.DateOnly)
		r := e.do(t, c, http.MethodPost, "/o/acme/reviews", url.Values{"period": {"2026-Q4"}, "held_on": {future}, "chair": {"0"},
			"chair_name": {"Harri Hallitus"}, "chair_role": {"Chair of the board"}, "attendees": {"Harri Hallitus (Chair of the board)"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("prepare a review with a chair without an account: %d %s", r.status, r.body)
		}
		path := strings.TrimPrefix(r.location(), e.ts.URL)
		r = e.do(t, c, http.MethodPost, path+"/hold", nil, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-date-error"`) || !strings.Contains(r.body, "after today") {
			t.Fatalf("held before the meeting day: %d %s", r.status, r.body)
		}
		if !strings.Contains(r.body, "Chair: Harri Hallitus (Chair of the board)") {
			t.Error("the page does not name the chair without an account")
		}
		rs, _ := a.Reviews(context.Background(), app.System, "acme")
		if len(rs) != 1 || rs[0].Status != isms.ReviewDraft {
			t.Fatalf("after the refused hold: %+v", rs)
		}
		// Date it today, hold it, then try to move it into the future.
		form := url.Values{"held_on": {today.Format(time.DateOnly)}, "chair": {"0"}, "chair_name": {"Harri Hallitus"}, "chair_role": {"Chair of the board"}}
		if r = e.do(t, c, http.MethodPost, path, form, nil); r.status != http.StatusSeeOther {
			t.Fatalf("date it today: %d %s", r.status, r.body)
		}
		if r = e.do(t, c, http.MethodPost, path+"/hold", nil, nil); r.status != http.StatusSeeOther {
			t.Fatalf("hold on the meeting day: %d %s", r.status, r.body)
		}
		form.Set("held_on", future)
		r = e.do(t, c, http.MethodPost, path, form, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-describedby="e-date-error"`) || !strings.Contains(r.body, `value="`+future+`"`) {
			t.Fatalf("a held review moved into the future: %d %s", r.status, r.body)
		}
		rs, _ = a.Reviews(context.Background(), app.System, "acme")
		if got := rs[0].HeldOn.In(loc).Format(time.DateOnly); got != today.Format(time.DateOnly) {
			t.Errorf("meeting stored as %s after the refused change", got)
		}
	})
}

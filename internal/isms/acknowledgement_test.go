package isms_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdca/pdca/internal/isms"
)

func TestCanPublish(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status  string
		retired bool
		ok      bool
	}{
		{"approved", false, true},
		{"draft", false, false},
		{"in_review", false, false},
		{"superseded", false, false},
		{"approved", true, false},
	} {
		err := isms.CanPublish(c.status, c.retired)
		if (err == nil) != c.ok {
			t.Errorf("CanPublish(%s, retired %v) = %v, want ok %v", c.status, c.retired, err, c.ok)
		}
		if err != nil && isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("CanPublish(%s): code %s", c.status, isms.ErrorCode(err))
		}
	}
}

func TestAudience(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		a     isms.Audience
		valid bool
		role  isms.Role
		user  int64
		in    bool
	}{
		{"all", isms.Audience{Kind: isms.AudienceAll}, true, isms.RoleViewer, 5, true},
		{"role in", isms.Audience{Kind: isms.AudienceRoles, Roles: []isms.Role{isms.RoleViewer}}, true, isms.RoleViewer, 5, true},
		{"role out", isms.Audience{Kind: isms.AudienceRoles, Roles: []isms.Role{isms.RoleAdmin}}, true, isms.RoleViewer, 5, false},
		{"no roles", isms.Audience{Kind: isms.AudienceRoles}, false, isms.RoleViewer, 5, false},
		{"bad role", isms.Audience{Kind: isms.AudienceRoles, Roles: []isms.Role{"boss"}}, false, "boss", 5, true},
		{"person in", isms.Audience{Kind: isms.AudiencePeople, People: []int64{5}}, true, isms.RoleAdmin, 5, true},
		{"person out", isms.Audience{Kind: isms.AudiencePeople, People: []int64{6}}, true, isms.RoleAdmin, 5, false},
		{"nobody", isms.Audience{Kind: isms.AudiencePeople}, false, isms.RoleAdmin, 5, false},
		{"unknown", isms.Audience{Kind: "everyone"}, false, isms.RoleAdmin, 5, false},
	} {
		if err := c.a.Validate(); (err == nil) != c.valid {
			t.Errorf("%s: Validate = %v, want valid %v", c.name, err, c.valid)
		}
		if got := c.a.Includes(c.role, c.user); got != c.in {
			t.Errorf("%s: Includes = %v, want %v", c.name, got, c.in)
		}
	}
	a := isms.Audience{Kind: isms.AudienceRoles, Roles: []isms.Role{isms.RoleViewer, isms.RoleAuditor}}
	if got := isms.ParseRoles(a.RolesText()); !cmp.Equal(got, a.Roles) {
		t.Errorf("roles round trip: %v", got)
	}
}

func TestPlanPublish(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	done := t0.Add(time.Hour)
	req := func(id, user, version int64, major, minor int, acked bool) isms.AckRequest {
		r := isms.AckRequest{ID: id, UserID: user, VersionID: version, Major: major, Minor: minor, RequestedAt: t0, DueAt: t0.Add(isms.AckWithin)}
		if acked {
			r.Acknowledged = &done
		}
		return r
	}
	for _, c := range []struct {
		name     string
		version  int64
		major    int
		minor    int
		audience []int64
		existing []isms.AckRequest
		want     isms.PublishPlan
	}{
		{"first publication asks everyone", 10, 1, 0, []int64{1, 2}, nil, isms.PublishPlan{Create: []int64{1, 2}}},
		{"republishing the same version asks only newcomers", 10, 1, 0, []int64{1, 2, 3},
			[]isms.AckRequest{req(1, 1, 10, 1, 0, true), req(2, 2, 10, 1, 0, false)}, isms.PublishPlan{Create: []int64{3}}},
		{"a minor version does not ask again", 11, 1, 1, []int64{1},
			[]isms.AckRequest{req(1, 1, 10, 1, 0, true)}, isms.PublishPlan{}},
		{"a minor version moves an open request", 11, 1, 1, []int64{1, 2},
			[]isms.AckRequest{req(1, 1, 10, 1, 0, true), req(2, 2, 10, 1, 0, false)}, isms.PublishPlan{Retarget: []int64{2}}},
		{"a major version asks everyone again", 12, 2, 0, []int64{1, 2},
			[]isms.AckRequest{req(1, 1, 10, 1, 0, true), req(2, 2, 11, 1, 1, true)}, isms.PublishPlan{Create: []int64{1, 2}}},
		{"a major version withdraws open requests of the old one, audience or not", 12, 2, 0, []int64{1},
			[]isms.AckRequest{req(1, 1, 10, 1, 0, false), req(2, 2, 10, 1, 0, false), req(3, 3, 10, 1, 0, true)},
			isms.PublishPlan{Create: []int64{1}, Drop: []int64{1, 2}}},
	} {
		got := isms.PlanPublish(c.version, c.major, c.minor, c.audience, c.existing)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

func TestCheckAcknowledge(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	open := isms.AckRequest{ID: 1, Major: 1, Minor: 0, RequestedAt: t0, DueAt: t0.Add(isms.AckWithin)}
	acked, dropped := open, open
	acked.Acknowledged, dropped.Dropped = &t0, &t0
	for _, c := range []struct {
		name         string
		r            isms.AckRequest
		major, minor int
		want         string
	}{
		{"open, current", open, 1, 0, ""},
		{"open, a later minor approved", open, 1, 2, ""},
		{"open, a later major approved", open, 2, 0, isms.ECONFLICT},
		{"already acknowledged", acked, 1, 0, isms.ECONFLICT},
		{"withdrawn", dropped, 1, 0, isms.ECONFLICT},
	} {
		err := isms.CheckAcknowledge(c.r, c.major, c.minor)
		var got string
		if err != nil {
			got = isms.ErrorCode(err)
		}
		if got != c.want {
			t.Errorf("%s: %v, want code %q", c.name, err, c.want)
		}
	}
}

func TestAckRequestCountsAndState(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	due := t0.Add(isms.AckWithin)
	before, after := due.Add(-time.Hour), due.Add(time.Hour)
	for _, c := range []struct {
		name   string
		acked  *time.Time
		drop   *time.Time
		now    time.Time
		counts bool
		state  string
	}{
		{"open in time", nil, nil, before, true, isms.AckOpen},
		{"open past due", nil, nil, after, true, isms.AckOverdue},
		{"done", &before, nil, after, true, isms.AckDone},
		{"left before the due date", nil, &before, after, false, "withdrawn"},
		{"left after the due date", nil, &after, after, true, "withdrawn"},
	} {
		r := isms.AckRequest{RequestedAt: t0, DueAt: due, Acknowledged: c.acked, Dropped: c.drop}
		if r.Counts() != c.counts || r.State(c.now) != c.state {
			t.Errorf("%s: counts %v state %s, want %v %s", c.name, r.Counts(), r.State(c.now), c.counts, c.state)
		}
	}
}

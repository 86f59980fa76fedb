package isms_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestReviewTransitions(t *testing.T) {
	all := []isms.ReviewStatus{isms.ReviewDraft, isms.ReviewHeld, isms.ReviewSigned}
	allowed := map[[2]isms.ReviewStatus]bool{
		{isms.ReviewDraft, isms.ReviewHeld}: true, {isms.ReviewHeld, isms.ReviewSigned}: true, {isms.ReviewHeld, isms.ReviewDraft}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := from.CanMoveTo(to); got != allowed[[2]isms.ReviewStatus{from, to}] {
				t.Errorf("%s -> %s: %v", from, to, got)
			}
		}
	}
	if (&isms.Review{Status: isms.ReviewSigned}).Editable() {
		t.Error("a signed review is editable")
	}
}

func TestReviewActionValidate(t *testing.T) {
	d := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		a    isms.ReviewAction
		code string
	}{
		{isms.ReviewAction{Kind: isms.DecisionAction, Title: "Hire", OwnerID: 1, Deadline: &d}, ""},
		{isms.ReviewAction{Kind: isms.DecisionAction, Title: "Hire", Deadline: &d}, isms.EINVALID},
		{isms.ReviewAction{Kind: isms.DecisionAction, Title: "Hire", OwnerID: 1}, isms.EINVALID},
		{isms.ReviewAction{Kind: isms.DecisionChange, Title: "Scope adds the Tallinn office"}, ""},
		{isms.ReviewAction{Kind: "maybe", Title: "x"}, isms.EINVALID},
		{isms.ReviewAction{Kind: isms.DecisionChange, Title: " "}, isms.EINVALID},
	} {
		if got := isms.ErrorCode(tt.a.Validate()); got != tt.code {
			t.Errorf("%+v: %q, want %q", tt.a, got, tt.code)
		}
	}
	a := isms.ReviewAction{Kind: isms.DecisionAction, Deadline: &d, Status: "open"}
	if a.Overdue(d) || !a.Overdue(d.Add(time.Second)) {
		t.Error("overdue only once the deadline has passed")
	}
}

func TestParsePeople(t *testing.T) {
	got := isms.ParsePeople("Cecilia Virtanen (CEO), Ilona (ISMS manager, deputy)\nIvo; (x) ,  ")
	want := []isms.Person{{Name: "Cecilia Virtanen", Role: "CEO"}, {Name: "Ilona", Role: "ISMS manager, deputy"}, {Name: "Ivo"}, {Name: "(x)"}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("person %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if s := want[0].String(); s != "Cecilia Virtanen (CEO)" {
		t.Errorf("String: %q", s)
	}
}

func TestReviewChairAndMeetingDate(t *testing.T) {
	hel, _ := time.LoadLocation("Europe/Helsinki")
	held := time.Date(2026, 12, 4, 0, 0, 0, 0, hel)
	if err := (&isms.Review{Period: "2026-Q4", HeldOn: held}).Validate(); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("no chair: %v", err)
	}
	if err := (&isms.Review{Period: "2026-Q4", HeldOn: held, ChairName: "Cecilia Virtanen", ChairRole: "CEO"}).Validate(); err != nil {
		t.Errorf("a chair without an account: %v", err)
	}
	r := &isms.Review{HeldOn: held}
	// 23:30 UTC on 3 December is already 4 December in Helsinki.
	if err := r.CheckMeetingDate(time.Date(2026, 12, 3, 22, 30, 0, 0, time.UTC), hel); err != nil {
		t.Errorf("held on the meeting day: %v", err)
	}
	if err := r.CheckMeetingDate(time.Date(2026, 12, 3, 21, 30, 0, 0, time.UTC), hel); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("held the day before the meeting: %v", err)
	}
}

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

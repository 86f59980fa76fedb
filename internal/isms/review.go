package isms

import (
	"slices"
	"strings"
	"time"
)

// ReviewStatus is where a management review stands.
type ReviewStatus string

// Review statuses: a draft is prepared, the meeting holds it, signing
// locks it and freezes what was shown.
const (
	ReviewDraft  ReviewStatus = "draft"
	ReviewHeld   ReviewStatus = "held"
	ReviewSigned ReviewStatus = "signed"
)

// reviewTransitions is the review workflow as data: from -> allowed to.
var reviewTransitions = map[ReviewStatus][]ReviewStatus{
	ReviewDraft: {ReviewHeld},
	ReviewHeld:  {ReviewSigned, ReviewDraft},
}

// CanMoveTo reports whether a review may go from s to next.
func (s ReviewStatus) CanMoveTo(next ReviewStatus) bool {
	return slices.Contains(reviewTransitions[s], next)
}

// Review is a management review (ISO/IEC 27001 clause 9.3).
type Review struct {
	ID        int64
	OrgID     int64
	Period    string // usually a quarter, "2026-Q4"
	HeldOn    time.Time
	Attendees string // people present: "Name (role)", separated by commas or lines
	// The chair: a member (ChairID) or someone without an account
	// (ChairID 0); ChairName is stored either way, ChairRole as given.
	ChairID   int64
	ChairName string
	ChairRole string
	// Signatories besides the chair, in the form of Attendees; each gets
	// a line in the pack's signature block.
	Signatories string
	Status      ReviewStatus
	Comments    map[string]string // per input key, the ISMS manager's comment
	Proposals   string
	// Snapshot is the JSON of every input as shown when the review was
	// signed; SnapshotSHA256 its hash, also written to the audit trail.
	Snapshot       string
	SnapshotSHA256 string
	SignedAt       *time.Time
	SignedBy       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Validate returns EINVALID for the first problem.
func (r *Review) Validate() error {
	if err := r.CheckLengths(); err != nil {
		return err
	}
	r.Period, r.Attendees = strings.TrimSpace(r.Period), strings.TrimSpace(r.Attendees)
	r.ChairName, r.ChairRole, r.Signatories = strings.TrimSpace(r.ChairName), strings.TrimSpace(r.ChairRole), strings.TrimSpace(r.Signatories)
	switch {
	case r.Period == "":
		return Errorf(EINVALID, "period: say which period the review covers, e.g. 2026-Q4")
	case r.HeldOn.IsZero():
		return Errorf(EINVALID, "date: give the date of the review meeting")
	case r.ChairID == 0 && r.ChairName == "":
		return Errorf(EINVALID, "chair: choose who chairs the review (top management), or type their name")
	}
	return nil
}

// CheckMeetingDate returns EINVALID when the meeting is dated after today
// (in loc): a review is held, and signed, on or after its meeting, never
// before it.
func (r *Review) CheckMeetingDate(now time.Time, loc *time.Location) error {
	day := r.HeldOn.In(loc).Format(time.DateOnly)
	today := now.In(loc).Format(time.DateOnly)
	if day > today {
		return Errorf(EINVALID, "date: the meeting is dated %s, after today (%s); a review is marked held, and signed, on or after its meeting day", day, today)
	}
	return nil
}

// Person is someone named in a review: the chair, an attendee, a
// signatory. They need no account.
type Person struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

// String is "Name (role)", or the name alone.
func (p Person) String() string {
	if p.Role == "" {
		return p.Name
	}
	return p.Name + " (" + p.Role + ")"
}

// ParsePeople reads a list of people written as "Name (role)" and
// separated by commas, semicolons or new lines; the role is optional and
// a comma inside its parentheses does not separate people.
func ParsePeople(s string) []Person {
	var out []Person
	var cur strings.Builder
	depth := 0
	flush := func() {
		t := strings.TrimSpace(cur.String())
		cur.Reset()
		if t == "" {
			return
		}
		p := Person{Name: t}
		if strings.HasSuffix(t, ")") {
			if i := strings.Index(t, "("); i > 0 {
				p = Person{Name: strings.TrimSpace(t[:i]), Role: strings.TrimSpace(t[i+1 : len(t)-1])}
			}
		}
		out = append(out, p)
	}
	for _, c := range s {
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0 && (c == ',' || c == ';' || c == '\n'):
			flush()
			continue
		}
		cur.WriteRune(c)
	}
	flush()
	return out
}

// Editable reports whether the review's content may still change.
func (r *Review) Editable() bool { return r.Status != ReviewSigned }

// ReviewActionKind says what a decision is.
type ReviewActionKind string

// Decision kinds: an action with owner and deadline, or a change to the
// ISMS (a policy, scope, objective, resource).
const (
	DecisionAction ReviewActionKind = "action"
	DecisionChange ReviewActionKind = "isms_change"
)

// ReviewAction is a decision of a review.
type ReviewAction struct {
	ID        int64
	OrgID     int64
	ReviewID  int64
	Kind      ReviewActionKind
	Title     string
	OwnerID   int64
	Deadline  *time.Time
	Status    string // open, done
	DoneAt    *time.Time
	Note      string
	CreatedAt time.Time
	// Joined for display.
	OwnerName  string
	OwnerEmail string
	Period     string
}

// Validate returns EINVALID for the first problem: an action needs an
// owner and a deadline, so management's decisions can be followed up.
func (a *ReviewAction) Validate() error {
	if err := CheckLengths(Limit{"title", a.Title, MaxName}, Limit{"note", a.Note, MaxText}); err != nil {
		return err
	}
	a.Title = strings.TrimSpace(a.Title)
	switch {
	case a.Title == "":
		return Errorf(EINVALID, "decision: say what was decided")
	case a.Kind != DecisionAction && a.Kind != DecisionChange:
		return Errorf(EINVALID, "kind: action or isms_change")
	case a.Kind == DecisionAction && a.OwnerID == 0:
		return Errorf(EINVALID, "owner: every action has an owner")
	case a.Kind == DecisionAction && a.Deadline == nil:
		return Errorf(EINVALID, "deadline: every action has a deadline")
	}
	return nil
}

// Overdue reports whether an open action's deadline passed at now.
func (a *ReviewAction) Overdue(now time.Time) bool {
	return a.Status != "done" && a.Deadline != nil && now.After(*a.Deadline)
}

// CheckLengths returns EINVALID naming the first text field of the review
// longer than its limit (period, attendees, proposals, comments).
func (r *Review) CheckLengths() error {
	if err := CheckLengths(Limit{"period", r.Period, MaxShort}, Limit{"attendees", r.Attendees, MaxText}, Limit{"proposals", r.Proposals, MaxText},
		Limit{"chair", r.ChairName, MaxName}, Limit{"chair role", r.ChairRole, MaxName}, Limit{"signatories", r.Signatories, MaxText}); err != nil {
		return err
	}
	if len(r.Comments) > 100 {
		return Errorf(EINVALID, "comments: at most 100")
	}
	for key, c := range r.Comments {
		if err := CheckLengths(Limit{"comment key", key, MaxShort}, Limit{"comment on " + key[:min(len(key), MaxShort)], c, MaxText}); err != nil {
			return err
		}
	}
	return nil
}

// Label is the kind in words, for people.
func (k ReviewActionKind) Label() string {
	if k == DecisionChange {
		return "change to the ISMS"
	}
	return string(k)
}

// Label is the status in words, for people.
func (s ReviewStatus) Label() string {
	switch s {
	case ReviewDraft:
		return "draft"
	case ReviewHeld:
		return "held, not signed yet"
	case ReviewSigned:
		return "signed"
	}
	return string(s)
}

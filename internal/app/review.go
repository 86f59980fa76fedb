package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/report"
	"github.com/pdca/pdca/internal/store"
)

// ReviewInput is one input of a management review (clause 9.3.2), as
// assembled from live data: a headline, a status colour where one
// applies, and a table.
type ReviewInput struct {
	Key     string     `json:"key"`
	Title   string     `json:"title"`
	Status  string     `json:"status,omitempty"` // red, yellow, green, grey, or "" when no colour applies
	Summary string     `json:"summary"`
	Columns []string   `json:"columns,omitempty"`
	Rows    [][]string `json:"rows,omitempty"`
	Comment string     `json:"comment,omitempty"`
	// Note says what the input covers and why (which periods are rated).
	Note string `json:"note,omitempty"`
	// Trends are figures over several periods, for charts.
	Trends []Trend `json:"trends,omitempty"`
}

// Trend is one metric's figures over consecutive periods, oldest first.
type Trend struct {
	Key    string       `json:"key"`
	Name   string       `json:"name"`
	Unit   string       `json:"unit"`
	Points []TrendPoint `json:"points"`
	// Rated are the periods the review rates (complete at its cutoff);
	// absent in snapshots signed before issue 14.
	Rated []string `json:"rated,omitempty"`
	// Pending is the metric's period not complete at the cutoff, when none
	// of its periods is rated yet ("2026-Q4" for a quarterly metric in a
	// review of 2026-Q4 held in December).
	Pending string `json:"pending,omitempty"`
}

// TrendPoint is one period's figure.
type TrendPoint struct {
	Period string   `json:"period"`
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
}

// TrendPeriodsShown is how many periods a review's trend charts cover.
const TrendPeriodsShown = 6

// ReviewScope is what an input provider needs: the organisation, the
// review, the period it covers and the moment the inputs are taken.
type ReviewScope struct {
	Org    *isms.Organization
	Review *isms.Review
	Period measure.Period
	Now    time.Time
}

// ReviewInputSource assembles one input; aggregates register theirs with
// OnReviewInput.
type ReviewInputSource func(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error)

// OnReviewInput adds a review input source; inputs appear in the order
// their sources were added.
func (a *App) OnReviewInput(src ReviewInputSource) { a.reviewInputs = append(a.reviewInputs, src) }

// ReviewView is a review as its page shows it.
type ReviewView struct {
	Review    *isms.Review
	Inputs    []ReviewInput
	Decisions []isms.ReviewAction
	Frozen    bool // inputs come from the signed snapshot
}

// CreateReview prepares a draft review. Requires manage_metrics (ISMS
// managers and admins prepare reviews). EINVALID.
func (a *App) CreateReview(ctx context.Context, p Principal, slug string, r *isms.Review) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		if _, err := measure.ParsePeriod(r.Period, m.Org.Location()); err != nil {
			return isms.Errorf(isms.EINVALID, "period %q: use a quarter like 2026-Q4 or a month like 2026-10", r.Period)
		}
		if err := memberChair(ctx, tx, m.Org.ID, r); err != nil {
			return err
		}
		r.OrgID, r.Status = m.Org.ID, isms.ReviewDraft
		if r.Comments == nil {
			r.Comments = map[string]string{}
		}
		if err := tx.CreateReview(ctx, r); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "review.create", "review", r.ID, nil, r)
	})
}

// memberChair checks a chair who is a member (ChairID set) and takes their
// name when none was typed; a chair without an account needs only a name.
func memberChair(ctx context.Context, tx *store.Tx, orgID int64, r *isms.Review) error {
	if r.ChairID == 0 {
		return nil
	}
	ms, err := tx.Membership(ctx, orgID, r.ChairID)
	if err != nil {
		return isms.Errorf(isms.EINVALID, "chair: the chair chosen is not a member; choose a member or type the chair's name")
	}
	if r.ChairName == "" {
		r.ChairName = ms.Name
	}
	if r.ChairName == "" {
		r.ChairName = ms.Email
	}
	return nil
}

// reviewFor loads a review the member may change: ENOTFOUND, or
// ECONFLICT once it is signed.
func reviewFor(ctx context.Context, tx *store.Tx, m *Member, id int64, act isms.Action) (*isms.Review, error) {
	if err := m.can(act); err != nil {
		return nil, err
	}
	r, err := tx.Review(ctx, m.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if !r.Editable() {
		return nil, isms.Errorf(isms.ECONFLICT, "the review was signed on %s and is locked", r.SignedAt.In(m.Org.Location()).Format(time.DateOnly))
	}
	return r, nil
}

// ReviewEdit is what the review's form changes: the meeting (date, chair,
// attendees, signatories) and the ISMS manager's comments and proposals.
type ReviewEdit struct {
	HeldOn                                       time.Time
	ChairID                                      int64
	ChairName, ChairRole, Attendees, Signatories string
	Proposals                                    string
	Comments                                     map[string]string
}

// UpdateReview changes a review's meeting, comments per input and
// proposals. Requires manage_metrics; ECONFLICT once signed; EINVALID
// (naming the field) for a held review dated after today.
func (a *App) UpdateReview(ctx context.Context, p Principal, slug string, id int64, e ReviewEdit) error {
	check := &isms.Review{Period: "-", Attendees: e.Attendees, Proposals: e.Proposals, Comments: e.Comments, ChairName: e.ChairName, ChairRole: e.ChairRole, Signatories: e.Signatories}
	if err := check.CheckLengths(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		r, err := reviewFor(ctx, tx, m, id, isms.ActManageMetrics)
		if err != nil {
			return err
		}
		before := *r
		if !e.HeldOn.IsZero() {
			r.HeldOn = e.HeldOn
		}
		if e.ChairID != 0 || e.ChairName != "" {
			r.ChairID, r.ChairName, r.ChairRole = e.ChairID, e.ChairName, e.ChairRole
		}
		r.Attendees, r.Signatories, r.Proposals = e.Attendees, e.Signatories, e.Proposals
		for k, v := range e.Comments {
			r.Comments[k] = v
		}
		if err := r.Validate(); err != nil {
			return err
		}
		if err := memberChair(ctx, tx, m.Org.ID, r); err != nil {
			return err
		}
		if r.Status == isms.ReviewHeld {
			if err := r.CheckMeetingDate(tx.Now, m.Org.Location()); err != nil {
				return err
			}
		}
		if err := tx.UpdateReview(ctx, r); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "review.update", "review", id, before, r)
	})
}

// MoveReview changes a review's status along the workflow: held (manage
// metrics), back to draft (manage metrics), signed (decide: top
// management signs). Signing freezes a snapshot of every input as shown,
// stores its SHA-256 and writes the hash to the audit trail. EINVALID for
// a transition the workflow does not allow.
func (a *App) MoveReview(ctx context.Context, p Principal, slug string, id int64, to isms.ReviewStatus) (*isms.Review, error) {
	var out *isms.Review
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		act := isms.ActManageMetrics
		if to == isms.ReviewSigned {
			act = isms.ActDecide
		}
		r, err := reviewFor(ctx, tx, m, id, act)
		if err != nil {
			return err
		}
		if !r.Status.CanMoveTo(to) {
			return isms.Errorf(isms.EINVALID, "a %s review cannot become %s", r.Status, to)
		}
		if to == isms.ReviewHeld || to == isms.ReviewSigned {
			// A meeting is held, and signed, on or after its day.
			if err := r.CheckMeetingDate(tx.Now, m.Org.Location()); err != nil {
				return err
			}
		}
		from := r.Status
		r.Status = to
		action := "review." + string(to)
		var after any = map[string]any{"status": to}
		if to == isms.ReviewSigned {
			inputs, err := a.reviewInputsFor(ctx, tx, m.Org, r)
			if err != nil {
				return err
			}
			decisions, err := tx.ReviewActions(ctx, m.Org.ID, r.ID)
			if err != nil {
				return err
			}
			doc := map[string]any{"review": map[string]any{"period": r.Period, "held_on": r.HeldOn.Format(time.RFC3339),
				"attendees": r.Attendees, "chair_id": r.ChairID, "proposals": r.Proposals,
				"chair": isms.Person{Name: r.ChairName, Role: r.ChairRole}, "signatories": isms.ParsePeople(r.Signatories)},
				"inputs": inputs, "decisions": decisions, "signed_at": tx.Now.Format(time.RFC3339)}
			if a.AuditKey != nil {
				// A signed checkpoint of the audit trail as it stood when
				// the review was signed, frozen into the hashed snapshot.
				_, own, err := a.takeCheckpoint(ctx, tx, a.AuditKey, CheckpointReview, true, m.Org.ID)
				if err != nil {
					return err
				}
				doc["audit_checkpoint"] = own
			}
			snap, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(snap)
			now := tx.Now
			r.Snapshot, r.SnapshotSHA256, r.SignedAt, r.SignedBy = string(snap), hex.EncodeToString(sum[:]), &now, p.Label
			after = map[string]any{"status": to, "snapshot_sha256": r.SnapshotSHA256}
		}
		if err := tx.UpdateReview(ctx, r); err != nil {
			return err
		}
		if to == isms.ReviewSigned {
			if err := a.reviewSignedEvent(ctx, tx, r, r.SnapshotSHA256); err != nil {
				return err
			}
		}
		out = r
		return audit(ctx, tx, m.Org.ID, p, action, "review", id, map[string]any{"status": from}, after)
	})
	return out, err
}

// AddDecision records a decision of a review: an action with owner and
// deadline, or a change to the ISMS. Requires decide; ECONFLICT once
// signed.
func (a *App) AddDecision(ctx context.Context, p Principal, slug string, reviewID int64, d *isms.ReviewAction) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		r, err := reviewFor(ctx, tx, m, reviewID, isms.ActDecide)
		if err != nil {
			return err
		}
		if d.OwnerID != 0 {
			if _, err := tx.Membership(ctx, m.Org.ID, d.OwnerID); err != nil {
				return isms.Errorf(isms.EINVALID, "owner: the owner must be a member")
			}
		}
		d.OrgID, d.ReviewID, d.Status = m.Org.ID, r.ID, "open"
		if err := tx.CreateReviewAction(ctx, d); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "review.decision", "review_action", d.ID, nil, d)
	})
}

// CompleteDecision marks a decision of the review done with a note. Its
// owner or anyone who may write records may. ENOTFOUND when the decision
// is not one of that review's (the review id in a path is checked, not
// ignored).
func (a *App) CompleteDecision(ctx context.Context, p Principal, slug string, reviewID, actionID int64, note string) error {
	if err := isms.CheckLength("note", note, isms.MaxText); err != nil {
		return err
	}
	if reviewID <= 0 {
		return isms.Errorf(isms.ENOTFOUND, "decision not found")
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		all, err := tx.ReviewActions(ctx, m.Org.ID, reviewID)
		if err != nil {
			return err
		}
		for _, d := range all {
			if d.ID != actionID {
				continue
			}
			if d.OwnerID != p.UserID || p.UserID == 0 {
				if err := m.can(isms.ActWriteRecords); err != nil {
					return err
				}
			}
			// Issue 18: the loop gate (docs/documents.md).
			if err := checkRevisions(ctx, tx, m.Org.ID, isms.LinkRequiresDecision, actionID); err != nil {
				return err
			}
			if err := tx.CompleteReviewAction(ctx, m.Org.ID, actionID, note); err != nil {
				return err
			}
			return audit(ctx, tx, m.Org.ID, p, "review.decision_done", "review_action", actionID, map[string]any{"status": d.Status}, map[string]any{"status": "done", "note": note})
		}
		return isms.Errorf(isms.ENOTFOUND, "decision not found")
	})
}

// Reviews lists the organisation's reviews. Requires read.
func (a *App) Reviews(ctx context.Context, p Principal, slug string) ([]*isms.Review, error) {
	var out []*isms.Review
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.Reviews(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// Review returns a review with its inputs: assembled from live data while
// it is a draft or held, read from the frozen snapshot once signed.
// Requires read. ENOTFOUND.
func (a *App) Review(ctx context.Context, p Principal, slug string, id int64) (*ReviewView, error) {
	v := &ReviewView{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if v.Review, err = tx.Review(ctx, m.Org.ID, id); err != nil {
			return err
		}
		if v.Decisions, err = tx.ReviewActions(ctx, m.Org.ID, id); err != nil {
			return err
		}
		if v.Review.Status == isms.ReviewSigned {
			var snap struct {
				Inputs []ReviewInput `json:"inputs"`
			}
			if err := json.Unmarshal([]byte(v.Review.Snapshot), &snap); err != nil {
				return err
			}
			v.Inputs, v.Frozen = snap.Inputs, true
			return nil
		}
		v.Inputs, err = a.reviewInputsFor(ctx, tx, m.Org, v.Review)
		return err
	})
	return v, err
}

// VerifyReviewSnapshot recomputes a signed review's snapshot hash and
// compares it with the stored one and the one in the audit trail.
func VerifyReviewSnapshot(r *isms.Review) bool {
	sum := sha256.Sum256([]byte(r.Snapshot))
	return r.Status == isms.ReviewSigned && hex.EncodeToString(sum[:]) == r.SnapshotSHA256
}

func (a *App) reviewInputsFor(ctx context.Context, tx *store.Tx, o *isms.Organization, r *isms.Review) ([]ReviewInput, error) {
	per, err := measure.ParsePeriod(r.Period, o.Location())
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "review period %q is not a month or quarter", r.Period)
	}
	scope := ReviewScope{Org: o, Review: r, Period: per, Now: tx.Now}
	var out []ReviewInput
	for _, src := range a.reviewInputs {
		in, err := src(ctx, tx, scope)
		if err != nil {
			return nil, err
		}
		if in != nil {
			in.Comment = r.Comments[in.Key]
			out = append(out, *in)
		}
	}
	return out, nil
}

func people(ps []isms.Person) []report.Person {
	var out []report.Person
	for _, p := range ps {
		out = append(out, report.Person{Name: p.Name, Role: p.Role})
	}
	return out
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// ReviewPDF writes the review pack as PDF. A signed review's pack comes
// from its snapshot and is stamped with the signing moment, so the same
// bytes come out every time; a draft's shows live data as of now.
// Requires read.
func (a *App) ReviewPDF(ctx context.Context, p Principal, slug string, id int64, w io.Writer) error {
	v, err := a.Review(ctx, p, slug, id)
	if err != nil {
		return err
	}
	m, err := a.Org(ctx, p, slug)
	if err != nil {
		return err
	}
	loc := m.Org.Location()
	r := v.Review
	pack := report.ReviewPack{Org: m.Org.Name, Period: r.Period, HeldOn: r.HeldOn.In(loc).Format(time.DateOnly), Status: string(r.Status),
		Chair: report.Person{Name: r.ChairName, Role: r.ChairRole}, Attendees: people(isms.ParsePeople(r.Attendees)), Signatories: people(isms.ParsePeople(r.Signatories)),
		SignedAt: r.SignedAt, SignedBy: r.SignedBy, SHA256: r.SnapshotSHA256, Proposals: r.Proposals, At: a.DB.Now(), Loc: loc}
	if r.SignedAt != nil {
		pack.At = *r.SignedAt
		signed := r.SignedAt.In(loc) // shown in the organisation's zone
		pack.SignedAt = &signed
	}
	if r.Snapshot != "" {
		var snap struct {
			Checkpoint *isms.Checkpoint `json:"audit_checkpoint"`
			Review     struct {
				Chair       *isms.Person  `json:"chair"`
				Signatories []isms.Person `json:"signatories"`
			} `json:"review"`
		}
		if json.Unmarshal([]byte(r.Snapshot), &snap) == nil {
			if c := snap.Checkpoint; c != nil && len(c.Heads) == 1 {
				h := c.Heads[0]
				pack.Checkpoint = fmt.Sprintf("Audit trail checkpoint signed %s: event %d, hash %s, key %s (in the snapshot; pdca audit verify --checkpoint)",
					c.Time, h.Seq, h.Hash, c.KeyID)
			}
			// The people as frozen at signing (snapshots before issue 14
			// have none: the review's own, locked since, are used).
			if snap.Review.Chair != nil && snap.Review.Chair.Name != "" {
				pack.Chair = report.Person{Name: snap.Review.Chair.Name, Role: snap.Review.Chair.Role}
				pack.Signatories = people(snap.Review.Signatories)
			}
		}
	}
	for _, in := range v.Inputs {
		sec := report.Section{Key: in.Key, Title: in.Title, Status: in.Status, Summary: in.Summary, Comment: in.Comment, Note: in.Note, Columns: in.Columns, Rows: in.Rows}
		for _, t := range in.Trends {
			rt := report.Trend{Name: t.Name, Unit: t.Unit, Rated: t.Rated, Pending: t.Pending}
			for _, pt := range t.Points {
				rt.Periods, rt.Values, rt.Statuses = append(rt.Periods, pt.Period), append(rt.Values, pt.Value), append(rt.Statuses, pt.Status)
			}
			sec.Trends = append(sec.Trends, rt)
		}
		pack.Sections = append(pack.Sections, sec)
	}
	now := a.DB.Now()
	if r.SignedAt != nil {
		now = *r.SignedAt
	}
	for _, d := range v.Decisions {
		dl := ""
		if d.Deadline != nil {
			dl = d.Deadline.In(loc).Format(time.DateOnly)
		}
		st := d.Status
		if d.Overdue(now) {
			st = "overdue"
		}
		pack.Decisions = append(pack.Decisions, report.Decision{Title: d.Title, Kind: d.Kind.Label(), Owner: d.OwnerName, Deadline: dl, Status: st})
	}
	return report.ReviewPDF(w, pack)
}

package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Management reviews in the API (issue 17): what the review pages do,
// through the same use cases.

// ReviewPath is a management review in an API path.
type ReviewPath struct {
	OrgPath
	ID int64 `path:"id" doc:"Review id (see list-reviews)."`
}

// DecisionPath is a decision of a management review in an API path.
type DecisionPath struct {
	ReviewPath
	Action int64 `path:"action" doc:"Decision id (see the review's decisions)."`
}

// ReviewJSON is a management review in the API, without its inputs.
type ReviewJSON struct {
	ID             int64             `json:"id"`
	Period         string            `json:"period" doc:"The period the review covers: a month (2026-10) or quarter (2026-Q4)."`
	HeldOn         string            `json:"held_on" format:"date" doc:"The meeting's day in the organisation's time zone."`
	ChairID        int64             `json:"chair_id,omitempty" doc:"The chair's user id when the chair is a member."`
	ChairName      string            `json:"chair_name"`
	ChairRole      string            `json:"chair_role,omitempty"`
	Attendees      string            `json:"attendees" doc:"People present: \"Name (role)\", separated by commas or lines."`
	Signatories    string            `json:"signatories,omitempty" doc:"Signatories besides the chair, written as attendees."`
	Status         string            `json:"status" enum:"draft,held,signed"`
	Comments       map[string]string `json:"comments" doc:"The ISMS manager's comment per input key."`
	Proposals      string            `json:"proposals"`
	SnapshotSHA256 string            `json:"snapshot_sha256,omitempty" doc:"Once signed: the SHA-256 of the frozen snapshot (get-review-snapshot), also in the audit trail."`
	SignedAt       *time.Time        `json:"signed_at,omitempty"`
	SignedBy       string            `json:"signed_by,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

func reviewJSON(r *isms.Review, loc *time.Location) ReviewJSON {
	out := ReviewJSON{ID: r.ID, Period: r.Period, HeldOn: r.HeldOn.In(loc).Format(time.DateOnly), ChairID: r.ChairID, ChairName: r.ChairName,
		ChairRole: r.ChairRole, Attendees: r.Attendees, Signatories: r.Signatories, Status: string(r.Status), Comments: map[string]string{},
		Proposals: r.Proposals, SnapshotSHA256: r.SnapshotSHA256, SignedAt: r.SignedAt, SignedBy: r.SignedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for k, v := range r.Comments {
		out.Comments[k] = v
	}
	return out
}

// DecisionJSON is a decision of a management review in the API.
type DecisionJSON struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind" enum:"action,isms_change"`
	Title    string     `json:"title"`
	OwnerID  int64      `json:"owner_id"`
	Deadline string     `json:"deadline,omitempty" format:"date" doc:"In the organisation's time zone."`
	Status   string     `json:"status" enum:"open,done"`
	DoneAt   *time.Time `json:"done_at,omitempty"`
	Note     string     `json:"note,omitempty"`
}

func decisionJSON(d isms.ReviewAction, loc *time.Location) DecisionJSON {
	out := DecisionJSON{ID: d.ID, Kind: string(d.Kind), Title: d.Title, OwnerID: d.OwnerID, Status: d.Status, DoneAt: d.DoneAt, Note: d.Note}
	if d.Deadline != nil {
		out.Deadline = d.Deadline.In(loc).Format(time.DateOnly)
	}
	return out
}

// ReviewDetailJSON is a review with its inputs (live while a draft or
// held, frozen once signed) and its decisions.
type ReviewDetailJSON struct {
	Review    ReviewJSON        `json:"review"`
	Inputs    []app.ReviewInput `json:"inputs"`
	Decisions []DecisionJSON    `json:"decisions"`
	Frozen    bool              `json:"frozen" doc:"True once signed: the inputs come from the signed snapshot."`
	Verified  bool              `json:"snapshot_verified" doc:"True when the signed snapshot still hashes to snapshot_sha256."`
}

// ReviewList is a page of reviews.
type ReviewList struct {
	Items   []ReviewJSON `json:"items"`
	Total   *int         `json:"total,omitempty" doc:"How many reviews match, over all pages: only with count=true."`
	HasMore bool         `json:"has_more" doc:"Whether more reviews follow this page: ask for offset + limit next."`
}

// ReviewListInput selects a page of reviews.
type ReviewListInput struct {
	OrgPath
	PageParams
	Status string `query:"status" doc:"draft, held or signed; empty for all. Anything else: 422."`
}

// ReviewListOutput is the answer to list-reviews.
type ReviewListOutput struct {
	Body ReviewList
}

// ReviewOutput is one review without inputs.
type ReviewOutput struct {
	Body ReviewJSON
}

// ReviewDetailOutput is one review with inputs and decisions.
type ReviewDetailOutput struct {
	Body ReviewDetailJSON
}

// ReviewCreatedOutput is the answer to create-review.
type ReviewCreatedOutput struct {
	Location string `header:"Location" doc:"The new review's API URL."`
	Body     ReviewJSON
}

// ReviewCreateBody prepares a review.
type ReviewCreateBody struct {
	Period      string `json:"period" minLength:"1" maxLength:"40" doc:"The period the review covers: a month (2026-10) or quarter (2026-Q4)."`
	HeldOn      string `json:"held_on" format:"date" doc:"The meeting's day (YYYY-MM-DD) in the organisation's time zone."`
	ChairID     int64  `json:"chair_id,omitempty" doc:"The chair's user id (a member); or give chair_name for someone without an account."`
	ChairName   string `json:"chair_name,omitempty" maxLength:"200"`
	ChairRole   string `json:"chair_role,omitempty" maxLength:"200"`
	Attendees   string `json:"attendees,omitempty" maxLength:"20000" doc:"People present: \"Name (role)\", separated by commas or lines."`
	Signatories string `json:"signatories,omitempty" maxLength:"20000" doc:"Signatories besides the chair, written as attendees."`
}

// ReviewCreateInput is the request of create-review.
type ReviewCreateInput struct {
	OrgPath
	Body ReviewCreateBody
}

// ReviewUpdateBody replaces what the review's form edits. Attendees,
// signatories and proposals are replaced (empty clears them); an empty
// held_on or chair keeps the meeting's; comments are merged per key.
type ReviewUpdateBody struct {
	HeldOn      string            `json:"held_on,omitempty" format:"date" doc:"The meeting's day (YYYY-MM-DD) in the organisation's time zone; empty: unchanged."`
	ChairID     int64             `json:"chair_id,omitempty" doc:"The chair's user id (a member); or give chair_name for someone without an account; neither: unchanged."`
	ChairName   string            `json:"chair_name,omitempty" maxLength:"200"`
	ChairRole   string            `json:"chair_role,omitempty" maxLength:"200"`
	Attendees   string            `json:"attendees,omitempty" maxLength:"20000" doc:"People present: \"Name (role)\", separated by commas or lines."`
	Signatories string            `json:"signatories,omitempty" maxLength:"20000" doc:"Signatories besides the chair, written as attendees."`
	Proposals   string            `json:"proposals,omitempty" maxLength:"20000" doc:"The ISMS manager's proposals for improvement."`
	Comments    map[string]string `json:"comments,omitempty" doc:"Comment per input key (see the inputs of get-review); keys not given keep their comment."`
}

// ReviewUpdateInput is the request of update-review.
type ReviewUpdateInput struct {
	ReviewPath
	Body ReviewUpdateBody
}

// DecisionBody records a decision of a review.
type DecisionBody struct {
	Kind     string `json:"kind" enum:"action,isms_change" doc:"An action with owner and deadline, or a change to the ISMS."`
	Title    string `json:"title" minLength:"1" maxLength:"200"`
	OwnerID  int64  `json:"owner_id,omitempty" doc:"The owner's user id (a member); required for an action."`
	Deadline string `json:"deadline,omitempty" format:"date" doc:"YYYY-MM-DD in the organisation's time zone; required for an action."`
}

// DecisionInput is the request of add-review-decision.
type DecisionInput struct {
	ReviewPath
	Body DecisionBody
}

// DecisionCreatedOutput is the answer to add-review-decision.
type DecisionCreatedOutput struct {
	Location string `header:"Location" doc:"The review's API URL: decisions are listed in it."`
	Body     DecisionJSON
}

// DecisionDoneBody closes a decision.
type DecisionDoneBody struct {
	Note string `json:"note,omitempty" maxLength:"20000" doc:"What was done."`
}

// DecisionDoneInput is the request of complete-review-decision.
type DecisionDoneInput struct {
	DecisionPath
	Body DecisionDoneBody
}

// FileOutput is a file handed out by the API: its bytes, type and name.
type FileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition" doc:"attachment; filename=\"...\""`
	SHA256             string `header:"X-Content-SHA256" doc:"SHA-256 of the body (hex), as recorded in the audit trail."`
	Body               []byte
}

// fileResponses declares a 200 answer with a binary body of the content
// type (and the other answers' problem documents through Errors).
func fileResponses(contentType, desc string) map[string]*huma.Response {
	schema := &huma.Schema{Type: "string", Format: "binary"}
	if contentType == "application/json" {
		schema = &huma.Schema{Type: "object", AdditionalProperties: true}
	}
	return map[string]*huma.Response{"200": {Description: desc, Content: map[string]*huma.MediaType{contentType: {Schema: schema}}}}
}

func reviewURL(slug string, id int64) string {
	return "/api/v1/orgs/" + slug + "/reviews/" + strconv.FormatInt(id, 10)
}

// parseDay reads a YYYY-MM-DD day in loc; empty gives the zero time.
func parseDay(field, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, isms.Errorf(isms.EINVALID, "%s %q: give a day as YYYY-MM-DD", field, s)
	}
	return t, nil
}

// orgLocation is the time zone of the organisation the caller is a member of.
func (s *Server) orgLocation(ctx context.Context, p app.Principal, slug string) (*time.Location, error) {
	m, err := s.app.Org(ctx, p, slug)
	if err != nil {
		return nil, err
	}
	return m.Org.Location(), nil
}

// reviewDetail reads a review as get-review answers it.
func (s *Server) reviewDetail(ctx context.Context, p app.Principal, slug string, id int64) (*ReviewDetailOutput, error) {
	loc, err := s.orgLocation(ctx, p, slug)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	v, err := s.app.Review(ctx, p, slug, id)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &ReviewDetailOutput{Body: ReviewDetailJSON{Review: reviewJSON(v.Review, loc), Inputs: v.Inputs, Decisions: []DecisionJSON{},
		Frozen: v.Frozen, Verified: app.VerifyReviewSnapshot(v.Review)}}
	if out.Body.Inputs == nil {
		out.Body.Inputs = []app.ReviewInput{}
	}
	for _, d := range v.Decisions {
		out.Body.Decisions = append(out.Body.Decisions, decisionJSON(d, loc))
	}
	return out, nil
}

func (s *Server) apiReviewRoutes(api huma.API) {
	tags := []string{"reviews"}
	base := "/api/v1/orgs/{org}/reviews"
	huma.Register(api, huma.Operation{OperationID: "list-reviews", Method: http.MethodGet, Path: base, Tags: tags,
		Summary:     "Management reviews, newest meeting first, paged",
		Description: "One page of the organisation's management reviews (clause 9.3), newest meeting first, without their inputs; filter by status.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *ReviewListInput) (*ReviewListOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ReviewListOutput, error) {
				pg, err := s.app.ReviewList(ctx, p, in.Org, app.ReviewFilter{Status: isms.ReviewStatus(in.Status), Page: app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count}})
				if err != nil {
					return nil, err
				}
				loc, err := s.orgLocation(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &ReviewListOutput{Body: ReviewList{Items: []ReviewJSON{}, Total: counted(in.PageParams, pg.Total), HasMore: pg.More}}
				for _, r := range pg.Items {
					out.Body.Items = append(out.Body.Items, reviewJSON(r, loc))
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-review", Method: http.MethodGet, Path: base + "/{id}", Tags: tags,
		Summary:     "One management review with its inputs and decisions",
		Description: "A review with its inputs (assembled from live data while a draft or held, read from the signed snapshot once signed) and its decisions.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, in *ReviewPath) (*ReviewDetailOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ReviewDetailOutput, error) {
				return s.reviewDetail(ctx, p, in.Org, in.ID)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-review", Method: http.MethodPost, Path: base, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary:     "Prepare a management review",
		Description: "Prepares a draft review of a period with its meeting date and chair; its inputs are assembled from live data until it is signed.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *ReviewCreateInput) (*ReviewCreatedOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ReviewCreatedOutput, error) {
				loc, err := s.orgLocation(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				b := in.Body
				day, err := parseDay("held_on", b.HeldOn, loc)
				if err != nil {
					return nil, err
				}
				rv := &isms.Review{Period: b.Period, HeldOn: day, ChairID: b.ChairID, ChairRole: b.ChairRole, Attendees: b.Attendees, Signatories: b.Signatories}
				if rv.ChairID == 0 {
					rv.ChairName = b.ChairName
				}
				if err := s.app.CreateReview(ctx, p, in.Org, rv); err != nil {
					return nil, err
				}
				return &ReviewCreatedOutput{Location: reviewURL(in.Org, rv.ID), Body: reviewJSON(rv, loc)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-review", Method: http.MethodPut, Path: base + "/{id}", Tags: tags,
		Summary:     "Change a review's meeting, comments and proposals",
		Description: "Saves what the review's form edits: the meeting (date, chair, attendees, signatories), a comment per input and the proposals. Refused once signed.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *ReviewUpdateInput) (*ReviewDetailOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ReviewDetailOutput, error) {
				loc, err := s.orgLocation(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				b := in.Body
				day, err := parseDay("held_on", b.HeldOn, loc)
				if err != nil {
					return nil, err
				}
				e := app.ReviewEdit{HeldOn: day, ChairID: b.ChairID, ChairRole: b.ChairRole, Attendees: b.Attendees, Signatories: b.Signatories,
					Proposals: b.Proposals, Comments: b.Comments}
				if e.ChairID == 0 {
					e.ChairName = b.ChairName
				}
				if e.Comments == nil {
					e.Comments = map[string]string{}
				}
				if err := s.app.UpdateReview(ctx, p, in.Org, in.ID, e); err != nil {
					return nil, err
				}
				return s.reviewDetail(ctx, p, in.Org, in.ID)
			})
		})

	moves := []struct {
		id, path, summary, desc string
		to                      isms.ReviewStatus
	}{
		{"hold-review", "hold", "Mark a review as held", "A draft review's meeting took place (on or after its day): the review becomes held.", isms.ReviewHeld},
		{"reopen-review", "reopen", "Make a held review a draft again", "A held review goes back to draft, to be changed before signing.", isms.ReviewDraft},
		{"sign-review", "sign", "Sign a held review", "Top management signs a held review: it is locked, a snapshot of every input is frozen and its SHA-256 written to the audit trail.", isms.ReviewSigned},
	}
	for _, mv := range moves {
		to := mv.to
		huma.Register(api, huma.Operation{OperationID: mv.id, Method: http.MethodPost, Path: base + "/{id}/" + mv.path, Tags: tags,
			Summary: mv.summary, Description: mv.desc,
			Errors: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
			func(ctx context.Context, in *ReviewPath) (*ReviewOutput, error) {
				return asCaller(ctx, s, func(p app.Principal) (*ReviewOutput, error) {
					loc, err := s.orgLocation(ctx, p, in.Org)
					if err != nil {
						return nil, err
					}
					r, err := s.app.MoveReview(ctx, p, in.Org, in.ID, to)
					if err != nil {
						return nil, err
					}
					return &ReviewOutput{Body: reviewJSON(r, loc)}, nil
				})
			})
	}

	huma.Register(api, huma.Operation{OperationID: "add-review-decision", Method: http.MethodPost, Path: base + "/{id}/decisions", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary:     "Record a decision of a review",
		Description: "Records a decision of top management in a review that is not signed: an action or a change to the ISMS, with an owner and a deadline.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *DecisionInput) (*DecisionCreatedOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*DecisionCreatedOutput, error) {
				loc, err := s.orgLocation(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				b := in.Body
				d := &isms.ReviewAction{Kind: isms.ReviewActionKind(b.Kind), Title: b.Title, OwnerID: b.OwnerID}
				day, err := parseDay("deadline", b.Deadline, loc)
				if err != nil {
					return nil, err
				}
				if !day.IsZero() {
					d.Deadline = &day
				}
				if err := s.app.AddDecision(ctx, p, in.Org, in.ID, d); err != nil {
					return nil, err
				}
				return &DecisionCreatedOutput{Location: reviewURL(in.Org, in.ID), Body: decisionJSON(*d, loc)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "complete-review-decision", Method: http.MethodPost, Path: base + "/{id}/decisions/{action}/done", Tags: tags,
		Summary:     "Mark a review's decision done",
		Description: "Marks a decision of the review done with a note; its owner, or anyone who may write records, may.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *DecisionDoneInput) (*ReviewDetailOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ReviewDetailOutput, error) {
				if err := s.app.CompleteDecision(ctx, p, in.Org, in.ID, in.Action, in.Body.Note); err != nil {
					return nil, err
				}
				return s.reviewDetail(ctx, p, in.Org, in.ID)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "download-review-pack", Method: http.MethodGet, Path: base + "/{id}/pack", Tags: tags,
		Summary:     "The review pack as PDF",
		Description: "The management review pack as PDF: a signed review's from its snapshot (the same bytes every time), a draft's from live data. Recorded in the audit trail.",
		Errors:      []int{http.StatusNotFound},
		Responses:   fileResponses("application/pdf", "The review pack.")},
		func(ctx context.Context, in *ReviewPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				var buf bytes.Buffer
				if err := s.app.ReviewPackDownload(ctx, p, in.Org, in.ID, &buf); err != nil {
					return nil, err
				}
				return fileOutput("application/pdf", "attachment", in.Org+"-review-"+strconv.FormatInt(in.ID, 10)+".pdf", buf.Bytes()), nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-review-snapshot", Method: http.MethodGet, Path: base + "/{id}/snapshot", Tags: tags,
		Summary:     "The signed snapshot of a review",
		Description: "The JSON frozen when the review was signed, byte for byte as hashed: its SHA-256 is the review's snapshot_sha256 and the one in the audit trail. 409 before signing.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
		Responses:   fileResponses("application/json", "The snapshot as signed.")},
		func(ctx context.Context, in *ReviewPath) (*FileOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*FileOutput, error) {
				r, err := s.app.ReviewSnapshotDownload(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return fileOutput("application/json", "attachment", in.Org+"-review-"+strconv.FormatInt(in.ID, 10)+"-snapshot.json", []byte(r.Snapshot)), nil
			})
		})
}

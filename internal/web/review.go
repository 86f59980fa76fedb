package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type reviewsPage struct {
	Page
	Reviews []*isms.Review
	Members []isms.Membership
	Period  string
	Today   string
	// The status filter, the list's position and pages, and an invalid
	// filter's message.
	Filter   app.ReviewFilter
	Statuses []isms.ReviewStatus
	Pager    pager
	Problem  string
}

// reviewForm reads the meeting fields of a review form: the date in the
// organisation's zone, the chair (a member, or "0" and a typed name).
func reviewForm(r *http.Request, loc *time.Location, rv *isms.Review) {
	rv.HeldOn, _ = time.ParseInLocation(time.DateOnly, r.PostFormValue("held_on"), loc)
	rv.ChairID, _ = strconv.ParseInt(r.PostFormValue("chair"), 10, 64)
	rv.ChairName, rv.ChairRole = "", strings.TrimSpace(r.PostFormValue("chair_role"))
	if rv.ChairID == 0 {
		rv.ChairName = strings.TrimSpace(r.PostFormValue("chair_name"))
	}
	rv.Attendees, rv.Signatories = r.PostFormValue("attendees"), r.PostFormValue("signatories")
}

// handleReviews shows one page of reviews (50, newest meeting first),
// filtered by status, and the form to prepare one.
func (s *Server) handleReviews(w http.ResponseWriter, r *http.Request, m *app.Member) {
	q := r.URL.Query()
	f := app.ReviewFilter{Status: isms.ReviewStatus(q.Get("status")), Page: app.Page{Limit: listPage, Offset: pageOffset(q), Count: true}}
	status, problem := http.StatusOK, ""
	list, err := s.app.ReviewList(r.Context(), m.Principal, m.Org.Slug, f)
	switch {
	case isms.ErrorCode(err) == isms.EINVALID:
		status, problem, list = http.StatusUnprocessableEntity, s.errorMessage(r, err), &store.Page[*isms.Review]{}
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	now := time.Now().In(s.zone(r, m))
	quarter := (int(now.Month())-1)/3 + 1
	pg := &reviewsPage{Page: s.page(r, m, "Management reviews"), Reviews: list.Items, Members: members,
		Period: strconv.Itoa(now.Year()) + "-Q" + strconv.Itoa(quarter), Today: now.Format(time.DateOnly),
		Filter: f, Problem: problem, Statuses: []isms.ReviewStatus{isms.ReviewDraft, isms.ReviewHeld, isms.ReviewSigned}}
	if status == http.StatusOK {
		pg.Pager = pagerOf(q, list, "review")
	}
	pg.Nav = "reviews"
	s.renderStatus(w, r, status, "reviews", pg)
}

func (s *Server) handleReviewCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	rv := s.formReview(r, m)
	if err := s.app.CreateReview(r.Context(), m.Principal, m.Org.Slug, rv); err != nil {
		s.formError(w, r, m, err, s.handleReviews)
		return
	}
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/reviews/"+strconv.FormatInt(rv.ID, 10), http.StatusSeeOther)
}

// formReview is the review of the "prepare a review" form as posted.
func (s *Server) formReview(r *http.Request, m *app.Member) *isms.Review {
	rv := &isms.Review{Period: r.PostFormValue("period")}
	reviewForm(r, s.zone(r, m), rv)
	return rv
}

type reviewPage struct {
	Page
	View     *app.ReviewView
	Members  []isms.Membership
	Verified bool
	// People are the review's attendees and signatories as read.
	Attendees, Signatories []isms.Person
}

func reviewID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, isms.Errorf(isms.ENOTFOUND, "review not found")
	}
	return id, nil
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := reviewID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v, err := s.app.Review(r.Context(), m.Principal, m.Org.Slug, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &reviewPage{Page: s.page(r, m, "Management review "+v.Review.Period), View: v, Members: members, Verified: app.VerifyReviewSnapshot(v.Review)}
	pg.Standards = s.standardsBox(r, m, isms.TagReview, strconv.FormatInt(v.Review.ID, 10))
	pg.Nav = "reviews"
	pg.Attendees, pg.Signatories = isms.ParsePeople(v.Review.Attendees), isms.ParsePeople(v.Review.Signatories)
	s.render(w, r, "review", pg)
}

// reviewResult re-renders the review with a problem, or goes back to it.
func (s *Server) reviewResult(w http.ResponseWriter, r *http.Request, m *app.Member, err error, flash string) {
	if err != nil {
		s.formError(w, r, m, err, s.handleReview)
		return
	}
	s.flash(r, flash)
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/reviews/"+r.PathValue("id"), http.StatusSeeOther)
}

func (s *Server) handleReviewUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := reviewID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	_ = r.ParseForm()
	comments := map[string]string{}
	for k, v := range r.PostForm {
		if key, ok := strings.CutPrefix(k, "comment:"); ok && len(v) > 0 {
			comments[key] = v[0]
		}
	}
	var e isms.Review
	reviewForm(r, s.zone(r, m), &e)
	err = s.app.UpdateReview(r.Context(), m.Principal, m.Org.Slug, id, app.ReviewEdit{HeldOn: e.HeldOn, ChairID: e.ChairID, ChairName: e.ChairName, ChairRole: e.ChairRole,
		Attendees: e.Attendees, Signatories: e.Signatories, Proposals: r.PostFormValue("proposals"), Comments: comments})
	s.reviewResult(w, r, m, err, "Review saved.")
}

func (s *Server) reviewMove(to isms.ReviewStatus, flash string) func(http.ResponseWriter, *http.Request, *app.Member) {
	return func(w http.ResponseWriter, r *http.Request, m *app.Member) {
		id, err := reviewID(r)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		_, err = s.app.MoveReview(r.Context(), m.Principal, m.Org.Slug, id, to)
		s.reviewResult(w, r, m, err, flash)
	}
}

func (s *Server) handleReviewDecision(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := reviewID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	owner, _ := strconv.ParseInt(r.PostFormValue("owner"), 10, 64)
	d := &isms.ReviewAction{Kind: isms.ReviewActionKind(r.PostFormValue("kind")), Title: r.PostFormValue("title"), OwnerID: owner}
	if dl, err := time.ParseInLocation(time.DateOnly, r.PostFormValue("deadline"), s.zone(r, m)); err == nil {
		d.Deadline = &dl
	}
	err = s.app.AddDecision(r.Context(), m.Principal, m.Org.Slug, id, d)
	s.reviewResult(w, r, m, err, "Decision recorded.")
}

func (s *Server) handleDecisionDone(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := reviewID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	aid, err := strconv.ParseInt(r.PathValue("action"), 10, 64)
	if err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "decision not found"))
		return
	}
	err = s.app.CompleteDecision(r.Context(), m.Principal, m.Org.Slug, id, aid, r.PostFormValue("note"))
	s.reviewResult(w, r, m, err, "Decision marked done.")
}

// handleReviewPDF serves the review pack as PDF.
func (s *Server) handleReviewPDF(w http.ResponseWriter, r *http.Request, m *app.Member) {
	id, err := reviewID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.app.ReviewPackDownload(r.Context(), m.Principal, m.Org.Slug, id, &buf); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+m.Org.Slug+`-review-`+r.PathValue("id")+`.pdf"`)
	_, _ = buf.WriteTo(w)
}

// trendPointsSVG draws a review trend as bars coloured by status, like
// the metrics page (numbers and escaped text only).
func trendPointsSVG(points []app.TrendPoint) template.HTML {
	ms := make([]store.Measurement, len(points))
	for i, p := range points {
		ms[i] = store.Measurement{Period: p.Period, Value: p.Value, Status: p.Status}
	}
	return trendSVG(ms)
}

func init() { funcs["trendbars"] = trendPointsSVG }

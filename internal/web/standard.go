package web

import (
	"net/http"
	"net/url"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: standards as tags (docs/standards.md). Each tagged entity's
// page shows the standards it serves as small labels and, to those who
// may change it, a form of checkboxes (template "standards" in
// layout.html) that posts to /o/{org}/standards/{entity}/{id}.

// StandardOption is one checkbox of the standards form.
type StandardOption struct {
	Key, Label string
	Checked    bool
}

// StandardsBox is what a page shows of an entity's standards.
type StandardsBox struct {
	Action  string   // the form's action
	Labels  []string // the standards it serves, as people read them
	Default bool     // untagged: it serves ISO/IEC 27001 by default
	Options []StandardOption
	CanEdit bool
}

// standardOptions are the checkboxes of every standard, tags checked.
func standardOptions(tags []string) []StandardOption {
	var out []StandardOption
	for _, k := range isms.StandardKeys {
		o := StandardOption{Key: k, Label: isms.StandardLabel(k)}
		for _, t := range tags {
			o.Checked = o.Checked || t == k
		}
		out = append(out, o)
	}
	return out
}

// standardsBox reads an entity's tags for its page; nil if they cannot be
// read (the page shows no box rather than fail).
func (s *Server) standardsBox(r *http.Request, m *app.Member, entity, id string) *StandardsBox {
	tags, err := s.app.Standards(r.Context(), m.Principal, m.Org.Slug, entity, id)
	if err != nil {
		return nil
	}
	b := &StandardsBox{Action: "/o/" + m.Org.Slug + "/standards/" + entity + "/" + url.PathEscape(id), Default: len(tags) == 0, Options: standardOptions(tags)}
	for _, t := range isms.EffectiveStandards(tags) {
		b.Labels = append(b.Labels, isms.StandardLabel(t))
	}
	act := isms.ActWriteRecords
	if entity == isms.TagReview || entity == isms.TagMetric {
		act = isms.ActManageMetrics
	}
	b.CanEdit = m.Role.Can(act)
	return b
}

// standardsPageOf is the page an entity's tags are edited on, and its
// handler (for a form error).
func (s *Server) standardsPageOf(r *http.Request, m *app.Member, entity, id string) (string, func(http.ResponseWriter, *http.Request, *app.Member)) {
	base := "/o/" + m.Org.Slug + "/"
	switch entity {
	case isms.TagProcess:
		return base + "processes/" + id, s.handleProcess
	case isms.TagDeviation:
		return base + "deviations/" + id, s.handleDeviation
	case isms.TagAudit:
		return base + "audits/" + id, s.handleIAudit
	case isms.TagReview:
		return base + "reviews/" + id, s.handleReview
	case isms.TagDocument:
		return base + "documents/" + id, s.handleDocument
	case isms.TagMetric:
		r.SetPathValue("key", id)
		return base + "metrics/" + url.PathEscape(id), s.handleMetricDef
	}
	return "", nil
}

// handleSetStandards replaces an entity's tags from the checkboxes.
func (s *Server) handleSetStandards(w http.ResponseWriter, r *http.Request, m *app.Member) {
	entity, id := r.PathValue("entity"), r.PathValue("id")
	back, page := s.standardsPageOf(r, m, entity, id)
	if page == nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "%s cannot carry standards", clipText(entity)))
		return
	}
	_ = r.ParseForm()
	if _, err := s.app.SetStandards(r.Context(), m.Principal, m.Org.Slug, entity, id, r.PostForm["standards"]); err != nil {
		if isms.ErrorCode(err) == isms.ENOTFOUND || isms.ErrorCode(err) == isms.EFORBIDDEN {
			s.pageError(w, r, err)
			return
		}
		s.formError(w, r, m, err, page)
		return
	}
	s.flash(r, "Standards saved.")
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

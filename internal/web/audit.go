package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type auditPage struct {
	Page
	Events  []eventView
	Filter  store.EventFilter
	Query   auditQuery
	Members []isms.Membership
	// Entities are the entity types to filter by, with their labels.
	Entities []string
	// Older and Newest page the trail (newest first); empty when there is
	// nothing there.
	Older, Newest string
}

// auditQuery is the filter form as entered, to show it again.
type auditQuery struct {
	Actor, Entity, Action, Since, Until string
}

// eventFilter reads the audit filters from the query string; dates are
// days in the page's time zone (the person's, else the organisation's).
func eventFilter(r *http.Request, loc *time.Location) (store.EventFilter, auditQuery) {
	q := r.URL.Query()
	aq := auditQuery{Actor: q.Get("actor"), Entity: q.Get("entity"), Action: q.Get("action"), Since: q.Get("since"), Until: q.Get("until")}
	f := store.EventFilter{Entity: aq.Entity, EntityID: q.Get("entity_id"), Action: aq.Action, Limit: 25}
	f.BeforeSeq, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f.ActorID, _ = strconv.ParseInt(aq.Actor, 10, 64)
	if t, err := time.ParseInLocation(time.DateOnly, aq.Since, loc); err == nil {
		f.Since = &t
	}
	if t, err := time.ParseInLocation(time.DateOnly, aq.Until, loc); err == nil {
		t = t.AddDate(0, 0, 1)
		f.Until = &t
	}
	return f, aq
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f, aq := eventFilter(r, s.zone(r, m))
	events, err := s.app.Events(r.Context(), m.Principal, m.Org.Slug, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &auditPage{Page: s.page(r, m, "Audit trail"), Events: eventViews(events, peopleOf(members), m.Org.Slug),
		Filter: f, Query: aq, Members: members, Entities: isms.EntityTypes()}
	pg.Nav = "audit"
	link := func(before int64) string {
		v := url.Values{}
		for k, x := range map[string]string{"actor": aq.Actor, "entity": aq.Entity, "action": aq.Action, "since": aq.Since, "until": aq.Until, "entity_id": f.EntityID} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if before > 0 {
			v.Set("before", strconv.FormatInt(before, 10))
		}
		return "?" + v.Encode()
	}
	if len(events) == f.Limit {
		pg.Older = link(events[len(events)-1].Seq)
	}
	if f.BeforeSeq > 0 {
		pg.Newest = link(0)
	}
	s.render(w, r, "audit", pg)
}

// handleAuditCSV streams the whole chain in order with every field needed
// to recompute the hashes offline.
func (s *Server) handleAuditCSV(w http.ResponseWriter, r *http.Request, m *app.Member) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.Org.Slug+`-audit-trail.csv"`)
	hw := app.NewExportHasher(w)
	cw := csv.NewWriter(hw)
	_ = cw.Write([]string{"seq", "id", "at", "actor_id", "actor", "action", "entity", "entity_id", "before", "after", "prev_hash", "hash", "org_id"})
	err := s.app.EachEvent(r.Context(), m.Principal, m.Org.Slug, func(e isms.Event) error {
		return cw.Write([]string{strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano),
			strconv.FormatInt(e.ActorID, 10), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash, strconv.FormatInt(e.OrgID, 10)})
	})
	cw.Flush()
	x := app.ExportInfo{Kind: "audit-trail", Format: "csv"}
	if code := isms.ErrorCode(err); code != "" && code != isms.EINTERNAL {
		return // refused (role, scope): nothing of the trail was written
	}
	if err != nil {
		s.log.Error("audit export", "request_id", requestID(r.Context()), "err", err.Error())
		x.Filters = map[string]string{"incomplete": "true"}
	}
	// Streamed in bounded memory, so recorded once the stream ends, also
	// when the client went away part-way (hence not the request's context).
	if err := s.app.RecordExport(context.WithoutCancel(r.Context()), m.Principal, m.Org.Slug, hw.Info(x)); err != nil {
		s.log.Error("audit export event", "request_id", requestID(r.Context()), "err", err.Error())
	}
}

package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type auditPage struct {
	Page
	Events   []isms.Event
	Filter   store.EventFilter
	NextSeq  int64
	Entities []string
}

// eventFilter reads the audit filters from the query string.
func eventFilter(r *http.Request, loc *time.Location) store.EventFilter {
	q := r.URL.Query()
	f := store.EventFilter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action"), Limit: 50}
	f.BeforeSeq, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	if t, err := time.ParseInLocation(time.DateOnly, q.Get("since"), loc); err == nil {
		f.Since = &t
	}
	if t, err := time.ParseInLocation(time.DateOnly, q.Get("until"), loc); err == nil {
		t = t.AddDate(0, 0, 1)
		f.Until = &t
	}
	return f
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f := eventFilter(r, s.zone(r, m))
	events, err := s.app.Events(r.Context(), m.Principal, m.Org.Slug, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &auditPage{Page: s.page(r, m, "Audit trail"), Events: events, Filter: f}
	pg.Nav = "audit"
	if len(events) == f.Limit {
		pg.NextSeq = events[len(events)-1].Seq
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
	_ = cw.Write([]string{"seq", "id", "at", "actor_id", "actor", "action", "entity", "entity_id", "before", "after", "prev_hash", "hash"})
	err := s.app.EachEvent(r.Context(), m.Principal, m.Org.Slug, func(e isms.Event) error {
		return cw.Write([]string{strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano),
			strconv.FormatInt(e.ActorID, 10), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash})
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

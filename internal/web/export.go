package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

type exportsPage struct {
	Page
	Registers []app.RegisterSource
	Bundle    bool
}

func (s *Server) handleExports(w http.ResponseWriter, r *http.Request, m *app.Member) {
	regs, err := s.app.Registers(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &exportsPage{Page: s.page(r, m, "Evidence exports"), Registers: regs, Bundle: m.Role.Can(isms.ActReadAudit)}
	pg.Nav = "exports"
	s.render(w, r, "exports", pg)
}

// handleExport serves one register as {name}.csv or {name}.xlsx.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	file := r.PathValue("file")
	name, format := strings.TrimSuffix(file, ".csv"), "csv"
	if strings.HasSuffix(file, ".xlsx") {
		name, format = strings.TrimSuffix(file, ".xlsx"), "xlsx"
	} else if !strings.HasSuffix(file, ".csv") {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "no export %q: use <register>.csv or <register>.xlsx", file))
		return
	}
	b, _, err := s.app.RegisterFile(r.Context(), m.Principal, m.Org.Slug, name, format)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.Org.Slug+"-"+file+`"`)
	_, _ = w.Write(b)
}

// handleBundle serves the evidence bundle (zip with a SHA-256 manifest).
func (s *Server) handleBundle(w http.ResponseWriter, r *http.Request, m *app.Member) {
	var buf bytes.Buffer
	if _, err := s.app.EvidenceBundle(r.Context(), m.Principal, m.Org.Slug, &buf); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.Org.Slug+"-evidence-"+time.Now().UTC().Format("20060102T150405Z")+`.zip"`)
	_, _ = buf.WriteTo(w)
}

// handlePOAM serves the open deviations as an OSCAL POA&M document.
func (s *Server) handlePOAM(w http.ResponseWriter, r *http.Request, m *app.Member) {
	doc, err := s.app.POAMDownload(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.Org.Slug+`-poam.json"`)
	_, _ = w.Write(doc)
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// soaBulkForm is what the bulk edit form posted, kept to show it again
// with a problem.
type soaBulkForm struct {
	Scope    string // "selected", "shown" or "theme:" and a theme
	Selected map[string]bool
	app.SoABulk
}

// soaFilterForm reads the filter the bulk form carries (hidden fields).
func soaFilterForm(r *http.Request) app.SoAFilter {
	return app.SoAFilter{Theme: r.PostFormValue("theme"), Applicability: r.PostFormValue("applicable"), Status: isms.ImplementationStatus(r.PostFormValue("status"))}
}

func soaFilterQuery(f app.SoAFilter) string {
	q := url.Values{}
	for k, v := range map[string]string{"theme": f.Theme, "applicable": f.Applicability, "status": string(f.Status)} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// handleSoABulk sets the same decision parts on the ticked controls (or
// on every control the filter shows); fields left blank are not changed.
// A problem shows the page again with the form as posted; nothing is
// stored.
func (s *Server) handleSoABulk(w http.ResponseWriter, r *http.Request, m *app.Member) {
	_ = r.ParseForm()
	f := soaFilterForm(r)
	form := soaBulkForm{Scope: r.PostFormValue("scope"), Selected: map[string]bool{}, SoABulk: app.SoABulk{
		Applicable: r.PostFormValue("set_applicable"), Justification: r.PostFormValue("set_justification"),
		Status: isms.ImplementationStatus(r.PostFormValue("set_status"))}}
	var controls []string
	for _, id := range r.PostForm["control"] {
		form.Selected[id] = true
		controls = append(controls, id)
	}
	if theme, ok := strings.CutPrefix(form.Scope, "theme:"); ok || form.Scope == "shown" {
		scope := f
		if ok {
			scope = app.SoAFilter{Theme: theme}
		}
		soa, err := s.app.SoA(r.Context(), m.Principal, m.Org.Slug, scope)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		controls = controls[:0]
		for _, c := range soa.Controls {
			controls = append(controls, c.ID)
		}
	}
	res, err := s.app.BulkUpdateSoA(r.Context(), m.Principal, m.Org.Slug, controls, form.SoABulk)
	if err != nil {
		if isms.ErrorCode(err) != isms.EINVALID {
			s.pageError(w, r, err)
			return
		}
		s.formError(w, r, m, err, func(w http.ResponseWriter, r *http.Request, m *app.Member) {
			s.soaPage(w, r, m, f, http.StatusOK, "", &form)
		})
		return
	}
	msg := isms.Plural(res.Changed(), "control") + " changed"
	if res.Unchanged > 0 {
		msg += ", " + isms.Plural(res.Unchanged, "control") + " already so"
	}
	s.flash(r, "Statement of Applicability: "+msg+".")
	to := "/o/" + m.Org.Slug + "/soa"
	if q := soaFilterQuery(f); q != "" {
		to += "?" + q
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

type soaImportPage struct {
	Page
	FileName  string
	Token     string
	Result    *app.SoAChangeResult
	Errors    []importer.RowError
	Summary   string
	Truncated bool
	Problem   string
}

// handleSoAImportForm shows how to import decisions and the upload form.
func (s *Server) handleSoAImportForm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := &soaImportPage{Page: s.page(r, m, "Import SoA decisions")}
	pg.Nav = "soa"
	s.render(w, r, "soa_import", pg)
}

// handleSoAImportUpload stores the upload, previews what it would change
// (a dry run) and keeps it for the confirmation under a token in the
// session.
func (s *Server) handleSoAImportUpload(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := &soaImportPage{Page: s.page(r, m, "Import SoA decisions: preview")}
	pg.Nav = "soa"
	release, err := s.importSlot(r.Context(), w)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer release()
	up, err := s.readImportForm(r)
	if err != nil {
		s.formError(w, r, m, err, s.handleSoAImportForm)
		return
	}
	format, ok := importer.FormatFromName(up.name)
	if up.format != "" {
		format, ok = up.format, true
	}
	if !ok || (format != importer.FormatCSV && format != importer.FormatXLSX) {
		os.RemoveAll(filepath.Dir(up.path))
		pg.Problem = "cannot import " + up.name + ": choose a .csv or .xlsx file with the columns of the SoA export"
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "soa_import", pg)
		return
	}
	pg.FileName = filepath.Base(up.name)
	status := s.runSoAImport(r, m, up.path, format, pg.FileName, true, pg)
	if pg.Result == nil || pg.Result.Changed() == 0 {
		os.RemoveAll(filepath.Dir(up.path))
	} else {
		pg.Token = randomString()
		s.sessions.Put(r.Context(), "soa-upload:"+pg.Token, strings.Join([]string{up.path, string(format), pg.FileName, m.Org.Slug}, "\x00"))
	}
	s.renderStatus(w, r, status, "soa_import", pg)
}

// handleSoAImportConfirm imports the upload previewed before, all or
// nothing (the decisions are checked again: another person may have
// changed them since the preview).
func (s *Server) handleSoAImportConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	pg := &soaImportPage{Page: s.page(r, m, "Import SoA decisions")}
	pg.Nav = "soa"
	ctx := r.Context()
	parts := strings.Split(s.sessions.PopString(ctx, "soa-upload:"+r.PostFormValue("token")), "\x00")
	if len(parts) != 4 || parts[3] != m.Org.Slug {
		pg.Problem = "This upload is no longer waiting (it was imported or cancelled, or the session ended); upload the file again."
		s.renderStatus(w, r, http.StatusGone, "soa_import", pg)
		return
	}
	path, format := parts[0], importer.Format(parts[1])
	defer os.RemoveAll(filepath.Dir(path))
	pg.FileName = parts[2]
	status := s.runSoAImport(r, m, path, format, pg.FileName, false, pg)
	if status == http.StatusOK {
		s.flash(r, pg.FileName+" imported: "+isms.Plural(pg.Result.Changed(), "control")+" changed, "+isms.Plural(pg.Result.Unchanged, "control")+" unchanged.")
		http.Redirect(w, r, "/o/"+m.Org.Slug+"/soa", http.StatusSeeOther)
		return
	}
	s.renderStatus(w, r, status, "soa_import", pg)
}

// runSoAImport imports (or previews) a stored upload into pg and returns
// the status to answer with.
func (s *Server) runSoAImport(r *http.Request, m *app.Member, path string, format importer.Format, name string, dry bool, pg *soaImportPage) int {
	f, err := os.Open(path)
	if err != nil {
		pg.Problem = "the uploaded file is gone; upload it again"
		return http.StatusGone
	}
	defer f.Close()
	res, err := s.app.ImportSoA(r.Context(), m.Principal, app.ImportSoARequest{Org: m.Org.Slug, Format: format, FileName: name, File: f, DryRun: dry})
	var bad *importer.Error
	if errors.As(err, &bad) {
		pg.Errors, pg.Summary, pg.Truncated = bad.Errors, bad.Summary(), bad.Truncated()
		pg.Problem = "The file was rejected: nothing was stored. It has " + pg.Summary + " (below): fix the file and upload it again."
		return http.StatusUnprocessableEntity
	}
	if err != nil {
		pg.Problem = s.errorMessage(r, err)
		return ErrorStatus(err)
	}
	pg.Result = res
	return http.StatusOK
}

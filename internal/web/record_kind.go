package web

import (
	"net/http"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: record kinds of an organisation's own (docs/record-kinds.md).

type recordKindsPage struct {
	Page
	Kinds []app.RecordKindInfo
}

func (s *Server) handleRecordKinds(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ks, err := s.app.RecordKinds(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &recordKindsPage{Page: s.page(r, m, "Record kinds"), Kinds: ks}
	pg.Nav = "records"
	s.render(w, r, "record_kinds", pg)
}

// parseColumns reads the columns of the new kind form: one a line,
// "name type", "key" after the type for a key column, and an enum's
// values after a colon, separated by commas:
//
//	complaint_id text key
//	severity enum: low, medium, high
func parseColumns(text string) ([]isms.FieldDef, error) {
	var out []isms.FieldDef
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(out) >= isms.MaxKindFields {
			return nil, isms.Errorf(isms.EINVALID, "columns: at most %d columns", isms.MaxKindFields)
		}
		head, values, hasValues := strings.Cut(line, ":")
		words := strings.Fields(head)
		if len(words) < 2 || len(words) > 3 || (len(words) == 3 && !strings.EqualFold(words[2], "key")) {
			return nil, isms.Errorf(isms.EINVALID, "columns, line %d %q: write the name, the type and, for a key column, key (e.g. complaint_id text key); an enum's values after a colon", i+1, line)
		}
		d := isms.FieldDef{Name: words[0], Type: isms.FieldType(strings.ToLower(words[1])), Key: len(words) == 3}
		if hasValues {
			for _, v := range strings.Split(values, ",") {
				d.Values = append(d.Values, strings.TrimSpace(v))
			}
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Server) handleRecordKindCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	cols, err := parseColumns(r.PostFormValue("columns"))
	if err == nil {
		_, err = s.app.CreateRecordKind(r.Context(), m.Principal, m.Org.Slug, app.RecordKindInput{
			Key: r.PostFormValue("key"), Title: r.PostFormValue("title"), Fields: cols})
	}
	if err != nil {
		s.formError(w, r, m, err, s.handleRecordKinds)
		return
	}
	s.flash(r, "Defined the record kind "+strings.TrimSpace(r.PostFormValue("title"))+". Import its records from the Records page.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/record-kinds", http.StatusSeeOther)
}

type recordKindDeletePage struct {
	Page
	Kind *app.RecordKindInfo
}

func (s *Server) handleRecordKindDeleteConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	k, err := s.app.RecordKind(r.Context(), m.Principal, m.Org.Slug, r.PathValue("key"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &recordKindDeletePage{Page: s.page(r, m, "Delete record kind "+k.Title), Kind: k}
	pg.Nav = "records"
	s.render(w, r, "record_kind_delete", pg)
}

// handleRecordKindDelete deletes after the confirmation page, whose form
// names the kind again, so a stray request deletes nothing.
func (s *Server) handleRecordKindDelete(w http.ResponseWriter, r *http.Request, m *app.Member) {
	key := r.PathValue("key")
	if strings.TrimSpace(r.PostFormValue("confirm")) != key {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "Confirm which record kind to delete with the button below."), s.handleRecordKindDeleteConfirm)
		return
	}
	n, err := s.app.DeleteRecordKind(r.Context(), m.Principal, m.Org.Slug, key)
	if err != nil {
		s.formError(w, r, m, err, s.handleRecordKindDeleteConfirm)
		return
	}
	s.flash(r, "Deleted the record kind "+key+" and "+isms.Plural(int(n), "record")+".")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/record-kinds", http.StatusSeeOther)
}

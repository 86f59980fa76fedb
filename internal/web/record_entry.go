package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Entering, editing and deleting one record by hand (issue 15). The form
// has one input per column of the kind; values are read by package app
// with the importer's parsing, in the person's zone.

// formField is one input of the record form.
type formField struct {
	Name, Label string
	// Input is the control: text, datetime-local or select.
	Input   string
	Key     bool
	Value   string
	Options []formOption
	Error   string
}

type formOption struct{ Value, Label string }

type recordFormPage struct {
	Page
	Spec   isms.KindSpec
	Record isms.Record // ID 0 for a new record
	Fields []formField
	Action string
}

// datetimeLocal is the value format of an <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// recordFields builds the form's inputs from the kind, with values.
func recordFields(spec isms.KindSpec, values map[string]string, problems map[string]string) []formField {
	out := make([]formField, 0, len(spec.Fields))
	for _, f := range spec.Fields {
		ff := formField{Name: f.Name, Label: isms.Label(f.Name), Input: "text", Key: f.Key, Value: values[f.Name], Error: problems[f.Name]}
		switch f.Type {
		case isms.FieldTime:
			ff.Input = "datetime-local"
		case isms.FieldBool:
			ff.Input = "select"
			ff.Options = []formOption{{"", "Unknown"}, {"true", "Yes"}, {"false", "No"}}
		case isms.FieldEnum:
			ff.Input = "select"
			ff.Options = []formOption{{"", "Unknown"}}
			for _, v := range f.Enum {
				ff.Options = append(ff.Options, formOption{v, isms.Label(v)})
			}
			// A value the list lacks (typed before a change of vocabulary)
			// stays visible rather than being silently dropped.
			if v := ff.Value; v != "" && !containsOption(ff.Options, v) {
				ff.Options = append(ff.Options, formOption{v, v})
			}
		}
		out = append(out, ff)
	}
	return out
}

func containsOption(opts []formOption, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// recordValues are a stored record's values as the form shows them, times
// in loc.
func recordValues(spec isms.KindSpec, r isms.Record, loc *time.Location) map[string]string {
	out := map[string]string{}
	for _, f := range spec.Fields {
		switch f.Type {
		case isms.FieldTime:
			if t, ok := r.Times[f.Name]; ok {
				out[f.Name] = t.In(loc).Format(datetimeLocal)
			}
		case isms.FieldBool:
			if b, ok := r.Bools[f.Name]; ok {
				out[f.Name] = strconv.FormatBool(b)
			}
		default:
			out[f.Name] = r.Texts[f.Name]
		}
	}
	return out
}

// formValues reads the posted values of the kind's columns. A
// datetime-local value ("2026-10-01T09:00") is handed on as the local
// form an import accepts ("2026-10-01 09:00"); anything else as typed.
func formValues(r *http.Request, spec isms.KindSpec) map[string]string {
	out := map[string]string{}
	for _, f := range spec.Fields {
		v := strings.TrimSpace(r.PostFormValue(f.Name))
		if f.Type == isms.FieldTime && len(v) == len(datetimeLocal) && v[10] == 'T' {
			v = v[:10] + " " + v[11:]
		}
		out[f.Name] = v
	}
	return out
}

// shownValues are posted values as the form shows them again.
func shownValues(r *http.Request, spec isms.KindSpec) map[string]string {
	out := map[string]string{}
	for _, f := range spec.Fields {
		out[f.Name] = r.PostFormValue(f.Name)
	}
	return out
}

func recordKindOf(r *http.Request) (isms.KindSpec, error) {
	spec, ok := isms.LookupKind(r.PathValue("kind"))
	if !ok || spec.Kind != isms.RecordKind(r.PathValue("kind")) {
		return spec, isms.Errorf(isms.ENOTFOUND, "unknown record kind %q", r.PathValue("kind"))
	}
	return spec, nil
}

func recordPath(slug string, kind isms.RecordKind, id int64) string {
	p := "/o/" + slug + "/records/" + string(kind)
	if id != 0 {
		p += "/" + strconv.FormatInt(id, 10)
	}
	return p
}

func (s *Server) renderRecordForm(w http.ResponseWriter, r *http.Request, m *app.Member, status int, spec isms.KindSpec, rec isms.Record, values map[string]string, err error) {
	title := "New " + strings.ToLower(isms.KindSingular(spec.Kind))
	action := recordPath(m.Org.Slug, spec.Kind, 0)
	if rec.ID != 0 {
		title = "Edit " + strings.ToLower(isms.KindSingular(spec.Kind)) + " " + rec.Key
		action = recordPath(m.Org.Slug, spec.Kind, rec.ID)
	}
	problems := map[string]string{}
	pg := &recordFormPage{Page: s.page(r, m, title), Spec: spec, Record: rec, Action: action}
	pg.Nav = "records"
	var fe *app.FieldErrors
	switch {
	case errors.As(err, &fe):
		for f, why := range fe.Fields {
			if _, ok := spec.Field(f); ok {
				problems[f] = why
			} else {
				pg.Error = strings.TrimSpace(pg.Error + " " + why)
			}
		}
		if pg.Error == "" {
			pg.Error = "Nothing was stored: fix the values marked below."
		}
	case isms.ErrorCode(err) == isms.ECONFLICT:
		msg := isms.ErrorMessage(err)
		why := msg
		if field, rest, ok := strings.Cut(msg, ": "); ok {
			if _, isField := spec.Field(field); isField {
				problems[field], why = rest, rest
			}
		}
		pg.Error = "Nothing was stored: " + why
	case err != nil:
		pg.Error = s.errorMessage(r, err)
	}
	pg.Fields = recordFields(spec, values, problems)
	s.renderStatus(w, r, status, "record_form", pg)
}

func (s *Server) handleRecordNew(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, err := recordKindOf(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderRecordForm(w, r, m, http.StatusOK, spec, isms.Record{}, map[string]string{}, nil)
}

func (s *Server) handleRecordCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, err := recordKindOf(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rec, err := s.app.CreateRecord(r.Context(), m.Principal, m.Org.Slug, spec.Kind, app.RecordValues{Values: formValues(r, spec), Location: s.zone(r, m)})
	if err != nil {
		s.recordFormError(w, r, m, spec, isms.Record{}, err)
		return
	}
	s.flash(r, isms.KindSingular(spec.Kind)+" "+rec.Key+" added.")
	http.Redirect(w, r, recordPath(m.Org.Slug, spec.Kind, rec.ID), http.StatusSeeOther)
}

// recordFormError shows the form again with the values as typed, or the
// error page for an error that is not about the values.
func (s *Server) recordFormError(w http.ResponseWriter, r *http.Request, m *app.Member, spec isms.KindSpec, rec isms.Record, err error) {
	switch isms.ErrorCode(err) {
	case isms.EINVALID, isms.ECONFLICT:
		s.renderRecordForm(w, r, m, ErrorStatus(err), spec, rec, shownValues(r, spec), err)
	default:
		s.pageError(w, r, err)
	}
}

// recordOf reads the record of the path in the member's organisation.
func (s *Server) recordOf(r *http.Request, m *app.Member) (isms.KindSpec, isms.Record, error) {
	spec, err := recordKindOf(r)
	if err != nil {
		return spec, isms.Record{}, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return spec, isms.Record{}, isms.Errorf(isms.ENOTFOUND, "record not found")
	}
	h, err := s.app.Record(r.Context(), m.Principal, m.Org.Slug, spec.Kind, id)
	if err != nil {
		return spec, isms.Record{}, err
	}
	return spec, h.Record, nil
}

func (s *Server) handleRecordEdit(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, rec, err := s.recordOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderRecordForm(w, r, m, http.StatusOK, spec, rec, recordValues(spec, rec, s.zone(r, m)), nil)
}

func (s *Server) handleRecordUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, old, err := s.recordOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rec, err := s.app.UpdateRecord(r.Context(), m.Principal, m.Org.Slug, spec.Kind, old.ID, app.RecordValues{Values: formValues(r, spec), Location: s.zone(r, m)})
	if err != nil {
		s.recordFormError(w, r, m, spec, old, err)
		return
	}
	if rec.Equal(old) {
		s.flash(r, "Nothing changed.")
	} else {
		s.flash(r, isms.KindSingular(spec.Kind)+" "+rec.Key+" saved.")
	}
	http.Redirect(w, r, recordPath(m.Org.Slug, spec.Kind, rec.ID), http.StatusSeeOther)
}

type recordDeletePage struct {
	Page
	Spec   isms.KindSpec
	Record isms.Record
}

func (s *Server) handleRecordDeleteConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, rec, err := s.recordOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderRecordDelete(w, r, m, http.StatusOK, spec, rec, "")
}

func (s *Server) renderRecordDelete(w http.ResponseWriter, r *http.Request, m *app.Member, status int, spec isms.KindSpec, rec isms.Record, problem string) {
	pg := &recordDeletePage{Page: s.page(r, m, "Delete "+strings.ToLower(isms.KindSingular(spec.Kind))+" "+rec.Key), Spec: spec, Record: rec}
	pg.Nav, pg.Error = "records", problem
	s.renderStatus(w, r, status, "record_delete", pg)
}

// handleRecordDelete deletes after the confirmation page: the form names
// the record's key, so a stale page or a stray request deletes nothing.
func (s *Server) handleRecordDelete(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, rec, err := s.recordOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	key := r.PostFormValue("key")
	if key == "" {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "Confirm which record to delete with the button below."), s.handleRecordDeleteConfirm)
		return
	}
	if err := s.app.DeleteRecord(r.Context(), m.Principal, m.Org.Slug, spec.Kind, rec.ID, key); err != nil {
		s.formError(w, r, m, err, s.handleRecordDeleteConfirm)
		return
	}
	s.flash(r, isms.KindSingular(spec.Kind)+" "+rec.Key+" deleted. Its history stays in the audit trail.")
	http.Redirect(w, r, recordPath(m.Org.Slug, spec.Kind, 0), http.StatusSeeOther)
}

func init() {
	funcs["kindSingularLower"] = func(k isms.RecordKind) string { return strings.ToLower(isms.KindSingular(k)) }
	// aKind is "an incident", "a change".
	funcs["aKind"] = func(k isms.RecordKind) string {
		w := strings.ToLower(isms.KindSingular(k))
		if strings.ContainsAny(w[:1], "aeiou") {
			return "an " + w
		}
		return "a " + w
	}
}

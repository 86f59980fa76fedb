package web

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Import profiles (issue 15): the pages that list, build, change, delete,
// export and import an organisation's saved import profiles. Reading needs
// read, changing needs import; package app checks both again.
//
// A profile is built in two steps: the list page's form uploads a file of
// the source (step 1); its answer is the profile form (step 2) with one row
// per column of the file and a few values of each, so the file is not
// needed again. The form carries the columns and their values in hidden
// fields, so a refused save shows the same form again (formError).

// Values of a column's select besides the fields of the kind.
const (
	mapAttribute = ""  // not mapped: read by its own name, else an attribute
	mapLeaveOut  = "-" // isms.Ignore: the column is left out
)

// emptyProfileRows is how many empty rows the edit form offers for
// mapping a column the profile does not name yet.
const emptyProfileRows = 3

type profileListPage struct {
	Page
	Profiles []store.StoredProfile
	Kinds    []isms.KindSpec
}

// handleProfiles lists the organisation's import profiles, with the forms
// that start a new one from a file and import one from JSON.
func (s *Server) handleProfiles(w http.ResponseWriter, r *http.Request, m *app.Member) {
	profiles, err := s.app.ImportProfiles(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &profileListPage{Page: s.page(r, m, "Import profiles"), Profiles: profiles, Kinds: isms.Kinds()}
	pg.Nav = "records"
	s.render(w, r, "import_profiles", pg)
}

// profileRow is one source column of the profile form.
type profileRow struct {
	N       int
	Column  string   // as written; empty in an added row
	Fixed   bool     // the column is named (from the file or the profile); else typed
	Samples []string // the first values of the column in the file
	Choice  string   // a field, mapAttribute or mapLeaveOut
}

// profileText is a field's value map or constant in the form.
type profileText struct {
	Field, Label, Text, Hint string
}

type profileFormPage struct {
	Page
	Spec   isms.KindSpec
	Action string
	Edit   bool
	Name   string
	// FileName and Layout describe the file the columns come from.
	FileName, Layout string
	FilePattern      string
	DateOrder        string
	Rows             []profileRow
	ValueMaps        []profileText
	Constants        []profileText
}

// profileForm is what the profile form holds, as posted or as built from a
// file or a stored profile.
type profileForm struct {
	name, fileName, layout string
	kind                   isms.RecordKind
	pattern, dateOrder     string
	rows                   []profileRow
	values                 map[string]string // field → the value map's text
	constants              map[string]string // field → constant
}

// renderProfileForm renders the profile form (step 2 or edit).
func (s *Server) renderProfileForm(w http.ResponseWriter, r *http.Request, m *app.Member, spec isms.KindSpec, f profileForm, edit bool) {
	title := "New " + strings.ToLower(isms.KindSingular(spec.Kind)) + " import profile"
	action := "/o/" + m.Org.Slug + "/import-profiles"
	if edit {
		title = "Edit import profile " + f.name
		action = "/o/" + m.Org.Slug + "/import-profiles/" + url.PathEscape(f.name) + "/edit"
	}
	pg := &profileFormPage{Page: s.page(r, m, title), Spec: spec, Action: action, Edit: edit, Name: f.name,
		FileName: f.fileName, Layout: f.layout, FilePattern: f.pattern, DateOrder: f.dateOrder, Rows: f.rows}
	pg.Nav = "records"
	given := map[string]bool{}
	for _, row := range f.rows {
		if row.Choice != mapAttribute && row.Choice != mapLeaveOut {
			given[row.Choice] = true
		}
	}
	for _, fl := range spec.Fields {
		switch fl.Type {
		case isms.FieldEnum:
			pg.ValueMaps = append(pg.ValueMaps, profileText{Field: fl.Name, Label: isms.Label(fl.Name), Text: f.values[fl.Name],
				Hint: "Store one of: " + strings.Join(fl.Enum, ", ")})
		case isms.FieldBool:
			pg.ValueMaps = append(pg.ValueMaps, profileText{Field: fl.Name, Label: isms.Label(fl.Name), Text: f.values[fl.Name],
				Hint: "Store true or false"})
		}
		if !given[fl.Name] || f.constants[fl.Name] != "" {
			pg.Constants = append(pg.Constants, profileText{Field: fl.Name, Label: isms.Label(fl.Name), Text: f.constants[fl.Name]})
		}
	}
	s.render(w, r, "import_profile_form", pg)
}

// handleProfileSample is step 1: it reads the uploaded file's header and
// first rows and answers with the profile form for its columns. The file
// is removed at once.
func (s *Server) handleProfileSample(w http.ResponseWriter, r *http.Request, m *app.Member) {
	up, err := s.readImportForm(r)
	if up != nil {
		defer os.RemoveAll(filepath.Dir(up.path))
		// What was typed stays in the form if the file is refused.
		r.PostForm = url.Values{"name": {up.profileName}, "kind": {string(up.kind)}}
	}
	if err != nil {
		s.formError(w, r, m, err, s.handleProfiles)
		return
	}
	name := strings.TrimSpace(up.profileName)
	if err := isms.CheckProfileName(name); err != nil {
		s.formError(w, r, m, err, s.handleProfiles)
		return
	}
	spec, ok := isms.LookupKind(string(up.kind))
	if !ok {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "kind %q: choose the kind of records the file holds", up.kind), s.handleProfiles)
		return
	}
	format, ok := importer.FormatFromName(up.name)
	if !ok || (format != importer.FormatCSV && format != importer.FormatXLSX && format != importer.FormatJSON) {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "file: cannot tell the format of %s; upload a .csv, .tsv, .txt, .xlsx or .json file", up.name), s.handleProfiles)
		return
	}
	file, err := os.Open(up.path)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer file.Close()
	sample, err := s.app.PeekImport(r.Context(), m.Principal, m.Org.Slug, spec.Kind, format, file)
	if err != nil {
		s.formError(w, r, m, fileProblem(err), s.handleProfiles)
		return
	}
	if len(sample.Columns) == 0 {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "file: %s has no columns; upload a file whose first line names its columns", up.name), s.handleProfiles)
		return
	}
	f := profileForm{name: name, kind: spec.Kind, fileName: filepath.Base(up.name), layout: sample.Layout.String()}
	for i, col := range sample.Columns {
		row := profileRow{N: i, Column: col, Fixed: true, Choice: fieldByName(spec, col)}
		for _, cells := range sample.Rows {
			if i < len(cells) && strings.TrimSpace(cells[i]) != "" && len(row.Samples) < 3 {
				row.Samples = append(row.Samples, clipSample(cells[i], 40))
			}
		}
		f.rows = append(f.rows, row)
	}
	r.PostForm = nil
	s.renderProfileForm(w, r, m, spec, f, false)
}

// fileProblem puts an importer's error about a file under the file field.
func fileProblem(err error) error {
	if e, ok := err.(*importer.Error); ok && len(e.Errors) > 0 {
		re := e.Errors[0]
		return isms.Errorf(isms.EINVALID, "file: line %d: %s", re.Line, re.Reason)
	}
	return err
}

// fieldByName is the field a column gives by its own name, else
// mapAttribute.
func fieldByName(spec isms.KindSpec, column string) string {
	for _, fl := range spec.Fields {
		if isms.HeaderKey(column) == isms.HeaderKey(fl.Name) {
			return fl.Name
		}
	}
	return mapAttribute
}

// clipSample shortens a sample value for the form.
func clipSample(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// postedProfileForm reads the profile form as posted.
func postedProfileForm(r *http.Request) profileForm {
	f := profileForm{name: strings.TrimSpace(r.PostFormValue("name")), kind: isms.RecordKind(r.PostFormValue("kind")),
		fileName: r.PostFormValue("file_name"), layout: r.PostFormValue("layout"),
		pattern: r.PostFormValue("file_pattern"), dateOrder: r.PostFormValue("date_order"),
		values: map[string]string{}, constants: map[string]string{}}
	n, _ := strconv.Atoi(r.PostFormValue("rows"))
	n = min(max(n, 0), importer.MaxSampleColumns+emptyProfileRows)
	for i := range n {
		k := strconv.Itoa(i)
		row := profileRow{N: i, Column: r.PostFormValue("col." + k), Fixed: r.PostFormValue("fixed."+k) != "",
			Samples: r.PostForm["samp."+k], Choice: r.PostFormValue("map." + k)}
		f.rows = append(f.rows, row)
	}
	for k, v := range r.PostForm {
		if field, ok := strings.CutPrefix(k, "vm."); ok && len(v) > 0 {
			f.values[field] = v[0]
		}
		if field, ok := strings.CutPrefix(k, "const."); ok && len(v) > 0 {
			f.constants[field] = v[0]
		}
	}
	return f
}

// profile turns the form into an import profile; EINVALID names a value
// map line that is not "source = value".
func (f profileForm) profile(spec isms.KindSpec) (isms.ImportProfile, error) {
	p := isms.ImportProfile{Name: f.name, Kind: spec.Kind, FilePattern: f.pattern, DateOrder: f.dateOrder}
	for _, row := range f.rows {
		col := strings.TrimSpace(row.Column)
		if col == "" {
			continue
		}
		switch row.Choice {
		case mapAttribute:
			if fl := fieldByName(spec, col); fl != mapAttribute {
				return p, isms.Errorf(isms.EINVALID, "columns: %q is read as %s by its name; map it to %s or leave it out", col, isms.Lower(fl), isms.Lower(fl))
			}
			continue
		case mapLeaveOut:
			row.Choice = isms.Ignore
		}
		if p.Columns == nil {
			p.Columns = map[string]string{}
		}
		p.Columns[col] = row.Choice
	}
	for _, fl := range spec.Fields {
		text := strings.TrimSpace(f.values[fl.Name])
		for i, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			from, to, ok := strings.Cut(line, "=")
			if !ok {
				return p, isms.Errorf(isms.EINVALID, "values: line %d of %s, %q: write the source's value, =, and the value to store, e.g. P1 = critical", i+1, isms.Lower(fl.Name), line)
			}
			if p.Values == nil {
				p.Values = map[string]map[string]string{}
			}
			if p.Values[fl.Name] == nil {
				p.Values[fl.Name] = map[string]string{}
			}
			p.Values[fl.Name][strings.TrimSpace(from)] = strings.TrimSpace(to)
		}
		if c := strings.TrimSpace(f.constants[fl.Name]); c != "" {
			if p.Constants == nil {
				p.Constants = map[string]string{}
			}
			p.Constants[fl.Name] = c
		}
	}
	return p, nil
}

// storedProfileForm is the edit form of a stored profile: its columns,
// then empty rows to map more.
func storedProfileForm(p isms.ImportProfile) profileForm {
	f := profileForm{name: p.Name, kind: p.Kind, pattern: p.FilePattern, dateOrder: p.DateOrder,
		values: map[string]string{}, constants: maps.Clone(p.Constants)}
	for _, col := range slices.Sorted(maps.Keys(p.Columns)) {
		choice := p.Columns[col]
		if choice == isms.Ignore {
			choice = mapLeaveOut
		}
		f.rows = append(f.rows, profileRow{N: len(f.rows), Column: col, Fixed: true, Choice: choice})
	}
	for range emptyProfileRows {
		f.rows = append(f.rows, profileRow{N: len(f.rows)})
	}
	for field, m := range p.Values {
		var lines []string
		for _, from := range slices.Sorted(maps.Keys(m)) {
			lines = append(lines, from+" = "+m[from])
		}
		f.values[field] = strings.Join(lines, "\n")
	}
	return f
}

// handleProfileFormAgain shows the new-profile form as posted, for a
// refused save; without a known kind, the list page.
func (s *Server) handleProfileFormAgain(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f := postedProfileForm(r)
	spec, ok := isms.LookupKind(string(f.kind))
	if !ok {
		s.handleProfiles(w, r, m)
		return
	}
	s.renderProfileForm(w, r, m, spec, f, false)
}

// handleProfileCreate saves a new profile from the form (step 2).
func (s *Server) handleProfileCreate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	f := postedProfileForm(r)
	spec, ok := isms.LookupKind(string(f.kind))
	if !ok {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "kind %q: start again from a file on the import profiles page", f.kind), s.handleProfileFormAgain)
		return
	}
	p, err := f.profile(spec)
	if err == nil {
		_, err = s.app.SaveImportProfile(r.Context(), m.Principal, m.Org.Slug, p, false)
	}
	if err != nil {
		s.formError(w, r, m, err, s.handleProfileFormAgain)
		return
	}
	s.flash(r, "Saved the import profile "+p.Name+".")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/import-profiles/"+url.PathEscape(p.Name), http.StatusSeeOther)
}

// profileLine is a column of a profile in words.
type profileLine struct{ Column, Field string }

type profilePage struct {
	Page
	Stored    *store.StoredProfile
	Spec      isms.KindSpec
	Columns   []profileLine
	Values    []profileValues
	Constants []profileLine
	// ChangedBy names who saved the profile last.
	ChangedBy, ChangedByEmail string
}

type profileValues struct {
	Field string
	Lines []profileLine
}

// profileOf loads the profile of the request's path.
func (s *Server) profileOf(r *http.Request, m *app.Member) (*store.StoredProfile, isms.KindSpec, error) {
	sp, err := s.app.ImportProfile(r.Context(), m.Principal, m.Org.Slug, r.PathValue("name"))
	if err != nil {
		return nil, isms.KindSpec{}, err
	}
	spec, ok := isms.LookupKind(string(sp.Profile.Kind))
	if !ok {
		return nil, isms.KindSpec{}, fmt.Errorf("import profile %d: unknown kind %q", sp.ID, sp.Profile.Kind)
	}
	return sp, spec, nil
}

// handleProfile shows a profile in words.
func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request, m *app.Member) {
	sp, spec, err := s.profileOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := sp.Profile
	pg := &profilePage{Page: s.page(r, m, "Import profile "+p.Name), Stored: sp, Spec: spec}
	pg.Nav = "records"
	for _, col := range slices.Sorted(maps.Keys(p.Columns)) {
		field := "left out"
		if f := p.Columns[col]; f != isms.Ignore {
			field = isms.Label(f)
		}
		pg.Columns = append(pg.Columns, profileLine{col, field})
	}
	for _, field := range slices.Sorted(maps.Keys(p.Values)) {
		v := profileValues{Field: isms.Label(field)}
		for _, from := range slices.Sorted(maps.Keys(p.Values[field])) {
			v.Lines = append(v.Lines, profileLine{from, p.Values[field][from]})
		}
		pg.Values = append(pg.Values, v)
	}
	for _, field := range slices.Sorted(maps.Keys(p.Constants)) {
		pg.Constants = append(pg.Constants, profileLine{isms.Label(field), p.Constants[field]})
	}
	if members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug); err == nil {
		for _, mb := range members {
			if mb.UserID == sp.UpdatedBy {
				pg.ChangedBy, pg.ChangedByEmail = mb.Name, mb.Email
			}
		}
	}
	s.render(w, r, "import_profile", pg)
}

// handleProfileEdit shows the form of a stored profile.
func (s *Server) handleProfileEdit(w http.ResponseWriter, r *http.Request, m *app.Member) {
	sp, spec, err := s.profileOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f := storedProfileForm(sp.Profile)
	if r.Method == http.MethodPost {
		// A refused save: the form as posted, under the profile's name.
		f = postedProfileForm(r)
		f.name, f.kind = sp.Profile.Name, sp.Profile.Kind
	}
	s.renderProfileForm(w, r, m, spec, f, true)
}

// handleProfileUpdate replaces a stored profile with the form.
func (s *Server) handleProfileUpdate(w http.ResponseWriter, r *http.Request, m *app.Member) {
	sp, spec, err := s.profileOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f := postedProfileForm(r)
	f.name = sp.Profile.Name
	p, err := f.profile(spec)
	if err == nil {
		_, err = s.app.SaveImportProfile(r.Context(), m.Principal, m.Org.Slug, p, true)
	}
	if err != nil {
		s.formError(w, r, m, err, s.handleProfileEdit)
		return
	}
	s.flash(r, "Saved the import profile "+p.Name+".")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/import-profiles/"+url.PathEscape(p.Name), http.StatusSeeOther)
}

type profileDeletePage struct {
	Page
	Profile isms.ImportProfile
}

// handleProfileDeleteConfirm asks before a profile is deleted.
func (s *Server) handleProfileDeleteConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	sp, _, err := s.profileOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &profileDeletePage{Page: s.page(r, m, "Delete import profile "+sp.Profile.Name), Profile: sp.Profile}
	pg.Nav = "records"
	s.render(w, r, "import_profile_delete", pg)
}

// handleProfileDelete deletes after the confirmation page, whose form
// names the profile again, so a stray request deletes nothing.
func (s *Server) handleProfileDelete(w http.ResponseWriter, r *http.Request, m *app.Member) {
	name := r.PathValue("name")
	if !strings.EqualFold(strings.TrimSpace(r.PostFormValue("confirm")), name) {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "Confirm which profile to delete with the button below."), s.handleProfileDeleteConfirm)
		return
	}
	if err := s.app.DeleteImportProfile(r.Context(), m.Principal, m.Org.Slug, name); err != nil {
		s.formError(w, r, m, err, s.handleProfileDeleteConfirm)
		return
	}
	s.flash(r, "Deleted the import profile "+name+". Imports no longer use it.")
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/import-profiles", http.StatusSeeOther)
}

// handleProfileExport sends a profile as the JSON file that the import
// form and the API read back.
func (s *Server) handleProfileExport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	sp, _, err := s.profileOf(r, m)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	body, err := isms.ProfileJSON(sp.Profile)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	name := strings.Map(func(c rune) rune {
		if c == ' ' || c > 126 || c == '"' || c == '\\' {
			return '-'
		}
		return c
	}, sp.Profile.Name)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="import-profile-`+name+`.json"`)
	_, _ = w.Write(append(body, '\n'))
}

// handleProfileImport reads an exported profile from an uploaded JSON
// file and saves it; "replace" replaces the profile of the same name.
func (s *Server) handleProfileImport(w http.ResponseWriter, r *http.Request, m *app.Member) {
	file, _, err := r.FormFile("file")
	if err != nil {
		s.formError(w, r, m, isms.Errorf(isms.EINVALID, "file: choose a profile's JSON file (at most %d KiB)", isms.MaxProfileJSON>>10), s.handleProfiles)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, isms.MaxProfileJSON+1))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, err := isms.ParseProfileJSON(data)
	created := false
	if err == nil {
		created, err = s.app.SaveImportProfile(r.Context(), m.Principal, m.Org.Slug, p, r.PostFormValue("replace") != "")
	}
	if err != nil {
		s.formError(w, r, m, err, s.handleProfiles)
		return
	}
	if created {
		s.flash(r, "Imported the profile "+p.Name+".")
	} else {
		s.flash(r, "Replaced the profile "+p.Name+" with the file's.")
	}
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/import-profiles/"+url.PathEscape(p.Name), http.StatusSeeOther)
}

// sampleTable is the import preview's first rows as parsed: one column
// per field of the kind, each time in the page's zone and in UTC.
type sampleTable struct {
	Fields []string // labels
	Rows   [][]sampleCell
}

type sampleCell struct {
	Text string
	Zone string // for a time: the zone Text is in
	UTC  string // for a time: RFC 3339 in UTC
}

func newSampleTable(res *app.ImportResult, loc *time.Location) *sampleTable {
	spec, ok := isms.LookupKind(string(res.Kind))
	if !ok && res.Spec != nil { // issue 19: a kind of the organisation's own
		spec, ok = *res.Spec, true
	}
	if !ok || len(res.Sample) == 0 {
		return nil
	}
	t := &sampleTable{}
	for _, fl := range spec.Fields {
		t.Fields = append(t.Fields, isms.Label(fl.Name))
	}
	zone := "UTC"
	if loc != nil {
		zone = loc.String()
	}
	for _, rec := range res.Sample {
		var row []sampleCell
		for _, fl := range spec.Fields {
			var c sampleCell
			if tm, ok := rec.Times[fl.Name]; ok {
				c = sampleCell{Text: showDateTime(loc, tm), Zone: zone, UTC: tm.UTC().Format(time.RFC3339)}
			} else if b, ok := rec.Bools[fl.Name]; ok {
				c.Text = "no"
				if b {
					c.Text = "yes"
				}
			} else {
				c.Text = rec.Texts[fl.Name]
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func init() {
	// dateOrderWords says how a profile reads slashed dates.
	funcs["dateOrderWords"] = func(order string) string {
		switch order {
		case "dmy":
			return "day first (05/10/2026 is 5 October)"
		case "mdy":
			return "month first (05/10/2026 is May 10)"
		}
		return "as the import says, else as set for the organisation"
	}
}

package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

type recordsPage struct {
	Page
	Kinds  []isms.KindSpec
	Counts map[isms.RecordKind]int
	// Profiles are the import profiles the upload form offers.
	Profiles []store.StoredProfile
}

func (s *Server) handleRecords(w http.ResponseWriter, r *http.Request, m *app.Member) {
	counts, err := s.app.RecordCounts(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// Issue 19: the built-in kinds and the organisation's own.
	kinds, err := s.app.KindSpecs(r.Context(), m.Principal, m.Org.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &recordsPage{Page: s.page(r, m, "Records"), Kinds: kinds, Counts: counts}
	if m.Role.Can(isms.ActImport) {
		if pg.Profiles, err = s.app.ImportProfiles(r.Context(), m.Principal, m.Org.Slug); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	pg.Nav = "records"
	s.render(w, r, "records", pg)
}

type recordListPage struct {
	Page
	Spec    isms.KindSpec
	Records []isms.Record
	Total   int
	Filter  store.RecordFilter
	Prev    string
	Next    string
	SortURL map[string]string
	// First and Last number the records shown (1-based), for "1–50 of 54".
	First, Last int
	// The filter bar: what was typed, the values the kind's filters take,
	// and the list's position in words ("1–50 of 1,234 records").
	Filters    listFilters
	List       isms.ListSpec
	Statuses   []string
	Severities []string
	// SortCol is the column the list is ordered by (the main time by
	// default), SortDesc its direction, for the arrow in its header.
	SortCol  string
	SortDesc bool
	Showing  string
	Problem  string // an invalid filter, shown beside the filter bar
}

func (s *Server) handleRecordList(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, err := s.app.KindSpec(r.Context(), m.Principal, m.Org.Slug, isms.RecordKind(r.PathValue("kind"))) // issue 19: or its own
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	lf := readListFilters(q)
	f := store.RecordFilter{Query: lf.Query, Sort: q.Get("sort"), Desc: q.Get("dir") == "desc", Limit: 50,
		Period: lf.Period, Status: lf.Status, Severity: lf.Severity, Owner: lf.Owner}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	f.Offset = max(0, f.Offset)
	status := http.StatusOK
	recs, total, err := s.app.Records(r.Context(), m.Principal, m.Org.Slug, spec.Kind, f)
	problem := ""
	if isms.ErrorCode(err) == isms.EINVALID {
		status, problem, err = http.StatusUnprocessableEntity, s.errorMessage(r, err), nil
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	list := spec.List()
	pg := &recordListPage{Page: s.page(r, m, spec.Title), Spec: spec, Records: recs, Total: total, Filter: f, SortURL: map[string]string{},
		Filters: lf, List: list, Statuses: list.Statuses(), Severities: list.Severities(spec), Problem: problem,
		Showing: showing(f.Offset, len(recs), total, "record")}
	pg.Nav = "records"
	pg.SortCol, pg.SortDesc = f.Sort, f.Desc
	if _, ok := spec.Field(f.Sort); !ok {
		pg.SortCol, pg.SortDesc = list.Time, true
	}
	if len(recs) > 0 {
		pg.First, pg.Last = f.Offset+1, f.Offset+len(recs)
	}
	// A kind of the organisation's own lists newest first only
	// (docs/record-kinds.md), so its headers offer no sorting.
	sortable := isms.IsBuiltinKind(string(spec.Kind))
	if !sortable {
		pg.SortCol = ""
	}
	for _, fl := range spec.Fields {
		if !sortable {
			break
		}
		name := fl.Name
		pg.SortURL[name] = pageURL(q, func(v url.Values) {
			v.Set("sort", name)
			v.Del("offset")
			// A time column sorts newest first on the first click.
			desc := fl.Type == isms.FieldTime
			if pg.SortCol == name {
				desc = !pg.SortDesc
			}
			if desc {
				v.Set("dir", "desc")
			} else {
				v.Set("dir", "asc")
			}
		})
	}
	if f.Offset > 0 {
		pg.Prev = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit))) })
	}
	if f.Offset+len(recs) < total {
		pg.Next = pageURL(q, func(v url.Values) { v.Set("offset", strconv.Itoa(f.Offset+f.Limit)) })
	}
	s.renderStatus(w, r, status, "record_list", pg)
}

type recordPage struct {
	Page
	Spec    isms.KindSpec
	History *app.RecordHistory
	// Events is the history in words (see the audit trail).
	Events []eventView
}

func (s *Server) handleRecord(w http.ResponseWriter, r *http.Request, m *app.Member) {
	spec, kerr := s.app.KindSpec(r.Context(), m.Principal, m.Org.Slug, isms.RecordKind(r.PathValue("kind"))) // issue 19: or its own
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if kerr != nil || err != nil {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "record not found"))
		return
	}
	h, err := s.app.Record(r.Context(), m.Principal, m.Org.Slug, spec.Kind, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	pg := &recordPage{Page: s.page(r, m, isms.KindSingular(spec.Kind)+" "+h.Record.Key), Spec: spec, History: h}
	pg.Nav = "records"
	if len(h.Events) > 0 {
		members, err := s.app.Members(r.Context(), m.Principal, m.Org.Slug)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		pg.Events = eventViews(h.Events, peopleOf(members), m.Org.Slug)
	}
	s.render(w, r, "record", pg)
}

type importPage struct {
	Page
	Kind     isms.RecordKind
	FileName string
	Token    string
	Result   *app.ImportResult
	Errors   []importer.RowError
	Summary  string // "3 problems", "the first 1,000 of 605,536 problems"
	// BadRows counts the rows (lines) with problems, listed or not.
	BadRows   int
	Truncated bool
	More      string            // "… and 2,000 more problems in 1,000 rows"
	DayOrder  importer.DayOrder // the upload form's choice; unset: the organisation's
	Profile   string            // the upload form's profile: "" pick by file name, app.NoProfile none
	// Sample is the first rows as parsed, in words, for the preview;
	// ProfilePattern the file pattern of a profile picked by it.
	Sample         *sampleTable
	ProfilePattern string
	Problem        string // shown after the progress lines, so streaming pages can carry it
}

// progressMark splits the import page: what comes before it is sent
// first, then progress lines while the file is read, then the rest.
const progressMark = `<i data-progress-mark hidden></i>`

// streamAbove is the upload size above which the import page streams
// progress lines instead of answering when done.
const streamAbove = 512 << 10

// handleImportUpload stores the upload in a private temporary file and
// shows what importing it would do (a dry run), with a confirm button. The
// form is read as a stream: the file goes to disk as it arrives (at most
// Limits.MaxUpload), never into memory.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request, m *app.Member) {
	release, err := s.importSlot(r.Context(), w)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer release()
	up, err := s.readImportForm(r)
	if err != nil {
		s.formError(w, r, m, err, s.handleRecords)
		return
	}
	dir := filepath.Dir(up.path)
	kind, format, name := up.kind, up.format, up.name
	if format == "" {
		f, ok := importer.FormatFromName(name)
		if !ok {
			os.RemoveAll(dir)
			s.formError(w, r, m, isms.Errorf(isms.EINVALID, "format: cannot tell the format of %s; choose csv, xlsx, json, trivy or grype", name), s.handleRecords)
			return
		}
		format = f
	}
	token := randomString()
	ctx := r.Context()
	s.sessions.Put(ctx, "upload:"+token, strings.Join([]string{up.path, string(kind), string(format), filepath.Base(name), m.Org.Slug, string(up.dayOrder), up.profile}, "\x00"))
	pg := &importPage{Page: s.page(r, m, "Import preview"), Kind: kind, FileName: name, Token: token, DayOrder: up.dayOrder, Profile: up.profile}
	pg.Nav = "records"
	s.importAndRender(w, r, m, up.path, kind, format, name, true, pg, func(res *app.ImportResult) {
		if res == nil {
			os.RemoveAll(dir)
			s.sessions.Remove(ctx, "upload:"+token)
			pg.Token = ""
		}
	})
}

// importForm is the upload form: the stored file and the fields.
type importForm struct {
	path, name string
	kind       isms.RecordKind
	format     importer.Format
	dayOrder   importer.DayOrder
	// profile is the import profile chosen ("" pick by file name,
	// app.NoProfile none); profileName names a profile being built from
	// the file (the profile pages' first step).
	profile, profileName string
}

// readImportForm streams the multipart upload form: the file part to disk
// (receiveUpload), the small fields into memory.
func (s *Server) readImportForm(r *http.Request) (*importForm, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, isms.Errorf(isms.EINVALID, "send the file as a multipart/form-data upload")
	}
	f := &importForm{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, s.dropUpload(f, s.bodyError(err, s.limits.MaxUpload, classUpload))
		}
		switch part.FormName() {
		case "file":
			if f.path != "" {
				return nil, s.dropUpload(f, isms.Errorf(isms.EINVALID, "send one file per import"))
			}
			if f.path, err = s.receiveUpload(part); err != nil {
				return nil, err
			}
			f.name = part.FileName()
		case "kind", "format", "day_order", "profile", "name":
			v, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return nil, s.dropUpload(f, s.bodyError(err, s.limits.MaxUpload, classUpload))
			}
			switch part.FormName() {
			case "kind":
				f.kind = isms.RecordKind(v)
			case "format":
				f.format = importer.Format(v)
			case "profile":
				f.profile = string(v)
			case "name":
				f.profileName = string(v)
			default:
				order, ok := importer.ParseDayOrder(string(v))
				if !ok {
					return nil, s.dropUpload(f, isms.Errorf(isms.EINVALID, "day order %q: choose day first, month first or the organisation's order", v))
				}
				f.dayOrder = order
			}
		}
		part.Close()
	}
	if f.path == "" {
		return nil, isms.Errorf(isms.EINVALID, "file: choose a file to import (at most %s)", size(s.limits.MaxUpload))
	}
	return f, nil
}

// dropUpload removes a partly received upload and returns err.
func (s *Server) dropUpload(f *importForm, err error) error {
	if f.path != "" {
		os.RemoveAll(filepath.Dir(f.path))
	}
	return err
}

// importAndRender runs the import and renders the import page. A large
// file streams: the top of the page goes out at once, then a line per
// ProgressEvery rows, then the result (with status 200 even when the file
// is rejected, since the status is sent first). A small file is answered
// when done, with 422 for a rejected file. after runs before the result is
// rendered.
func (s *Server) importAndRender(w http.ResponseWriter, r *http.Request, m *app.Member, path string, kind isms.RecordKind, format importer.Format, name string, dry bool, pg *importPage, after func(*app.ImportResult)) {
	st, err := os.Stat(path)
	if err != nil || st.Size() <= streamAbove {
		res, status := s.runImport(r, m, path, kind, format, name, dry, pg, nil)
		after(res)
		pg.Result = res
		s.renderStatus(w, r, status, "import", pg)
		return
	}
	rc := http.NewResponseController(w)
	head, _, ok := s.renderSplit(r, "import", pg)
	if !ok {
		http.Error(w, "internal error (request id "+requestID(r.Context())+")", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, head)
	_ = rc.Flush()
	progress := func(rows int, offset int64) {
		pct := ""
		if format != importer.FormatXLSX {
			pct = " (" + strconv.FormatInt(100*offset/st.Size(), 10) + " % of the file)"
		}
		_, _ = io.WriteString(w, "<p class=\"progress\">"+isms.Plural(rows, "row")+" read"+pct+"</p>\n")
		_ = rc.Flush()
	}
	res, _ := s.runImport(r, m, path, kind, format, name, dry, pg, progress)
	after(res)
	pg.Result = res
	_, tail, _ := s.renderSplit(r, "import", pg)
	_, _ = io.WriteString(w, tail)
}

// runImport imports (or dry-runs) a stored upload; on bad rows it fills
// the page's error list and returns a nil result with status 422.
func (s *Server) runImport(r *http.Request, m *app.Member, path string, kind isms.RecordKind, format importer.Format, name string, dry bool, pg *importPage, progress func(int, int64)) (*app.ImportResult, int) {
	f, err := os.Open(path)
	if err != nil {
		pg.Problem = "the uploaded file is gone; upload it again"
		return nil, http.StatusGone
	}
	defer f.Close()
	res, err := s.app.Import(r.Context(), m.Principal, app.ImportRequest{Org: m.Org.Slug, Kind: kind, Format: format, FileName: name, File: f, DryRun: dry, Progress: progress, DayOrder: pg.DayOrder, Profile: pg.Profile})
	var bad *importer.Error
	if errors.As(err, &bad) {
		pg.Errors, pg.Summary, pg.Truncated, pg.More = bad.Errors, bad.Summary(), bad.Truncated(), bad.More()
		pg.BadRows = bad.Rows
		if pg.BadRows == 0 { // a problem of the whole file
			lines := map[int]bool{}
			for _, e := range bad.Errors {
				lines[e.Line] = true
			}
			pg.BadRows = len(lines)
		}
		pg.Problem = "The file was rejected: nothing was stored. It has " + pg.Summary + " (below); fix them and upload it again."
		if bad.Truncated() {
			pg.Problem = "The file was rejected: nothing was stored. Below are " + pg.Summary + "; fix them and upload it again."
		}
		return nil, http.StatusUnprocessableEntity
	}
	if err != nil {
		pg.Problem = s.errorMessage(r, err)
		return nil, ErrorStatus(err)
	}
	pg.Sample = newSampleTable(res, pg.Zone)
	if res.ProfileMatched {
		if sp, err := s.app.ImportProfile(r.Context(), m.Principal, m.Org.Slug, res.Profile); err == nil {
			pg.ProfilePattern = sp.Profile.FilePattern
		}
	}
	return res, http.StatusOK
}

// handleImportConfirm imports the upload previewed before.
func (s *Server) handleImportConfirm(w http.ResponseWriter, r *http.Request, m *app.Member) {
	ctx := r.Context()
	token := r.PathValue("token")
	parts := strings.Split(s.sessions.PopString(ctx, "upload:"+token), "\x00")
	if len(parts) != 7 || parts[4] != m.Org.Slug {
		s.pageError(w, r, isms.Errorf(isms.ENOTFOUND, "this upload is no longer waiting; upload the file again"))
		return
	}
	path, kind, format, name := parts[0], isms.RecordKind(parts[1]), importer.Format(parts[2]), parts[3]
	release, err := s.importSlot(ctx, w)
	if err != nil {
		s.sessions.Put(ctx, "upload:"+token, strings.Join(parts, "\x00")) // the upload still waits: confirm again later
		s.pageError(w, r, err)
		return
	}
	defer release()
	defer os.RemoveAll(filepath.Dir(path))
	pg := &importPage{Page: s.page(r, m, "Import"), Kind: kind, FileName: name, DayOrder: importer.DayOrder(parts[5]), Profile: parts[6]}
	pg.Nav = "records"
	s.importAndRender(w, r, m, path, kind, format, name, false, pg, func(*app.ImportResult) {})
}

// handleDateOrder sets how the organisation's imports read slashed dates.
func (s *Server) handleDateOrder(w http.ResponseWriter, r *http.Request, m *app.Member) {
	order := r.PostFormValue("date_order")
	if err := s.app.SetDateOrder(r.Context(), m.Principal, m.Org.Slug, order); err != nil {
		s.formError(w, r, m, err, s.handleRecords)
		return
	}
	switch order {
	case "dmy":
		s.flash(r, "Imports now read slashed dates day first: 05/10/2026 is 5 October.")
	case "mdy":
		s.flash(r, "Imports now read slashed dates month first: 05/10/2026 is May 10.")
	default:
		s.flash(r, "Imports now refuse slashed dates unless the import says the order.")
	}
	if r.PostFormValue("back") == "settings" { // the settings page's form (issue 18)
		http.Redirect(w, r, "/o/"+m.Org.Slug+"/settings", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/o/"+m.Org.Slug+"/records", http.StatusSeeOther)
}

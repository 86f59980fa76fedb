package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// RecordJSON is an operational record in the API: its columns as a flat
// object (timestamps RFC 3339 in UTC, booleans, text) plus attributes.
type RecordJSON struct {
	ID         int64             `json:"id"`
	Kind       string            `json:"kind"`
	Key        string            `json:"key"`
	Values     map[string]any    `json:"values"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

func recordJSON(r isms.Record) RecordJSON {
	out := RecordJSON{ID: r.ID, Kind: string(r.Kind), Key: r.Key, Values: map[string]any{}, Attributes: r.Attributes}
	for k, v := range r.Texts {
		out.Values[k] = v
	}
	for k, v := range r.Bools {
		out.Values[k] = v
	}
	for k, v := range r.Times {
		out.Values[k] = v.UTC().Format(time.RFC3339)
	}
	return out
}

// ImportJSON is the result of an import through the API.
type ImportJSON struct {
	ImportID  int64  `json:"import_id,omitempty"`
	Kind      string `json:"kind"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Fixed     int    `json:"fixed,omitempty" doc:"Vulnerabilities a scan closed."`
	SHA256    string `json:"sha256"`
	DryRun    bool   `json:"dry_run"`
	Delimiter string `json:"delimiter,omitempty" doc:"How a CSV body was split: comma, semicolon, tab or pipe."`
	Encoding  string `json:"encoding,omitempty" doc:"The text encoding a CSV body was read in: UTF-8, UTF-8 with BOM, UTF-16 LE or UTF-16 BE."`
	// Import profiles (issue 15).
	Profile        string           `json:"profile,omitempty" doc:"The import profile the body was read with; absent: none."`
	ProfileMatched bool             `json:"profile_matched,omitempty" doc:"The profile was picked by its file pattern matching file_name, not named."`
	DayOrder       string           `json:"day_order,omitempty" doc:"How slashed dates were read: dmy (day first) or mdy (month first); absent: they were refused."`
	Sample         []map[string]any `json:"sample" doc:"The first 20 rows as they are (or would be) stored: field to value, times RFC 3339 in UTC, booleans, text; attributes under attributes."`
}

// sampleJSON is the first rows of an import, field to value.
func sampleJSON(recs []isms.Record) []map[string]any {
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		row := recordJSON(r).Values
		if len(r.Attributes) > 0 {
			row["attributes"] = r.Attributes
		}
		out = append(out, row)
	}
	return out
}

// KindPath is a record kind in an API path.
type KindPath struct {
	OrgPath
	// Issue 19: or the key of a kind of the organisation's own.
	Kind string `path:"kind" pattern:"^[a-z][a-z0-9_]{0,59}$" doc:"A built-in kind (access_removals, incidents, restore_tests, suppliers, supplier_assessments, changes, vulnerabilities, training, deviations, audit_findings) or the key of a record kind of the organisation's own (record-kinds)."`
}

// ListFilterParams are the filters of the record lists, the same as the
// filter bar of their pages.
type ListFilterParams struct {
	Period   string `query:"period" maxLength:"7" doc:"A month (2026-10) or quarter (2026-Q4) in the organisation's time zone; keeps records whose main time lies in it, start included, end excluded."`
	Status   string `query:"status" doc:"open or closed for kinds with a closing column (incidents resolved_at, vulnerabilities fixed_at, training completed_at, access_removals access_removed_at, deviations and audit_findings closed_at; open means empty), pass or fail for restore_tests. Other kinds: 422."`
	Severity string `query:"severity" doc:"A severity, for incidents, vulnerabilities and deviations."`
	Owner    string `query:"owner" maxLength:"100" doc:"The person (training, access_removals), case-insensitive, exact."`
}

func (s *Server) apiRecordRoutes(api huma.API) {
	tags := []string{"records"}
	huma.Register(api, huma.Operation{OperationID: "list-records", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/records/{kind}", Summary: "Records of a kind, filtered, sorted and paginated", Tags: tags},
		func(ctx context.Context, in *struct {
			KindPath
			PageParams
			Q    string `query:"q" doc:"Case-insensitive substring of the natural key."`
			Sort string `query:"sort" doc:"A column of the kind, or id. Default: newest first by the kind's main time (incidents detected_at, changes implemented_at, training due_at, vulnerabilities found_at, restore_tests tested_at, deviations detected_at, audit_findings raised_at, access_removals employment_ended_at, supplier_assessments assessed_at; suppliers by id), ties by id; dir is then ignored."`
			Dir  string `query:"dir" enum:"asc,desc" default:"asc" doc:"Direction of sort."`
			ListFilterParams
			After string `query:"after" maxLength:"64" doc:"The next of the previous page: the page after it, whose cost does not grow with how deep into the list it is (offset's does). In the default order and with sort=id; not with offset or count."`
		}) (*cursorListOutput[RecordJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*cursorListOutput[RecordJSON], error) {
				f := store.RecordFilter{Query: in.Q, Sort: in.Sort, Desc: in.Dir == "desc", Limit: in.Limit, Offset: in.Offset,
					Period: in.Period, Status: in.Status, Severity: in.Severity, Owner: in.Owner, NoCount: !in.Count}
				if in.After != "" {
					at, id, err := parseCursor(in.After, "record")
					if err != nil {
						return nil, err
					}
					f.After = &store.RecordKey{Time: at, ID: id}
				}
				recs, total, err := s.app.Records(ctx, p, in.Org, isms.RecordKind(in.Kind), f)
				if err != nil {
					return nil, err
				}
				out := &cursorListOutput[RecordJSON]{}
				out.Body.Items = []RecordJSON{}
				for _, r := range recs {
					out.Body.Items = append(out.Body.Items, recordJSON(r))
				}
				out.page(in.PageParams, total, moreAfter(in.PageParams, len(recs), total), func() string {
					if in.Sort != "" && in.Sort != "id" {
						return "" // another order pages by offset only
					}
					k := store.RecordKeyOf(isms.RecordKind(in.Kind), recs[len(recs)-1])
					return cursor(k.Time, k.ID)
				})
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-record", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/records/{kind}/{id}", Summary: "One record with its history (history for those who may read the audit trail)", Tags: tags},
		func(ctx context.Context, in *struct {
			KindPath
			ID int64 `path:"id"`
		}) (*struct{ Body RecordDetailJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RecordDetailJSON }, error) {
				h, err := s.app.Record(ctx, p, in.Org, isms.RecordKind(in.Kind), in.ID)
				if err != nil {
					return nil, err
				}
				out := &struct{ Body RecordDetailJSON }{}
				out.Body.Record = recordJSON(h.Record)
				out.Body.History = []EventJSON{}
				for _, e := range h.Events {
					out.Body.History = append(out.Body.History, eventJSON(e))
				}
				return out, nil
			})
		})

	// The import body is the file itself (fileBody).
	importOp := huma.Operation{OperationID: "import-records", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/records/{kind}/imports",
		Summary: "Import a file or a JSON array of records, all or nothing",
		Description: "The body is the file itself (CSV, XLSX, JSON array, or a Trivy/Grype report with format=trivy|grype), at most " + size(s.limits.MaxUpload) +
			" (413 beyond). A file with any bad row stores nothing and is answered 422 with the first 1,000 problems in errors[] (location: line and column) and their total in the detail. " +
			"When the server already runs its most imports at once, the answer is 429 with Retry-After.",
		Tags: tags,
	}
	huma.Register(api, fileBody(importOp),
		func(ctx context.Context, in *struct {
			KindPath
			Format    string `query:"format" enum:"csv,xlsx,json,trivy,grype" default:"json" doc:"Format of the body."`
			DryRun    bool   `query:"dry_run" doc:"Say what would change, store nothing."`
			FileName  string `query:"file_name" doc:"Name recorded in the audit trail."`
			ScannedAt string `query:"scanned_at" doc:"RFC 3339 scan time for a scanner report that has none."`
			DayFirst  string `query:"day_first" enum:"true,false" doc:"How to read slashed dates: true, 05/10/2026 is 5 October; false, May 10. Absent: the profile's date order, else the organisation's; without one, slashed dates are refused."`
			Profile   string `query:"profile" maxLength:"64" doc:"The import profile to read the body with (any case); none for no profile. Absent: the profile of the kind whose file pattern matches file_name, if any."`
		}) (*struct{ Body ImportJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ImportJSON }, error) {
				req := app.ImportRequest{Org: in.Org, Kind: isms.RecordKind(in.Kind), Format: importer.Format(in.Format), FileName: in.FileName, DryRun: in.DryRun, Profile: in.Profile}
				if req.FileName == "" {
					req.FileName = "api upload"
				}
				switch in.DayFirst {
				case "true":
					req.DayOrder = importer.DayFirst
				case "false":
					req.DayOrder = importer.MonthFirst
				}
				if in.ScannedAt != "" {
					t, err := time.Parse(time.RFC3339, in.ScannedAt)
					if err != nil {
						return nil, huma.Error422UnprocessableEntity("scanned_at: use RFC 3339")
					}
					req.ScannedAt = &t
				}
				// Refuse a caller who may not import before reading the body.
				f, done, err := s.apiUpload(ctx, func() error { return s.app.CanImport(ctx, p, in.Org) })
				if err != nil {
					return nil, err
				}
				defer done()
				req.File = f
				res, err := s.app.Import(ctx, p, req)
				if err != nil {
					return nil, s.apiImportError(ctx, err)
				}
				return &struct{ Body ImportJSON }{ImportJSON{ImportID: res.ImportID, Kind: string(res.Kind), Rows: res.Rows, Created: res.Created,
					Updated: res.Updated, Unchanged: res.Unchanged, Fixed: res.Fixed, SHA256: res.SHA256, DryRun: res.DryRun,
					Delimiter: res.Layout.Delimiter, Encoding: res.Layout.Encoding,
					Profile: res.Profile, ProfileMatched: res.ProfileMatched, DayOrder: string(res.DayOrder), Sample: sampleJSON(res.Sample)}}, nil
			})
		})
}

// fileBody makes op take a file as its body, read as a stream (never into
// memory): huma is told about it for the OpenAPI document only, and the
// handler reads the request's body, which bodyKey carries (apiUpload).
func fileBody(op huma.Operation) huma.Operation {
	op.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}},
	}}
	op.Middlewares = append(op.Middlewares, func(ctx huma.Context, next func(huma.Context)) {
		r, _ := humago.Unwrap(ctx)
		next(huma.WithValue(ctx, bodyKey, r.Body))
	})
	return op
}

// apiUpload is the preamble of an API operation that takes a file as its
// body: can says whether the caller may (checked before a byte is read),
// then the server's import slot is taken (429 with Retry-After when all
// are busy) and the body is received into a temporary file within the
// upload limits. done closes and removes the file and frees the slot.
// The error is the huma answer to return.
func (s *Server) apiUpload(ctx context.Context, can func() error) (f *os.File, done func(), err error) {
	if err := can(); err != nil {
		return nil, nil, s.apiError(ctx, err)
	}
	hdr := http.Header{}
	release, err := s.importSlot(ctx, headerSink(hdr))
	if err != nil {
		return nil, nil, huma.ErrorWithHeaders(s.apiError(ctx, err), hdr)
	}
	body, _ := ctx.Value(bodyKey).(io.Reader)
	path, err := s.receiveUpload(body)
	if err != nil {
		release()
		return nil, nil, huma.ErrorWithHeaders(s.apiError(ctx, err), http.Header{"Connection": {"close"}})
	}
	if f, err = os.Open(path); err != nil {
		os.RemoveAll(filepath.Dir(path))
		release()
		return nil, nil, s.apiError(ctx, err)
	}
	return f, func() {
		f.Close()
		os.RemoveAll(filepath.Dir(path))
		release()
	}, nil
}

// apiImportError answers an import's error: a rejected file (*importer.Error)
// is a 422 listing its bad rows in errors[] (location: line and column),
// anything else goes through apiError.
func (s *Server) apiImportError(ctx context.Context, err error) error {
	var bad *importer.Error
	if !errors.As(err, &bad) {
		herr := s.apiError(ctx, err)
		if m, ok := herr.(*huma.ErrorModel); ok {
			m.Detail = apiWords(m.Detail)
		}
		return herr
	}
	details := make([]error, 0, len(bad.Errors))
	for _, re := range bad.Errors {
		details = append(details, &huma.ErrorDetail{Message: apiWords(re.Reason), Location: rowLocation(re), Value: re.Value})
	}
	more := ""
	if m := bad.More(); m != "" {
		more = " (" + m + " not listed)"
	}
	return huma.Error422UnprocessableEntity("the file was rejected, nothing was stored: "+bad.Summary()+
		" listed in errors"+more+"; fix them and send it again", details...)
}

// apiWords rewrites the advice of an import's messages, written for the
// command line (pdca import --day-first), in the API's words: its query
// parameters and paths.
func apiWords(msg string) string {
	msg = apiAdvice.Replace(msg)
	return scanKindAdvice.ReplaceAllString(msg, "format=$1 imports vulnerabilities: send it to /api/v1/orgs/{org}/records/vulnerabilities/imports")
}

var (
	apiAdvice = strings.NewReplacer(
		importer.DayOrderAdvice, "send day_first=true (05/10/2026 is 5 October) or day_first=false (May 10), "+
			"or name an import profile with a date order (profile=), or set the organisation's date order on its records page; "+
			"or write dates as 2026-10-05",
		importer.ScannedAtAdvice, "send the scan's time as scanned_at=2026-10-01T09:00:00Z")
	// app.Import's refusal of a scanner format for another kind.
	scanKindAdvice = regexp.MustCompile(`--format (\S+) imports vulnerabilities; use --kind vulnerabilities`)
)

// bodyKey carries the request body of a streaming API operation.
type bodyKeyType struct{}

var bodyKey bodyKeyType

// headerSink is a ResponseWriter that only collects headers (importSlot
// sets Retry-After on it; huma writes the answer).
type headerSink http.Header

func (h headerSink) Header() http.Header         { return http.Header(h) }
func (h headerSink) Write(b []byte) (int, error) { return len(b), nil }
func (h headerSink) WriteHeader(int)             {}

// rowLocation names where a bad value is: "line 3, column severity".
func rowLocation(e importer.RowError) string {
	loc := "line " + itoa(e.Line)
	if e.Column != "" {
		loc += ", column " + e.Column
	}
	return loc
}

// RecordDetailJSON is a record with its history: the audit events of the
// record, empty for those who may not read the audit trail.
type RecordDetailJSON struct {
	Record  RecordJSON  `json:"record"`
	History []EventJSON `json:"history"`
}

package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

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
}

// KindPath is a record kind in an API path.
type KindPath struct {
	OrgPath
	Kind string `path:"kind" enum:"access_removals,incidents,restore_tests,suppliers,supplier_assessments,changes,vulnerabilities,training,deviations,audit_findings"`
}

func (s *Server) apiRecordRoutes(api huma.API) {
	tags := []string{"records"}
	huma.Register(api, huma.Operation{OperationID: "list-records", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/records/{kind}", Summary: "Records of a kind, filtered, sorted and paginated", Tags: tags},
		func(ctx context.Context, in *struct {
			KindPath
			PageParams
			Q    string `query:"q" doc:"Case-insensitive substring of the natural key."`
			Sort string `query:"sort" doc:"A column of the kind; default id."`
			Dir  string `query:"dir" enum:"asc,desc" default:"asc"`
		}) (*listOutput[RecordJSON], error) {
			p, err := apiPrincipal(ctx)
			if err != nil {
				return nil, err
			}
			recs, total, err := s.app.Records(ctx, p, in.Org, isms.RecordKind(in.Kind), store.RecordFilter{Query: in.Q, Sort: in.Sort, Desc: in.Dir == "desc", Limit: in.Limit, Offset: in.Offset})
			if err != nil {
				return nil, s.apiError(ctx, err)
			}
			out := &listOutput[RecordJSON]{}
			out.Body.Items = []RecordJSON{}
			for _, r := range recs {
				out.Body.Items = append(out.Body.Items, recordJSON(r))
			}
			out.Body.Total = total
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-record", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/records/{kind}/{id}", Summary: "One record with its history (history for those who may read the audit trail)", Tags: tags},
		func(ctx context.Context, in *struct {
			KindPath
			ID int64 `path:"id"`
		}) (*struct {
			Body struct {
				Record  RecordJSON  `json:"record"`
				History []EventJSON `json:"history"`
			}
		}, error) {
			p, err := apiPrincipal(ctx)
			if err != nil {
				return nil, err
			}
			h, err := s.app.Record(ctx, p, in.Org, isms.RecordKind(in.Kind), in.ID)
			if err != nil {
				return nil, s.apiError(ctx, err)
			}
			out := &struct {
				Body struct {
					Record  RecordJSON  `json:"record"`
					History []EventJSON `json:"history"`
				}
			}{}
			out.Body.Record = recordJSON(h.Record)
			out.Body.History = []EventJSON{}
			for _, e := range h.Events {
				out.Body.History = append(out.Body.History, eventJSON(e))
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "import-records", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/records/{kind}/imports",
		Summary:     "Import a file or a JSON array of records, all or nothing",
		Description: "The body is the file itself (CSV, XLSX, JSON array, or a Trivy/Grype report with format=trivy|grype). A file with any bad row stores nothing and is answered 422 with every bad row in errors[] (location: line and column).",
		Tags:        tags, MaxBodyBytes: maxUpload},
		func(ctx context.Context, in *struct {
			KindPath
			Format    string `query:"format" enum:"csv,xlsx,json,trivy,grype" default:"json" doc:"Format of the body."`
			DryRun    bool   `query:"dry_run" doc:"Say what would change, store nothing."`
			FileName  string `query:"file_name" doc:"Name recorded in the audit trail."`
			ScannedAt string `query:"scanned_at" doc:"RFC 3339 scan time for a scanner report that has none."`
			RawBody   []byte
		}) (*struct{ Body ImportJSON }, error) {
			p, err := apiPrincipal(ctx)
			if err != nil {
				return nil, err
			}
			req := app.ImportRequest{Org: in.Org, Kind: isms.RecordKind(in.Kind), Format: importer.Format(in.Format), FileName: in.FileName,
				File: bytes.NewReader(in.RawBody), DryRun: in.DryRun}
			if req.FileName == "" {
				req.FileName = "api upload"
			}
			if in.ScannedAt != "" {
				t, err := time.Parse(time.RFC3339, in.ScannedAt)
				if err != nil {
					return nil, huma.Error422UnprocessableEntity("scanned_at: use RFC 3339")
				}
				req.ScannedAt = &t
			}
			res, err := s.app.Import(ctx, p, req)
			var bad *importer.Error
			if errors.As(err, &bad) {
				details := make([]error, 0, len(bad.Errors))
				for _, re := range bad.Errors {
					details = append(details, &huma.ErrorDetail{Message: re.Reason, Location: rowLocation(re), Value: re.Value})
				}
				return nil, huma.Error422UnprocessableEntity("the file was rejected, nothing was stored: fix every row listed in errors and send it again", details...)
			}
			if err != nil {
				return nil, s.apiError(ctx, err)
			}
			return &struct{ Body ImportJSON }{ImportJSON{ImportID: res.ImportID, Kind: string(res.Kind), Rows: res.Rows, Created: res.Created,
				Updated: res.Updated, Unchanged: res.Unchanged, Fixed: res.Fixed, SHA256: res.SHA256, DryRun: res.DryRun}}, nil
		})
}

// rowLocation names where a bad value is: "line 3, column severity".
func rowLocation(e importer.RowError) string {
	loc := "line " + itoa(e.Line)
	if e.Column != "" {
		loc += ", column " + e.Column
	}
	return loc
}

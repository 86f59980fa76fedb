package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: record kinds of an organisation's own (docs/record-kinds.md).

// FieldDefJSON is one column of a record kind.
type FieldDefJSON struct {
	Name   string   `json:"name" minLength:"1" maxLength:"60" doc:"Lower-case letters, digits and underscores, starting with a letter; the import file's header names it (case, spaces and hyphens do not matter)."`
	Type   string   `json:"type" enum:"text,enum,bool,time,number"`
	Key    bool     `json:"key,omitempty" doc:"Part of the natural key: required in every row; a row with the key of a stored record updates it."`
	Values []string `json:"values,omitempty" maxItems:"50" doc:"The allowed values of an enum column (compared in lower case)."`
}

// RecordKindBody is a record kind's definition as sent.
type RecordKindBody struct {
	Key    string         `json:"key,omitempty" maxLength:"60" doc:"Lower-case identifier, never a built-in kind's name; on update it may be left out (it cannot change)."`
	Title  string         `json:"title" minLength:"1" maxLength:"200"`
	Fields []FieldDefJSON `json:"fields" minItems:"1" maxItems:"40"`
}

// RecordKindJSON is a record kind of the organisation's own.
type RecordKindJSON struct {
	Key       string         `json:"key"`
	Title     string         `json:"title"`
	Fields    []FieldDefJSON `json:"fields"`
	Records   int            `json:"records" doc:"Records of the kind."`
	Metrics   []string       `json:"metrics" doc:"Keys of the current metrics that read the kind; while there are any it cannot be deleted."`
	CreatedAt time.Time      `json:"created_at"`
	CreatedBy string         `json:"created_by"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func fieldDefsJSON(c isms.CustomKind) []FieldDefJSON {
	out := []FieldDefJSON{}
	for _, d := range c.FieldDefs() {
		out = append(out, FieldDefJSON{Name: d.Name, Type: string(d.Type), Key: d.Key, Values: d.Values})
	}
	return out
}

func recordKindJSON(k app.RecordKindInfo) RecordKindJSON {
	ms := k.Metrics
	if ms == nil {
		ms = []string{}
	}
	return RecordKindJSON{Key: k.Key, Title: k.Title, Fields: fieldDefsJSON(k.CustomKind), Records: k.Records, Metrics: ms,
		CreatedAt: k.CreatedAt.UTC(), CreatedBy: k.CreatedBy, UpdatedAt: k.UpdatedAt.UTC()}
}

func (b RecordKindBody) input() app.RecordKindInput {
	in := app.RecordKindInput{Key: b.Key, Title: b.Title}
	for _, f := range b.Fields {
		in.Fields = append(in.Fields, isms.FieldDef{Name: f.Name, Type: isms.FieldType(f.Type), Key: f.Key, Values: f.Values})
	}
	return in
}

// RecordKindPath names a record kind of the organisation's own.
type RecordKindPath struct {
	OrgPath
	Key string `path:"key" maxLength:"60" doc:"The kind's key."`
}

func (s *Server) apiRecordKindRoutes(api huma.API) {
	tags := []string{"records"}
	base := "/api/v1/orgs/{org}/record-kinds"
	huma.Register(api, huma.Operation{OperationID: "list-record-kinds", Method: http.MethodGet, Path: base,
		Summary: "The organisation's own record kinds, by key", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*listOutput[RecordKindJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[RecordKindJSON], error) {
				ks, err := s.app.RecordKinds(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[RecordKindJSON]{}
				out.Body.Items = []RecordKindJSON{}
				for _, k := range ks {
					out.Body.Items = append(out.Body.Items, recordKindJSON(k))
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-record-kind", Method: http.MethodGet, Path: base + "/{key}",
		Summary: "One record kind of the organisation's own", Tags: tags},
		func(ctx context.Context, in *RecordKindPath) (*struct{ Body RecordKindJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RecordKindJSON }, error) {
				k, err := s.app.RecordKind(ctx, p, in.Org, in.Key)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RecordKindJSON }{recordKindJSON(*k)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-record-kind", Method: http.MethodPost, Path: base,
		Summary:     "Define a record kind of the organisation's own",
		Description: "Its records are then imported, listed, exported and measured like a built-in kind's, under its key (records/{kind}). 409 when the key is taken.",
		Tags:        tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body RecordKindBody
		}) (*struct{ Body RecordKindJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RecordKindJSON }, error) {
				k, err := s.app.CreateRecordKind(ctx, p, in.Org, in.Body.input())
				if err != nil {
					return nil, err
				}
				return &struct{ Body RecordKindJSON }{recordKindJSON(app.RecordKindInfo{RecordKindRow: *k, Metrics: []string{}})}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-record-kind", Method: http.MethodPut, Path: base + "/{key}",
		Summary:     "Replace a record kind's title and columns",
		Description: "The key stays. Once the kind has records its key columns and the type of every column kept cannot change, and enum values cannot be removed; columns may be added or removed, except those a metric reads.",
		Tags:        tags},
		func(ctx context.Context, in *struct {
			RecordKindPath
			Body RecordKindBody
		}) (*struct{ Body RecordKindJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RecordKindJSON }, error) {
				if _, err := s.app.UpdateRecordKind(ctx, p, in.Org, in.Key, in.Body.input()); err != nil {
					return nil, err
				}
				k, err := s.app.RecordKind(ctx, p, in.Org, in.Key)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RecordKindJSON }{recordKindJSON(*k)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "delete-record-kind", Method: http.MethodDelete, Path: base + "/{key}",
		Summary:     "Delete a record kind of the organisation's own and all its records",
		Description: "409, naming them, while metrics read the kind. The records are deleted; the audit trail keeps their history.",
		Tags:        tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *RecordKindPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if _, err := s.app.DeleteRecordKind(ctx, p, in.Org, in.Key); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})
}

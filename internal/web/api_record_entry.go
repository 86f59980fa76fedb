package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// RecordInputJSON is one record to create or replace through the API.
type RecordInputJSON struct {
	Values map[string]any `json:"values" doc:"The kind's columns by name, as in an import: timestamps as RFC 3339, or YYYY-MM-DD HH:MM / YYYY-MM-DD in the organisation's zone; booleans as true/false (or yes/no, 1/0); enum values in any case. null or an empty string: unknown. On update, a column not sent becomes empty."`
	// Attributes replace the record's attributes; absent keeps them (update).
	Attributes map[string]string `json:"attributes,omitempty" doc:"Extra columns kept with the record. On update, absent keeps the stored ones; {} removes them."`
}

// IncidentReportJSON is a suspected incident reported through the API.
type IncidentReportJSON struct {
	What      string `json:"what" maxLength:"2000" doc:"What happened."`
	NoticedAt string `json:"noticed_at,omitempty" doc:"When it was noticed, RFC 3339; default now."`
	Severity  string `json:"severity,omitempty" enum:"critical,high,medium,low," doc:"A guess, or empty."`
	Contact   string `json:"contact,omitempty" maxLength:"200" doc:"How to reach the reporter."`
}

// ReportReceiptJSON is what a reporter is told.
type ReportReceiptJSON struct {
	Ref        string    `json:"ref"`
	RecordID   int64     `json:"record_id"`
	ReportedAt time.Time `json:"reported_at"`
	Told       []string  `json:"told" doc:"Who was notified."`
	Process    string    `json:"process,omitempty" doc:"The incident process whose owner was notified."`
}

// reportReceiptOutput is the answer to a report: the incident it created
// is a record of kind incidents.
type reportReceiptOutput struct {
	Location string `header:"Location"`
	Body     ReportReceiptJSON
}

// apiValues turns JSON values into the strings an import reads.
func apiValues(in map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(in))
	var details []error
	for k, v := range in {
		switch x := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			details = append(details, &huma.ErrorDetail{Message: "expected a string, number, boolean or null", Location: "body.values." + k})
		}
	}
	if details != nil {
		return nil, huma.Error422UnprocessableEntity("nothing was stored: values must be strings, numbers, booleans or null", details...)
	}
	return out, nil
}

// recordEntryError is the problem document of a failed entry: each bad
// value in errors[] at body.values.<column>.
func (s *Server) recordEntryError(ctx context.Context, err error) error {
	var fe *app.FieldErrors
	if !errors.As(err, &fe) {
		return s.apiError(ctx, err)
	}
	details := make([]error, 0, len(fe.Fields))
	for _, p := range fe.Problems() {
		loc := "body.values"
		if p.Field != "" {
			loc += "." + p.Field
		}
		details = append(details, &huma.ErrorDetail{Message: p.Reason, Location: loc})
	}
	return huma.Error422UnprocessableEntity(fe.Error(), details...)
}

func (s *Server) apiRecordEntryRoutes(api huma.API) {
	tags := []string{"records"}
	type recordOut struct{ Body RecordJSON }
	huma.Register(api, huma.Operation{OperationID: "create-record", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/records/{kind}",
		Summary: "Create one record", Description: "Values are read exactly as in an import. 422 lists each bad value in errors[] and stores nothing; 409 when the natural key is taken.",
		Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			KindPath
			Body RecordInputJSON
		}) (*recordOut, error) {
			return asCaller(ctx, s, func(p app.Principal) (*recordOut, error) {
				vals, err := apiValues(in.Body.Values)
				if err != nil {
					return nil, err
				}
				rec, err := s.app.CreateRecord(ctx, p, in.Org, isms.RecordKind(in.Kind), app.RecordValues{Values: vals, Attributes: in.Body.Attributes})
				if err != nil {
					return nil, s.recordEntryError(ctx, err)
				}
				return &recordOut{recordJSON(rec)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-record", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/records/{kind}/{id}",
		Summary: "Replace the values of one record", Description: "Every column takes the value sent (a column not sent becomes empty). The key may change if no other record has the new one (409 otherwise).",
		Tags: tags},
		func(ctx context.Context, in *struct {
			KindPath
			ID   int64 `path:"id"`
			Body RecordInputJSON
		}) (*recordOut, error) {
			return asCaller(ctx, s, func(p app.Principal) (*recordOut, error) {
				vals, err := apiValues(in.Body.Values)
				if err != nil {
					return nil, err
				}
				rec, err := s.app.UpdateRecord(ctx, p, in.Org, isms.RecordKind(in.Kind), in.ID, app.RecordValues{Values: vals, Attributes: in.Body.Attributes})
				if err != nil {
					return nil, s.recordEntryError(ctx, err)
				}
				return &recordOut{recordJSON(rec)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "delete-record", Method: http.MethodDelete, Path: "/api/v1/orgs/{org}/records/{kind}/{id}",
		Summary: "Delete one record", Description: "key must be the record's natural key (409 otherwise), so a wrong id deletes nothing. The record's history stays in the audit trail.",
		Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			KindPath
			ID  int64  `path:"id"`
			Key string `query:"key" required:"true" doc:"The record's natural key, as a check."`
		}) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.DeleteRecord(ctx, p, in.Org, isms.RecordKind(in.Kind), in.ID, in.Key); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "report-incident", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/incident-reports",
		Summary: "Report a suspected incident", Description: "Any member may. Creates an incident with a generated ref, detected now, and notifies the incident process owner (else the ISMS managers).",
		Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body IncidentReportJSON
		}) (*reportReceiptOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*reportReceiptOutput, error) {
				rep := app.IncidentReport{What: in.Body.What, Severity: in.Body.Severity, Contact: in.Body.Contact}
				if in.Body.NoticedAt != "" {
					t, err := time.Parse(time.RFC3339, in.Body.NoticedAt)
					if err != nil {
						return nil, huma.Error422UnprocessableEntity("noticed_at: use RFC 3339, e.g. 2026-10-01T09:00:00+03:00", &huma.ErrorDetail{Location: "body.noticed_at", Value: in.Body.NoticedAt, Message: "not RFC 3339"})
					}
					rep.NoticedAt = &t
				}
				rc, err := s.app.ReportIncident(ctx, p, in.Org, rep)
				if err != nil {
					var fe *app.FieldErrors
					if errors.As(err, &fe) {
						details := []error{}
						for _, pr := range fe.Problems() {
							details = append(details, &huma.ErrorDetail{Location: "body." + pr.Field, Message: pr.Reason})
						}
						return nil, huma.Error422UnprocessableEntity(fe.Error(), details...)
					}
					return nil, err
				}
				told := rc.Told
				if told == nil {
					told = []string{}
				}
				return &reportReceiptOutput{Location: "/api/v1/orgs/" + url.PathEscape(in.Org) + "/records/" + string(isms.KindIncidents) + "/" + strconv.FormatInt(rc.RecordID, 10),
					Body: ReportReceiptJSON{Ref: rc.Ref, RecordID: rc.RecordID, ReportedAt: rc.ReportedAt, Told: told, Process: rc.Process}}, nil
			})
		})
}

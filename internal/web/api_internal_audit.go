package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// AuditPath is an internal audit in an API path.
type AuditPath struct {
	OrgPath
	ID int64 `path:"id" doc:"Internal audit id."`
}

// FindingJSON is an audit finding in the API.
type FindingJSON struct {
	ID          int64      `json:"id"`
	Ref         string     `json:"ref"`
	Kind        string     `json:"kind" enum:"major,minor,observation,opportunity"`
	Title       string     `json:"title"`
	RaisedAt    time.Time  `json:"raised_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	DeviationID int64      `json:"deviation_id,omitempty"`
}

// InternalAuditJSON is an internal audit in the API.
type InternalAuditJSON struct {
	ID        int64         `json:"id"`
	Year      int           `json:"year"`
	Title     string        `json:"title"`
	Clauses   []string      `json:"clauses"`
	Controls  []string      `json:"controls"`
	Processes []int64       `json:"processes"`
	PlannedOn time.Time     `json:"planned_on"`
	ActualOn  *time.Time    `json:"actual_on,omitempty"`
	LeadID    int64         `json:"lead_auditor_id"`
	Override  string        `json:"independence_override,omitempty"`
	Findings  []FindingJSON `json:"findings"`
}

func findingJSON(f *isms.Finding) FindingJSON {
	return FindingJSON{ID: f.ID, Ref: f.Ref, Kind: f.Kind, Title: f.Title, RaisedAt: f.RaisedAt, ClosedAt: f.ClosedAt, DeviationID: f.DeviationID}
}

func internalAuditJSON(a *isms.InternalAudit) InternalAuditJSON {
	out := InternalAuditJSON{ID: a.ID, Year: a.Year, Title: a.Title, Clauses: append([]string{}, a.Clauses...), Controls: append([]string{}, a.Controls...),
		Processes: append([]int64{}, a.Processes...), PlannedOn: a.PlannedOn, ActualOn: a.ActualOn, LeadID: a.LeadID, Override: a.Override, Findings: []FindingJSON{}}
	for i := range a.Findings {
		out.Findings = append(out.Findings, findingJSON(&a.Findings[i]))
	}
	return out
}

func (s *Server) apiInternalAuditRoutes(api huma.API) {
	tags := []string{"internal audits"}
	base := "/api/v1/orgs/{org}/audits"
	huma.Register(api, huma.Operation{OperationID: "list-internal-audits", Method: http.MethodGet, Path: base, Summary: "The audit programme of a year, by planned date, paged (findings on each audit)", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Year     int    `query:"year" doc:"Default the current year."`
			Standard string `query:"standard" maxLength:"20" doc:"Only audits that serve this standard (a key; iso27001 includes untagged ones)."`
		}) (*listOutput[InternalAuditJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[InternalAuditJSON], error) {
				year := in.Year
				if year == 0 {
					year = s.app.DB.Now().UTC().Year()
				}
				pg, err := s.app.AuditListFor(ctx, p, in.Org, year, in.Standard, app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count})
				if err != nil {
					return nil, err
				}
				as := pg.Items
				out := &listOutput[InternalAuditJSON]{}
				out.Body.Items = []InternalAuditJSON{}
				for i := range as {
					out.Body.Items = append(out.Body.Items, internalAuditJSON(&as[i]))
				}
				out.page(in.PageParams, pg.Total, pg.More)
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-internal-audit", Method: http.MethodGet, Path: base + "/{id}", Summary: "One audit with its findings", Tags: tags},
		func(ctx context.Context, in *AuditPath) (*struct{ Body InternalAuditJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body InternalAuditJSON }, error) {
				au, err := s.app.Audit(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &struct{ Body InternalAuditJSON }{internalAuditJSON(au)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-internal-audit", Method: http.MethodPost, Path: base, Summary: "Plan an internal audit", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				Title     string     `json:"title" minLength:"1" maxLength:"200"`
				Clauses   []string   `json:"clauses,omitempty"`
				Controls  []string   `json:"controls,omitempty"`
				Processes []int64    `json:"processes,omitempty"`
				PlannedOn time.Time  `json:"planned_on"`
				ActualOn  *time.Time `json:"actual_on,omitempty"`
				LeadEmail string     `json:"lead_auditor_email"`
				Override  string     `json:"independence_override,omitempty" doc:"Reason to keep a lead auditor who owns a process in scope."`
			}
		}) (*struct{ Body InternalAuditJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body InternalAuditJSON }, error) {
				b := in.Body
				au, err := s.app.CreateAudit(ctx, p, in.Org, app.AuditInput{Title: b.Title, Clauses: b.Clauses, Controls: b.Controls, Processes: b.Processes,
					PlannedOn: b.PlannedOn, ActualOn: b.ActualOn, LeadEmail: b.LeadEmail, Override: b.Override})
				if err != nil {
					return nil, err
				}
				return &struct{ Body InternalAuditJSON }{internalAuditJSON(au)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "raise-audit-finding", Method: http.MethodPost, Path: base + "/{id}/findings", Summary: "Raise a finding; major and minor ones open a deviation", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			AuditPath
			Body struct {
				Kind  string `json:"kind" maxLength:"40" doc:"The grade: major, minor, observation or opportunity; also written as an audit report does (major nonconformity, minor NC, OFI, opportunity for improvement), any case."`
				Title string `json:"title" minLength:"1" maxLength:"200"`
			}
		}) (*struct{ Body FindingJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body FindingJSON }, error) {
				f, err := s.app.RaiseFinding(ctx, p, in.Org, in.ID, in.Body.Kind, in.Body.Title)
				if err != nil {
					return nil, err
				}
				return &struct{ Body FindingJSON }{findingJSON(f)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "close-audit-finding", Method: http.MethodPost, Path: base + "/{id}/findings/{fid}/close", Summary: "Close an observation or opportunity finding", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			AuditPath
			FID int64 `path:"fid" doc:"Finding id."`
		}) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.CloseFinding(ctx, p, in.Org, in.ID, in.FID); err != nil {
					return nil, err
				}
				return &struct{}{}, nil
			})
		})
}

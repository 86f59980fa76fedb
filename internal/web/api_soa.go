package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// SoAFieldChangeJSON is one field of a decision before and after.
type SoAFieldChangeJSON struct {
	Field  string `json:"field" doc:"applicable, justification or status."`
	Before string `json:"before"`
	After  string `json:"after"`
}

// SoAChangeJSON is what an import does to one control.
type SoAChangeJSON struct {
	Line      int                  `json:"line" doc:"Line (CSV) or sheet row (XLSX) of the file."`
	ControlID string               `json:"control_id"`
	Created   bool                 `json:"created" doc:"True when the control had no decision before."`
	Fields    []SoAFieldChangeJSON `json:"fields"`
}

// SoAImportJSON is the answer to an import of SoA decisions.
type SoAImportJSON struct {
	Rows      int             `json:"rows"`
	Created   int             `json:"created" doc:"Controls decided for the first time."`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Changes   []SoAChangeJSON `json:"changes"`
	Ignored   []string        `json:"ignored_columns" doc:"Header names that are not columns of the SoA export and were not read."`
	DryRun    bool            `json:"dry_run"`
}

func soaImportJSON(res *app.SoAChangeResult) SoAImportJSON {
	out := SoAImportJSON{Rows: res.Rows, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, Changes: []SoAChangeJSON{},
		Ignored: append([]string{}, res.Ignored...), DryRun: res.DryRun}
	for _, d := range res.Changes {
		c := SoAChangeJSON{Line: d.Line, ControlID: d.ControlID, Created: d.Created, Fields: []SoAFieldChangeJSON{}}
		for _, f := range d.Fields {
			c.Fields = append(c.Fields, SoAFieldChangeJSON(f))
		}
		out.Changes = append(out.Changes, c)
	}
	return out
}

// SoAControlJSON is one control of the Statement of Applicability.
type SoAControlJSON struct {
	Catalogue     string     `json:"catalogue"`
	ControlID     string     `json:"control_id"`
	Theme         string     `json:"theme"`
	Title         string     `json:"short_title"`
	NewIn2022     bool       `json:"new_in_2022"`
	Decided       bool       `json:"decided" doc:"False: not yet decided (applicable and status are then meaningless)."`
	Applicable    bool       `json:"applicable"`
	Justification string     `json:"justification"`
	Status        string     `json:"status" doc:"not_started, planned, partial or implemented; empty for an excluded or undecided control."`
	Risks         []string   `json:"risks" doc:"References of the risks that name the control."`
	ProcessIDs    []int64    `json:"process_ids"`
	UpdatedBy     string     `json:"updated_by,omitempty"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"`
}

func soaControlJSON(c app.SoAControl) SoAControlJSON {
	out := SoAControlJSON{Catalogue: c.Catalogue, ControlID: c.ID, Theme: c.Theme, Title: c.Title, NewIn2022: c.New, Decided: c.Decided,
		Applicable: c.Applicable, Justification: c.Justification, Status: string(c.Status), Risks: []string{}, ProcessIDs: []int64{},
		UpdatedBy: c.UpdatedBy, UpdatedAt: c.UpdatedAt}
	for _, r := range c.Risks {
		out.Risks = append(out.Risks, r.Ref())
	}
	for _, p := range c.Processes {
		out.ProcessIDs = append(out.ProcessIDs, p.ID)
	}
	return out
}

// ControlPath is a control of the Statement of Applicability in a path.
type ControlPath struct {
	OrgPath
	Control string `path:"control" doc:"Annex A identifier, e.g. A.5.1."`
}

// The CSV and XLSX exports are pages (/o/{org}/soa.csv, /o/{org}/soa.xlsx);
// the API gives the same rows as JSON.
func (s *Server) apiSoARoutes(api huma.API) {
	tags := []string{"statement of applicability"}
	huma.Register(api, huma.Operation{OperationID: "list-soa", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/soa", Summary: "The Statement of Applicability: every Annex A control, decided or not", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			Theme      string `query:"theme" doc:"Organizational, People, Physical or Technological."`
			Applicable string `query:"applicable" doc:"yes, no or undecided."`
			Status     string `query:"status"`
		}) (*listOutput[SoAControlJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[SoAControlJSON], error) {
				soa, err := s.app.SoA(ctx, p, in.Org, app.SoAFilter{Theme: in.Theme, Applicability: in.Applicable, Status: isms.ImplementationStatus(in.Status)})
				if err != nil {
					return nil, err
				}
				out := &listOutput[SoAControlJSON]{}
				out.Body.Items = []SoAControlJSON{}
				for _, c := range soa.Controls {
					out.Body.Items = append(out.Body.Items, soaControlJSON(c))
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-soa-control", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/soa/{control}", Summary: "One control of the Statement of Applicability", Tags: tags},
		func(ctx context.Context, in *ControlPath) (*struct{ Body SoAControlJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body SoAControlJSON }, error) {
				c, _, err := s.app.SoAControl(ctx, p, in.Org, in.Control)
				if err != nil {
					return nil, err
				}
				return &struct{ Body SoAControlJSON }{soaControlJSON(*c)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-soa-control", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/soa/{control}", Summary: "Decide whether a control applies, why, and how far it is implemented", Tags: tags},
		func(ctx context.Context, in *struct {
			ControlPath
			Body struct {
				Applicable    bool    `json:"applicable"`
				Justification string  `json:"justification" doc:"Why included (risk, law, contract, business need) or why excluded." maxLength:"20000"`
				Status        string  `json:"status,omitempty" doc:"Required when applicable: not_started, planned, partial or implemented."`
				ProcessIDs    []int64 `json:"process_ids,omitempty"`
			}
		}) (*struct{ Body SoAControlJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body SoAControlJSON }, error) {
				b := in.Body
				c, err := s.app.UpdateSoA(ctx, p, in.Org, isms.SoAEntry{ControlID: in.Control, Applicable: b.Applicable, Justification: b.Justification,
					Status: isms.ImplementationStatus(b.Status), ProcessIDs: b.ProcessIDs})
				if err != nil {
					return nil, err
				}
				return &struct{ Body SoAControlJSON }{soaControlJSON(*c)}, nil
			})
		})

	// The import body is the file itself, as for import-records (fileBody).
	importOp := huma.Operation{OperationID: "import-soa", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/soa/imports",
		Summary: "Import SoA decisions from a CSV or XLSX file with the columns of the SoA export, all or nothing",
		Description: "The body is the file itself, at most " + size(s.limits.MaxUpload) + ". Rows are matched by control_id (A.5.1 or 5.1); " +
			"the columns applicable (yes/no), justification and status are read, a blank cell keeps the stored value, other columns are ignored. " +
			"A file with any bad row stores nothing and is answered 422 with every problem in errors[] (location: line and column). " +
			"Rows that change nothing count as unchanged. With dry_run nothing is stored and the answer says what would change.",
		Tags: tags,
	}
	huma.Register(api, fileBody(importOp),
		func(ctx context.Context, in *struct {
			OrgPath
			Format   string `query:"format" enum:"csv,xlsx" default:"csv" doc:"Format of the body."`
			DryRun   bool   `query:"dry_run" doc:"Say what would change, store nothing."`
			FileName string `query:"file_name" doc:"Name recorded in the audit trail."`
		}) (*struct{ Body SoAImportJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body SoAImportJSON }, error) {
				name := in.FileName
				if name == "" {
					name = "api upload"
				}
				// Refuse a caller who may not write before reading the body.
				f, done, err := s.apiUpload(ctx, func() error { return s.app.CanImportSoA(ctx, p, in.Org) })
				if err != nil {
					return nil, err
				}
				defer done()
				res, err := s.app.ImportSoA(ctx, p, app.ImportSoARequest{Org: in.Org, Format: importer.Format(in.Format), FileName: name, File: f, DryRun: in.DryRun})
				if err != nil {
					return nil, s.apiImportError(ctx, err)
				}
				return &struct{ Body SoAImportJSON }{soaImportJSON(res)}, nil
			})
		})
}

package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 19: the register of each framework (docs/frameworks.md). The CSV
// and XLSX exports are pages (/o/{org}/frameworks/{key}.csv, .xlsx).

// FrameworkCoverageJSON counts a framework's requirements by decision.
type FrameworkCoverageJSON struct {
	Requirements   int `json:"requirements" doc:"Controls and enhancements, withdrawn ones left out."`
	Decided        int `json:"decided"`
	Applicable     int `json:"applicable"`
	Implemented    int `json:"implemented" doc:"Decided here; a requirement covered only through a mapping is not counted."`
	WithEvidence   int `json:"with_evidence" doc:"Applicable requirements with evidence text or a linked document."`
	WithMetric     int `json:"with_metric" doc:"Applicable requirements with a linked process that has a metric definition."`
	OpenDeviations int `json:"open_deviations" doc:"Applicable requirements with a linked process that has an open deviation (Annex A: or a deviation naming the control)."`
}

// FrameworkJSON is a framework the organisation may use.
type FrameworkJSON struct {
	Key          string                 `json:"key"`
	Title        string                 `json:"title"`
	Version      string                 `json:"version"`
	Source       string                 `json:"source" doc:"built-in, oscal or csv."`
	Origin       string                 `json:"origin"`
	Builtin      bool                   `json:"builtin"`
	Private      bool                   `json:"private" doc:"Imported by this organisation, seen by no other."`
	Requirements int                    `json:"requirements"`
	Enabled      bool                   `json:"enabled"`
	Coverage     *FrameworkCoverageJSON `json:"coverage,omitempty" doc:"Only for an enabled framework."`
}

func frameworkJSON(f app.FrameworkSummary) FrameworkJSON {
	out := FrameworkJSON{Key: f.Key, Title: f.Title, Version: f.Version, Source: f.Source, Origin: f.Origin, Builtin: f.Builtin, Private: f.OrgID != 0,
		Requirements: f.Requirements, Enabled: f.Enabled}
	if f.Coverage != nil {
		c := FrameworkCoverageJSON(*f.Coverage)
		out.Coverage = &c
	}
	return out
}

// MappedCoverJSON is an implemented requirement of another enabled
// framework that maps to this one: shown, never counted as implemented.
type MappedCoverJSON struct {
	FrameworkKey   string `json:"framework_key"`
	FrameworkTitle string `json:"framework_title"`
	RequirementID  string `json:"requirement_id"`
	Label          string `json:"label"`
	Title          string `json:"title"`
	Relation       string `json:"relation" doc:"equivalent, subset, superset or intersects, read from this requirement."`
	Text           string `json:"text" doc:"As the pages say it: covered by A.8.5 (ISO/IEC 27001:2022 Annex A), implemented; relation: subset."`
}

// RequirementJSON is a requirement of a framework with the organisation's
// decision.
type RequirementJSON struct {
	Framework     string            `json:"framework"`
	RequirementID string            `json:"requirement_id"`
	Label         string            `json:"label"`
	Kind          string            `json:"kind" doc:"control or enhancement (groups are headings, not decided)."`
	Group         string            `json:"group" doc:"Title of the nearest group above it."`
	Title         string            `json:"title"`
	Decided       bool              `json:"decided" doc:"False: not yet decided."`
	Applicable    bool              `json:"applicable"`
	Justification string            `json:"justification"`
	Status        string            `json:"status" doc:"not_started, planned, partial or implemented; empty when excluded or undecided."`
	OwnerID       int64             `json:"owner_id,omitempty"`
	Owner         string            `json:"owner,omitempty"`
	Evidence      string            `json:"evidence"`
	UpdatedBy     string            `json:"updated_by,omitempty"`
	UpdatedAt     *time.Time        `json:"updated_at,omitempty"`
	CoveredBy     []MappedCoverJSON `json:"covered_by"`
}

func requirementJSON(key string, r *store.RegisterRow, covers []store.MappedCover) RequirementJSON {
	out := RequirementJSON{Framework: key, RequirementID: r.ID, Label: r.Label, Kind: string(r.Kind), Group: r.GroupTitle, Title: r.Title, Decided: r.Decided,
		Applicable: r.Applicable, Justification: r.Justification, Status: string(r.Status), OwnerID: r.OwnerID, Owner: r.Owner, Evidence: r.Evidence,
		UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt, CoveredBy: []MappedCoverJSON{}}
	for _, c := range covers {
		out.CoveredBy = append(out.CoveredBy, MappedCoverJSON{FrameworkKey: c.OtherKey, FrameworkTitle: c.OtherTitle, RequirementID: c.OtherReq, Label: c.OtherLabel,
			Title: c.OtherReqTitle, Relation: string(c.Relation), Text: app.CoverText(c)})
	}
	return out
}

// MappingJSON is a mapping of a requirement, read from its end.
type MappingJSON struct {
	FrameworkKey   string `json:"framework_key"`
	FrameworkTitle string `json:"framework_title"`
	Enabled        bool   `json:"enabled" doc:"Whether the other framework is enabled here."`
	RequirementID  string `json:"requirement_id"`
	Label          string `json:"label"`
	Title          string `json:"title"`
	Relation       string `json:"relation"`
	Decided        bool   `json:"decided"`
	Applicable     bool   `json:"applicable"`
	Status         string `json:"status"`
	Covers         bool   `json:"covers" doc:"The other requirement is implemented in an enabled framework: shown as coverage, never counted."`
}

// RequirementDetailJSON is a requirement with its text, links and mappings.
type RequirementDetailJSON struct {
	RequirementJSON
	Statement   string        `json:"statement"`
	Guidance    string        `json:"guidance"`
	ProcessIDs  []int64       `json:"process_ids"`
	DocumentIDs []int64       `json:"document_ids"`
	Risks       []string      `json:"risks" doc:"References of the risks that name it among their controls."`
	Mappings    []MappingJSON `json:"mappings"`
}

func requirementDetailJSON(v *app.RequirementView) RequirementDetailJSON {
	var covers []store.MappedCover
	for _, m := range v.Covers() {
		covers = append(covers, store.MappedCover{ReqID: v.Row.ID, OtherKey: m.TargetKey, OtherTitle: m.OtherTitle, OtherReq: m.TargetReq, OtherLabel: m.OtherLabel,
			OtherReqTitle: m.OtherReqTitle, Relation: m.Relation, OtherStatus: m.Status, OtherDecided: true, OtherApplicable: true})
	}
	out := RequirementDetailJSON{RequirementJSON: requirementJSON(v.Framework.Key, v.Row, covers), Statement: v.Row.Statement, Guidance: v.Row.Guidance,
		ProcessIDs: append([]int64{}, v.Row.ProcessIDs...), DocumentIDs: append([]int64{}, v.Row.DocumentIDs...), Risks: []string{}, Mappings: []MappingJSON{}}
	for _, r := range v.Risks {
		out.Risks = append(out.Risks, r.Ref)
	}
	for _, m := range v.Mappings {
		out.Mappings = append(out.Mappings, MappingJSON{FrameworkKey: m.TargetKey, FrameworkTitle: m.OtherTitle, Enabled: m.OtherEnabled, RequirementID: m.TargetReq,
			Label: m.OtherLabel, Title: m.OtherReqTitle, Relation: string(m.Relation), Decided: m.Decided, Applicable: m.Applicable, Status: string(m.Status), Covers: m.Covers()})
	}
	return out
}

// FrameworkPath is a framework in a path.
type FrameworkPath struct {
	OrgPath
	Key string `path:"key" doc:"The framework's key, e.g. iso27001-2022-annex-a or nist-csf-2.0."`
}

// RequirementPath is a requirement of a framework in a path.
type RequirementPath struct {
	FrameworkPath
	Req string `path:"requirement" doc:"The requirement's identifier, e.g. A.5.1 or PR.AA-01."`
}

func (s *Server) apiFrameworkRoutes(api huma.API) {
	tags := []string{"frameworks"}
	base := "/api/v1/orgs/{org}/frameworks"
	huma.Register(api, huma.Operation{OperationID: "list-frameworks", Method: http.MethodGet, Path: base, Summary: "The frameworks the organisation may use, with coverage for the enabled ones", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*listOutput[FrameworkJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[FrameworkJSON], error) {
				list, err := s.app.Frameworks(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[FrameworkJSON]{}
				out.Body.Items = []FrameworkJSON{}
				for _, f := range list {
					out.Body.Items = append(out.Body.Items, frameworkJSON(f))
				}
				out.whole()
				return out, nil
			})
		})
	for _, op := range []struct {
		id, verb, summary string
		fn                func(context.Context, app.Principal, string, string) error
	}{
		{"enable-framework", "enable", "Enable a framework in the organisation", s.app.EnableFramework},
		{"disable-framework", "disable", "Disable a framework; its decisions are kept", s.app.DisableFramework},
	} {
		huma.Register(api, huma.Operation{OperationID: op.id, Method: http.MethodPost, Path: base + "/{key}/" + op.verb, Summary: op.summary, Tags: tags,
			DefaultStatus: http.StatusNoContent},
			func(ctx context.Context, in *FrameworkPath) (*struct{}, error) {
				return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
					if err := op.fn(ctx, p, in.Org, in.Key); err != nil {
						return nil, err
					}
					return &struct{}{}, nil
				})
			})
	}
	huma.Register(api, huma.Operation{OperationID: "list-framework-requirements", Method: http.MethodGet, Path: base + "/{key}/requirements",
		Summary: "The register of a framework: its requirements in document order with the organisation's decisions, filtered, paged", Tags: tags},
		func(ctx context.Context, in *struct {
			FrameworkPath
			PageParams
			Group      string `query:"group" doc:"A group's identifier: the requirements under it, at any depth."`
			Applicable string `query:"applicable" enum:"yes,no,undecided," doc:"yes, no (excluded) or undecided."`
			Status     string `query:"status" enum:"not_started,planned,partial,implemented,"`
			Q          string `query:"q" maxLength:"200" doc:"Text in the identifier, label, title or statement."`
		}) (*listOutput[RequirementJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[RequirementJSON], error) {
				reg, err := s.app.Register(ctx, p, in.Org, in.Key, store.RegisterFilter{Group: in.Group, Applicability: in.Applicable,
					Status: isms.ImplementationStatus(in.Status), Text: in.Q, Offset: in.Offset, Limit: in.Limit, NoCount: !in.Count})
				if err != nil {
					return nil, err
				}
				out := &listOutput[RequirementJSON]{}
				out.Body.Items = []RequirementJSON{}
				for _, r := range reg.Page.Items {
					out.Body.Items = append(out.Body.Items, requirementJSON(in.Key, r.RegisterRow, r.Covers))
				}
				out.page(in.PageParams, reg.Page.Total, reg.Page.More)
				return out, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "get-framework-requirement", Method: http.MethodGet, Path: base + "/{key}/requirements/{requirement}",
		Summary: "One requirement of a framework with its decision, links and mappings", Tags: tags},
		func(ctx context.Context, in *RequirementPath) (*struct{ Body RequirementDetailJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RequirementDetailJSON }, error) {
				v, err := s.app.Requirement(ctx, p, in.Org, in.Key, in.Req)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RequirementDetailJSON }{requirementDetailJSON(v)}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "update-framework-requirement", Method: http.MethodPut, Path: base + "/{key}/requirements/{requirement}",
		Summary: "Decide whether a requirement applies, why, who owns it and how far it is implemented", Tags: tags},
		func(ctx context.Context, in *struct {
			RequirementPath
			Body struct {
				Applicable    bool    `json:"applicable"`
				Justification string  `json:"justification" maxLength:"20000" doc:"Why included (risk, law, contract, business need) or why excluded."`
				Status        string  `json:"status,omitempty" doc:"Required when applicable: not_started, planned, partial or implemented."`
				OwnerID       int64   `json:"owner_id,omitempty" doc:"A member's user id; 0 or absent: none."`
				Evidence      string  `json:"evidence,omitempty" maxLength:"20000" doc:"Where an auditor finds that it is done."`
				ProcessIDs    []int64 `json:"process_ids,omitempty" maxItems:"500"`
				DocumentIDs   []int64 `json:"document_ids,omitempty" maxItems:"500"`
			}
		}) (*struct{ Body RequirementDetailJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RequirementDetailJSON }, error) {
				b := in.Body
				v, err := s.app.UpdateRequirement(ctx, p, in.Org, in.Key, in.Req, app.RequirementUpdate{Applicable: b.Applicable, Justification: b.Justification,
					Status: isms.ImplementationStatus(b.Status), OwnerID: b.OwnerID, Evidence: b.Evidence, ProcessIDs: b.ProcessIDs, DocumentIDs: b.DocumentIDs})
				if err != nil {
					return nil, err
				}
				return &struct{ Body RequirementDetailJSON }{requirementDetailJSON(v)}, nil
			})
		})
}

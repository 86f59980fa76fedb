package web

import (
	"context"
	"github.com/pdca/pdca/internal/app"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/isms"
)

// Issue 19: standards as tags (docs/standards.md).

// StandardsPath names a tagged entity.
type StandardsPath struct {
	OrgPath
	Entity string `path:"entity" enum:"process,deviation,audit,review,metric,document" doc:"What is tagged."`
	ID     string `path:"id" maxLength:"100" doc:"Its id; a metric's key."`
}

// StandardsJSON is the standards an entity serves.
type StandardsJSON struct {
	Entity    string   `json:"entity"`
	ID        string   `json:"id"`
	Standards []string `json:"standards" doc:"Standard keys it is tagged with; empty: it serves ISO/IEC 27001 (iso27001)."`
	Effective []string `json:"effective" doc:"The standards it serves: its tags, or iso27001 when it has none."`
}

func standardsJSON(entity, id string, tags []string) StandardsJSON {
	if tags == nil {
		tags = []string{}
	}
	return StandardsJSON{Entity: entity, ID: id, Standards: tags, Effective: isms.EffectiveStandards(tags)}
}

func (s *Server) apiStandardRoutes(api huma.API) {
	tags := []string{"standards"}
	path := "/api/v1/orgs/{org}/standards/{entity}/{id}"
	huma.Register(api, huma.Operation{OperationID: "get-standards", Method: http.MethodGet, Path: path, Summary: "The standards an entity serves", Tags: tags},
		func(ctx context.Context, in *StandardsPath) (*struct{ Body StandardsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body StandardsJSON }, error) {
				st, err := s.app.Standards(ctx, p, in.Org, in.Entity, in.ID)
				if err != nil {
					return nil, err
				}
				return &struct{ Body StandardsJSON }{standardsJSON(in.Entity, in.ID, st)}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "set-standards", Method: http.MethodPut, Path: path, Summary: "Replace the standards an entity serves",
		Description: "Needs write_records; manage_metrics for a review or a metric. An empty list removes every tag: the entity serves ISO/IEC 27001 again.", Tags: tags},
		func(ctx context.Context, in *struct {
			StandardsPath
			Body struct {
				Standards []string `json:"standards" maxItems:"20" doc:"Standard keys: iso27001, iso9001, iso42001, iso22301, iso27701."`
			}
		}) (*struct{ Body StandardsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body StandardsJSON }, error) {
				st, err := s.app.SetStandards(ctx, p, in.Org, in.Entity, in.ID, in.Body.Standards)
				if err != nil {
					return nil, err
				}
				return &struct{ Body StandardsJSON }{standardsJSON(in.Entity, in.ID, st)}, nil
			})
		})
}

package web

import (
	"context"
	"github.com/pdca/pdca/internal/app"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// ProfileJSON is an import profile in the API: the export file's shape
// (format "pdca-import-profile/1"), so a GET's answer can be PUT back or
// imported on the profile pages.
type ProfileJSON struct {
	Format      string                       `json:"format" enum:"pdca-import-profile/1" doc:"The export format and its version."`
	Name        string                       `json:"name" maxLength:"64" doc:"1 to 64 letters, digits, spaces, dots, hyphens or underscores, starting with a letter or digit; unique in the organisation, any case."`
	Kind        string                       `json:"kind" enum:"access_removals,incidents,restore_tests,suppliers,supplier_assessments,changes,vulnerabilities,training,deviations,audit_findings"`
	FilePattern string                       `json:"file_pattern,omitempty" maxLength:"200" doc:"A file name with * and ?, any case (hr-leavers-*.csv): an import of a file of the kind with such a name uses the profile without naming it."`
	DateOrder   string                       `json:"date_order,omitempty" doc:"How slashed dates read: dmy (05/10/2026 is 5 October), mdy (May 10); empty: the import's, else the organisation's order."`
	Columns     map[string]string            `json:"columns,omitempty" doc:"Source column (case, spaces, underscores and hyphens do not matter) to field of the kind; an empty field leaves the column out. Columns not named are read by their own names."`
	Values      map[string]map[string]string `json:"values,omitempty" doc:"Per field, the source's value (any case) to the value stored: {\"severity\": {\"P1\": \"critical\"}}."`
	Constants   map[string]string            `json:"constants,omitempty" doc:"Fields every row gets, that no column gives: {\"system\": \"github\"}."`
}

// ProfileBody is the body of a PUT: a profile as exported, whose format
// and name may be left out (the path names it).
type ProfileBody struct {
	Format      string                       `json:"format,omitempty" enum:"pdca-import-profile/1" doc:"The export format; may be left out."`
	Name        string                       `json:"name,omitempty" maxLength:"64" doc:"The path's name (any case); may be left out."`
	Kind        string                       `json:"kind" enum:"access_removals,incidents,restore_tests,suppliers,supplier_assessments,changes,vulnerabilities,training,deviations,audit_findings"`
	FilePattern string                       `json:"file_pattern,omitempty" maxLength:"200" doc:"See the profile."`
	DateOrder   string                       `json:"date_order,omitempty" doc:"dmy, mdy or empty."`
	Columns     map[string]string            `json:"columns,omitempty" doc:"Source column to field; empty leaves the column out."`
	Values      map[string]map[string]string `json:"values,omitempty" doc:"Per field, the source's value to the value stored."`
	Constants   map[string]string            `json:"constants,omitempty" doc:"Fields every row gets."`
}

// ProfileSummaryJSON is a profile in the list: the profile and when it
// last changed.
type ProfileSummaryJSON struct {
	ProfileJSON
	UpdatedAt time.Time `json:"updated_at" doc:"When it was last saved (UTC)."`
}

func profileJSON(p isms.ImportProfile) ProfileJSON {
	return ProfileJSON{Format: isms.ProfileFormat, Name: p.Name, Kind: string(p.Kind), FilePattern: p.FilePattern, DateOrder: p.DateOrder,
		Columns: p.Columns, Values: p.Values, Constants: p.Constants}
}

func profileSummary(sp store.StoredProfile) ProfileSummaryJSON {
	return ProfileSummaryJSON{ProfileJSON: profileJSON(sp.Profile), UpdatedAt: sp.UpdatedAt.UTC()}
}

// ProfilePath names a profile in an API path.
type ProfilePath struct {
	OrgPath
	Name string `path:"name" maxLength:"64" doc:"The profile's name, any case."`
}

func (s *Server) apiProfileRoutes(api huma.API) {
	tags := []string{"import profiles"}
	base := "/api/v1/orgs/{org}/import-profiles"
	huma.Register(api, huma.Operation{OperationID: "list-import-profiles", Method: http.MethodGet, Path: base,
		Summary: "The organisation's import profiles, by name", Tags: tags},
		func(ctx context.Context, in *struct{ OrgPath }) (*listOutput[ProfileSummaryJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[ProfileSummaryJSON], error) {
				all, err := s.app.ImportProfiles(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[ProfileSummaryJSON]{}
				out.Body.Items = []ProfileSummaryJSON{}
				for _, sp := range all {
					out.Body.Items = append(out.Body.Items, profileSummary(sp))
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-import-profile", Method: http.MethodGet, Path: base + "/{name}",
		Summary: "One import profile, in the shape of its export file", Tags: tags},
		func(ctx context.Context, in *ProfilePath) (*struct{ Body ProfileJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ProfileJSON }, error) {
				sp, err := s.app.ImportProfile(ctx, p, in.Org, in.Name)
				if err != nil {
					return nil, err
				}
				return &struct{ Body ProfileJSON }{profileJSON(sp.Profile)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "put-import-profile", Method: http.MethodPut, Path: base + "/{name}",
		Summary:     "Create or replace an import profile",
		Description: "The body is the profile as exported (format may be left out). Its name, when given, must be the path's (any case); left out, a profile replaced keeps its name as written. The GET answer (without its $schema link) is accepted as it is. Answered 201 when the profile is new, 200 when it replaced one.",
		Tags:        tags,
		// Listing a 201 beside the 200 takes huma's default error
		// response away: the errors are named instead.
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
		Responses: map[string]*huma.Response{"201": {Description: "Created: there was no profile of this name",
			Content: map[string]*huma.MediaType{"application/json": {Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[ProfileJSON](), true, "")}}}}},
		func(ctx context.Context, in *struct {
			ProfilePath
			Body ProfileBody
		}) (*struct {
			Status int
			Body   ProfileJSON
		}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct {
				Status int
				Body   ProfileJSON
			}, error) {
				b := in.Body
				if b.Name != "" && !strings.EqualFold(strings.TrimSpace(b.Name), strings.TrimSpace(in.Name)) {
					return nil, s.apiError(ctx, isms.Errorf(isms.EINVALID, "name %q: the body names another profile than the path (%q); leave it out or make them the same", b.Name, in.Name))
				}
				name := in.Name
				if b.Name != "" {
					name = b.Name
				} else if old, err := s.app.ImportProfile(ctx, p, in.Org, in.Name); err == nil {
					name = old.Profile.Name // the path's case does not rename it
				}
				prof := isms.ImportProfile{Name: name, Kind: isms.RecordKind(b.Kind), FilePattern: b.FilePattern, DateOrder: b.DateOrder,
					Columns: b.Columns, Values: b.Values, Constants: b.Constants}
				created, err := s.app.SaveImportProfile(ctx, p, in.Org, prof, true)
				if err != nil {
					return nil, err
				}
				sp, err := s.app.ImportProfile(ctx, p, in.Org, name)
				if err != nil {
					return nil, err
				}
				out := &struct {
					Status int
					Body   ProfileJSON
				}{Status: http.StatusOK, Body: profileJSON(sp.Profile)}
				if created {
					out.Status = http.StatusCreated
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "delete-import-profile", Method: http.MethodDelete, Path: base + "/{name}",
		Summary: "Delete an import profile; imports no longer use it", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *ProfilePath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.DeleteImportProfile(ctx, p, in.Org, in.Name); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})
}

package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Settings and the remaining page actions in the API (issue 17): the
// second-factor requirement, the import date order, the public report
// link, an internal audit's date held, the SoA bulk edit and the record
// counts, through the use cases their pages call.

// MFARequirement is whether the organisation requires a second factor.
type MFARequirement struct {
	RequireMFA bool `json:"require_mfa" doc:"Members who sign in with a password need a second factor (single sign-on members are exempt)."`
}

// MFARequirementOutput is the answer of get-mfa-requirement and set-mfa-requirement.
type MFARequirementOutput struct {
	Body MFARequirement
}

// MFARequirementInput is the request of set-mfa-requirement.
type MFARequirementInput struct {
	OrgPath
	Body MFARequirement
}

// DateOrder is how the organisation's imports read slashed dates.
type DateOrder struct {
	DateOrder string `json:"date_order" enum:",dmy,mdy" doc:"dmy: 05/10/2026 is 5 October; mdy: May 10; empty: slashed dates are refused unless an import gives the order."`
}

// DateOrderOutput is the answer of get-date-order and set-date-order.
type DateOrderOutput struct {
	Body DateOrder
}

// DateOrderInput is the request of set-date-order.
type DateOrderInput struct {
	OrgPath
	Body DateOrder
}

// ReportLinkJSON is the state of the public incident report link.
type ReportLinkJSON struct {
	Enabled bool       `json:"enabled"`
	Since   *time.Time `json:"since,omitempty" doc:"When the current link was made."`
}

// ReportLinkOutput is the answer of get-report-link.
type ReportLinkOutput struct {
	Body ReportLinkJSON
}

// NewReportLink is a new public report link: shown in this answer only
// (only its hash is stored).
type NewReportLink struct {
	URL string `json:"url" doc:"The link people report through without signing in; copy it, it is not shown again."`
}

// ReportLinkRotateInput is the request of rotate-report-link; it notes
// the address the caller reached pdca at, for the link (as the page does
// when serve --public-url is not set).
type ReportLinkRotateInput struct {
	OrgPath
	origin string
}

// Resolve notes the request's scheme and host.
func (i *ReportLinkRotateInput) Resolve(ctx huma.Context) []error {
	scheme := "http"
	if ctx.TLS() != nil {
		scheme = "https"
	}
	i.origin = scheme + "://" + ctx.Host()
	return nil
}

// NewReportLinkOutput is the answer of rotate-report-link.
type NewReportLinkOutput struct {
	Body NewReportLink
}

// AuditHeldBody is the day an internal audit was held.
type AuditHeldBody struct {
	HeldOn string `json:"held_on" format:"date" doc:"YYYY-MM-DD in the organisation's time zone, not in the future."`
}

// AuditHeldInput is the request of mark-internal-audit-held.
type AuditHeldInput struct {
	AuditPath
	Body AuditHeldBody
}

// InternalAuditOutput is one internal audit.
type InternalAuditOutput struct {
	Body InternalAuditJSON
}

// SoAFilterJSON selects controls as the SoA page's filter does.
type SoAFilterJSON struct {
	Theme      string `json:"theme,omitempty" maxLength:"40" doc:"Organizational, People, Physical or Technological."`
	Applicable string `json:"applicable,omitempty" enum:",yes,no,undecided"`
	Status     string `json:"status,omitempty" maxLength:"40" doc:"An implementation status."`
}

// SoABulkBody sets the same decision parts on several controls; a part
// left empty is not changed.
type SoABulkBody struct {
	Controls      []string       `json:"controls,omitempty" maxItems:"500" doc:"The controls to change (A.5.1, ...); or give filter."`
	Filter        *SoAFilterJSON `json:"filter,omitempty" doc:"Change every control the filter selects (an empty filter: every control); instead of controls."`
	Applicable    string         `json:"applicable,omitempty" enum:",yes,no" doc:"Empty: unchanged."`
	Justification string         `json:"justification,omitempty" maxLength:"20000" doc:"Empty: unchanged."`
	Status        string         `json:"status,omitempty" enum:",not_started,planned,partial,implemented" doc:"Empty: unchanged."`
}

// SoABulkInput is the request of bulk-update-soa.
type SoABulkInput struct {
	OrgPath
	Body SoABulkBody
}

// SoABulkOutput is the answer of bulk-update-soa.
type SoABulkOutput struct {
	Body SoAImportJSON
}

// RecordCountJSON is how many records a register holds.
type RecordCountJSON struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Count int    `json:"count"`
}

// RecordCounts is the size of every register.
type RecordCounts struct {
	Kinds []RecordCountJSON `json:"kinds"`
}

// RecordCountsOutput is the answer of get-record-counts.
type RecordCountsOutput struct {
	Body RecordCounts
}

// publicURL is path at serve --public-url when set, else at origin.
func (s *Server) publicURL(origin, path string) string {
	if pub := strings.TrimRight(s.app.PublicURL, "/"); pub != "" {
		return pub + path
	}
	return origin + path
}

func (s *Server) apiSettingsRoutes(api huma.API) {
	org := []string{"organisations"}
	base := "/api/v1/orgs/{org}"
	huma.Register(api, huma.Operation{OperationID: "get-mfa-requirement", Method: http.MethodGet, Path: base + "/mfa-requirement", Tags: org,
		Summary:     "Whether a second factor is required",
		Description: "Whether members who sign in with a password need a second factor in this organisation.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*MFARequirementOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*MFARequirementOutput, error) {
				on, err := s.app.RequireMFA(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &MFARequirementOutput{Body: MFARequirement{RequireMFA: on}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-mfa-requirement", Method: http.MethodPut, Path: base + "/mfa-requirement", Tags: org,
		Summary:     "Require a second factor, or stop requiring it",
		Description: "Sets whether members who sign in with a password need a second factor; they enrol at their next sign-in. Admins only; audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *MFARequirementInput) (*MFARequirementOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*MFARequirementOutput, error) {
				if err := s.app.SetRequireMFA(ctx, p, in.Org, in.Body.RequireMFA); err != nil {
					return nil, err
				}
				return &MFARequirementOutput{Body: in.Body}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-date-order", Method: http.MethodGet, Path: base + "/date-order", Tags: []string{"records"},
		Summary:     "How imports read slashed dates",
		Description: "Whether the organisation's imports read 05/10/2026 day first (dmy), month first (mdy), or refuse it (empty).",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*DateOrderOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*DateOrderOutput, error) {
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &DateOrderOutput{Body: DateOrder{DateOrder: m.Org.DateOrder}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-date-order", Method: http.MethodPut, Path: base + "/date-order", Tags: []string{"records"},
		Summary:     "Set how imports read slashed dates",
		Description: "Sets whether the organisation's imports read 05/10/2026 day first (dmy), month first (mdy), or refuse it (empty). Admins only; audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *DateOrderInput) (*DateOrderOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*DateOrderOutput, error) {
				if err := s.app.SetDateOrder(ctx, p, in.Org, in.Body.DateOrder); err != nil {
					return nil, err
				}
				return &DateOrderOutput{Body: in.Body}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-report-link", Method: http.MethodGet, Path: base + "/report-link", Tags: org,
		Summary:     "Whether the public incident report link is on",
		Description: "Whether people can report an incident through the organisation's public link without signing in, and since when (the link itself is shown only when made). Admins only.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*ReportLinkOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*ReportLinkOutput, error) {
				l, err := s.app.ReportLinkState(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &ReportLinkOutput{}
				if l != nil {
					since := l.CreatedAt.UTC()
					out.Body = ReportLinkJSON{Enabled: true, Since: &since}
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "rotate-report-link", Method: http.MethodPost, Path: base + "/report-link", Tags: org,
		Summary:     "Turn the public report link on, or replace it",
		Description: "Makes a new public incident report link and returns it (this once); a previous link stops working at once. Admins only; audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *ReportLinkRotateInput) (*NewReportLinkOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*NewReportLinkOutput, error) {
				token, err := s.app.RotateReportLink(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &NewReportLinkOutput{Body: NewReportLink{URL: s.publicURL(in.origin, "/report/"+token)}}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "disable-report-link", Method: http.MethodDelete, Path: base + "/report-link", Tags: org, DefaultStatus: http.StatusNoContent,
		Summary:     "Turn the public report link off",
		Description: "The public incident report link stops working at once. Admins only; audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.DisableReportLink(ctx, p, in.Org); err != nil {
					return nil, err
				}
				return nil, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "mark-internal-audit-held", Method: http.MethodPost, Path: base + "/audits/{id}/held", Tags: []string{"internal audits"},
		Summary:     "Record the day an internal audit was held",
		Description: "Records the day an internal audit actually took place (not in the future). Audited.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *AuditHeldInput) (*InternalAuditOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*InternalAuditOutput, error) {
				loc, err := s.orgLocation(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				day, err := parseDay("held_on", in.Body.HeldOn, loc)
				if err != nil {
					return nil, err
				}
				if err := s.app.SetAuditHeld(ctx, p, in.Org, in.ID, day); err != nil {
					return nil, err
				}
				au, err := s.app.Audit(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &InternalAuditOutput{Body: internalAuditJSON(au)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "bulk-update-soa", Method: http.MethodPost, Path: base + "/soa/bulk-updates", Tags: []string{"statement of applicability"},
		Summary:     "Set the same decision on several SoA controls",
		Description: "Sets applicability, justification or status (the parts given) on the listed controls or on every control a filter selects, in one transaction; on any problem nothing is stored and the 422 names each control and field.",
		Errors:      []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity}},
		func(ctx context.Context, in *SoABulkInput) (*SoABulkOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*SoABulkOutput, error) {
				b := in.Body
				controls := b.Controls
				switch {
				case len(controls) > 0 && b.Filter != nil:
					return nil, s.apiError(ctx, isms.Errorf(isms.EINVALID, "give controls or filter, not both"))
				case len(controls) == 0 && b.Filter == nil:
					return nil, s.apiError(ctx, isms.Errorf(isms.EINVALID, "controls: list the controls to change, or give a filter (an empty one selects every control)"))
				case b.Filter != nil:
					soa, err := s.app.SoA(ctx, p, in.Org, app.SoAFilter{Theme: b.Filter.Theme, Applicability: b.Filter.Applicable, Status: isms.ImplementationStatus(b.Filter.Status)})
					if err != nil {
						return nil, err
					}
					for _, c := range soa.Controls {
						controls = append(controls, c.ID)
					}
				}
				res, err := s.app.BulkUpdateSoA(ctx, p, in.Org, controls, app.SoABulk{Applicable: b.Applicable, Justification: b.Justification, Status: isms.ImplementationStatus(b.Status)})
				if err != nil {
					return nil, err
				}
				return &SoABulkOutput{Body: soaImportJSON(res)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-record-counts", Method: http.MethodGet, Path: base + "/record-counts", Tags: []string{"records"},
		Summary:     "How many records each register holds",
		Description: "The number of records of every kind, as on the records page.",
		Errors:      []int{http.StatusNotFound}},
		func(ctx context.Context, in *OrgPath) (*RecordCountsOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*RecordCountsOutput, error) {
				counts, err := s.app.RecordCounts(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &RecordCountsOutput{Body: RecordCounts{Kinds: []RecordCountJSON{}}}
				for _, k := range isms.Kinds() {
					out.Body.Kinds = append(out.Body.Kinds, RecordCountJSON{Kind: string(k.Kind), Title: k.Title, Count: counts[k.Kind]})
				}
				return out, nil
			})
		})
}

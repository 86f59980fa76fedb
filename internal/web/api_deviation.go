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

// DeviationPath is a deviation in an API path.
type DeviationPath struct {
	OrgPath
	ID int64 `path:"id" doc:"Deviation id."`
}

// ActionJSON is a corrective action in the API.
type ActionJSON struct {
	ID       int64      `json:"id"`
	Title    string     `json:"title"`
	OwnerID  int64      `json:"owner_id"`
	DueAt    time.Time  `json:"due_at"`
	Status   string     `json:"status" enum:"planned,done"`
	Evidence string     `json:"evidence"`
	File     string     `json:"evidence_file,omitempty" doc:"Name of the attached evidence file."`
	DoneAt   *time.Time `json:"done_at,omitempty"`
}

// CheckJSON is an effectiveness check in the API.
type CheckJSON struct {
	Verdict   string    `json:"verdict" enum:"effective,not_effective"`
	Proposed  string    `json:"proposed"`
	Note      string    `json:"note"`
	CheckedBy string    `json:"checked_by"`
	CheckedAt time.Time `json:"checked_at"`
}

// DeviationSummaryJSON is a deviation in a list: a deviation without its
// corrective actions and effectiveness checks (get-deviation has them).
type DeviationSummaryJSON struct {
	ID           int64      `json:"id"`
	Ref          string     `json:"ref"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	Kind         string     `json:"kind"`
	Source       string     `json:"source"`
	Severity     string     `json:"severity"`
	Status       string     `json:"status"`
	DetectedAt   time.Time  `json:"detected_at"`
	OwnerID      int64      `json:"owner_id"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	MetricKey    string     `json:"metric_key,omitempty"`
	MetricPeriod string     `json:"metric_period,omitempty"`
	RecordKind   string     `json:"record_kind,omitempty"`
	RecordID     int64      `json:"record_id,omitempty"`
	ProcessID    int64      `json:"process_id,omitempty"`
	FindingID    int64      `json:"finding_id,omitempty"`
	OpenedReason string     `json:"opened_reason"`
	Correction   string     `json:"correction"`
	Whys         []string   `json:"whys"`
	RootCause    string     `json:"root_cause"`
	Category     string     `json:"cause_category"`
	CheckDueAt   *time.Time `json:"check_due_at,omitempty"`
	CloseReason  string     `json:"close_reason,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

// DeviationJSON is a deviation in the API, with its corrective actions and
// effectiveness checks.
type DeviationJSON struct {
	DeviationSummaryJSON
	Actions []ActionJSON `json:"actions"`
	Checks  []CheckJSON  `json:"checks"`
}

func deviationSummaryJSON(d *isms.Deviation) DeviationSummaryJSON {
	return DeviationSummaryJSON{ID: d.ID, Ref: d.Ref, Title: d.Title, Description: d.Description, Kind: d.Kind, Source: d.Source, Severity: d.Severity,
		Status: string(d.Status), DetectedAt: d.DetectedAt, OwnerID: d.OwnerID, DueAt: d.DueAt, MetricKey: d.MetricKey, MetricPeriod: d.MetricPeriod,
		RecordKind: d.RecordKind, RecordID: d.RecordID, ProcessID: d.ProcessID, FindingID: d.FindingID, OpenedReason: d.OpenedReason,
		Correction: d.Correction, Whys: append([]string{}, d.Whys...), RootCause: d.RootCause, Category: d.Category, CheckDueAt: d.CheckDueAt,
		CloseReason: d.CloseReason, ClosedAt: d.ClosedAt}
}

func deviationJSON(d *isms.Deviation) DeviationJSON {
	out := DeviationJSON{DeviationSummaryJSON: deviationSummaryJSON(d), Actions: []ActionJSON{}, Checks: []CheckJSON{}}
	for _, c := range d.Actions {
		out.Actions = append(out.Actions, ActionJSON{ID: c.ID, Title: c.Title, OwnerID: c.OwnerID, DueAt: c.DueAt, Status: c.Status, Evidence: c.Evidence, File: c.EvidenceFile, DoneAt: c.DoneAt})
	}
	for _, c := range d.Checks {
		out.Checks = append(out.Checks, CheckJSON{Verdict: c.Verdict, Proposed: c.Proposed, Note: c.Note, CheckedBy: c.CheckedBy, CheckedAt: c.CheckedAt})
	}
	return out
}

type deviationOutput struct{ Body DeviationJSON }

// deviationResult turns a use case's answer into the API's.
func (s *Server) deviationResult(ctx context.Context, d *isms.Deviation, err error) (*deviationOutput, error) {
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &deviationOutput{deviationJSON(d)}, nil
}

// ReasonBody is the optional reason of a transition.
type ReasonBody struct {
	Reason string `json:"reason,omitempty" doc:"Required to reopen and to close an observation without a check." maxLength:"20000"`
}

func (s *Server) apiDeviationRoutes(api huma.API) {
	tags := []string{"deviations"}
	base := "/api/v1/orgs/{org}/deviations"
	huma.Register(api, huma.Operation{OperationID: "list-deviations", Method: http.MethodGet, Path: base, Summary: "Deviations, newest first",
		Description: "Each item is a deviation without its corrective actions and effectiveness checks: get-deviation gives them.", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			Status   string `query:"status" doc:"A status, or overdue; empty for all. Anything else: 422."`
			Owner    string `query:"owner" maxLength:"200" doc:"The owner's email, case-insensitive."`
			Period   string `query:"period" maxLength:"7" doc:"A month (2026-10) or quarter (2026-Q4) of detection in the organisation's time zone, start included, end excluded."`
			Standard string `query:"standard" maxLength:"20" doc:"Only deviations that serve this standard (a key; iso27001 includes untagged ones)."`
			PageParams
		}) (*listOutput[DeviationSummaryJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[DeviationSummaryJSON], error) {
				ds, total, err := s.app.DeviationPage(ctx, p, in.Org, app.DeviationQuery{Status: in.Status, Owner: in.Owner, Period: in.Period, Standard: in.Standard, Limit: in.Limit, Offset: in.Offset, NoCount: !in.Count})
				if err != nil {
					return nil, err
				}
				out := &listOutput[DeviationSummaryJSON]{}
				out.Body.Items = []DeviationSummaryJSON{}
				for i := range ds {
					out.Body.Items = append(out.Body.Items, deviationSummaryJSON(&ds[i]))
				}
				out.uncounted(in.PageParams, total)
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-deviation", Method: http.MethodGet, Path: base + "/{id}", Summary: "One deviation with its actions and checks", Tags: tags},
		func(ctx context.Context, in *DeviationPath) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				d, err := s.app.Deviation(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &deviationOutput{deviationJSON(&d.Deviation)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-deviation-stats", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/deviation-stats", Summary: "Counts of open and overdue deviations, actions, checks and findings", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*struct{ Body app.DeviationStats }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body app.DeviationStats }, error) {
				st, err := s.app.DeviationStats(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &struct{ Body app.DeviationStats }{st}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-deviation", Method: http.MethodPost, Path: base, Summary: "Open a deviation", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				Title        string     `json:"title" minLength:"1" maxLength:"200"`
				Description  string     `json:"description,omitempty" maxLength:"20000"`
				Kind         string     `json:"kind,omitempty" maxLength:"40" doc:"The grade: major, minor, observation or opportunity; also written as an audit report does (major nonconformity, minor NC, OFI, opportunity for improvement), any case. Empty: a grade given as severity."`
				Source       string     `json:"source" enum:"metric,incident,audit_finding,observation,complaint"`
				Severity     string     `json:"severity,omitempty" maxLength:"40" doc:"critical, high, medium or low, any case; P1 to P4 (also Sev1 to Sev4, S1 to S4) read as critical to low. Empty: from the grade (major high, minor medium, observation and opportunity low)."`
				DetectedAt   *time.Time `json:"detected_at,omitempty" doc:"Default now."`
				OwnerEmail   string     `json:"owner_email,omitempty" doc:"Default the caller."`
				DueAt        *time.Time `json:"due_at,omitempty"`
				MetricKey    string     `json:"metric_key,omitempty"`
				MetricPeriod string     `json:"metric_period,omitempty"`
				RiskRef      string     `json:"risk_ref,omitempty"`
				ControlRef   string     `json:"control_ref,omitempty"`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				b := in.Body
				di := app.DeviationInput{Title: b.Title, Description: b.Description, Kind: b.Kind, Source: b.Source, Severity: b.Severity,
					OwnerEmail: b.OwnerEmail, DueAt: b.DueAt, MetricKey: b.MetricKey, MetricPeriod: b.MetricPeriod, RiskRef: b.RiskRef, ControlRef: b.ControlRef}
				if b.DetectedAt != nil {
					di.DetectedAt = *b.DetectedAt
				}
				d, err := s.app.CreateDeviation(ctx, p, in.Org, di)
				return s.deviationResult(ctx, d, err)
			})
		})

	for _, t := range isms.DeviationTransitions {
		name := t.Name
		huma.Register(api, huma.Operation{OperationID: "deviation-" + name, Method: http.MethodPost, Path: base + "/{id}/" + name, Summary: t.Label + " (" + t.Name + ")", Tags: tags},
			func(ctx context.Context, in *struct {
				DeviationPath
				Body ReasonBody
			}) (*deviationOutput, error) {
				return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
					d, err := s.app.Transition(ctx, p, in.Org, in.ID, name, in.Body.Reason)
					return s.deviationResult(ctx, d, err)
				})
			})
	}
	huma.Register(api, huma.Operation{OperationID: "set-deviation-settings", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/deviation-settings", Summary: "Set the days between the last corrective action done and the effectiveness check", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				CheckAfterDays int `json:"check_after_days" minimum:"1" maximum:"365"`
			}
		}) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.SetCheckAfterDays(ctx, p, in.Org, in.Body.CheckAfterDays); err != nil {
					return nil, err
				}
				return &struct{}{}, nil
			})
		})
	s.apiDeviationWork(api, base, tags)
}

// apiDeviationWork registers the operations that record the work on a
// deviation: correction, root cause, actions and the check.
func (s *Server) apiDeviationWork(api huma.API, base string, tags []string) {
	huma.Register(api, huma.Operation{OperationID: "assign-deviation", Method: http.MethodPost, Path: base + "/{id}/assign", Summary: "Set the owner and due date", Tags: tags},
		func(ctx context.Context, in *struct {
			DeviationPath
			Body struct {
				OwnerEmail string     `json:"owner_email,omitempty" doc:"Empty keeps the owner."`
				DueAt      *time.Time `json:"due_at,omitempty" doc:"Absent clears the due date."`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				d, err := s.app.AssignDeviation(ctx, p, in.Org, in.ID, in.Body.OwnerEmail, in.Body.DueAt)
				return s.deviationResult(ctx, d, err)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "record-deviation-correction", Method: http.MethodPost, Path: base + "/{id}/correction", Summary: "Record the immediate correction", Tags: tags},
		func(ctx context.Context, in *struct {
			DeviationPath
			Body struct {
				Correction string `json:"correction" minLength:"1" maxLength:"20000"`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				d, err := s.app.RecordCorrection(ctx, p, in.Org, in.ID, in.Body.Correction)
				return s.deviationResult(ctx, d, err)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "record-deviation-root-cause", Method: http.MethodPost, Path: base + "/{id}/root-cause", Summary: "Record the five whys, the root cause and its category", Tags: tags},
		func(ctx context.Context, in *struct {
			DeviationPath
			Body struct {
				Whys     []string `json:"whys,omitempty" maxItems:"5"`
				Cause    string   `json:"cause" minLength:"1" maxLength:"20000"`
				Category string   `json:"category" enum:"people,process,technology,supplier,external"`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				d, err := s.app.RecordRootCause(ctx, p, in.Org, in.ID, in.Body.Whys, in.Body.Cause, in.Body.Category)
				return s.deviationResult(ctx, d, err)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "add-corrective-action", Method: http.MethodPost, Path: base + "/{id}/actions", Summary: "Add a corrective action", Tags: tags},
		func(ctx context.Context, in *struct {
			DeviationPath
			Body struct {
				Title      string    `json:"title" minLength:"1" maxLength:"200"`
				OwnerEmail string    `json:"owner_email,omitempty" doc:"Default the caller."`
				DueAt      time.Time `json:"due_at"`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				d, err := s.app.AddCorrectiveAction(ctx, p, in.Org, in.ID, app.ActionInput{Title: in.Body.Title, OwnerEmail: in.Body.OwnerEmail, DueAt: in.Body.DueAt})
				return s.deviationResult(ctx, d, err)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "complete-corrective-action", Method: http.MethodPost, Path: base + "/{id}/actions/{aid}/done", Summary: "Mark a corrective action done, with evidence", Tags: tags},
		func(ctx context.Context, in *struct {
			DeviationPath
			AID  int64 `path:"aid" doc:"Corrective action id."`
			Body struct {
				Evidence string     `json:"evidence,omitempty" doc:"A note; required without a file." maxLength:"20000"`
				FileName string     `json:"file_name,omitempty"`
				File     []byte     `json:"file,omitempty" doc:"Evidence file, base64, at most 5 MB."`
				DoneAt   *time.Time `json:"done_at,omitempty" doc:"Default now; not in the future."`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				var done time.Time
				if in.Body.DoneAt != nil {
					done = *in.Body.DoneAt
				}
				var file *store.EvidenceFile
				if len(in.Body.File) > 0 {
					file = &store.EvidenceFile{Name: in.Body.FileName, Content: in.Body.File}
				}
				d, err := s.app.CompleteAction(ctx, p, in.Org, in.ID, in.AID, in.Body.Evidence, file, done)
				return s.deviationResult(ctx, d, err)
			})
		})

	huma.Register(api, huma.Operation{OperationID: "record-effectiveness-check", Method: http.MethodPost, Path: base + "/{id}/check", Summary: "Record the effectiveness check: effective closes, not effective reopens", Tags: tags},
		func(ctx context.Context, in *struct {
			DeviationPath
			Body struct {
				Verdict string `json:"verdict" enum:"effective,not_effective"`
				Note    string `json:"note" minLength:"1" maxLength:"20000"`
			}
		}) (*deviationOutput, error) {
			return asCaller(ctx, s, func(p app.Principal) (*deviationOutput, error) {
				d, err := s.app.RecordCheck(ctx, p, in.Org, in.ID, in.Body.Verdict, in.Body.Note)
				return s.deviationResult(ctx, d, err)
			})
		})
}

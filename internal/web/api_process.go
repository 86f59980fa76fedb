package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// ProcessInput is what a client sends to add or replace a process: the
// fields the server computes (id, score, warnings, updated_at) are not in it.
type ProcessInput struct {
	Name          string   `json:"name" minLength:"1" maxLength:"200"`
	Purpose       string   `json:"purpose,omitempty" maxLength:"20000"`
	OwnerID       int64    `json:"owner_id" doc:"User id of the one owner, a member of the organisation."`
	Trigger       string   `json:"trigger" minLength:"1" maxLength:"200"`
	Deadline      string   `json:"deadline" minLength:"1" maxLength:"200"`
	DeadlineHours *float64 `json:"deadline_hours,omitempty"`
	Steps         string   `json:"steps,omitempty" doc:"Markdown." maxLength:"20000"`
	Recorded      string   `json:"recorded,omitempty" maxLength:"20000"`
	Template      string   `json:"template,omitempty"`
	Impact        int      `json:"impact" minimum:"1" maximum:"5"`
	Recurrence    int      `json:"recurrence" minimum:"1" maximum:"5"`
	Risk          int      `json:"risk" minimum:"1" maximum:"5"`
	Metrics       []string `json:"metrics"`
	// Issue 19: standards as tags.
	Standards []string `json:"standards,omitempty" maxItems:"20" doc:"Standard keys the process serves (iso27001, iso9001, iso42001, iso22301, iso27701); absent or empty on create: ISO/IEC 27001; absent on update: unchanged."`
}

// ProcessJSON is a process in the API.
type ProcessJSON struct {
	ID int64 `json:"id"`
	ProcessInput
	Score     int       `json:"score" doc:"impact x recurrence x risk"`
	Warnings  []string  `json:"warnings,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func processJSON(p *isms.Process) ProcessJSON {
	out := ProcessJSON{ID: p.ID, ProcessInput: ProcessInput{Name: p.Name, Purpose: p.Purpose, OwnerID: p.OwnerID, Trigger: p.Trigger, Deadline: p.Deadline,
		DeadlineHours: p.DeadlineHours, Steps: p.Steps, Recorded: p.Recorded, Template: p.Template, Impact: p.Impact, Recurrence: p.Recurrence,
		Risk: p.Risk, Metrics: p.Metrics, Standards: p.Standards}, Score: p.Score(), Warnings: p.Warnings(), UpdatedAt: p.UpdatedAt}
	if out.Metrics == nil {
		out.Metrics = []string{}
	}
	return out
}

// newProcess is the process a client sent (its id is the path's, if any).
func newProcess(j ProcessInput) *isms.Process {
	return &isms.Process{Name: j.Name, Purpose: j.Purpose, OwnerID: j.OwnerID, Trigger: j.Trigger, Deadline: j.Deadline,
		DeadlineHours: j.DeadlineHours, Steps: j.Steps, Recorded: j.Recorded, Template: j.Template, Impact: j.Impact, Recurrence: j.Recurrence,
		Risk: j.Risk, Metrics: j.Metrics, Standards: j.Standards}
}

// CycleInput is what a client sends to start an improvement cycle.
type CycleInput struct {
	Name         string  `json:"name" minLength:"1" maxLength:"200"`
	Start        string  `json:"start" format:"date" doc:"First day, YYYY-MM-DD, in the organisation's time zone."`
	End          string  `json:"end" format:"date" doc:"Last day."`
	Goals        string  `json:"goals" minLength:"1" maxLength:"20000"`
	LengthReason string  `json:"length_reason,omitempty" doc:"Required when the cycle is shorter than 60 or longer than 90 days."`
	FocusReason  string  `json:"focus_reason,omitempty" doc:"Required when more than 5 processes are chosen."`
	ProcessIDs   []int64 `json:"process_ids"`
}

// CycleJSON is an improvement cycle in the API.
type CycleJSON struct {
	ID int64 `json:"id"`
	CycleInput
}

// CycleDetailJSON is a cycle with its processes' figures at its start and now.
type CycleDetailJSON struct {
	Cycle     CycleJSON          `json:"cycle"`
	Processes []CycleProcessJSON `json:"processes"`
}

// CycleProcessJSON is a process of a cycle with its metrics' figures for
// the last complete period at the cycle's start (baseline) and now.
type CycleProcessJSON struct {
	Process  ProcessJSON  `json:"process"`
	Baseline []app.Figure `json:"baseline"`
	Now      []app.Figure `json:"now"`
}

// IDPath is an organisation and an id in an API path.
type IDPath struct {
	OrgPath
	ID int64 `path:"id"`
}

func (s *Server) apiProcessRoutes(api huma.API) {
	tags := []string{"processes"}
	huma.Register(api, huma.Operation{OperationID: "list-processes", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/processes", Summary: "Key processes, highest priority first, filtered, paged", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Owner    string `query:"owner" maxLength:"254" doc:"Only processes of this owner (email, case-insensitive)."`
			Query    string `query:"q" maxLength:"100" doc:"Only processes whose name contains this, case-insensitive."`
			Standard string `query:"standard" maxLength:"20" doc:"Only processes that serve this standard (a key; iso27001 includes untagged ones)."`
		}) (*listOutput[ProcessJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[ProcessJSON], error) {
				pg, err := s.app.ProcessList(ctx, p, in.Org, app.ProcessFilter{Owner: in.Owner, Query: in.Query, Standard: in.Standard, Page: app.Page{Limit: in.Limit, Offset: in.Offset, Count: in.Count}})
				if err != nil {
					return nil, err
				}
				out := &listOutput[ProcessJSON]{}
				out.Body.Items = []ProcessJSON{}
				for _, proc := range pg.Items {
					out.Body.Items = append(out.Body.Items, processJSON(proc))
				}
				out.page(in.PageParams, pg.Total, pg.More)
				return out, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "get-process", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/processes/{id}", Summary: "One process", Tags: tags},
		func(ctx context.Context, in *IDPath) (*struct{ Body ProcessJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ProcessJSON }, error) {
				proc, err := s.app.Process(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				return &struct{ Body ProcessJSON }{processJSON(proc)}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "create-process", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/processes", Summary: "Add a process (template names one of the five templates to start from)", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body ProcessInput
		}) (*struct{ Body ProcessJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ProcessJSON }, error) {
				proc := newProcess(in.Body)
				if err := s.app.CreateProcess(ctx, p, in.Org, proc); err != nil {
					return nil, err
				}
				return &struct{ Body ProcessJSON }{processJSON(proc)}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "update-process", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/processes/{id}", Summary: "Replace a process's fields, scores and metrics", Tags: tags},
		func(ctx context.Context, in *struct {
			IDPath
			Body ProcessInput
		}) (*struct{ Body ProcessJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body ProcessJSON }, error) {
				proc := newProcess(in.Body)
				proc.ID = in.ID
				if err := s.app.UpdateProcess(ctx, p, in.Org, proc); err != nil {
					return nil, err
				}
				return &struct{ Body ProcessJSON }{processJSON(proc)}, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "list-cycles", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/cycles", Summary: "Improvement cycles, newest first", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*listOutput[CycleJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[CycleJSON], error) {
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				cs, err := s.app.Cycles(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[CycleJSON]{}
				out.Body.Items = []CycleJSON{}
				for _, c := range cs {
					out.Body.Items = append(out.Body.Items, cycleJSON(c, m.Org.Location()))
				}
				out.whole()
				return out, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "get-cycle", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/cycles/{id}", Summary: "One cycle with its processes' figures at the start and now", Tags: tags},
		func(ctx context.Context, in *IDPath) (*struct{ Body CycleDetailJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body CycleDetailJSON }, error) {
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				v, err := s.app.Cycle(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				out := &struct{ Body CycleDetailJSON }{CycleDetailJSON{Cycle: cycleJSON(v.Cycle, m.Org.Location()), Processes: []CycleProcessJSON{}}}
				for _, cp := range v.Processes {
					out.Body.Processes = append(out.Body.Processes, CycleProcessJSON{Process: processJSON(cp.Process),
						Baseline: append([]app.Figure{}, cp.Baseline...), Now: append([]app.Figure{}, cp.Now...)})
				}
				return out, nil
			})
		})
	huma.Register(api, huma.Operation{OperationID: "create-cycle", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/cycles", Summary: "Start an improvement cycle", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body CycleInput
		}) (*struct{ Body CycleJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body CycleJSON }, error) {
				m, err := s.app.Org(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				loc := m.Org.Location()
				c := &isms.Cycle{Name: in.Body.Name, Goals: in.Body.Goals, LengthReason: in.Body.LengthReason, FocusReason: in.Body.FocusReason, ProcessIDs: in.Body.ProcessIDs}
				var e1, e2 error
				c.Start, e1 = time.ParseInLocation(time.DateOnly, in.Body.Start, loc)
				c.End, e2 = time.ParseInLocation(time.DateOnly, in.Body.End, loc)
				if e1 != nil || e2 != nil {
					return nil, huma.Error422UnprocessableEntity("start and end: use YYYY-MM-DD")
				}
				if err := s.app.CreateCycle(ctx, p, in.Org, c); err != nil {
					return nil, err
				}
				return &struct{ Body CycleJSON }{cycleJSON(c, loc)}, nil
			})
		})
}

func cycleJSON(c *isms.Cycle, loc *time.Location) CycleJSON {
	ids := c.ProcessIDs
	if ids == nil {
		ids = []int64{}
	}
	return CycleJSON{ID: c.ID, CycleInput: CycleInput{Name: c.Name, Start: c.Start.In(loc).Format(time.DateOnly), End: c.End.In(loc).Format(time.DateOnly),
		Goals: c.Goals, LengthReason: c.LengthReason, FocusReason: c.FocusReason, ProcessIDs: ids}}
}

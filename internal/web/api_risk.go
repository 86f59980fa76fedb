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

// RiskFieldsJSON are the fields of a risk a client sets; likelihood and
// impact change only through reassess-risk.
type RiskFieldsJSON struct {
	Asset         string   `json:"asset" minLength:"1" doc:"Asset or scope at risk." maxLength:"200"`
	Threat        string   `json:"threat" minLength:"1" maxLength:"200"`
	Vulnerability string   `json:"vulnerability,omitempty" maxLength:"200"`
	Treatment     string   `json:"treatment,omitempty" doc:"modify, accept, avoid or share; empty until decided."`
	Plan          string   `json:"treatment_plan,omitempty"`
	Justification string   `json:"justification,omitempty" doc:"Why the risk is accepted; required to accept a high or critical risk." maxLength:"20000"`
	OwnerEmail    string   `json:"owner_email,omitempty" doc:"A member; the caller when creating, unchanged when updating, if absent."`
	Controls      []string `json:"controls,omitempty" doc:"Annex A identifiers, e.g. A.8.13."`
	ProcessIDs    []int64  `json:"process_ids,omitempty" doc:"Processes of the same organisation."`
}

func riskFieldsOf(j RiskFieldsJSON) app.RiskFields {
	return app.RiskFields{Asset: j.Asset, Threat: j.Threat, Vulnerability: j.Vulnerability, Treatment: isms.Treatment(j.Treatment), Plan: j.Plan,
		Justification: j.Justification, OwnerEmail: j.OwnerEmail, Controls: j.Controls, ProcessIDs: j.ProcessIDs}
}

// AssessmentJSON is a likelihood and impact with a note.
type AssessmentJSON struct {
	Likelihood int    `json:"likelihood" minimum:"1" maximum:"5"`
	Impact     int    `json:"impact" minimum:"1" maximum:"5"`
	Note       string `json:"note,omitempty" doc:"What the assessment considered (required to reassess)." maxLength:"20000"`
}

// HistoryJSON is one assessment in a risk's score history.
type HistoryJSON struct {
	Likelihood int       `json:"likelihood"`
	Impact     int       `json:"impact"`
	Score      int       `json:"score"`
	Level      string    `json:"level"`
	Note       string    `json:"note"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

// RiskJSON is a risk of the register.
type RiskJSON struct {
	ID         int64  `json:"id"`
	Ref        string `json:"ref"`
	Likelihood int    `json:"likelihood"`
	Impact     int    `json:"impact"`
	Score      int    `json:"score"`
	Level      string `json:"level" enum:"low,medium,high,critical"`
	RiskFieldsJSON
	AssessedAt time.Time     `json:"assessed_at"`
	NextReview time.Time     `json:"next_reassessment"`
	Overdue    bool          `json:"reassessment_overdue"`
	Untreated  bool          `json:"untreated" doc:"High or critical without a decided treatment."`
	History    []HistoryJSON `json:"history,omitempty"`
}

func riskJSON(r *isms.Risk, now time.Time) RiskJSON {
	return RiskJSON{ID: r.ID, Ref: r.Ref(), Likelihood: r.Likelihood, Impact: r.Impact, Score: r.Score(), Level: string(r.Level()),
		RiskFieldsJSON: RiskFieldsJSON{Asset: r.Asset, Threat: r.Threat, Vulnerability: r.Vulnerability, Treatment: string(r.Treatment), Plan: r.Plan,
			Justification: r.Justification, OwnerEmail: r.OwnerEmail, Controls: r.Controls, ProcessIDs: r.ProcessIDs},
		AssessedAt: r.AssessedAt, NextReview: r.NextReview, Overdue: r.Overdue(now), Untreated: r.Untreated()}
}

// RiskPath is a risk in an API path.
type RiskPath struct {
	OrgPath
	ID int64 `path:"id" doc:"Risk id."`
}

// IntervalsJSON are the months between reassessments per level.
type IntervalsJSON struct {
	Low      int `json:"low" minimum:"1" maximum:"36"`
	Medium   int `json:"medium" minimum:"1" maximum:"36"`
	High     int `json:"high" minimum:"1" maximum:"36"`
	Critical int `json:"critical" minimum:"1" maximum:"36"`
}

// RiskStatsJSON are the register's figures.
type RiskStatsJSON struct {
	Total                int            `json:"total"`
	ByLevel              map[string]int `json:"by_level"`
	ReassessmentsOverdue int            `json:"reassessments_overdue"`
	NextReassessment     *time.Time     `json:"next_reassessment"`
	Untreated            int            `json:"untreated"`
}

func (s *Server) apiRiskRoutes(api huma.API) {
	tags := []string{"risks"}
	huma.Register(api, huma.Operation{OperationID: "list-risks", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/risks", Summary: "The risk register, filtered, newest first (by creation), paged", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			PageParams
			Level     string `query:"level" doc:"low, medium, high or critical. Anything else: 422."`
			Treatment string `query:"treatment" doc:"A treatment option (modify, accept, avoid, share), or none for risks without one. Anything else: 422."`
			Owner     string `query:"owner" maxLength:"200" doc:"The owner's email, case-insensitive."`
			Overdue   bool   `query:"overdue" doc:"Only risks whose reassessment is overdue."`
			Untreated bool   `query:"untreated" doc:"Only high or critical risks without a decided treatment."`
			After     string `query:"after" maxLength:"64" doc:"The next of the previous page: the page after it, whose cost does not grow with how deep into the register it is (offset's does). Not with offset or count."`
		}) (*cursorListOutput[RiskJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*cursorListOutput[RiskJSON], error) {
				f := app.RiskFilter{Level: isms.RiskLevel(in.Level), Treatment: isms.Treatment(in.Treatment), Owner: in.Owner,
					Due: in.Overdue, Untreated: in.Untreated, Limit: in.Limit, Offset: in.Offset, PageOnly: true, NoCount: !in.Count}
				if in.After != "" {
					at, id, err := parseCursor(in.After, "risk")
					if err != nil || at == nil {
						return nil, cursorError(in.After, "risk")
					}
					f.After = &store.RiskKey{CreatedAt: *at, ID: id}
				}
				reg, err := s.app.Risks(ctx, p, in.Org, f)
				if err != nil {
					return nil, err
				}
				out := &cursorListOutput[RiskJSON]{}
				out.Body.Items = make([]RiskJSON, 0, len(reg.Risks))
				for _, r := range reg.Risks {
					out.Body.Items = append(out.Body.Items, riskJSON(r, reg.Now))
				}
				out.page(in.PageParams, reg.Matching, moreAfter(in.PageParams, len(reg.Risks), reg.Matching), func() string {
					last := reg.Risks[len(reg.Risks)-1]
					return cursor(&last.CreatedAt, last.ID)
				})
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-risk", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/risks/{id}", Summary: "One risk with its score history", Tags: tags},
		func(ctx context.Context, in *RiskPath) (*struct{ Body RiskJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RiskJSON }, error) {
				d, err := s.app.RiskWithHistory(ctx, p, in.Org, in.ID)
				if err != nil {
					return nil, err
				}
				out := riskJSON(d.Risk, d.Now)
				for _, h := range d.History {
					out.History = append(out.History, HistoryJSON{Likelihood: h.Likelihood, Impact: h.Impact, Score: h.Score, Level: string(h.Level), Note: h.Note, Actor: h.Actor, At: h.At})
				}
				return &struct{ Body RiskJSON }{out}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-risk", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/risks", Summary: "Add a risk with its first assessment", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body struct {
				RiskFieldsJSON
				AssessmentJSON
			}
		}) (*struct{ Body RiskJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RiskJSON }, error) {
				r, err := s.app.CreateRisk(ctx, p, in.Org, riskFieldsOf(in.Body.RiskFieldsJSON), in.Body.Likelihood, in.Body.Impact, in.Body.Note)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RiskJSON }{riskJSON(r, r.CreatedAt)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-risk", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/risks/{id}", Summary: "Replace a risk's description, treatment, owner and links", Tags: tags},
		func(ctx context.Context, in *struct {
			RiskPath
			Body RiskFieldsJSON
		}) (*struct{ Body RiskJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RiskJSON }, error) {
				r, err := s.app.UpdateRisk(ctx, p, in.Org, in.ID, riskFieldsOf(in.Body))
				if err != nil {
					return nil, err
				}
				return &struct{ Body RiskJSON }{riskJSON(r, r.UpdatedAt)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "reassess-risk", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/risks/{id}/reassess", Summary: "Record a reassessment (score history, next date)", Tags: tags},
		func(ctx context.Context, in *struct {
			RiskPath
			Body AssessmentJSON
		}) (*struct{ Body RiskJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RiskJSON }, error) {
				r, err := s.app.ReassessRisk(ctx, p, in.Org, in.ID, in.Body.Likelihood, in.Body.Impact, in.Body.Note)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RiskJSON }{riskJSON(r, r.UpdatedAt)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "get-risk-stats", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/risk-stats", Summary: "Risks by level, overdue reassessments, untreated high risks", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*struct{ Body RiskStatsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RiskStatsJSON }, error) {
				st, err := s.app.RiskStats(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RiskStatsJSON }{RiskStatsJSON(st)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-risk-intervals", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/risk-intervals", Summary: "Set the months between reassessments per level", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			Body IntervalsJSON
		}) (*struct{ Body IntervalsJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body IntervalsJSON }, error) {
				b := in.Body
				ri := isms.ReviewIntervals{isms.LevelLow: b.Low, isms.LevelMedium: b.Medium, isms.LevelHigh: b.High, isms.LevelCritical: b.Critical}
				if err := s.app.SetReviewIntervals(ctx, p, in.Org, ri); err != nil {
					return nil, err
				}
				return &struct{ Body IntervalsJSON }{b}, nil
			})
		})
}

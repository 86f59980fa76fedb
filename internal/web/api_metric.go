package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
)

// RuleJSON is a decision rule in the API.
type RuleJSON struct {
	Kind   string   `json:"kind" enum:"at_least,at_most,not_rising" doc:"at_least: green when value >= green; at_most: green when value <= green; not_rising: green unless higher than the period before."`
	Green  float64  `json:"green"`
	Yellow *float64 `json:"yellow,omitempty" doc:"Bound of the yellow band; absent means no yellow band."`
}

// ConditionJSON is one filter condition.
type ConditionJSON struct {
	Field  string `json:"field"`
	Equals string `json:"equals" doc:"Case-insensitive; for a boolean field true or false."`
}

// MetricDefInput is what a client sends to add a metric.
type MetricDefInput struct {
	Key              string          `json:"key" pattern:"^[a-z0-9][a-z0-9-]{0,62}$"`
	Name             string          `json:"name" minLength:"1" maxLength:"200"`
	Kind             string          `json:"kind,omitempty" doc:"Record kind read (not for manual metrics)."`
	Measure          string          `json:"measure" enum:"share_within,count,percentage,percentile_duration,stock_count,stock_aged_count,coverage,manual"`
	Frequency        string          `json:"frequency" enum:"month,quarter"`
	Unit             string          `json:"unit" enum:"%,count,days"`
	Filter           []ConditionJSON `json:"filter,omitempty"`
	PeriodField      string          `json:"period_field,omitempty"`
	PeriodIsDeadline bool            `json:"period_is_deadline,omitempty"`
	StartField       string          `json:"start_field,omitempty"`
	DoneField        string          `json:"done_field,omitempty"`
	WithinHours      float64         `json:"within_hours,omitempty"`
	BoolField        string          `json:"bool_field,omitempty"`
	AgeOverDays      float64         `json:"age_over_days,omitempty"`
	Percentile       float64         `json:"percentile,omitempty"`
	RelatedKind      string          `json:"related_kind,omitempty"`
	RelatedKeyField  string          `json:"related_key_field,omitempty"`
	RelatedTimeField string          `json:"related_time_field,omitempty"`
	WindowMonths     int             `json:"window_months,omitempty"`
	Rule             RuleJSON        `json:"rule"`
}

// MetricDefJSON is a metric definition in the API.
type MetricDefJSON struct {
	MetricDefInput
	Version int64 `json:"version,omitempty" doc:"The definition's version: each change makes a new one."`
}

func metricDefJSON(m app.Metric) MetricDefJSON {
	out := MetricDefJSON{Version: m.Version, MetricDefInput: MetricDefInput{Key: m.Key, Name: m.Name, Kind: m.Kind, Measure: string(m.Measure), Frequency: string(m.Frequency), Unit: string(m.Unit),
		PeriodField: m.PeriodField, PeriodIsDeadline: m.PeriodIsDeadline, StartField: m.StartField, DoneField: m.DoneField,
		WithinHours: m.Within.Hours(), BoolField: m.BoolField, AgeOverDays: m.AgeOver.Hours() / 24, Percentile: m.Percentile,
		RelatedKind: m.RelatedKind, RelatedKeyField: m.RelatedKeyField, RelatedTimeField: m.RelatedTimeField,
		WindowMonths: m.Window.Years*12 + m.Window.Months,
		Rule:         RuleJSON{Kind: string(m.Rule.Kind), Green: m.Rule.Green, Yellow: m.Rule.Yellow}}}
	for _, c := range m.Filter {
		out.Filter = append(out.Filter, ConditionJSON(c))
	}
	return out
}

// definition is the metric a client sent.
func definition(j MetricDefInput) measure.Definition {
	d := measure.Definition{Key: j.Key, Name: j.Name, Kind: j.Kind, Measure: measure.Measure(j.Measure), Frequency: measure.Frequency(j.Frequency),
		Unit: measure.Unit(j.Unit), PeriodField: j.PeriodField, PeriodIsDeadline: j.PeriodIsDeadline, StartField: j.StartField, DoneField: j.DoneField,
		Within: time.Duration(j.WithinHours * float64(time.Hour)), BoolField: j.BoolField, AgeOver: time.Duration(j.AgeOverDays * 24 * float64(time.Hour)),
		Percentile: j.Percentile, RelatedKind: j.RelatedKind, RelatedKeyField: j.RelatedKeyField, RelatedTimeField: j.RelatedTimeField,
		Window: measure.Window{Months: j.WindowMonths}, Rule: j.Rule.rule()}
	for _, c := range j.Filter {
		d.Filter = append(d.Filter, measure.Condition(c))
	}
	return d
}

func (r RuleJSON) rule() measure.Rule {
	return measure.Rule{Kind: measure.RuleKind(r.Kind), Green: r.Green, Yellow: r.Yellow}
}

// RatingJSON is one rated metric: the pdca metrics --json object.
type RatingJSON struct {
	Key        string     `json:"key"`
	Name       string     `json:"name"`
	Period     string     `json:"period"`
	Value      *float64   `json:"value" doc:"Rounded to two decimals; null when there is no data."`
	Unit       string     `json:"unit"`
	Status     string     `json:"status" enum:"green,yellow,red,grey"`
	Population int        `json:"population"`
	Met        int        `json:"met"`
	Missed     int        `json:"missed"`
	Pending    int        `json:"pending"`
	Counted    int        `json:"counted"`
	AsOf       time.Time  `json:"as_of"`
	Version    int64      `json:"definition_version"`
	Reason     string     `json:"reason"`
	Items      []ItemJSON `json:"items,omitempty" doc:"The records behind the figure (drill-down only)."`
}

// ItemJSON is one record behind a figure.
type ItemJSON struct {
	RecordID int64    `json:"record_id"`
	Key      string   `json:"key"`
	Outcome  string   `json:"outcome" enum:"met,missed,pending,counted"`
	Days     *float64 `json:"days,omitempty"`
}

func ratingJSON(r app.Rated, items bool) RatingJSON {
	out := RatingJSON{Key: r.Key, Name: r.Name, Period: r.Period.String(), Value: r.Rounded(), Unit: string(r.Unit), Status: string(r.Status),
		Population: r.Population, Met: r.Met, Missed: r.Missed, Pending: r.Pending, Counted: r.Counted, AsOf: r.AsOf.UTC(), Version: r.Version, Reason: r.Reason}
	if items {
		out.Items = []ItemJSON{}
		for _, it := range r.Items {
			out.Items = append(out.Items, ItemJSON{RecordID: it.ID, Key: it.Key, Outcome: string(it.Outcome), Days: it.Value})
		}
	}
	return out
}

func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, isms.Errorf(isms.EINVALID, "as_of %q: use RFC 3339, e.g. 2026-11-05T00:00:00Z", s)
	}
	return t.UTC(), nil
}

// MetricPath is a metric in an API path.
type MetricPath struct {
	OrgPath
	Key string `path:"key" doc:"Metric key."`
}

func (s *Server) apiMetricRoutes(api huma.API) {
	tags := []string{"metrics"}
	huma.Register(api, huma.Operation{OperationID: "list-metrics", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/metrics", Summary: "Metric definitions (current versions)", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*listOutput[MetricDefJSON], error) {
			return asCaller(ctx, s, func(p app.Principal) (*listOutput[MetricDefJSON], error) {
				ms, err := s.app.Metrics(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &listOutput[MetricDefJSON]{}
				out.Body.Items = []MetricDefJSON{}
				for _, m := range ms {
					out.Body.Items = append(out.Body.Items, metricDefJSON(m))
				}
				out.whole()
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "rate-metrics", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/ratings", Summary: "Rate every metric for a period as of a moment (as pdca metrics --json)", Tags: tags},
		func(ctx context.Context, in *struct {
			OrgPath
			Period string `query:"period" required:"true" doc:"A month (2026-10) or a quarter (2026-Q4), in the years 1970 to 2200."`
			AsOf   string `query:"as_of" doc:"RFC 3339, in the years 1970 to 2200; default now."`
		}) (*struct{ Body []RatingJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body []RatingJSON }, error) {
				asOf, err := parseAsOf(in.AsOf)
				if err != nil {
					return nil, err
				}
				rated, err := s.app.Measure(ctx, p, in.Org, in.Period, asOf)
				if err != nil {
					return nil, err
				}
				out := &struct{ Body []RatingJSON }{Body: []RatingJSON{}}
				for _, r := range rated {
					out.Body = append(out.Body, ratingJSON(r, false))
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "rate-metric", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/metrics/{key}/ratings/{period}", Summary: "One figure with the records behind it", Tags: tags},
		func(ctx context.Context, in *struct {
			MetricPath
			Period string `path:"period"`
			AsOf   string `query:"as_of" doc:"RFC 3339, in the years 1970 to 2200; default now."`
		}) (*struct{ Body RatingJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body RatingJSON }, error) {
				asOf, err := parseAsOf(in.AsOf)
				if err != nil {
					return nil, err
				}
				r, _, err := s.app.MeasureOne(ctx, p, in.Org, in.Key, in.Period, asOf)
				if err != nil {
					return nil, err
				}
				return &struct{ Body RatingJSON }{ratingJSON(r, true)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "list-measurements", Method: http.MethodGet, Path: "/api/v1/orgs/{org}/measurements", Summary: "Stored figures (recomputed after imports and nightly)", Tags: tags},
		func(ctx context.Context, in *OrgPath) (*struct{ Body []RatingJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body []RatingJSON }, error) {
				ms, err := s.app.StoredMeasurements(ctx, p, in.Org)
				if err != nil {
					return nil, err
				}
				out := &struct{ Body []RatingJSON }{Body: []RatingJSON{}}
				for _, m := range ms {
					var v *float64
					if m.Value != nil {
						r := measure.Round2(*m.Value)
						v = &r
					}
					out.Body = append(out.Body, RatingJSON{Key: m.Key, Period: m.Period, Value: v, Unit: m.Unit, Status: m.Status, Population: m.Population,
						Met: m.Met, Missed: m.Missed, Pending: m.Pending, Counted: m.Counted, AsOf: m.AsOf, Version: m.Version, Reason: m.Reason})
				}
				return out, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "create-metric", Method: http.MethodPost, Path: "/api/v1/orgs/{org}/metrics", Summary: "Add a metric of the organisation's own", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			OrgPath
			Body MetricDefInput
		}) (*struct{ Body MetricDefJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body MetricDefJSON }, error) {
				m, err := s.app.CreateMetric(ctx, p, in.Org, definition(in.Body))
				if err != nil {
					return nil, err
				}
				return &struct{ Body MetricDefJSON }{metricDefJSON(*m)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "update-metric", Method: http.MethodPatch, Path: "/api/v1/orgs/{org}/metrics/{key}", Summary: "Change a metric's name, decision rule or owner (a new version)", Tags: tags},
		func(ctx context.Context, in *struct {
			MetricPath
			Body struct {
				Name       *string   `json:"name,omitempty" maxLength:"200"`
				Rule       *RuleJSON `json:"rule,omitempty"`
				OwnerEmail *string   `json:"owner_email,omitempty" doc:"Empty string clears the owner."`
			}
		}) (*struct{ Body MetricDefJSON }, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{ Body MetricDefJSON }, error) {
				c := app.MetricChange{Name: in.Body.Name, OwnerEmail: in.Body.OwnerEmail}
				if in.Body.Rule != nil {
					r := in.Body.Rule.rule()
					c.Rule = &r
				}
				m, err := s.app.UpdateMetric(ctx, p, in.Org, in.Key, c)
				if err != nil {
					return nil, err
				}
				return &struct{ Body MetricDefJSON }{metricDefJSON(*m)}, nil
			})
		})

	huma.Register(api, huma.Operation{OperationID: "set-manual-value", Method: http.MethodPut, Path: "/api/v1/orgs/{org}/metrics/{key}/values/{period}", Summary: "Type in the value of a manual metric", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			MetricPath
			Period string `path:"period"`
			Body   struct {
				Value float64 `json:"value"`
				Note  string  `json:"note" minLength:"1" doc:"Where the value comes from." maxLength:"20000"`
			}
		}) (*struct{}, error) {
			return asCaller(ctx, s, func(p app.Principal) (*struct{}, error) {
				if err := s.app.SetManualValue(ctx, p, in.Org, in.Key, in.Period, in.Body.Value, in.Body.Note); err != nil {
					return nil, err
				}
				return &struct{}{}, nil
			})
		})
}

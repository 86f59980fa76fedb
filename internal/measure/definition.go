package measure

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// EINVALID is the error code for a bad definition, period or input.
const EINVALID = "invalid"

// Error is a domain error of this package: a code (EINVALID) and a message
// written for users.
type Error struct {
	Code    string
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

func invalidf(format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...)}
}

// Measure is how a metric turns records into a value.
type Measure string

// The measures of PRODUCT.md "Built-in metrics", plus manual entry.
const (
	MeasureShareWithin        Measure = "share_within"
	MeasureCount              Measure = "count"
	MeasurePercentage         Measure = "percentage"
	MeasurePercentileDuration Measure = "percentile_duration"
	MeasureStockCount         Measure = "stock_count"
	MeasureStockAgedCount     Measure = "stock_aged_count"
	MeasureCoverage           Measure = "coverage"
	MeasureManual             Measure = "manual"
)

// Valid reports whether m is one of the known measures.
func (m Measure) Valid() bool {
	switch m {
	case MeasureShareWithin, MeasureCount, MeasurePercentage, MeasurePercentileDuration,
		MeasureStockCount, MeasureStockAgedCount, MeasureCoverage, MeasureManual:
		return true
	}
	return false
}

// Unit is the unit of a metric's value.
type Unit string

// The units a metric's value may have.
const (
	UnitPercent Unit = "%"
	UnitCount   Unit = "count"
	UnitDays    Unit = "days"
)

// Valid reports whether u is one of the known units.
func (u Unit) Valid() bool {
	return u == UnitPercent || u == UnitCount || u == UnitDays
}

// Status is the rating of a measurement.
type Status string

// The ratings; grey means no data.
const (
	StatusGreen  Status = "green"
	StatusYellow Status = "yellow"
	StatusRed    Status = "red"
	StatusGrey   Status = "grey"
)

// RuleKind is the kind of decision rule that rates a value.
type RuleKind string

// The rule kinds.
const (
	RuleAtLeast   RuleKind = "at_least"
	RuleAtMost    RuleKind = "at_most"
	RuleNotRising RuleKind = "not_rising"
)

// Valid reports whether k is one of the known rule kinds.
func (k RuleKind) Valid() bool {
	return k == RuleAtLeast || k == RuleAtMost || k == RuleNotRising
}

// Rule is a metric's decision criteria. For at_least a value >= Green is
// green and, when Yellow is set, a value >= Yellow is yellow; for at_most a
// value <= Green is green and a value <= Yellow is yellow; everything else is
// red. not_rising ignores Green and Yellow and compares with the two previous
// periods.
type Rule struct {
	Kind   RuleKind
	Green  float64
	Yellow *float64
}

// Condition is one filter term: the record's field equals Equals. Text
// fields compare case-insensitively; a bool field compares with Equals read
// as a bool ("true"/"false"), an absent bool counting as false.
type Condition struct {
	Field  string
	Equals string
}

// Window is a calendar look-back (years, months, days), applied with
// time.AddDate in the period's location.
type Window struct{ Years, Months, Days int }

// IsZero reports whether the window is empty.
func (w Window) IsZero() bool { return w == Window{} }

// Definition is a metric as data: which records it reads, how it measures
// them, how often, and how the result is rated. See the package doc for the
// meaning of each field per measure.
type Definition struct {
	Key  string // stable identifier, e.g. "access-removal"
	Name string // human-readable name
	Kind string // record kind read, e.g. "access_removals"

	Measure   Measure
	Frequency Frequency
	Unit      Unit
	Filter    []Condition // all must hold for a record to be considered

	PeriodField      string        // flow: the timestamp placing a record in a period
	PeriodIsDeadline bool          // PeriodField is a deadline: records due after T stay in the population
	StartField       string        // clock start / "from" / opened
	DoneField        string        // moment done / "to" / closed
	Within           time.Duration // share_within: deadline = StartField + Within
	BoolField        string        // percentage: met when this bool is true
	AgeOver          time.Duration // stock_aged_count: counted when age at R > AgeOver
	Percentile       float64       // percentile_duration: e.g. 90

	RelatedKind      string // coverage: kind of the related records, e.g. "supplier_assessments"
	RelatedKeyField  string // coverage: text field naming the population record's Key
	RelatedTimeField string // coverage: timestamp that must fall in the window
	Window           Window // coverage: look-back before the period's end

	Rule Rule
}

// Validate checks that the definition is complete and consistent for its
// measure. It returns an *Error with code EINVALID naming the first problem.
func (d Definition) Validate() error {
	if d.Key == "" {
		return invalidf("metric key is required")
	}
	// The same limits as isms.MaxShort and isms.MaxName (measure imports
	// nothing of ours).
	if n := utf8.RuneCountInString(d.Key); n > 100 {
		return invalidf("key: at most 100 characters (this one has %d)", n)
	}
	if n := utf8.RuneCountInString(d.Name); n > 200 {
		return invalidf("name: at most 200 characters (this one has %d)", n)
	}
	if !d.Measure.Valid() {
		return invalidf("metric %s: unknown measure %q", d.Key, d.Measure)
	}
	if d.Measure != MeasureManual && d.Kind == "" {
		return invalidf("metric %s: record kind is required", d.Key)
	}
	if !d.Frequency.Valid() {
		return invalidf("metric %s: frequency must be month or quarter, not %q", d.Key, d.Frequency)
	}
	if !d.Unit.Valid() {
		return invalidf("metric %s: unit must be %%, count or days, not %q", d.Key, d.Unit)
	}
	for i, c := range d.Filter {
		if c.Field == "" {
			return invalidf("metric %s: filter condition %d has no field", d.Key, i+1)
		}
	}
	if err := d.validateFields(); err != nil {
		return err
	}
	return d.validateRule()
}

func (d Definition) validateFields() error {
	need := func(name, value string) error {
		if value == "" {
			return invalidf("metric %s: measure %s needs %s", d.Key, d.Measure, name)
		}
		return nil
	}
	var errs []error
	switch d.Measure {
	case MeasureShareWithin:
		errs = append(errs, need("a period field", d.PeriodField), need("a start field", d.StartField),
			need("a done field", d.DoneField))
		if d.Within < 0 {
			errs = append(errs, invalidf("metric %s: the time allowed must not be negative", d.Key))
		}
	case MeasureCount:
		errs = append(errs, need("a period field", d.PeriodField))
	case MeasurePercentage:
		errs = append(errs, need("a period field", d.PeriodField), need("a bool field", d.BoolField))
	case MeasurePercentileDuration:
		errs = append(errs, need("a start field", d.StartField), need("a done field", d.DoneField))
		if d.PeriodField != "" && d.PeriodField != d.DoneField {
			errs = append(errs, invalidf("metric %s: the period field of a percentile must be its done field", d.Key))
		}
		if !(d.Percentile > 0 && d.Percentile <= 100) {
			errs = append(errs, invalidf("metric %s: percentile must be more than 0 and at most 100", d.Key))
		}
	case MeasureStockCount, MeasureStockAgedCount:
		errs = append(errs, need("a start field", d.StartField), need("a done field", d.DoneField))
		if d.AgeOver < 0 {
			errs = append(errs, invalidf("metric %s: the age limit must not be negative", d.Key))
		}
	case MeasureCoverage:
		errs = append(errs, need("a related kind", d.RelatedKind), need("a related key field", d.RelatedKeyField),
			need("a related time field", d.RelatedTimeField))
		w := d.Window
		if w.IsZero() || w.Years < 0 || w.Months < 0 || w.Days < 0 {
			errs = append(errs, invalidf("metric %s: coverage needs a positive look-back window", d.Key))
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (d Definition) validateRule() error {
	r := d.Rule
	if !r.Kind.Valid() {
		return invalidf("metric %s: rule must be at_least, at_most or not_rising, not %q", d.Key, r.Kind)
	}
	if r.Kind == RuleNotRising {
		return nil
	}
	if math.IsNaN(r.Green) || math.IsInf(r.Green, 0) {
		return invalidf("metric %s: the green target must be a number", d.Key)
	}
	if r.Yellow == nil {
		return nil
	}
	y := *r.Yellow
	switch {
	case math.IsNaN(y) || math.IsInf(y, 0):
		return invalidf("metric %s: the yellow limit must be a number", d.Key)
	case r.Kind == RuleAtLeast && y > r.Green:
		return invalidf("metric %s: for at_least the yellow limit %v must not be above the green target %v", d.Key, y, r.Green)
	case r.Kind == RuleAtMost && y < r.Green:
		return invalidf("metric %s: for at_most the yellow limit %v must not be below the green target %v", d.Key, y, r.Green)
	}
	return nil
}

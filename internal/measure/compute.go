package measure

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Record is one operational record as the engine sees it. An absent key (or
// a zero time) means unknown / not yet.
type Record struct {
	ID    int64                // store id, for drill-down
	Key   string               // natural key, for display and coverage matching
	Times map[string]time.Time // timestamps by column name
	Bools map[string]bool      // booleans; absent counts as false where a measure needs it
	Texts map[string]string    // text columns
}

// Input is what one measurement reads.
type Input struct {
	Period  Period    // the metric's own period (same frequency as the definition)
	AsOf    time.Time // T: later events are treated as not yet happened
	Records []Record  // all records of Definition.Kind; the engine filters
	Related []Record  // coverage only: all records of Definition.RelatedKind
	Manual  *float64  // manual only: the typed value, nil when none
	// ManualPrevious is for a manual measure rated not_rising: the typed
	// values of P-1 and P-2.
	ManualPrevious []*float64
}

// Outcome is how one record was judged.
type Outcome string

// The outcomes of a judged record.
const (
	OutcomeMet     Outcome = "met"
	OutcomeMissed  Outcome = "missed"
	OutcomePending Outcome = "pending"
	OutcomeCounted Outcome = "counted"
)

// Item is one record behind a figure. Value is the duration in days for a
// percentile item, nil otherwise.
type Item struct {
	ID      int64
	Key     string
	Outcome Outcome
	Value   *float64
}

// Measurement is a metric's figure for one period as of T, with its rating
// and the records behind it.
type Measurement struct {
	Key        string
	Period     Period
	AsOf       time.Time
	Value      *float64 // exact, unrounded; nil when there is no data
	Unit       Unit
	Status     Status
	Population int // records judged (percentage), values (percentile) or records counted (count)
	Met        int
	Missed     int
	Pending    int
	Counted    int
	Items      []Item     // every judged record, pending ones included
	Previous   []*float64 // not_rising only: values for P-1 and P-2, same T
	Reason     string     // one sentence saying why this status
}

// Rounded returns the value rounded half away from zero to two decimals, or
// nil when there is no value.
func (m Measurement) Rounded() *float64 {
	if m.Value == nil {
		return nil
	}
	v := Round2(*m.Value)
	return &v
}

// Compute measures def over in and rates the result. It returns an *Error
// with code EINVALID when the definition is invalid, the period has no bounds
// or another frequency than the definition, or AsOf is zero.
func Compute(def Definition, in Input) (Measurement, error) {
	if err := def.Validate(); err != nil {
		return Measurement{}, err
	}
	p := in.Period
	if p.Frequency != def.Frequency {
		return Measurement{}, invalidf("metric %s is measured per %s, not for period %s", def.Key, def.Frequency, p)
	}
	if !p.Start.Before(p.End) {
		return Measurement{}, invalidf("metric %s: period %s has no bounds", def.Key, p)
	}
	if in.AsOf.IsZero() {
		return Measurement{}, invalidf("metric %s: the moment of measurement (as of) is required", def.Key)
	}
	m := Measurement{Key: def.Key, Period: p, AsOf: in.AsOf, Unit: def.Unit}
	notRising := def.Rule.Kind == RuleNotRising
	switch def.Measure {
	case MeasureStockCount, MeasureStockAgedCount:
		// One pass gives this period and, for not_rising, the two before.
		computeStock(def, in, &m, notRising)
	case MeasureManual:
		if in.Manual != nil {
			v := *in.Manual
			m.Value = &v
			m.Population = 1
		}
		if notRising {
			m.Previous = make([]*float64, 2)
			copy(m.Previous, in.ManualPrevious)
		}
	default:
		computeOne(def, in, &m, true)
		if notRising {
			m.Previous = make([]*float64, 2)
			prev := in
			for i := range m.Previous {
				prev.Period = prev.Period.Prev()
				var pm Measurement
				computeOne(def, prev, &pm, false)
				m.Previous[i] = pm.Value
			}
		}
	}
	m.Status = Rate(def.Rule, m.Value, m.Previous)
	m.Reason = reason(def, m)
	return m, nil
}

// computeOne fills m for the flow, percentile and coverage measures.
func computeOne(def Definition, in Input, m *Measurement, items bool) {
	switch def.Measure {
	case MeasureShareWithin:
		computeShareWithin(def, in, m, items)
	case MeasureCount, MeasurePercentage:
		computeCountOrPercentage(def, in, m, items)
	case MeasurePercentileDuration:
		computePercentile(def, in, m, items)
	case MeasureCoverage:
		computeCoverage(def, in, m, items)
	}
}

// percent returns 100 × met / n, nil when n is 0.
func percent(met, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := 100 * float64(met) / float64(n)
	return &v
}

// timeOf returns the record's timestamp f; absent or zero is unknown.
func timeOf(r *Record, f string) (time.Time, bool) {
	t, ok := r.Times[f]
	return t, ok && !t.IsZero()
}

// happened reports whether a known timestamp lies at or before T.
func happened(t time.Time, known bool, asOf time.Time) bool {
	return known && !t.After(asOf)
}

// matches reports whether every filter condition holds for r.
func matches(r *Record, filter []Condition) bool {
	for _, c := range filter {
		if !holds(r, c) {
			return false
		}
	}
	return true
}

func holds(r *Record, c Condition) bool {
	want := strings.TrimSpace(c.Equals)
	if b, ok := r.Bools[c.Field]; ok {
		wb, ok := parseBool(want)
		return ok && wb == b
	}
	if s, ok := r.Texts[c.Field]; ok {
		s = strings.TrimSpace(s)
		if strings.EqualFold(s, want) {
			return true
		}
		// A bool that reached the engine as text ("yes") still compares as a bool.
		sb, ok1 := parseBool(s)
		wb, ok2 := parseBool(want)
		return ok1 && ok2 && sb == wb
	}
	// Absent: false for a bool condition, "" for a text one.
	if wb, ok := parseBool(want); ok {
		return !wb
	}
	return want == ""
}

// parseBool reads the import vocabulary true/false/yes/no/1/0, any case.
func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"), strings.EqualFold(s, "yes"), s == "1":
		return true, true
	case strings.EqualFold(s, "false"), strings.EqualFold(s, "no"), s == "0":
		return false, true
	}
	return false, false
}

// normKey is the form in which coverage compares keys: trimmed, lower case.
func normKey(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// appendNormKey appends normKey(s) to buf; for ASCII keys it does not
// allocate, so a map lookup with string(result) is allocation-free.
func appendNormKey(buf []byte, s string) []byte {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(buf, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// formatNumber prints v as reported: rounded to two decimals, or exactly
// when rounding would make it equal to a bound it is not equal to.
func formatNumber(v, bound float64) string {
	r := Round2(v)
	if r == bound && v != bound {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

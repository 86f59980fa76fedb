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
// or another frequency than the definition, or AsOf is zero. It is a Tally
// fed with in's records, every judged record listed in Items.
func Compute(def Definition, in Input) (Measurement, error) {
	t, err := NewTally(def, in.Period, in.AsOf, true)
	if err != nil {
		return Measurement{}, err
	}
	if def.Measure == MeasureManual {
		t.SetManual(in.Manual, in.ManualPrevious)
	}
	for i := range in.Related {
		t.AddRelated(&in.Related[i])
	}
	for i := range in.Records {
		t.Add(&in.Records[i])
	}
	return t.Result(), nil
}

// Tally measures one definition for one period as of T from records given
// one at a time, so that a caller can stream a register through it without
// holding it: its memory is that of the items it lists (none unless asked)
// and, for a percentile, one number per value. Feed a coverage measure's
// related records (AddRelated) before its population (Add). Compute is a
// Tally over slices; both give the same measurement.
type Tally struct {
	def   Definition
	in    Input // Period and AsOf only
	items bool
	m     Measurement
	prev  []*Tally // not_rising, flow/percentile/coverage: P-1 and P-2

	at     []stockAt // stock: this period and, for not_rising, the two before
	counts [3]int
	vals   []float64           // percentile
	cover  map[string]struct{} // coverage: normalised keys of related records in the window
	from   time.Time           // coverage: the window's start
	buf    [64]byte
}

// NewTally starts measuring def for period p as of asOf; items says
// whether Result lists the judged records. It returns an *Error with code
// EINVALID as Compute does.
func NewTally(def Definition, p Period, asOf time.Time, items bool) (*Tally, error) {
	if err := def.Validate(); err != nil {
		return nil, err
	}
	if p.Frequency != def.Frequency {
		return nil, invalidf("metric %s is measured per %s, not for period %s", def.Key, def.Frequency, p)
	}
	if !p.Start.Before(p.End) {
		return nil, invalidf("metric %s: period %s has no bounds", def.Key, p)
	}
	if asOf.IsZero() {
		return nil, invalidf("metric %s: the moment of measurement (as of) is required", def.Key)
	}
	t := newTally(def, p, asOf, items)
	switch def.Measure {
	case MeasureStockCount, MeasureStockAgedCount, MeasureManual:
		// Stock counts the periods before in the same pass; manual is typed.
	default:
		if def.Rule.Kind == RuleNotRising {
			pp := p
			for range 2 {
				pp = pp.Prev()
				t.prev = append(t.prev, newTally(def, pp, asOf, false))
			}
		}
	}
	return t, nil
}

func newTally(def Definition, p Period, asOf time.Time, items bool) *Tally {
	t := &Tally{def: def, in: Input{Period: p, AsOf: asOf}, items: items}
	t.m = Measurement{Key: def.Key, Period: p, AsOf: asOf, Unit: def.Unit}
	switch def.Measure {
	case MeasureStockCount, MeasureStockAgedCount:
		t.at = []stockAt{{end: p.End, r: minTime(p.End, asOf)}}
		if def.Rule.Kind == RuleNotRising {
			p1 := p.Prev()
			p2 := p1.Prev()
			t.at = append(t.at, stockAt{p1.End, minTime(p1.End, asOf)}, stockAt{p2.End, minTime(p2.End, asOf)})
		}
	case MeasureCoverage:
		w := def.Window
		t.from = p.End.AddDate(-w.Years, -w.Months, -w.Days)
		t.cover = make(map[string]struct{})
	}
	return t
}

// SetManual gives a manual measure its typed value and, for not_rising,
// those of P-1 and P-2 (nil entries: none typed).
func (t *Tally) SetManual(value *float64, previous []*float64) {
	if t.def.Measure != MeasureManual {
		return
	}
	t.m.Value, t.m.Population = nil, 0
	if value != nil {
		v := *value
		t.m.Value = &v
		t.m.Population = 1
	}
	if t.def.Rule.Kind == RuleNotRising {
		t.m.Previous = make([]*float64, 2)
		copy(t.m.Previous, previous)
	}
}

// AddRelated feeds one related record to a coverage measure; other
// measures ignore it. The record is not retained.
func (t *Tally) AddRelated(r *Record) {
	if t.cover == nil {
		return
	}
	t.addRelated(r)
	for _, p := range t.prev {
		p.addRelated(r)
	}
}

// Add feeds one record of the definition's kind. The record is not
// retained: the caller may reuse it.
func (t *Tally) Add(r *Record) {
	t.add(r)
	for _, p := range t.prev {
		p.add(r)
	}
}

func (t *Tally) add(r *Record) {
	switch t.def.Measure {
	case MeasureShareWithin:
		t.addShareWithin(r)
	case MeasureCount, MeasurePercentage:
		t.addCountOrPercentage(r)
	case MeasurePercentileDuration:
		t.addPercentile(r)
	case MeasureStockCount, MeasureStockAgedCount:
		t.addStock(r)
	case MeasureCoverage:
		t.addCoverage(r)
	}
}

// item lists a judged record when items were asked for.
func (t *Tally) item(r *Record, o Outcome) {
	if t.items {
		t.m.Items = append(t.m.Items, Item{ID: r.ID, Key: r.Key, Outcome: o})
	}
}

// Result returns the measurement of what was fed, rated. Call it once,
// after the last record.
func (t *Tally) Result() Measurement {
	m := t.m
	switch t.def.Measure {
	case MeasureShareWithin, MeasurePercentage, MeasureCoverage:
		m.Population = m.Met + m.Missed
		m.Value = percent(m.Met, m.Population)
	case MeasureCount:
		m.Population = m.Counted
		v := float64(m.Counted)
		m.Value = &v
	case MeasurePercentileDuration:
		t.percentile(&m)
	case MeasureStockCount, MeasureStockAgedCount:
		m.Counted, m.Population = t.counts[0], t.counts[0]
		v := float64(t.counts[0])
		m.Value = &v
		if len(t.at) > 1 {
			v1, v2 := float64(t.counts[1]), float64(t.counts[2])
			m.Previous = []*float64{&v1, &v2}
		}
	}
	if len(t.prev) > 0 {
		m.Previous = make([]*float64, len(t.prev))
		for i, p := range t.prev {
			m.Previous[i] = p.Result().Value
		}
	}
	m.Status = Rate(t.def.Rule, m.Value, m.Previous)
	m.Reason = reason(t.def, m)
	return m
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

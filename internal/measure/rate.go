package measure

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Rate decides the status of an exact value under rule. A nil value is grey
// whatever the rule. For not_rising, previous holds the values of P-1 and P-2
// (missing or nil entries mean unknown): green when the value is not higher
// than P-1 or P-1 is unknown, red when it is higher than P-1 and P-1 was
// higher than P-2, yellow otherwise. An unknown rule kind gives grey.
func Rate(rule Rule, value *float64, previous []*float64) Status {
	if value == nil {
		return StatusGrey
	}
	v := *value
	switch rule.Kind {
	case RuleAtLeast:
		switch {
		case v >= rule.Green:
			return StatusGreen
		case rule.Yellow != nil && v >= *rule.Yellow:
			return StatusYellow
		}
		return StatusRed
	case RuleAtMost:
		switch {
		case v <= rule.Green:
			return StatusGreen
		case rule.Yellow != nil && v <= *rule.Yellow:
			return StatusYellow
		}
		return StatusRed
	case RuleNotRising:
		p1, p2 := prevAt(previous, 0), prevAt(previous, 1)
		switch {
		case p1 == nil || v <= *p1:
			return StatusGreen
		case p2 != nil && *p1 > *p2:
			return StatusRed
		}
		return StatusYellow
	}
	return StatusGrey
}

func prevAt(previous []*float64, i int) *float64 {
	if i < len(previous) {
		return previous[i]
	}
	return nil
}

// Round2 rounds v half away from zero to two decimals. It rounds the shortest
// decimal form of v (the one strconv prints), so 2.675 gives 2.68 and 1.005
// gives 1.01 although their binary values lie just below. NaN and infinities
// are returned unchanged.
func Round2(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	dot := strings.IndexByte(s, '.')
	if dot < 0 || len(s)-dot-1 <= 2 {
		return v
	}
	// Keep two decimals as one digit string, then add one unit in the last
	// place when the dropped part is at least half (half away from zero).
	digits := []byte(s[:dot] + s[dot+1:dot+3])
	if s[dot+3] >= '5' {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		} else {
			digits[i]++
		}
	}
	n := len(digits)
	r, err := strconv.ParseFloat(string(digits[:n-2])+"."+string(digits[n-2:]), 64)
	if err != nil || r == 0 {
		return 0 // also turns -0 into 0
	}
	if v < 0 {
		return -r
	}
	return r
}

// reason writes one sentence saying why m got its status.
func reason(def Definition, m Measurement) string {
	if m.Value == nil {
		if def.Measure == MeasureManual {
			return "no value has been entered for " + m.Period.String()
		}
		return "no data: nothing to judge in " + m.Period.String()
	}
	v := *m.Value
	r := def.Rule
	show := func(x, bound float64) string { return withUnit(formatNumber(x, bound), def.Unit) }
	plain := func(x float64) string { return show(x, x) }
	switch r.Kind {
	case RuleAtLeast:
		switch m.Status {
		case StatusGreen:
			return fmt.Sprintf("%s meets the green target of at least %s", show(v, r.Green), plain(r.Green))
		case StatusYellow:
			return fmt.Sprintf("%s is below the green target %s but at least %s", show(v, r.Green), plain(r.Green), plain(*r.Yellow))
		}
		if r.Yellow != nil {
			return fmt.Sprintf("%s is below the yellow limit %s", show(v, *r.Yellow), plain(*r.Yellow))
		}
		return fmt.Sprintf("%s is below the green target %s", show(v, r.Green), plain(r.Green))
	case RuleAtMost:
		switch m.Status {
		case StatusGreen:
			return fmt.Sprintf("%s is within the green target of at most %s", show(v, r.Green), plain(r.Green))
		case StatusYellow:
			return fmt.Sprintf("%s is above the green target %s but at most %s", show(v, r.Green), plain(r.Green), plain(*r.Yellow))
		}
		if r.Yellow != nil {
			return fmt.Sprintf("%s is above the yellow limit %s", show(v, *r.Yellow), plain(*r.Yellow))
		}
		return fmt.Sprintf("%s is above the green target %s", show(v, r.Green), plain(r.Green))
	case RuleNotRising:
		return notRisingReason(m, plain)
	}
	return "unknown rule"
}

func notRisingReason(m Measurement, plain func(float64) string) string {
	p1, p2 := prevAt(m.Previous, 0), prevAt(m.Previous, 1)
	v := *m.Value
	prev := m.Period.Prev()
	if p1 == nil {
		return fmt.Sprintf("%s; no value for %s to compare with", plain(v), prev)
	}
	switch m.Status {
	case StatusGreen:
		return fmt.Sprintf("%s is not higher than %s in %s", plain(v), plain(*p1), prev)
	case StatusRed:
		return fmt.Sprintf("%s is higher than %s in %s, which was higher than %s in %s",
			plain(v), plain(*p1), prev, plain(*p2), prev.Prev())
	}
	return fmt.Sprintf("%s is higher than %s in %s", plain(v), plain(*p1), prev)
}

func withUnit(s string, u Unit) string {
	switch u {
	case UnitPercent:
		return s + " %"
	case UnitDays:
		return s + " days"
	}
	return s
}

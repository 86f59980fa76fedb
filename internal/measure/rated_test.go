package measure_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

func TestRatedPeriods(t *testing.T) {
	hel, _ := time.LoadLocation("Europe/Helsinki")
	q4, err := measure.ParsePeriod("2026-Q4", hel)
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, hel)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	names := func(ps []measure.Period) (out []string) {
		for _, p := range ps {
			out = append(out, p.String())
		}
		return out
	}
	for _, tt := range []struct {
		f              measure.Frequency
		cutoff         string
		rated, pending string
	}{
		{measure.FrequencyMonth, "2026-12-04", "[2026-10 2026-11]", "[2026-12]"},
		{measure.FrequencyMonth, "2026-12-01", "[2026-10 2026-11]", "[2026-12]"}, // November ended at the start of 1 December
		{measure.FrequencyMonth, "2026-11-30", "[2026-10]", "[2026-11 2026-12]"},
		{measure.FrequencyMonth, "2026-10-15", "[]", "[2026-10 2026-11 2026-12]"},
		{measure.FrequencyMonth, "2027-01-15", "[2026-10 2026-11 2026-12]", "[]"},
		{measure.FrequencyQuarter, "2026-12-04", "[]", "[2026-Q4]"},
		{measure.FrequencyQuarter, "2027-01-01", "[2026-Q4]", "[]"},
	} {
		rated, pending := measure.RatedPeriods(tt.f, q4, day(tt.cutoff))
		if got := fmtList(names(rated)); got != tt.rated {
			t.Errorf("%s metric, cutoff %s: rated %s, want %s", tt.f, tt.cutoff, got, tt.rated)
		}
		if got := fmtList(names(pending)); got != tt.pending {
			t.Errorf("%s metric, cutoff %s: pending %s, want %s", tt.f, tt.cutoff, got, tt.pending)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}

package measure_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdca/pdca/internal/measure"
)

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in         string
		loc        *time.Location
		freq       measure.Frequency
		year, idx  int
		start, end string
	}{
		{"2026-10", time.UTC, measure.FrequencyMonth, 2026, 10, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"},
		{"2026-12", time.UTC, measure.FrequencyMonth, 2026, 12, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-01", nil, measure.FrequencyMonth, 2026, 1, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"2026-Q4", time.UTC, measure.FrequencyQuarter, 2026, 4, "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-Q1", time.UTC, measure.FrequencyQuarter, 2026, 1, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		// Helsinki: EEST (UTC+3) in October, EET (UTC+2) from 25 October.
		{"2026-10", helsinki, measure.FrequencyMonth, 2026, 10, "2026-09-30T21:00:00Z", "2026-10-31T22:00:00Z"},
		{"2026-Q4", helsinki, measure.FrequencyQuarter, 2026, 4, "2026-09-30T21:00:00Z", "2026-12-31T22:00:00Z"},
		{"2026-Q2", helsinki, measure.FrequencyQuarter, 2026, 2, "2026-03-31T21:00:00Z", "2026-06-30T21:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			p, err := measure.ParsePeriod(tc.in, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if p.Frequency != tc.freq || p.Year != tc.year || p.Index != tc.idx {
				t.Errorf("got %s %d %d, want %s %d %d", p.Frequency, p.Year, p.Index, tc.freq, tc.year, tc.idx)
			}
			if !p.Start.Equal(MustTime(t, tc.start)) || !p.End.Equal(MustTime(t, tc.end)) {
				t.Errorf("bounds [%s, %s), want [%s, %s)", p.Start, p.End, tc.start, tc.end)
			}
			if p.String() != tc.in {
				t.Errorf("String() = %q, want %q", p.String(), tc.in)
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, wantMsg string }{
		{"2026-13", "month must be 01 to 12"},
		{"2026-00", "month must be 01 to 12"},
		{"2026-Q5", "quarter must be Q1 to Q4"},
		{"2026-Q0", "quarter must be Q1 to Q4"},
		{"26-10", "want YYYY-MM"},
		{"", "empty"},
		{"2026-1", "want YYYY-MM"},
		{"2026-q4", "want YYYY-MM"},
		{"2026/10", "want YYYY-MM"},
		{"2026-10-01", "want YYYY-MM"},
		{"0000-10", "year must be"},
		{"0001-01", "year must be from 1970 to 2200"},
		{"1969-12", "year must be from 1970 to 2200"},
		{"2201-Q1", "year must be from 1970 to 2200"},
		{" 2026-10", "want YYYY-MM"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := measure.ParsePeriod(tc.in, time.UTC)
			var me *measure.Error
			if !errors.As(err, &me) || me.Code != measure.EINVALID {
				t.Fatalf("err = %v, want an EINVALID *measure.Error", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("message %q does not say %q", err.Error(), tc.wantMsg)
			}
		})
	}
}

func TestPeriodContaining(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		freq measure.Frequency
		at   string
		loc  *time.Location
		want string
	}{
		{"Helsinki start of October", measure.FrequencyMonth, "2026-09-30T21:30:00Z", helsinki, "2026-10"},
		{"UTC same instant", measure.FrequencyMonth, "2026-09-30T21:30:00Z", time.UTC, "2026-09"},
		{"Helsinki start of November", measure.FrequencyMonth, "2026-10-31T22:30:00Z", helsinki, "2026-11"},
		{"Helsinki last second of October", measure.FrequencyMonth, "2026-10-31T21:59:59Z", helsinki, "2026-10"},
		{"quarter", measure.FrequencyQuarter, "2026-11-15T00:00:00Z", time.UTC, "2026-Q4"},
		{"Helsinki new year's quarter", measure.FrequencyQuarter, "2026-12-31T22:00:00Z", helsinki, "2027-Q1"},
		{"nil location is UTC", measure.FrequencyQuarter, "2026-03-31T23:59:59Z", nil, "2026-Q1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := measure.PeriodContaining(tc.freq, MustTime(t, tc.at), tc.loc)
			if p.String() != tc.want {
				t.Errorf("got %s, want %s", p, tc.want)
			}
			if !p.Contains(MustTime(t, tc.at)) {
				t.Errorf("%s does not contain %s", p, tc.at)
			}
		})
	}
}

func TestPeriodNavigation(t *testing.T) {
	t.Parallel()
	names := func(ps []measure.Period) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.String())
		}
		return out
	}
	cases := []struct {
		in, prev, next string
		months         []string
	}{
		{"2026-10", "2026-09", "2026-11", []string{"2026-10"}},
		{"2026-01", "2025-12", "2026-02", []string{"2026-01"}},
		{"2026-12", "2026-11", "2027-01", []string{"2026-12"}},
		{"2026-Q1", "2025-Q4", "2026-Q2", []string{"2026-01", "2026-02", "2026-03"}},
		{"2026-Q4", "2026-Q3", "2027-Q1", []string{"2026-10", "2026-11", "2026-12"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			p := MustPeriod(t, tc.in, helsinki)
			got := []string{p.Prev().String(), p.Next().String()}
			if diff := cmp.Diff([]string{tc.prev, tc.next}, got); diff != "" {
				t.Errorf("prev/next (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.months, names(p.Months())); diff != "" {
				t.Errorf("months (-want +got):\n%s", diff)
			}
			if !p.Prev().End.Equal(p.Start) || !p.Next().Start.Equal(p.End) {
				t.Errorf("neighbours of %s do not touch it", p)
			}
			ms := p.Months()
			if !ms[0].Start.Equal(p.Start) || !ms[len(ms)-1].End.Equal(p.End) {
				t.Errorf("months of %s do not span it", p)
			}
			if ms[0].Start.Location() != helsinki {
				t.Errorf("months lost the location")
			}
		})
	}
}

func TestPeriodsFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		freq measure.Frequency
		in   string
		want []string
	}{
		{"monthly metric, month", measure.FrequencyMonth, "2026-10", []string{"2026-10"}},
		{"quarterly metric, month", measure.FrequencyQuarter, "2026-11", []string{"2026-Q4"}},
		{"monthly metric, quarter", measure.FrequencyMonth, "2026-Q4", []string{"2026-10", "2026-11", "2026-12"}},
		{"quarterly metric, quarter", measure.FrequencyQuarter, "2026-Q4", []string{"2026-Q4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, p := range measure.PeriodsFor(tc.freq, MustPeriod(t, tc.in, helsinki)) {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

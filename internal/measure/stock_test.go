package measure_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdca/pdca/internal/measure"
)

// fixedVuln is a critical vulnerability fixed at `fixed`, found `age` days
// before.
func fixedVuln(id int64, fixed string, age float64) rec {
	f, _ := time.Parse(time.RFC3339, fixed)
	found := f.Add(-time.Duration(age * float64(24*time.Hour))).Format(time.RFC3339)
	return row(id, "v", text("severity", "critical"), at("found_at", found), at("fixed_at", fixed))
}

func fixedVulns(n int) []rec {
	out := make([]rec, 0, n)
	for i := n; i >= 1; i-- { // descending, so the engine has to sort
		out = append(out, fixedVuln(int64(i), fmt.Sprintf("2026-10-%02dT12:00:00Z", i), float64(i)))
	}
	return out
}

func TestCriticalVulnFixTime(t *testing.T) {
	t.Parallel()
	crit := text("severity", "critical")
	const found, fixed = "found_at", "fixed_at"
	cases := []struct {
		name, asOf string
		recs       []rec
		want       *float64
		status     measure.Status
		n          int
		items      []outcome // nil: not checked
	}{
		{name: "one value", asOf: "2026-11-05T00:00:00Z", recs: fixedVulns(1), want: ptr(1), status: measure.StatusGreen, n: 1},
		// ceil(0.9 × 2) = 2: the larger.
		{name: "two values", asOf: "2026-11-05T00:00:00Z", recs: fixedVulns(2), want: ptr(2), status: measure.StatusGreen, n: 2},
		// ceil(0.9 × 10) = 9, not 10.
		{name: "ten values", asOf: "2026-11-05T00:00:00Z", recs: fixedVulns(10), want: ptr(9), status: measure.StatusGreen, n: 10},
		// ceil(0.9 × 11) = ceil(9.9) = 10.
		{name: "eleven values", asOf: "2026-11-05T00:00:00Z", recs: fixedVulns(11), want: ptr(10), status: measure.StatusGreen, n: 11},
		// ceil(0.9 × 20) = 18: days 18.
		{name: "twenty values", asOf: "2026-11-05T00:00:00Z", recs: fixedVulns(20), want: ptr(18), status: measure.StatusRed, n: 20},
		{name: "empty", asOf: "2026-11-05T00:00:00Z", status: measure.StatusGrey},
		{
			name: "exactly 14 days is green", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{fixedVuln(1, "2026-10-20T00:00:00Z", 14)}, want: ptr(14), status: measure.StatusGreen, n: 1,
		},
		{
			name: "14 days and 1 s is red", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{row(1, "v", crit, at(found, "2026-10-05T23:59:59Z"), at(fixed, "2026-10-20T00:00:00Z"))},
			want: ptr(14 + 1.0/86400), status: measure.StatusRed, n: 1,
		},
		{
			// R = End = 2026-11-01T00:00Z.
			name: "fixed and open together, T after the month", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{
				row(1, "fixed 1.5 d", crit, at(found, "2026-10-01T00:00:00Z"), at(fixed, "2026-10-02T12:00:00Z")),
				row(2, "open, age 21 d", crit, at(found, "2026-10-11T00:00:00Z")),
				row(3, "open since August", text("severity", "Critical"), at(found, "2026-08-01T00:00:00Z")),
				row(4, "fixed after R, age 7 d at R", crit, at(found, "2026-10-25T00:00:00Z"), at(fixed, "2026-11-03T00:00:00Z")),
				row(5, "fixed in September", crit, at(found, "2026-09-01T00:00:00Z"), at(fixed, "2026-09-20T00:00:00Z")),
				row(6, "found after the end", crit, at(found, "2026-11-02T00:00:00Z")),
				row(7, "high", text("severity", "high"), at(found, "2026-10-01T00:00:00Z")),
				row(8, "fixed before found", crit, at(found, "2026-10-10T00:00:00Z"), at(fixed, "2026-10-09T00:00:00Z")),
				row(9, "found exactly at the end", crit, at(found, "2026-11-01T00:00:00Z")),
				row(10, "fixed exactly at the end", crit, at(found, "2026-10-31T00:00:00Z"), at(fixed, "2026-11-01T00:00:00Z")),
			},
			// values 1.5, 21, 92, 7, 0, 1 → sorted 0, 1, 1.5, 7, 21, 92; ceil(5.4) = 6 → 92.
			want: ptr(92), status: measure.StatusRed, n: 6,
			items: []outcome{days(1, 1.5), days(2, 21), days(3, 92), days(4, 7), days(8, 0), days(10, 1)},
		},
		{
			// R = T = 2026-10-20T12:00Z.
			name: "T inside the month", asOf: "2026-10-20T12:00:00Z",
			recs: []rec{
				row(1, "fixed before T", crit, at(found, "2026-10-01T00:00:00Z"), at(fixed, "2026-10-03T00:00:00Z")),
				row(2, "fixed after T counts as open", crit, at(found, "2026-10-10T00:00:00Z"), at(fixed, "2026-10-25T00:00:00Z")),
				row(3, "found after T", crit, at(found, "2026-10-21T00:00:00Z")),
				row(4, "found at T", crit, at(found, "2026-10-20T12:00:00Z")),
			},
			// values 2, 10.5, 0 → sorted 0, 2, 10.5; ceil(2.7) = 3 → 10.5.
			want: ptr(10.5), status: measure.StatusGreen, n: 3,
			items: []outcome{days(1, 2), days(2, 10.5), days(4, 0)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := measure.Input{
				Period:  MustPeriod(t, "2026-10", time.UTC),
				AsOf:    MustTime(t, tc.asOf),
				Records: build(t, tc.recs),
			}
			m := MustCompute(t, MustBuiltin(t, "critical-vuln-fix-time"), in)
			if diff := cmp.Diff(tc.want, m.Value, approx); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
			if m.Status != tc.status || m.Population != tc.n || m.Counted != tc.n || m.Unit != measure.UnitDays {
				t.Errorf("status %s population %d counted %d unit %s, want %s %d %d days",
					m.Status, m.Population, m.Counted, m.Unit, tc.status, tc.n, tc.n)
			}
			if len(m.Items) != tc.n {
				t.Errorf("%d items, want %d", len(m.Items), tc.n)
			}
			if tc.items != nil {
				if diff := cmp.Diff(tc.items, summarize(m).Items, approx); diff != "" {
					t.Errorf("items (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// dev is a deviation detected at det and, unless closed is "", closed then.
func dev(id int64, det, closed string) rec {
	fs := []field{at("detected_at", det)}
	if closed != "" {
		fs = append(fs, at("closed_at", closed))
	}
	return row(id, "d", fs...)
}

func TestOpenDeviations(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, period, asOf string
		recs               []rec
		value              float64
		previous           []*float64
		status             measure.Status
		items              []outcome
	}{
		{
			// Aug 1, Sep 2, Oct 3.
			name: "rising twice is red", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{
				dev(1, "2026-08-15T00:00:00Z", ""),
				dev(2, "2026-09-15T00:00:00Z", ""),
				dev(3, "2026-10-15T00:00:00Z", ""),
			},
			value: 3, previous: []*float64{ptr(2), ptr(1)}, status: measure.StatusRed,
			items: []outcome{counted(1), counted(2), counted(3)},
		},
		{
			// Aug 2 (1, 2), Sep 3 (1, 2, 3), Oct 3 (1, 3, 5; 2 and 4 closed before the end, 6 at the end).
			name: "not higher is green", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{
				dev(1, "2026-08-10T00:00:00Z", ""),
				dev(2, "2026-08-20T00:00:00Z", "2026-10-15T00:00:00Z"),
				dev(3, "2026-09-10T00:00:00Z", ""),
				dev(4, "2026-10-10T00:00:00Z", "2026-10-31T23:59:59Z"),
				dev(5, "2026-10-31T23:59:59Z", "2026-11-01T00:00:00Z"),
				dev(6, "2026-11-01T00:00:00Z", ""),
			},
			value: 3, previous: []*float64{ptr(3), ptr(2)}, status: measure.StatusGreen,
			items: []outcome{counted(1), counted(3), counted(5)},
		},
		{
			// Aug 3 (1, 2, 3), Sep 2 (2, 3), Oct 3 (2, 4, 5).
			name: "higher after a fall is yellow", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{
				dev(1, "2026-08-01T00:00:00Z", "2026-09-15T00:00:00Z"),
				dev(2, "2026-08-02T00:00:00Z", ""),
				dev(3, "2026-08-03T00:00:00Z", "2026-10-10T00:00:00Z"),
				dev(4, "2026-10-05T00:00:00Z", ""),
				dev(5, "2026-10-06T00:00:00Z", ""),
			},
			value: 3, previous: []*float64{ptr(2), ptr(3)}, status: measure.StatusYellow,
			items: []outcome{counted(2), counted(4), counted(5)},
		},
		{
			// Aug 1, Sep 1, Oct 2: higher than a flat month is yellow.
			name: "higher after flat is yellow", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{
				dev(1, "2026-07-01T00:00:00Z", ""),
				dev(2, "2026-10-06T00:00:00Z", ""),
			},
			value: 2, previous: []*float64{ptr(1), ptr(1)}, status: measure.StatusYellow,
			items: []outcome{counted(1), counted(2)},
		},
		{
			// R = T = 2026-10-20: 2 closes after T so is open; 3 is detected after T.
			// Sep (R = 10-01): 1, 2. Aug (R = 09-01): 1.
			name: "T inside the month", period: "2026-10", asOf: "2026-10-20T00:00:00Z",
			recs: []rec{
				dev(1, "2026-08-10T00:00:00Z", ""),
				dev(2, "2026-09-10T00:00:00Z", "2026-10-25T00:00:00Z"),
				dev(3, "2026-10-21T00:00:00Z", ""),
				dev(4, "2026-10-20T00:00:00Z", ""),
				dev(5, "2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z"),
			},
			value: 3, previous: []*float64{ptr(2), ptr(1)}, status: measure.StatusRed,
			items: []outcome{counted(1), counted(2), counted(4)},
		},
		{
			name: "zero is a value", period: "2026-01", asOf: "2026-02-05T00:00:00Z",
			// Across the year: P-1 = 2025-12, P-2 = 2025-11.
			recs:  []rec{dev(1, "2025-11-10T00:00:00Z", "2025-12-10T00:00:00Z")},
			value: 0, previous: []*float64{ptr(0), ptr(1)}, status: measure.StatusGreen,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := measure.Input{
				Period:  MustPeriod(t, tc.period, time.UTC),
				AsOf:    MustTime(t, tc.asOf),
				Records: build(t, tc.recs),
			}
			m := MustCompute(t, MustBuiltin(t, "open-deviations"), in)
			want := summary{Value: &tc.value, Status: tc.status, Population: int(tc.value), Counted: int(tc.value), Items: tc.items}
			checkSummary(t, m, want)
			if diff := cmp.Diff(tc.previous, m.Previous); diff != "" {
				t.Errorf("previous (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditFindingsOverdue(t *testing.T) {
	t.Parallel()
	find := func(id int64, raised, closed string) rec {
		fs := []field{at("raised_at", raised)}
		if closed != "" {
			fs = append(fs, at("closed_at", closed))
		}
		return row(id, "f", fs...)
	}
	cases := []struct {
		name, asOf string
		loc        *time.Location
		recs       []rec
		value      float64
		status     measure.Status
		items      []outcome
	}{
		{
			// R = End = 2027-01-01T00:00Z.
			name: "T after the quarter", asOf: "2027-01-10T00:00:00Z",
			recs: []rec{
				find(1, "2026-12-02T00:00:00Z", ""),                     // exactly 30 days: not overdue
				find(2, "2026-12-01T23:59:59Z", ""),                     // 30 days + 1 s
				find(3, "2026-06-01T00:00:00Z", "2026-12-15T00:00:00Z"), // closed by R
				find(4, "2026-06-01T00:00:00Z", "2027-01-05T00:00:00Z"), // closed after the end
				find(5, "2026-06-01T00:00:00Z", "2027-01-20T00:00:00Z"), // closed after T
				find(6, "2027-01-02T00:00:00Z", ""),                     // raised after the end
				find(7, "2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z"), // closed exactly at the end
			},
			value: 4, status: measure.StatusRed,
			items: []outcome{counted(2), counted(4), counted(5), counted(7)},
		},
		{
			// R = T = 2026-11-15T00:00Z.
			name: "T inside the quarter", asOf: "2026-11-15T00:00:00Z",
			recs: []rec{
				find(1, "2026-10-16T00:00:00Z", ""),                     // exactly 30 days at R
				find(2, "2026-10-15T23:59:59Z", ""),                     // 30 days + 1 s
				find(3, "2026-09-01T00:00:00Z", "2026-11-20T00:00:00Z"), // closed after T
				find(4, "2026-09-01T00:00:00Z", "2026-11-15T00:00:00Z"), // closed at T
			},
			value: 2, status: measure.StatusRed,
			items: []outcome{counted(2), counted(3)},
		},
		{
			// Helsinki Q4 ends 2027-01-01 00:00 EET = 2026-12-31T22:00Z.
			name: "Helsinki end", asOf: "2027-01-10T00:00:00Z", loc: helsinki,
			recs: []rec{
				find(1, "2026-12-01T22:00:00Z", ""), // exactly 30 days before R
				find(2, "2026-12-01T21:59:59Z", ""),
			},
			value: 1, status: measure.StatusRed, items: []outcome{counted(2)},
		},
		{
			name: "none overdue is green", asOf: "2027-01-10T00:00:00Z",
			recs:  []rec{find(1, "2026-12-20T00:00:00Z", "")},
			value: 0, status: measure.StatusGreen,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			in := measure.Input{
				Period:  MustPeriod(t, "2026-Q4", loc),
				AsOf:    MustTime(t, tc.asOf),
				Records: build(t, tc.recs),
			}
			m := MustCompute(t, MustBuiltin(t, "audit-findings-overdue"), in)
			checkSummary(t, m, summary{Value: &tc.value, Status: tc.status, Population: int(tc.value),
				Counted: int(tc.value), Items: tc.items})
		})
	}
}

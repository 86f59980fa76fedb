package measure_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

// flowCase is one hand-worked flow measurement.
type flowCase struct {
	name   string
	metric string
	period string
	loc    *time.Location
	asOf   string
	recs   []rec
	want   summary
}

func runFlow(t *testing.T, cases []flowCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			in := measure.Input{
				Period:  MustPeriod(t, tc.period, loc),
				AsOf:    MustTime(t, tc.asOf),
				Records: build(t, tc.recs),
			}
			checkSummary(t, MustCompute(t, MustBuiltin(t, tc.metric), in), tc.want)
		})
	}
}

func TestAccessRemoval(t *testing.T) {
	t.Parallel()
	const ended, removed = "employment_ended_at", "access_removed_at"
	runFlow(t, []flowCase{
		{
			name: "boundaries after the month", metric: "access-removal", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			recs: []rec{
				row(1, "exactly 24 h", at(ended, "2026-10-01T09:00:00Z"), at(removed, "2026-10-02T09:00:00Z")),
				row(2, "24 h + 1 s", at(ended, "2026-10-02T09:00:00Z"), at(removed, "2026-10-03T09:00:01Z")),
				row(3, "removed before end", at(ended, "2026-10-03T09:00:00Z"), at(removed, "2026-10-01T00:00:00Z")),
				row(4, "never removed", at(ended, "2026-10-04T09:00:00Z")),
				row(5, "next month", at(ended, "2026-11-01T00:00:00Z"), at(removed, "2026-11-01T01:00:00Z")),
				row(6, "previous month", at(ended, "2026-09-30T23:59:59Z"), at(removed, "2026-10-01T01:00:00Z")),
				row(7, "first instant", at(ended, "2026-10-01T00:00:00Z"), at(removed, "2026-10-01T00:00:00Z")),
			},
			// met 1, 3, 7; missed 2, 4: 3/5 = 60 %.
			want: summary{Value: ptr(60), Status: measure.StatusRed, Population: 5, Met: 3, Missed: 2,
				Items: []outcome{met(1), missed(2), met(3), missed(4), met(7)}},
		},
		{
			name: "as of inside the month", metric: "access-removal", period: "2026-10", asOf: "2026-10-20T12:00:00Z",
			recs: []rec{
				row(7, "deadline ahead", at(ended, "2026-10-20T00:00:00Z")),
				row(8, "ended after T", at(ended, "2026-10-21T00:00:00Z"), at(removed, "2026-10-21T01:00:00Z")),
				row(9, "removed after T, deadline passed", at(ended, "2026-10-19T10:00:00Z"), at(removed, "2026-10-20T13:00:00Z")),
				row(10, "removed after T, deadline ahead", at(ended, "2026-10-20T06:00:00Z"), at(removed, "2026-10-20T13:00:00Z")),
				row(11, "deadline equals T", at(ended, "2026-10-19T12:00:00Z")),
				row(12, "removed exactly at T", at(ended, "2026-10-20T10:00:00Z"), at(removed, "2026-10-20T12:00:00Z")),
				row(13, "deadline one second before T", at(ended, "2026-10-19T11:59:59Z")),
			},
			// met 12; missed 9, 13; pending 7, 10, 11: 1/3.
			want: summary{Value: ptr(100.0 / 3), Status: measure.StatusRed, Population: 3, Met: 1, Missed: 2, Pending: 3,
				Items: []outcome{pending(7), missed(9), pending(10), pending(11), met(12), missed(13)}},
		},
		{
			name: "all pending is no data", metric: "access-removal", period: "2026-10", asOf: "2026-10-20T12:00:00Z",
			recs: []rec{row(1, "a", at(ended, "2026-10-20T11:00:00Z"))},
			want: summary{Status: measure.StatusGrey, Pending: 1, Items: []outcome{pending(1)}},
		},
		{
			name: "empty population", metric: "access-removal", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			want: summary{Status: measure.StatusGrey},
		},
		{
			name: "yellow band", metric: "access-removal", period: "2026-10", asOf: "2026-11-05T00:00:00Z",
			recs: append(removals(19, "2026-10-05T00:00:00Z", 1), row(100, "late", at(ended, "2026-10-06T00:00:00Z"), at(removed, "2026-10-08T00:00:00Z"))),
			want: summary{Value: ptr(95), Status: measure.StatusYellow, Population: 20, Met: 19, Missed: 1,
				Items: append(metItems(19), missed(100))},
		},
		{
			name: "Helsinki month edges", metric: "access-removal", period: "2026-10", loc: helsinki, asOf: "2026-11-10T00:00:00Z",
			recs: []rec{
				// 2026-10-01 00:30 EEST: in October in Helsinki although September in UTC.
				row(1, "first half hour", at(ended, "2026-09-30T21:30:00Z"), at(removed, "2026-09-30T22:00:00Z")),
				// 2026-11-01 00:30 EET: November in Helsinki although October in UTC.
				row(2, "after the end", at(ended, "2026-10-31T22:30:00Z"), at(removed, "2026-10-31T23:00:00Z")),
				// 2026-10-31 23:59:59 EET: the last second of October.
				row(3, "last second", at(ended, "2026-10-31T21:59:59Z")),
				// 2026-09-30 23:59:59 EEST: still September.
				row(4, "before the start", at(ended, "2026-09-30T20:59:59Z")),
			},
			want: summary{Value: ptr(50), Status: measure.StatusRed, Population: 2, Met: 1, Missed: 1,
				Items: []outcome{met(1), missed(3)}},
		},
		{
			name: "Helsinki DST: 24 h is 86,400 s", metric: "access-removal", period: "2026-10", loc: helsinki, asOf: "2026-11-10T00:00:00Z",
			recs: []rec{
				// Ended 2026-10-24 12:00 EEST; removed 2026-10-25 11:00 EET: 24 h elapsed.
				row(1, "elapsed 24 h", at(ended, "2026-10-24T09:00:00Z"), at(removed, "2026-10-25T09:00:00Z")),
				// Removed 2026-10-25 12:00 EET: the same wall time, but 25 h elapsed.
				row(2, "same wall time", at(ended, "2026-10-24T09:00:00Z"), at(removed, "2026-10-25T10:00:00Z")),
				// Ended 2026-10-25 02:30 EEST, before the clocks go back; 24 h + 1 s elapsed.
				row(3, "elapsed 24 h + 1 s", at(ended, "2026-10-24T23:30:00Z"), at(removed, "2026-10-25T23:30:01Z")),
			},
			want: summary{Value: ptr(100.0 / 3), Status: measure.StatusRed, Population: 3, Met: 1, Missed: 2,
				Items: []outcome{met(1), missed(2), missed(3)}},
		},
	})
}

// removals builds n access removals done after `after` hours, ids 1..n.
func removals(n int, ended string, after int) []rec {
	out := make([]rec, 0, n)
	for i := 1; i <= n; i++ {
		e, _ := time.Parse(time.RFC3339, ended)
		done := e.Add(time.Duration(after) * time.Hour).Format(time.RFC3339)
		out = append(out, row(int64(i), "p", at("employment_ended_at", ended), at("access_removed_at", done)))
	}
	return out
}

func metItems(n int) []outcome {
	out := make([]outcome, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, met(int64(i)))
	}
	return out
}

func TestIncidentResponseStart(t *testing.T) {
	t.Parallel()
	const det, act = "detected_at", "action_started_at"
	crit := text("severity", "critical")
	runFlow(t, []flowCase{
		{
			name: "4 h boundary and severity filter", metric: "incident-response-start", period: "2026-10", asOf: "2026-11-01T00:00:00Z",
			recs: []rec{
				row(1, "exactly 4 h", crit, at(det, "2026-10-05T10:00:00Z"), at(act, "2026-10-05T14:00:00Z")),
				row(2, "4 h + 1 s", text("severity", "Critical"), at(det, "2026-10-06T10:00:00Z"), at(act, "2026-10-06T14:00:01Z")),
				row(3, "high", text("severity", "high"), at(det, "2026-10-07T10:00:00Z")),
				row(4, "no severity", at(det, "2026-10-07T10:00:00Z")),
				row(5, "CRITICAL, not started, passed", text("severity", "CRITICAL"), at(det, "2026-10-08T10:00:00Z")),
				row(6, "started before detected", crit, at(det, "2026-10-09T10:00:00Z"), at(act, "2026-10-09T09:00:00Z")),
				row(7, "deadline ahead at T", crit, at(det, "2026-10-31T23:00:00Z")),
			},
			// met 1, 6; missed 2, 5; pending 7 (deadline 2026-11-01T03:00Z is after T).
			want: summary{Value: ptr(50), Status: measure.StatusRed, Population: 4, Met: 2, Missed: 2, Pending: 1,
				Items: []outcome{met(1), missed(2), missed(5), met(6), pending(7)}},
		},
		{
			name: "one of ten late is yellow at the bound", metric: "incident-response-start", period: "2026-10", asOf: "2026-11-01T00:00:00Z",
			recs: func() []rec {
				var out []rec
				for i := int64(1); i <= 9; i++ {
					out = append(out, row(i, "ok", crit, at(det, "2026-10-05T10:00:00Z"), at(act, "2026-10-05T11:00:00Z")))
				}
				return append(out, row(10, "late", crit, at(det, "2026-10-05T10:00:00Z"), at(act, "2026-10-05T15:00:00Z")))
			}(),
			want: summary{Value: ptr(90), Status: measure.StatusYellow, Population: 10, Met: 9, Missed: 1,
				Items: append(metItems(9), missed(10))},
		},
	})
}

func TestTrainingCompletion(t *testing.T) {
	t.Parallel()
	const due, done = "due_at", "completed_at"
	runFlow(t, []flowCase{
		{
			name: "deadlines in the quarter, some after T", metric: "training-completion", period: "2026-Q4", asOf: "2026-11-15T00:00:00Z",
			recs: []rec{
				row(1, "early", at(due, "2026-10-10T00:00:00Z"), at(done, "2026-10-09T00:00:00Z")),
				row(2, "at due", at(due, "2026-10-10T00:00:00Z"), at(done, "2026-10-10T00:00:00Z")),
				row(3, "late", at(due, "2026-10-10T00:00:00Z"), at(done, "2026-10-10T00:00:01Z")),
				row(4, "not done, due passed", at(due, "2026-10-10T00:00:00Z")),
				row(5, "due after T, done before T", at(due, "2026-12-15T00:00:00Z"), at(done, "2026-11-01T00:00:00Z")),
				row(6, "due after T, not done", at(due, "2026-12-15T00:00:00Z")),
				row(7, "due after T, done after T", at(due, "2026-12-15T00:00:00Z"), at(done, "2026-11-20T00:00:00Z")),
				row(8, "next quarter", at(due, "2027-01-01T00:00:00Z"), at(done, "2026-11-01T00:00:00Z")),
				row(9, "first instant", at(due, "2026-10-01T00:00:00Z"), at(done, "2026-09-01T00:00:00Z")),
				row(10, "due exactly T, not done", at(due, "2026-11-15T00:00:00Z")),
			},
			// met 1, 2, 5, 9; missed 3, 4; pending 6, 7, 10: 4/6.
			want: summary{Value: ptr(400.0 / 6), Status: measure.StatusRed, Population: 6, Met: 4, Missed: 2, Pending: 3,
				Items: []outcome{met(1), met(2), missed(3), missed(4), met(5), pending(6), pending(7), met(9), pending(10)}},
		},
		{
			name: "all met is green", metric: "training-completion", period: "2026-Q4", asOf: "2027-01-15T00:00:00Z",
			recs: []rec{row(1, "a", at(due, "2026-12-31T23:59:59Z"), at(done, "2026-12-31T23:59:59Z"))},
			want: summary{Value: ptr(100), Status: measure.StatusGreen, Population: 1, Met: 1, Items: []outcome{met(1)}},
		},
	})
}

func TestRestoreTests(t *testing.T) {
	t.Parallel()
	const tested = "tested_at"
	runFlow(t, []flowCase{
		{
			name: "passes in the quarter", metric: "restore-tests", period: "2026-Q4", asOf: "2026-12-31T12:00:00Z",
			recs: []rec{
				row(1, "pass", text("result", "pass"), at(tested, "2026-10-01T00:00:00Z")),
				row(2, "PASS", text("result", "PASS"), at(tested, "2026-11-15T00:00:00Z")),
				row(3, "fail", text("result", "fail"), at(tested, "2026-11-16T00:00:00Z")),
				row(4, "no result", at(tested, "2026-11-17T00:00:00Z")),
				row(5, "next quarter", text("result", "pass"), at(tested, "2027-01-01T00:00:00Z")),
				row(6, "previous quarter", text("result", "pass"), at(tested, "2026-09-30T23:59:59Z")),
				row(7, "after T", text("result", "pass"), at(tested, "2026-12-31T12:00:01Z")),
				row(8, "at T", text("result", " Pass "), at(tested, "2026-12-31T12:00:00Z")),
			},
			want: summary{Value: ptr(3), Status: measure.StatusGreen, Population: 3, Counted: 3,
				Items: []outcome{counted(1), counted(2), counted(8)}},
		},
		{
			name: "zero is a value", metric: "restore-tests", period: "2026-Q4", asOf: "2027-01-05T00:00:00Z",
			recs: []rec{row(3, "fail", text("result", "fail"), at(tested, "2026-11-16T00:00:00Z"))},
			want: summary{Value: ptr(0), Status: measure.StatusRed},
		},
	})
}

func TestChangesDocumented(t *testing.T) {
	t.Parallel()
	const impl = "implemented_at"
	runFlow(t, []flowCase{
		{
			name: "true, false and absent", metric: "changes-documented", period: "2026-10", asOf: "2026-11-02T00:00:00Z",
			recs: []rec{
				row(1, "documented", flag("documented", true), at(impl, "2026-10-03T00:00:00Z")),
				row(2, "not documented", flag("documented", false), at(impl, "2026-10-04T00:00:00Z")),
				row(3, "unknown", at(impl, "2026-10-05T00:00:00Z")),
				row(4, "next month", flag("documented", true), at(impl, "2026-11-01T00:00:00Z")),
				row(5, "no implementation time", flag("documented", true)),
			},
			want: summary{Value: ptr(100.0 / 3), Status: measure.StatusRed, Population: 3, Met: 1, Missed: 2,
				Items: []outcome{met(1), missed(2), missed(3)}},
		},
		{
			name: "exactly 95 is green", metric: "changes-documented", period: "2026-10", asOf: "2026-11-02T00:00:00Z",
			recs: func() []rec {
				var out []rec
				for i := int64(1); i <= 19; i++ {
					out = append(out, row(i, "c", flag("documented", true), at(impl, "2026-10-03T00:00:00Z")))
				}
				return append(out, row(20, "c", at(impl, "2026-10-03T00:00:00Z")))
			}(),
			want: summary{Value: ptr(95), Status: measure.StatusGreen, Population: 20, Met: 19, Missed: 1,
				Items: append(metItems(19), missed(20))},
		},
		{
			name: "implemented after T is left out", metric: "changes-documented", period: "2026-10", asOf: "2026-10-10T00:00:00Z",
			recs: []rec{
				row(1, "before T", flag("documented", true), at(impl, "2026-10-09T00:00:00Z")),
				row(2, "after T", at(impl, "2026-10-11T00:00:00Z")),
			},
			want: summary{Value: ptr(100), Status: measure.StatusGreen, Population: 1, Met: 1, Items: []outcome{met(1)}},
		},
		{
			name: "empty population", metric: "changes-documented", period: "2026-10", asOf: "2026-11-02T00:00:00Z",
			want: summary{Status: measure.StatusGrey},
		},
	})
}

// TestNotRisingFlow rates a custom count with not_rising: the previous
// periods are counted with the same T.
func TestNotRisingFlow(t *testing.T) {
	t.Parallel()
	def := measure.Definition{
		Key: "incidents-count", Kind: "incidents", Measure: measure.MeasureCount, Frequency: measure.FrequencyMonth,
		Unit: measure.UnitCount, PeriodField: "detected_at", Rule: measure.Rule{Kind: measure.RuleNotRising},
	}
	in := measure.Input{
		Period: MustPeriod(t, "2026-10", time.UTC),
		AsOf:   MustTime(t, "2026-10-15T00:00:00Z"),
		Records: build(t, []rec{
			row(1, "aug", at("detected_at", "2026-08-05T00:00:00Z")),
			row(2, "sep", at("detected_at", "2026-09-05T00:00:00Z")),
			row(3, "sep", at("detected_at", "2026-09-06T00:00:00Z")),
			row(4, "oct", at("detected_at", "2026-10-05T00:00:00Z")),
			row(5, "oct", at("detected_at", "2026-10-06T00:00:00Z")),
			row(6, "oct", at("detected_at", "2026-10-07T00:00:00Z")),
			row(7, "oct after T", at("detected_at", "2026-10-20T00:00:00Z")),
		}),
	}
	m := MustCompute(t, def, in)
	checkSummary(t, m, summary{Value: ptr(3), Status: measure.StatusRed, Population: 3, Counted: 3,
		Items: []outcome{counted(4), counted(5), counted(6)}})
	if len(m.Previous) != 2 || *m.Previous[0] != 2 || *m.Previous[1] != 1 {
		t.Errorf("previous = %v, want [2 1]", m.Previous)
	}
}

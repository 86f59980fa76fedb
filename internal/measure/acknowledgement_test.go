package measure_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/measure"
)

// TestAcknowledgementRate rates acknowledgement requests: one answered in
// time is met, one answered late or never (past 14 days) is missed, one
// still inside its 14 days is pending; 95 % is green, 90 % yellow.
func TestAcknowledgementRate(t *testing.T) {
	t.Parallel()
	d := measure.AcknowledgementRate()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	q, _ := measure.ParsePeriod("2026-Q1", time.UTC)
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	rec := func(id int64, req time.Time, ackAfter time.Duration) measure.Record {
		r := measure.Record{ID: id, Times: map[string]time.Time{"requested_at": req}}
		if ackAfter >= 0 {
			r.Times["acknowledged_at"] = req.Add(ackAfter)
		}
		return r
	}
	asOf := time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		recs    []measure.Record
		status  measure.Status
		met     int
		missed  int
		pending int
	}{
		{"all in time", []measure.Record{rec(1, t0, time.Hour), rec(2, t0, 13*24*time.Hour)}, measure.StatusGreen, 2, 0, 0},
		{"one late", []measure.Record{rec(1, t0, time.Hour), rec(2, t0, 15*24*time.Hour)}, measure.StatusRed, 1, 1, 0},
		{"one never", []measure.Record{rec(1, t0, time.Hour), rec(2, t0, -1)}, measure.StatusRed, 1, 1, 0},
		{"one still in its 14 days", []measure.Record{rec(1, t0, time.Hour), rec(2, asOf.Add(-24*time.Hour), -1)}, measure.StatusGreen, 1, 0, 1},
		{"outside the quarter", []measure.Record{rec(1, t0.AddDate(0, 4, 0), -1)}, measure.StatusGrey, 0, 0, 0},
	}
	ninety := make([]measure.Record, 0, 10)
	for i := range 10 {
		after := time.Hour
		if i == 0 {
			after = -1
		}
		ninety = append(ninety, rec(int64(i), t0, after))
	}
	cases = append(cases, struct {
		name    string
		recs    []measure.Record
		status  measure.Status
		met     int
		missed  int
		pending int
	}{"nine of ten", ninety, measure.StatusYellow, 9, 1, 0})
	for _, c := range cases {
		m, err := measure.Compute(d, measure.Input{Period: q, AsOf: asOf, Records: c.recs})
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != c.status || m.Met != c.met || m.Missed != c.missed || m.Pending != c.pending {
			t.Errorf("%s: %s met %d missed %d pending %d, want %s %d %d %d (%s)", c.name, m.Status, m.Met, m.Missed, m.Pending, c.status, c.met, c.missed, c.pending, m.Reason)
		}
	}
}

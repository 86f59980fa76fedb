package isms_test

import (
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func TestRiskScoreAndLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l, i, score int
		level       isms.RiskLevel
	}{
		{1, 1, 1, isms.LevelLow}, {2, 2, 4, isms.LevelLow}, {1, 4, 4, isms.LevelLow},
		{1, 5, 5, isms.LevelMedium}, {3, 3, 9, isms.LevelMedium},
		{2, 5, 10, isms.LevelHigh}, {4, 4, 16, isms.LevelHigh}, {3, 5, 15, isms.LevelHigh},
		{4, 5, 20, isms.LevelCritical}, {5, 5, 25, isms.LevelCritical},
	}
	for _, tt := range tests {
		r := isms.Risk{Likelihood: tt.l, Impact: tt.i}
		if r.Score() != tt.score || r.Level() != tt.level {
			t.Errorf("%d x %d: score %d level %s, want %d %s", tt.l, tt.i, r.Score(), r.Level(), tt.score, tt.level)
		}
	}
	// The bands cover every score 1..25 without a gap, in order.
	prev := isms.LevelLow
	for s := 1; s <= 25; s++ {
		l := isms.LevelOf(s)
		if idx(l) < idx(prev) {
			t.Errorf("score %d is %s, lower than the score before (%s)", s, l, prev)
		}
		prev = l
	}
	if isms.LevelOf(17) != isms.LevelHigh || isms.LevelOf(19) != isms.LevelHigh {
		t.Error("17 to 19 (not products of 1..5) should count as high")
	}
	if (&isms.Risk{Number: 7}).Ref() != "R-007" {
		t.Error("ref")
	}
}

func idx(l isms.RiskLevel) int {
	for i, x := range isms.RiskLevels() {
		if x == l {
			return i
		}
	}
	return -1
}

func TestNextReassessment(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	def := isms.DefaultReviewIntervals()
	custom := isms.ReviewIntervals{isms.LevelCritical: 1, isms.LevelHigh: 2, isms.LevelMedium: 6, isms.LevelLow: 24}
	tests := []struct {
		name  string
		ri    isms.ReviewIntervals
		level isms.RiskLevel
		want  time.Time
	}{
		{"critical 3", def, isms.LevelCritical, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}, // Apr 31 normalises to May 1
		{"high 3", def, isms.LevelHigh, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"medium 6", def, isms.LevelMedium, time.Date(2026, 7, 31, 10, 0, 0, 0, time.UTC)},
		{"low 12", def, isms.LevelLow, time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)},
		{"custom critical 1", custom, isms.LevelCritical, time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)},
		{"custom low 24", custom, isms.LevelLow, time.Date(2028, 1, 31, 10, 0, 0, 0, time.UTC)},
		{"missing level falls back to default", isms.ReviewIntervals{}, isms.LevelMedium, time.Date(2026, 7, 31, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ri.NextReassessment(tt.level, at); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReviewIntervalsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ri   isms.ReviewIntervals
		ok   bool
	}{
		{"defaults", isms.DefaultReviewIntervals(), true},
		{"all monthly", isms.ReviewIntervals{"low": 1, "medium": 1, "high": 1, "critical": 1}, true},
		{"zero", isms.ReviewIntervals{"low": 12, "medium": 6, "high": 3, "critical": 0}, false},
		{"too long", isms.ReviewIntervals{"low": 48, "medium": 6, "high": 3, "critical": 3}, false},
		{"missing level", isms.ReviewIntervals{"low": 12, "medium": 6, "high": 3}, false},
		{"high less often than medium", isms.ReviewIntervals{"low": 12, "medium": 6, "high": 9, "critical": 3}, false},
		{"critical less often than high", isms.ReviewIntervals{"low": 12, "medium": 6, "high": 3, "critical": 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ri.Validate()
			if tt.ok != (err == nil) || (err != nil && isms.ErrorCode(err) != isms.EINVALID) {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestRiskValidate(t *testing.T) {
	t.Parallel()
	base := func() isms.Risk {
		return isms.Risk{Asset: "customer database", Threat: "ransomware", Likelihood: 4, Impact: 4, OwnerID: 1}
	}
	tests := []struct {
		name   string
		change func(*isms.Risk)
		ok     bool
	}{
		{"identified, treatment not decided", func(r *isms.Risk) {}, true},
		{"modify with plan and controls", func(r *isms.Risk) {
			r.Treatment, r.Plan, r.Controls = isms.TreatModify, "offline backups", []string{"A.8.13"}
		}, true},
		{"accept high with justification", func(r *isms.Risk) {
			r.Treatment, r.Justification = isms.TreatAccept, "cost exceeds impact; CEO accepted"
		}, true},
		{"accept high without justification", func(r *isms.Risk) { r.Treatment = isms.TreatAccept }, false},
		{"accept critical without justification", func(r *isms.Risk) { r.Treatment, r.Likelihood, r.Impact = isms.TreatAccept, 5, 5 }, false},
		{"accept low without justification", func(r *isms.Risk) { r.Treatment, r.Likelihood, r.Impact = isms.TreatAccept, 1, 2 }, true},
		{"accept medium without justification", func(r *isms.Risk) { r.Treatment, r.Likelihood, r.Impact = isms.TreatAccept, 3, 3 }, true},
		{"unknown treatment", func(r *isms.Risk) { r.Treatment = "ignore" }, false},
		{"no asset", func(r *isms.Risk) { r.Asset = " " }, false},
		{"no threat", func(r *isms.Risk) { r.Threat = "" }, false},
		{"likelihood 0", func(r *isms.Risk) { r.Likelihood = 0 }, false},
		{"impact 6", func(r *isms.Risk) { r.Impact = 6 }, false},
		{"unknown control", func(r *isms.Risk) { r.Controls = []string{"A.12.3.1"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.change(&r)
			err := r.Validate()
			if tt.ok != (err == nil) || (err != nil && isms.ErrorCode(err) != isms.EINVALID) {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestRiskUntreatedAndOverdue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    isms.Risk
		want bool
	}{
		{"low, nothing decided", isms.Risk{Likelihood: 1, Impact: 1}, false},
		{"medium, nothing decided", isms.Risk{Likelihood: 3, Impact: 3}, false},
		{"high, nothing decided", isms.Risk{Likelihood: 2, Impact: 5}, true},
		{"high, modify without plan", isms.Risk{Likelihood: 2, Impact: 5, Treatment: isms.TreatModify}, true},
		{"high, share with plan", isms.Risk{Likelihood: 2, Impact: 5, Treatment: isms.TreatShare, Plan: "cyber insurance"}, false},
		{"critical, accept without reason", isms.Risk{Likelihood: 5, Impact: 5, Treatment: isms.TreatAccept}, true},
		{"critical, accept with reason", isms.Risk{Likelihood: 5, Impact: 5, Treatment: isms.TreatAccept, Justification: "board decision"}, false},
		{"critical, avoid with plan", isms.Risk{Likelihood: 5, Impact: 5, Treatment: isms.TreatAvoid, Plan: "stop the service"}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Untreated(); got != tt.want {
			t.Errorf("%s: Untreated() = %v, want %v", tt.name, got, tt.want)
		}
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	r := isms.Risk{NextReview: now}
	if r.Overdue(now) || !r.Overdue(now.Add(time.Second)) {
		t.Error("overdue only after the due moment")
	}
}

func TestHeatMap(t *testing.T) {
	t.Parallel()
	risks := []*isms.Risk{{Likelihood: 5, Impact: 5}, {Likelihood: 5, Impact: 5}, {Likelihood: 1, Impact: 3}, {Likelihood: 3, Impact: 2}}
	hm := isms.HeatMapOf(risks)
	if len(hm) != 5 || hm[0].Likelihood != 5 || hm[4].Likelihood != 1 {
		t.Fatalf("rows: %+v", hm)
	}
	total := 0
	for _, row := range hm {
		if len(row.Cells) != 5 {
			t.Fatalf("row %d has %d cells", row.Likelihood, len(row.Cells))
		}
		for i, c := range row.Cells {
			total += c.Count
			if c.Impact != i+1 || c.Likelihood != row.Likelihood || c.Score != c.Likelihood*c.Impact || c.Level != isms.LevelOf(c.Score) {
				t.Errorf("cell %+v", c)
			}
		}
	}
	if total != 4 || hm[0].Cells[4].Count != 2 || hm[4].Cells[2].Count != 1 || hm[2].Cells[1].Count != 1 {
		t.Errorf("counts wrong: %+v", hm)
	}
}

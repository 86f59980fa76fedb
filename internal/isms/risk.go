package isms

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// RiskLevel is the band a risk's score falls in.
type RiskLevel string

// The risk levels, from lowest to highest.
const (
	LevelLow      RiskLevel = "low"
	LevelMedium   RiskLevel = "medium"
	LevelHigh     RiskLevel = "high"
	LevelCritical RiskLevel = "critical"
)

// LevelBand is the lowest score of a level.
type LevelBand struct {
	Level RiskLevel
	Min   int
}

// LevelBands are the risk criteria on the 5x5 scale, as data: a score
// (likelihood x impact, 1 to 25) is low from 1 to 4, medium from 5 to 9,
// high from 10 to 16 and critical from 20 to 25 (17 to 19 cannot occur
// as a product of two numbers from 1 to 5; they would count as high).
// Lowest band first.
var LevelBands = []LevelBand{
	{LevelLow, 1},
	{LevelMedium, 5},
	{LevelHigh, 10},
	{LevelCritical, 20},
}

// RiskLevels lists the levels from lowest to highest.
func RiskLevels() []RiskLevel {
	out := make([]RiskLevel, len(LevelBands))
	for i, b := range LevelBands {
		out[i] = b.Level
	}
	return out
}

// LevelOf returns the level of a score (see LevelBands).
func LevelOf(score int) RiskLevel {
	level := LevelBands[0].Level
	for _, b := range LevelBands {
		if score >= b.Min {
			level = b.Level
		}
	}
	return level
}

// Treatment is the option chosen for a risk (ISO/IEC 27001 6.1.3 a).
type Treatment string

// The treatment options; "" means not decided yet.
const (
	TreatModify Treatment = "modify" // reduce it with controls
	TreatAccept Treatment = "accept" // retain it, with a reason
	TreatAvoid  Treatment = "avoid"  // stop the activity
	TreatShare  Treatment = "share"  // insurance, contract, outsourcing
)

// Treatments lists the treatment options.
func Treatments() []Treatment { return []Treatment{TreatModify, TreatAccept, TreatAvoid, TreatShare} }

// ReviewIntervals are the months between reassessments per level, set per
// organisation.
type ReviewIntervals map[RiskLevel]int

// DefaultReviewIntervals: critical and high every 3 months, medium every
// 6, low every 12.
func DefaultReviewIntervals() ReviewIntervals {
	return ReviewIntervals{LevelCritical: 3, LevelHigh: 3, LevelMedium: 6, LevelLow: 12}
}

// Validate returns EINVALID unless every level has 1 to 36 months and no
// level is reviewed less often than a lower one.
func (ri ReviewIntervals) Validate() error {
	prev := 0
	levels := RiskLevels()
	for i := len(levels) - 1; i >= 0; i-- {
		m := ri[levels[i]]
		if m < 1 || m > 36 {
			return Errorf(EINVALID, "%s: give 1 to 36 months between reassessments", levels[i])
		}
		if m < prev {
			return Errorf(EINVALID, "%s: %d months is shorter than for %s risks (%d); a higher level is reassessed at least as often", levels[i], m, levels[i+1], prev)
		}
		prev = m
	}
	return nil
}

// NextReassessment returns when a risk of the level, assessed at, is due
// again.
func (ri ReviewIntervals) NextReassessment(level RiskLevel, at time.Time) time.Time {
	m := ri[level]
	if m <= 0 {
		m = DefaultReviewIntervals()[level]
	}
	return at.AddDate(0, m, 0)
}

// Risk is an entry of the risk register.
type Risk struct {
	ID            int64
	OrgID         int64
	Number        int64 // per organisation; Ref shows it
	Asset         string
	Threat        string
	Vulnerability string
	Likelihood    int // 1 to 5
	Impact        int // 1 to 5
	Treatment     Treatment
	Plan          string // risk treatment plan
	Justification string // why the risk is accepted (residual risk acceptance)
	OwnerID       int64
	OwnerEmail    string
	OwnerName     string   // joined for display
	Controls      []string // Annex A identifiers
	ProcessIDs    []int64
	AssessedAt    time.Time
	NextReview    time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Ref is the risk's reference, e.g. R-001.
func (r *Risk) Ref() string { return fmt.Sprintf("R-%03d", r.Number) }

// Score is likelihood times impact.
func (r *Risk) Score() int { return r.Likelihood * r.Impact }

// Level is the band of the score.
func (r *Risk) Level() RiskLevel { return LevelOf(r.Score()) }

// Overdue reports whether the reassessment is past due at now.
func (r *Risk) Overdue(now time.Time) bool { return now.After(r.NextReview) }

// Untreated reports whether a high or critical risk lacks a decided
// treatment: none chosen, accepted without a reason, or another option
// without a treatment plan. A reassessment can make an accepted medium
// risk high and so untreated until someone gives the reason.
func (r *Risk) Untreated() bool {
	if l := r.Level(); l != LevelHigh && l != LevelCritical {
		return false
	}
	switch r.Treatment {
	case "":
		return true
	case TreatAccept:
		return r.Justification == ""
	default:
		return r.Plan == ""
	}
}

// ValidateScale returns EINVALID unless likelihood and impact are 1 to 5.
func ValidateScale(likelihood, impact int) error {
	if likelihood < 1 || likelihood > 5 {
		return Errorf(EINVALID, "likelihood: give 1 (rare) to 5 (almost certain)")
	}
	if impact < 1 || impact > 5 {
		return Errorf(EINVALID, "impact: give 1 (negligible) to 5 (severe)")
	}
	return nil
}

// Validate trims the texts and returns EINVALID for the first problem:
// asset and threat are required; likelihood and impact 1 to 5; the
// treatment one of the options or empty (not decided yet); accepting a
// high or critical risk needs a justification (the owner's acceptance of
// the residual risk); controls are Annex A identifiers.
func (r *Risk) Validate() error {
	if err := CheckLengths(Limit{"asset", r.Asset, MaxName}, Limit{"threat", r.Threat, MaxName}, Limit{"vulnerability", r.Vulnerability, MaxName},
		Limit{"plan", r.Plan, MaxText}, Limit{"justification", r.Justification, MaxText}, Limit{"owner", r.OwnerEmail, MaxEmail}); err != nil {
		return err
	}
	for _, s := range []*string{&r.Asset, &r.Threat, &r.Vulnerability, &r.Plan, &r.Justification} {
		*s = strings.TrimSpace(*s)
	}
	if r.Asset == "" {
		return Errorf(EINVALID, "asset or scope: name what is at risk, e.g. \"customer database\"")
	}
	if r.Threat == "" {
		return Errorf(EINVALID, "threat: name what could happen, e.g. \"ransomware\"")
	}
	if err := ValidateScale(r.Likelihood, r.Impact); err != nil {
		return err
	}
	if r.Treatment != "" && !slices.Contains(Treatments(), r.Treatment) {
		return Errorf(EINVALID, "treatment %q: use one of modify, accept, avoid, share, or leave it empty until decided", r.Treatment)
	}
	if r.Treatment == TreatAccept && r.Justification == "" && (r.Level() == LevelHigh || r.Level() == LevelCritical) {
		return Errorf(EINVALID, "justification: a %s risk is accepted only with a reason, e.g. the cost of treatment against the impact, approved by the owner", r.Level())
	}
	cat := AnnexA()
	for _, c := range r.Controls {
		if _, err := cat.Control(c); err != nil {
			return Errorf(EINVALID, "controls: %s", ErrorMessage(err))
		}
	}
	return nil
}

// RiskAssessment is one assessment of a risk in its score history.
type RiskAssessment struct {
	RiskID     int64
	Likelihood int
	Impact     int
	Score      int
	Level      RiskLevel
	Note       string
	ActorID    int64
	Actor      string
	At         time.Time
}

// HeatCell is one cell of the 5x5 heat map: the risks with this
// likelihood and impact.
type HeatCell struct {
	Likelihood, Impact, Score int
	Level                     RiskLevel
	Count                     int
}

// HeatRow is one likelihood of the heat map, impact 1 to 5.
type HeatRow struct {
	Likelihood int
	Cells      []HeatCell
}

// HeatMapOf counts the risks per likelihood and impact, highest
// likelihood first (the usual reading: top right is worst).
func HeatMapOf(risks []*Risk) []HeatRow {
	rows := make([]HeatRow, 0, 5)
	for l := 5; l >= 1; l-- {
		row := HeatRow{Likelihood: l}
		for i := 1; i <= 5; i++ {
			row.Cells = append(row.Cells, HeatCell{Likelihood: l, Impact: i, Score: l * i, Level: LevelOf(l * i)})
		}
		rows = append(rows, row)
	}
	for _, r := range risks {
		if r.Likelihood >= 1 && r.Likelihood <= 5 && r.Impact >= 1 && r.Impact <= 5 {
			rows[5-r.Likelihood].Cells[r.Impact-1].Count++
		}
	}
	return rows
}

package isms

import (
	"fmt"
	"strings"
	"time"
)

// Cycle is an improvement cycle: a few key processes made measurably
// better in 60 to 90 days.
type Cycle struct {
	ID           int64
	OrgID        int64
	Name         string
	Start, End   time.Time // dates, at 00:00 in the organisation's zone; End is the last day
	Goals        string
	LengthReason string // why the cycle is shorter than 60 or longer than 90 days
	FocusReason  string // why more than 5 processes were chosen
	ProcessIDs   []int64
	CreatedAt    time.Time
}

// Cycle bounds.
const (
	MinCycleDays     = 60
	MaxCycleDays     = 90
	MinCycleFocus    = 3
	MaxCycleFocus    = 5
	FocusExplanation = "a cycle improves few processes well: with more than five, owners split their attention and none of the metrics moves; pick the ones with the highest score and leave the rest for the next cycle"
)

// Days returns the cycle's length in days, both ends included.
func (c *Cycle) Days() int {
	return int(c.End.Sub(c.Start).Hours()/24+0.5) + 1
}

// Validate returns EINVALID for the first problem: a cycle of 60 to 90
// days needs no reason, outside it does; more than five processes need a
// reason for the lost focus.
func (c *Cycle) Validate() error {
	if err := CheckLengths(Limit{"name", c.Name, MaxName}, Limit{"goals", c.Goals, MaxText},
		Limit{"length_reason", c.LengthReason, MaxText}, Limit{"focus_reason", c.FocusReason, MaxText}); err != nil {
		return err
	}
	c.Name, c.Goals = strings.TrimSpace(c.Name), strings.TrimSpace(c.Goals)
	c.LengthReason, c.FocusReason = strings.TrimSpace(c.LengthReason), strings.TrimSpace(c.FocusReason)
	switch {
	case c.Name == "":
		return Errorf(EINVALID, "name: name the cycle, e.g. \"2026 Q4 cycle\"")
	case c.Start.IsZero() || c.End.IsZero():
		return Errorf(EINVALID, "dates: give the first and last day of the cycle")
	case !c.End.After(c.Start):
		return Errorf(EINVALID, "dates: the cycle must end after it starts")
	case c.Goals == "":
		return Errorf(EINVALID, "goals: say what the cycle should achieve, e.g. \"access removed within 24 h every time\"")
	case len(c.ProcessIDs) == 0:
		return Errorf(EINVALID, "processes: choose the %d to %d processes to improve in this cycle", MinCycleFocus, MaxCycleFocus)
	}
	if d := c.Days(); (d < MinCycleDays || d > MaxCycleDays) && c.LengthReason == "" {
		return Errorf(EINVALID, "length: the cycle lasts %d days; a cycle of %d to %d days gives changes time to show in the metrics. Shorten or lengthen it, or give the reason for %d days", d, MinCycleDays, MaxCycleDays, d)
	}
	if len(c.ProcessIDs) > MaxCycleFocus && c.FocusReason == "" {
		return Errorf(EINVALID, "focus: %d processes are chosen; %s. Or give the reason for %d", len(c.ProcessIDs), FocusExplanation, len(c.ProcessIDs))
	}
	seen := map[int64]bool{}
	for _, id := range c.ProcessIDs {
		if seen[id] {
			return Errorf(EINVALID, "processes: a process is chosen twice")
		}
		seen[id] = true
	}
	return nil
}

// Warnings lists what is allowed but unwise about the cycle.
func (c *Cycle) Warnings() []string {
	var w []string
	if n := len(c.ProcessIDs); n > MaxCycleFocus {
		w = append(w, fmt.Sprintf("%d processes: %s", n, FocusExplanation))
	} else if n < MinCycleFocus {
		w = append(w, fmt.Sprintf("only %d process(es): a cycle usually improves %d to %d", n, MinCycleFocus, MaxCycleFocus))
	}
	if d := c.Days(); d < MinCycleDays || d > MaxCycleDays {
		w = append(w, fmt.Sprintf("%d days, outside %d to %d: %s", d, MinCycleDays, MaxCycleDays, c.LengthReason))
	}
	return w
}

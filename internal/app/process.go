package app

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

// Processes returns the organisation's processes, highest score first.
// Requires read.
func (a *App) Processes(ctx context.Context, p Principal, slug string) ([]*isms.Process, error) {
	var out []*isms.Process
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.Processes(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// Process returns one process. Requires read. ENOTFOUND.
func (a *App) Process(ctx context.Context, p Principal, slug string, id int64) (*isms.Process, error) {
	var out *isms.Process
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if out, err = tx.Process(ctx, m.Org.ID, id); err != nil {
			return err
		}
		out.Standards, err = tx.StandardTags(ctx, m.Org.ID, isms.TagProcess, strconv.FormatInt(id, 10))
		return err
	})
	return out, err
}

// checkProcess validates a process against the organisation: the owner is
// a member, every linked metric exists.
func checkProcess(ctx context.Context, tx *store.Tx, m *Member, proc *isms.Process) error {
	if err := proc.Validate(); err != nil {
		return err
	}
	if _, err := tx.Membership(ctx, m.Org.ID, proc.OwnerID); err != nil {
		return isms.Errorf(isms.EINVALID, "owner: the owner must be a member of %s", m.Org.Name)
	}
	metrics, err := currentMetrics(ctx, tx, m.Org.ID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, md := range metrics {
		known[md.Key] = true
	}
	for _, k := range proc.Metrics {
		if !known[k] {
			return isms.Errorf(isms.EINVALID, "metrics: there is no metric %q", k)
		}
	}
	return nil
}

// CreateProcess adds a process. Requires write_records. EINVALID,
// ECONFLICT.
func (a *App) CreateProcess(ctx context.Context, p Principal, slug string, proc *isms.Process) error {
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		proc.OrgID = m.Org.ID
		if err := checkProcess(ctx, tx, m, proc); err != nil {
			return err
		}
		if proc.Standards, err = isms.NormalizeStandards(proc.Standards); err != nil {
			return err
		}
		if err := tx.CreateProcess(ctx, proc); err != nil {
			return err
		}
		if err := tx.SetStandardTags(ctx, m.Org.ID, isms.TagProcess, strconv.FormatInt(proc.ID, 10), proc.Standards); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "process.create", "process", proc.ID, nil, proc)
	})
}

// UpdateProcess changes a process (fields, scores, metrics). Requires
// write_records. ENOTFOUND, EINVALID, ECONFLICT.
func (a *App) UpdateProcess(ctx context.Context, p Principal, slug string, proc *isms.Process) error {
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		before, err := tx.Process(ctx, m.Org.ID, proc.ID)
		if err != nil {
			return err
		}
		proc.OrgID, proc.Template, proc.CreatedAt = m.Org.ID, before.Template, before.CreatedAt
		if err := checkProcess(ctx, tx, m, proc); err != nil {
			return err
		}
		if err := tx.UpdateProcess(ctx, proc); err != nil {
			return err
		}
		if proc.Standards != nil {
			if proc.Standards, err = isms.NormalizeStandards(proc.Standards); err != nil {
				return err
			}
			if before.Standards, err = tx.StandardTags(ctx, m.Org.ID, isms.TagProcess, strconv.FormatInt(proc.ID, 10)); err != nil {
				return err
			}
			if err := tx.SetStandardTags(ctx, m.Org.ID, isms.TagProcess, strconv.FormatInt(proc.ID, 10), proc.Standards); err != nil {
				return err
			}
		}
		return audit(ctx, tx, m.Org.ID, p, "process.update", "process", proc.ID, before, proc)
	})
}

// ProcessFromTemplate returns a new process filled from a template, owned
// by ownerID, with middle scores to adjust. ENOTFOUND for an unknown
// template.
func ProcessFromTemplate(key string, ownerID int64) (*isms.Process, error) {
	t, ok := isms.ProcessTemplateByKey(key)
	if !ok {
		return nil, isms.Errorf(isms.ENOTFOUND, "no process template %q", key)
	}
	return &isms.Process{Name: t.Name, Purpose: t.Purpose, OwnerID: ownerID, Trigger: t.Trigger, Deadline: t.Deadline,
		DeadlineHours: t.DeadlineHours, Steps: t.Steps, Recorded: t.Recorded, Template: t.Key, Impact: 3, Recurrence: 3, Risk: 3,
		Metrics: append([]string(nil), t.Metrics...), Standards: append([]string(nil), t.Standards...)}, nil
}

// Figure is one metric's rated figure for a period, as kept in a cycle's
// baseline.
type Figure struct {
	Key    string   `json:"key"`
	Period string   `json:"period"`
	Value  *float64 `json:"value"`
	Unit   string   `json:"unit"`
	Status string   `json:"status"`
	AsOf   string   `json:"as_of"`
}

// CreateCycle starts an improvement cycle with its chosen processes and
// records, for each, its metrics' figures for the last complete period
// at the cycle's start (or now, if the cycle starts later), as the
// baseline. Requires manage_metrics (admins and ISMS managers run cycles).
func (a *App) CreateCycle(ctx context.Context, p Principal, slug string, c *isms.Cycle) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActManageMetrics); err != nil {
			return err
		}
		c.OrgID = m.Org.ID
		metrics, err := currentMetrics(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		byKey := map[string]Metric{}
		for _, md := range metrics {
			byKey[md.Key] = md
		}
		asOf := c.Start
		if tx.Now.Before(asOf) {
			asOf = tx.Now
		}
		manual, err := manualMap(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		l := newLoader(ctx, tx, m.Org.ID)
		var chosen []store.CycleProcess
		for _, id := range c.ProcessIDs {
			proc, err := tx.Process(ctx, m.Org.ID, id)
			if err != nil {
				return isms.Errorf(isms.EINVALID, "processes: process %d is not a process of %s", id, m.Org.Name)
			}
			var base []Figure
			for _, k := range proc.Metrics {
				md, ok := byKey[k]
				if !ok {
					continue
				}
				per := measure.PeriodContaining(md.Frequency, asOf, m.Org.Location()).Prev()
				rs, err := l.compute(md, []measure.Period{per}, asOf, spanOf(md.Rule, []measure.Period{per}, asOf), manual, false)
				if err != nil {
					return err
				}
				r := rs[0]
				base = append(base, Figure{Key: k, Period: per.String(), Value: r.Rounded(), Unit: string(r.Unit), Status: string(r.Status), AsOf: asOf.UTC().Format(time.RFC3339)})
			}
			b, _ := json.Marshal(base)
			chosen = append(chosen, store.CycleProcess{ProcessID: id, Baseline: string(b)})
		}
		if err := tx.CreateCycle(ctx, c, chosen); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "cycle.create", "cycle", c.ID, nil, map[string]any{"cycle": c, "baseline": chosen})
	})
}

// Cycles returns the organisation's cycles, newest first. Requires read.
func (a *App) Cycles(ctx context.Context, p Principal, slug string) ([]*isms.Cycle, error) {
	var out []*isms.Cycle
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.Cycles(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// CycleProcessView is a chosen process with its metrics at the start of
// the cycle and now (the last complete period's stored figure).
type CycleProcessView struct {
	Process  *isms.Process
	Baseline []Figure
	Now      []Figure
}

// CycleView is a cycle as its page shows it.
type CycleView struct {
	Cycle     *isms.Cycle
	Processes []CycleProcessView
}

// Cycle returns one cycle with its processes' baseline and current
// figures. Requires read. ENOTFOUND.
func (a *App) Cycle(ctx context.Context, p Principal, slug string, id int64) (*CycleView, error) {
	var out CycleView
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		c, chosen, err := tx.Cycle(ctx, m.Org.ID, id)
		if err != nil {
			return err
		}
		out.Cycle = c
		latest, err := latestComplete(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		for _, cp := range chosen {
			proc, err := tx.Process(ctx, m.Org.ID, cp.ProcessID)
			if err != nil {
				return err
			}
			v := CycleProcessView{Process: proc}
			_ = json.Unmarshal([]byte(cp.Baseline), &v.Baseline)
			for _, k := range proc.Metrics {
				if sm, ok := latest[k]; ok {
					v.Now = append(v.Now, Figure{Key: k, Period: sm.Period, Value: round(sm.Value), Unit: sm.Unit, Status: sm.Status, AsOf: sm.AsOf.Format(time.RFC3339)})
				}
			}
			out.Processes = append(out.Processes, v)
		}
		return nil
	})
	return &out, err
}

// latestComplete returns, per metric, the stored figure of its last
// complete period (the one before the period in progress).
func latestComplete(ctx context.Context, tx *store.Tx, orgID int64) (map[string]store.Measurement, error) {
	ms, err := tx.Measurements(ctx, orgID) // ordered by metric, then period
	if err != nil {
		return nil, err
	}
	out := map[string]store.Measurement{}
	for i := range ms {
		if i+1 < len(ms) && ms[i+1].Key == ms[i].Key && (i+2 >= len(ms) || ms[i+2].Key != ms[i].Key) {
			out[ms[i].Key] = ms[i]
		}
	}
	return out, nil
}

func round(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := measure.Round2(*v)
	return &r
}

// LatestFigures returns, per metric key, the stored figure of its last
// complete period. Requires read.
func (a *App) LatestFigures(ctx context.Context, p Principal, slug string) (map[string]Figure, error) {
	out := map[string]Figure{}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		latest, err := latestComplete(ctx, tx, m.Org.ID)
		for k, sm := range latest {
			out[k] = Figure{Key: k, Period: sm.Period, Value: round(sm.Value), Unit: sm.Unit, Status: sm.Status, AsOf: sm.AsOf.Format(time.RFC3339)}
		}
		return err
	})
	return out, err
}

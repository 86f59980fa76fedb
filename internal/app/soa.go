package app

import (
	"context"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// SoAControl is one row of the Statement of Applicability: a catalogue
// control, the organisation's decision (none yet when Decided is false),
// the risks that name it among their controls, and linked processes.
type SoAControl struct {
	isms.Control
	Decided       bool
	Applicable    bool
	Justification string
	Status        isms.ImplementationStatus
	UpdatedBy     string
	UpdatedAt     *time.Time
	Risks         []*isms.Risk
	Processes     []store.ProcessChoice
}

// Decision is "applicable", "excluded" or "not yet decided".
func (c SoAControl) Decision() string {
	switch {
	case !c.Decided:
		return "not yet decided"
	case c.Applicable:
		return "applicable"
	}
	return "excluded"
}

// SoAFilter narrows the Statement; zero values do not filter.
type SoAFilter struct {
	Theme string
	// Applicability: "yes", "no" or "undecided".
	Applicability string
	Status        isms.ImplementationStatus
}

func (f SoAFilter) match(c SoAControl) bool {
	switch f.Applicability {
	case "yes":
		if !c.Decided || !c.Applicable {
			return false
		}
	case "no":
		if !c.Decided || c.Applicable {
			return false
		}
	case "undecided":
		if c.Decided {
			return false
		}
	}
	return (f.Theme == "" || c.Theme == f.Theme) && (f.Status == "" || (c.Decided && c.Status == f.Status))
}

// SoA is the Statement of Applicability of an organisation, filtered, with
// counts over every control.
type SoA struct {
	Catalogue   string
	Controls    []SoAControl
	Total       int
	Decided     int
	Applicable  int
	Implemented int
	Themes      []string
	Processes   []store.ProcessChoice // every process, for forms
}

// SoA returns the Statement of Applicability of the Annex A catalogue: one
// row per control, decided or not. Requires read.
func (a *App) SoA(ctx context.Context, p Principal, slug string, f SoAFilter) (*SoA, error) {
	var out *SoA
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		all, procs, err := soaRows(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		cat := isms.AnnexA()
		out = &SoA{Catalogue: cat.Name, Total: len(all), Themes: cat.Themes(), Processes: procs}
		for _, c := range all {
			if c.Decided {
				out.Decided++
			}
			if c.Decided && c.Applicable {
				out.Applicable++
				if c.Status == isms.StatusImplemented {
					out.Implemented++
				}
			}
			if f.match(c) {
				out.Controls = append(out.Controls, c)
			}
		}
		return nil
	})
	return out, err
}

// SoAControl returns one control's row and every process of the
// organisation (for the edit form). Requires read. ENOTFOUND.
func (a *App) SoAControl(ctx context.Context, p Principal, slug, controlID string) (*SoAControl, []store.ProcessChoice, error) {
	var out *SoAControl
	var procs []store.ProcessChoice
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		if _, err := isms.AnnexA().Control(controlID); err != nil {
			return err
		}
		var all []SoAControl
		if all, procs, err = soaRows(ctx, tx, m.Org.ID); err != nil {
			return err
		}
		for i := range all {
			if all[i].ID == controlID {
				out = &all[i]
			}
		}
		return nil
	})
	return out, procs, err
}

// UpdateSoA records the decision about one control. An excluded control
// has no implementation status (it is cleared) and cannot be excluded
// while risks name it among their controls. Requires write_records.
// ENOTFOUND for an unknown control, EINVALID.
func (a *App) UpdateSoA(ctx context.Context, p Principal, slug string, e isms.SoAEntry) (*SoAControl, error) {
	var out *SoAControl
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		m, err := member(ctx, tx, p, slug)
		if err != nil {
			return err
		}
		if err := m.can(isms.ActWriteRecords); err != nil {
			return err
		}
		e.Catalogue = isms.CatalogueAnnexA2022
		if _, err := isms.AnnexA().Control(e.ControlID); err != nil {
			return err
		}
		all, _, err := soaRows(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		var before SoAControl
		for _, c := range all {
			if c.ID == e.ControlID {
				before = c
			}
		}
		if !e.Applicable {
			e.Status = ""
			if len(before.Risks) > 0 {
				refs := make([]string, len(before.Risks))
				for i, r := range before.Risks {
					refs[i] = r.Ref()
				}
				return isms.Errorf(isms.EINVALID, "%s treats %s: remove it from those risks' controls before excluding it", e.ControlID, strings.Join(refs, ", "))
			}
		}
		if err := e.Validate(); err != nil {
			return err
		}
		if err := checkProcesses(ctx, tx, m.Org.ID, e.ProcessIDs); err != nil {
			return err
		}
		row := &store.SoARow{SoAEntry: e, UpdatedBy: m.Label}
		if err := tx.SaveSoAEntry(ctx, m.Org.ID, row); err != nil {
			return err
		}
		if all, _, err = soaRows(ctx, tx, m.Org.ID); err != nil {
			return err
		}
		for i := range all {
			if all[i].ID == e.ControlID {
				out = &all[i]
			}
		}
		var old any
		if before.Decided {
			old = soaAudit(before.Applicable, before.Justification, before.Status, nil)
		}
		return audit(ctx, tx, m.Org.ID, p, "soa.update", "control", e.ControlID, old, soaAudit(e.Applicable, e.Justification, e.Status, e.ProcessIDs))
	})
	return out, err
}

func soaAudit(applicable bool, justification string, status isms.ImplementationStatus, processes []int64) map[string]any {
	out := map[string]any{"applicable": applicable, "justification": justification, "status": status}
	if processes != nil {
		out["processes"] = processes
	}
	return out
}

// soaRows merges the catalogue with the organisation's decisions, risks
// and processes, in catalogue order.
func soaRows(ctx context.Context, tx *store.Tx, orgID int64) ([]SoAControl, []store.ProcessChoice, error) {
	cat := isms.AnnexA()
	entries, err := tx.SoAEntries(ctx, orgID, cat.Name)
	if err != nil {
		return nil, nil, err
	}
	risks, err := tx.Risks(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	procs, err := tx.LinkableProcesses(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, p := range procs {
		names[p.ID] = p.Name
	}
	byControl := map[string][]*isms.Risk{}
	for _, r := range risks {
		for _, c := range r.Controls {
			byControl[c] = append(byControl[c], r)
		}
	}
	out := make([]SoAControl, len(cat.Controls))
	for i, ctl := range cat.Controls {
		row := SoAControl{Control: ctl, Risks: byControl[ctl.ID]}
		if e, ok := entries[ctl.ID]; ok {
			at := e.UpdatedAt
			row.Decided, row.Applicable, row.Justification, row.Status = true, e.Applicable, e.Justification, e.Status
			row.UpdatedBy, row.UpdatedAt = e.UpdatedBy, &at
			for _, id := range e.ProcessIDs {
				row.Processes = append(row.Processes, store.ProcessChoice{ID: id, Name: names[id]})
			}
		}
		out[i] = row
	}
	return out, procs, nil
}

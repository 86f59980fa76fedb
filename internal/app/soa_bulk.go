package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// SoAChange changes parts of the decision about one control; a nil field
// stays as it is. Line is the file line it came from (0 for a bulk edit).
type SoAChange = importer.SoADecision

// SoAFieldChange is one field of a decision before and after.
type SoAFieldChange struct {
	Field, Before, After string
}

// SoADiff is what a change does to one control.
type SoADiff struct {
	Line      int
	ControlID string
	Title     string
	Created   bool // the control had no decision yet
	Fields    []SoAFieldChange
}

// SoAChangeResult says what a bulk edit or an import did (or, dry, would do).
type SoAChangeResult struct {
	Rows      int
	Created   int // decisions recorded for controls not yet decided
	Updated   int
	Unchanged int
	Changes   []SoADiff // changed controls, in the order given
	Ignored   []string  // columns of the file not read
	DryRun    bool
}

// Changed counts the controls whose decision changed.
func (r *SoAChangeResult) Changed() int { return r.Created + r.Updated }

// SoABulk is the form of the bulk edit: the decision parts to set on every
// chosen control; empty fields are not changed.
type SoABulk struct {
	Applicable    string // "yes", "no" or "" (unchanged)
	Justification string
	Status        isms.ImplementationStatus
}

// BulkUpdateSoA sets the same decision parts on several controls in one
// transaction, with one audit event per changed control, validated as
// UpdateSoA validates one; on any problem nothing is stored and the error
// (EINVALID) names every control and field at fault. Requires
// write_records.
func (a *App) BulkUpdateSoA(ctx context.Context, p Principal, slug string, controls []string, b SoABulk) (*SoAChangeResult, error) {
	if len(controls) == 0 {
		return nil, isms.Errorf(isms.EINVALID, "controls: choose at least one control (tick its box, or apply to every control shown)")
	}
	if b.Applicable == "" && strings.TrimSpace(b.Justification) == "" && b.Status == "" {
		return nil, isms.Errorf(isms.EINVALID, "nothing to change: choose applicable or not, a status, or write a justification")
	}
	var c SoAChange
	switch b.Applicable {
	case "yes", "no":
		v := b.Applicable == "yes"
		c.Applicable = &v
	case "":
	default:
		return nil, isms.Errorf(isms.EINVALID, "applicable %q: choose yes, no or leave it unchanged", b.Applicable)
	}
	if j := strings.TrimSpace(b.Justification); j != "" {
		c.Justification = &j
	}
	if b.Status != "" {
		if !slices.Contains(isms.ImplementationStatuses(), b.Status) {
			return nil, isms.Errorf(isms.EINVALID, "status %q: use one of not_started, planned, partial, implemented", b.Status)
		}
		st := b.Status
		c.Status = &st
	}
	changes := make([]SoAChange, 0, len(controls))
	seen := map[string]bool{}
	for _, id := range controls {
		if seen[id] {
			continue
		}
		seen[id] = true
		c.ControlID = id
		changes = append(changes, c)
	}
	res, err := a.changeSoA(ctx, p, slug, changes, false, "bulk edit")
	var bad *importer.Error
	if errors.As(err, &bad) {
		msgs := make([]string, len(bad.Errors))
		for i, e := range bad.Errors {
			msgs[i] = e.Reason
		}
		return nil, isms.Errorf(isms.EINVALID, "Nothing was changed: %s", strings.Join(msgs, "; "))
	}
	return res, err
}

// ImportSoARequest is an import of SoA decisions from a file.
type ImportSoARequest struct {
	Org      string
	Format   importer.Format // csv or xlsx
	FileName string
	File     io.Reader
	DryRun   bool
}

// CanImportSoA returns the error ImportSoA would return for a caller who
// may not change the Statement, so an upload can be refused before it is
// read.
func (a *App) CanImportSoA(ctx context.Context, p Principal, slug string) error {
	return a.read(ctx, p, slug, isms.ActWriteRecords, func(*store.Tx, *Member) error { return nil })
}

// ImportSoA reads decisions from a CSV or XLSX file with the columns of the
// SoA export and applies them all or nothing: a bad row (unknown control or
// value, a control twice, a decision the single edit would refuse) stores
// nothing and comes back in an *importer.Error with its line and column.
// Rows that change nothing count as unchanged, so importing the same file
// again changes nothing. Requires write_records.
func (a *App) ImportSoA(ctx context.Context, p Principal, req ImportSoARequest) (*SoAChangeResult, error) {
	// Refuse a caller who may not write before reading the file.
	if err := a.CanImportSoA(ctx, p, req.Org); err != nil {
		return nil, err
	}
	if req.Format != importer.FormatCSV && req.Format != importer.FormatXLSX {
		return nil, isms.Errorf(isms.EINVALID, "format %q: an SoA import is a csv or xlsx file", req.Format)
	}
	f, err := importer.ReadSoA(req.File, req.Format, importer.XLSXLimits{})
	if err != nil {
		return nil, err
	}
	source := "import"
	if req.FileName != "" {
		source = "import of " + req.FileName
	}
	res, err := a.changeSoA(ctx, p, req.Org, f.Rows, req.DryRun, source)
	if res != nil {
		res.Ignored = f.Ignored
	}
	return res, err
}

// changeSoA merges each change into the stored decision, validates the
// result as UpdateSoA does and, unless dry, stores the changed ones with
// one audit event each, in one transaction. Problems come back together in
// an *importer.Error (nothing stored).
func (a *App) changeSoA(ctx context.Context, p Principal, slug string, changes []SoAChange, dry bool, source string) (*SoAChangeResult, error) {
	res := &SoAChangeResult{Rows: len(changes), DryRun: dry}
	run := a.write
	if dry {
		run = a.read
	}
	err := run(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		*res = SoAChangeResult{Rows: len(changes), DryRun: dry}
		all, _, err := soaRows(ctx, tx, m.Org.ID)
		if err != nil {
			return err
		}
		byID := make(map[string]*SoAControl, len(all))
		for i := range all {
			byID[all[i].ID] = &all[i]
		}
		var bad importer.Error
		problem := func(c SoAChange, field, value, format string, args ...any) {
			bad.Add(importer.RowError{Line: c.Line, Column: field, Value: value, Reason: fmt.Sprintf(format, args...)})
		}
		type write struct {
			before *SoAControl
			e      isms.SoAEntry
		}
		var writes []write
		for _, c := range changes {
			before := byID[c.ControlID]
			if before == nil {
				problem(c, "control_id", c.ControlID, "%s is not a control of ISO/IEC 27001:2022 Annex A; use an identifier such as A.5.1", c.ControlID)
				continue
			}
			if !before.Decided && c.Applicable == nil {
				if c.Justification == nil && c.Status == nil {
					res.Unchanged++ // nothing decided, nothing asked
					continue
				}
				problem(c, "applicable", "", "%s is not yet decided: say whether it applies (yes or no) along with its justification or status", c.ControlID)
				continue
			}
			e := isms.SoAEntry{Catalogue: isms.CatalogueAnnexA2022, ControlID: c.ControlID, Applicable: before.Applicable,
				Justification: before.Justification, Status: before.Status}
			for _, pr := range before.Processes {
				e.ProcessIDs = append(e.ProcessIDs, pr.ID)
			}
			if c.Applicable != nil {
				e.Applicable = *c.Applicable
			}
			if c.Justification != nil {
				e.Justification = *c.Justification
			}
			// A row that excludes an applicable control and still carries its
			// stored status (the export's value, left as it was) means no
			// status: it is cleared below. Any other status for an excluded
			// control is refused.
			if c.Status != nil && !e.Applicable && before.Decided && before.Applicable && *c.Status == before.Status {
				c.Status = nil
			}
			if c.Status != nil {
				if !e.Applicable {
					problem(c, "status", string(*c.Status), "%s is excluded, so it has no implementation status; leave status blank or make the control applicable", c.ControlID)
					continue
				}
				e.Status = *c.Status
			}
			if !e.Applicable {
				e.Status = "" // as the single edit: an excluded control has no status
				if len(before.Risks) > 0 {
					refs := make([]string, len(before.Risks))
					for i, r := range before.Risks {
						refs[i] = r.Ref()
					}
					problem(c, "applicable", "no", "%s treats %s: remove it from those risks' controls before excluding it", c.ControlID, strings.Join(refs, ", "))
					continue
				}
			}
			if err := e.Validate(); err != nil {
				field, _, _ := strings.Cut(isms.ErrorMessage(err), ":")
				if field != "justification" && field != "status" {
					field = ""
				}
				problem(c, field, "", "%s: %s", c.ControlID, isms.ErrorMessage(err))
				continue
			}
			d := SoADiff{Line: c.Line, ControlID: c.ControlID, Title: before.Title, Created: !before.Decided}
			yesNo := map[bool]string{true: "yes", false: "no"}
			add := func(field, b, a string) {
				if b != a {
					d.Fields = append(d.Fields, SoAFieldChange{Field: field, Before: b, After: a})
				}
			}
			oldApplicable := ""
			if before.Decided {
				oldApplicable = yesNo[before.Applicable]
			}
			add("applicable", oldApplicable, yesNo[e.Applicable])
			add("justification", before.Justification, e.Justification)
			add("status", string(before.Status), string(e.Status))
			if len(d.Fields) == 0 {
				res.Unchanged++
				continue
			}
			if d.Created {
				res.Created++
			} else {
				res.Updated++
			}
			res.Changes = append(res.Changes, d)
			writes = append(writes, write{before, e})
		}
		if bad.Count() > 0 {
			return &bad
		}
		if dry {
			return nil
		}
		for _, w := range writes {
			if err := tx.SaveSoAEntry(ctx, m.Org.ID, &store.SoARow{SoAEntry: w.e, UpdatedBy: m.Label}); err != nil {
				return err
			}
			var old any
			if w.before.Decided {
				old = soaAudit(w.before.Applicable, w.before.Justification, w.before.Status, nil)
			}
			after := soaAudit(w.e.Applicable, w.e.Justification, w.e.Status, w.e.ProcessIDs)
			after["source"] = source
			if err := audit(ctx, tx, m.Org.ID, p, "soa.update", "control", w.e.ControlID, old, after); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

package app

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// The register of each framework (issue 19, docs/frameworks.md): which
// frameworks an organisation works with, their coverage, and the decision
// about each requirement. Annex A's ISO-style Statement of Applicability
// (soa.go) reads and writes the same decisions under the same key.

// FrameworkSummary is a framework the organisation may use, with its
// coverage when it is enabled.
type FrameworkSummary struct {
	store.FrameworkRow
	Coverage *store.FrameworkCoverage // nil when not enabled
}

// Frameworks lists the frameworks the organisation may use (instance-wide
// and its own), each with Enabled and, when enabled, its coverage.
// Requires read.
func (a *App) Frameworks(ctx context.Context, p Principal, slug string) ([]FrameworkSummary, error) {
	var out []FrameworkSummary
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = frameworkSummaries(ctx, tx, m.Org.ID, false)
		return err
	})
	return out, err
}

func frameworkSummaries(ctx context.Context, tx *store.Tx, orgID int64, enabledOnly bool) ([]FrameworkSummary, error) {
	fws, err := tx.Frameworks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]FrameworkSummary, 0, len(fws))
	for _, f := range fws {
		s := FrameworkSummary{FrameworkRow: *f}
		if f.Enabled {
			c, err := tx.FrameworkCoverage(ctx, orgID, &f.Framework)
			if err != nil {
				return nil, err
			}
			s.Coverage = &c
		} else if enabledOnly {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// EnableFramework enables a framework in the organisation. Requires
// manage_org. ENOTFOUND for a framework the organisation may not use.
func (a *App) EnableFramework(ctx context.Context, p Principal, slug, key string) error {
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		f, err := tx.FrameworkByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if f.Enabled {
			return nil
		}
		if err := tx.EnableFramework(ctx, m.Org.ID, f.ID, m.Label); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "framework.enable", "framework", f.Key, map[string]any{"enabled": false},
			map[string]any{"enabled": true, "title": f.Title, "version": f.Version})
	})
}

// DisableFramework disables a framework in the organisation; its
// decisions are kept and come back when it is enabled again. Requires
// manage_org. ENOTFOUND.
func (a *App) DisableFramework(ctx context.Context, p Principal, slug, key string) error {
	return a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		f, err := tx.FrameworkByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if !f.Enabled {
			return nil
		}
		if err := tx.DisableFramework(ctx, m.Org.ID, f.ID); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "framework.disable", "framework", f.Key, map[string]any{"enabled": true},
			map[string]any{"enabled": false, "title": f.Title, "version": f.Version})
	})
}

// RegisterItem is a row of a framework's register with the implemented
// requirements of other enabled frameworks that map to it.
type RegisterItem struct {
	*store.RegisterRow
	Covers []store.MappedCover
}

// Register is a page of a framework's register.
type Register struct {
	Framework store.FrameworkRow
	Coverage  store.FrameworkCoverage
	Groups    []isms.Requirement // every group, for the filter
	Page      *store.Page[*RegisterItem]
}

// RegisterPageSize is how many requirements a page of the register holds.
const RegisterPageSize = 100

// Register returns a page of the framework's register, filtered in SQL.
// Requires read. ENOTFOUND for a framework the organisation may not use.
func (a *App) Register(ctx context.Context, p Principal, slug, key string, f store.RegisterFilter) (*Register, error) {
	var out *Register
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		fw, err := tx.FrameworkByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if f.Status != "" && !slices.Contains(isms.ImplementationStatuses(), f.Status) {
			return isms.Errorf(isms.EINVALID, "status %q: use one of not_started, planned, partial, implemented", f.Status)
		}
		if f.Limit <= 0 {
			f.Limit = RegisterPageSize
		}
		f.Limit = min(f.Limit, 500)
		out = &Register{Framework: *fw}
		if out.Coverage, err = tx.FrameworkCoverage(ctx, m.Org.ID, &fw.Framework); err != nil {
			return err
		}
		if out.Groups, err = tx.FrameworkGroups(ctx, fw.ID); err != nil {
			return err
		}
		if f.Group != "" && !slices.ContainsFunc(out.Groups, func(r isms.Requirement) bool { return r.ID == f.Group }) {
			return isms.Errorf(isms.EINVALID, "group %q: not a group of %s", f.Group, fw.Title)
		}
		pg, err := tx.FrameworkRegister(ctx, m.Org.ID, &fw.Framework, f)
		if err != nil {
			return err
		}
		ids := make([]string, len(pg.Items))
		for i, r := range pg.Items {
			ids[i] = r.ID
		}
		covers, err := tx.MappedCovers(ctx, m.Org.ID, &fw.Framework, ids)
		if err != nil {
			return err
		}
		out.Page = &store.Page[*RegisterItem]{More: pg.More, Total: pg.Total, Offset: pg.Offset, Limit: pg.Limit}
		for _, r := range pg.Items {
			out.Page.Items = append(out.Page.Items, &RegisterItem{RegisterRow: r, Covers: covers[r.ID]})
		}
		return nil
	})
	return out, err
}

// MappingView is a mapping of a requirement, read from its end, with the
// other requirement's title and the organisation's decision about it.
type MappingView struct {
	store.Mapping
	OtherTitle    string // the other framework's title
	OtherLabel    string
	OtherReqTitle string
	OtherEnabled  bool
	Decided       bool
	Applicable    bool
	Status        isms.ImplementationStatus
}

// Covers reports whether the mapped requirement is implemented in an
// enabled framework: shown as coverage, never counted as implemented.
func (v MappingView) Covers() bool {
	return v.OtherEnabled && v.Decided && v.Applicable && v.Status == isms.StatusImplemented
}

// RequirementView is one requirement of a framework with the
// organisation's decision, its links and its mappings.
type RequirementView struct {
	Framework store.FrameworkRow
	Row       *store.RegisterRow
	Processes []store.ProcessChoice
	Documents []store.DocumentChoice
	Risks     []store.RiskRef
	Mappings  []MappingView
	// For the edit form.
	AllProcesses []store.ProcessChoice
	AllDocuments []store.DocumentChoice
	Members      []isms.Membership
}

// Covers returns the mappings through which the requirement is covered.
func (v *RequirementView) Covers() []MappingView {
	var out []MappingView
	for _, m := range v.Mappings {
		if m.Covers() {
			out = append(out, m)
		}
	}
	return out
}

// Decidable reports whether the requirement can be decided (a control or
// an enhancement that is not withdrawn).
func (v *RequirementView) Decidable() bool { return v.Row.Kind.Counts() && !v.Row.Withdrawn }

// maxMappingsShown bounds the mappings read for one requirement.
const maxMappingsShown = 200

// Requirement returns one requirement of the framework with its decision,
// links and mappings. Requires read. ENOTFOUND.
func (a *App) Requirement(ctx context.Context, p Principal, slug, key, reqID string) (*RequirementView, error) {
	var out *RequirementView
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		fw, err := tx.FrameworkByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		out, err = requirementView(ctx, tx, m.Org.ID, fw, reqID)
		return err
	})
	return out, err
}

func requirementView(ctx context.Context, tx *store.Tx, orgID int64, fw *store.FrameworkRow, reqID string) (*RequirementView, error) {
	row, err := tx.RegisterRequirement(ctx, orgID, &fw.Framework, reqID)
	if err != nil {
		return nil, err
	}
	v := &RequirementView{Framework: *fw, Row: row}
	if v.AllProcesses, err = tx.LinkableProcesses(ctx, orgID); err != nil {
		return nil, err
	}
	if v.AllDocuments, err = tx.LinkableDocuments(ctx, orgID); err != nil {
		return nil, err
	}
	if v.Members, err = tx.Members(ctx, orgID); err != nil {
		return nil, err
	}
	for _, p := range v.AllProcesses {
		if slices.Contains(row.ProcessIDs, p.ID) {
			v.Processes = append(v.Processes, p)
		}
	}
	for _, d := range v.AllDocuments {
		if slices.Contains(row.DocumentIDs, d.ID) {
			v.Documents = append(v.Documents, d)
		}
	}
	// A retired document stays linked: name it by its identifier.
	for _, id := range row.DocumentIDs {
		if !slices.ContainsFunc(v.Documents, func(d store.DocumentChoice) bool { return d.ID == id }) {
			if d, err := tx.Document(ctx, orgID, id); err == nil {
				v.Documents = append(v.Documents, store.DocumentChoice{ID: d.ID, Ref: d.Ref, Title: d.Title})
			}
		}
	}
	if v.Risks, err = tx.RisksNaming(ctx, orgID, fw.Key, reqID); err != nil {
		return nil, err
	}
	ms, err := tx.MappingsOf(ctx, orgID, fw.ID, reqID)
	if err != nil {
		return nil, err
	}
	frameworks := map[string]*store.FrameworkRow{}
	for _, mp := range ms[:min(len(ms), maxMappingsShown)] {
		mv := MappingView{Mapping: mp, OtherLabel: mp.TargetReq}
		of, ok := frameworks[mp.TargetKey]
		if !ok {
			if of, err = tx.FrameworkByKey(ctx, orgID, mp.TargetKey); err != nil && isms.ErrorCode(err) != isms.ENOTFOUND {
				return nil, err
			}
			frameworks[mp.TargetKey] = of
		}
		if of == nil || of.ID != mp.TargetFrameworkID {
			continue // a framework the organisation may not see
		}
		mv.OtherTitle, mv.OtherEnabled = of.Title, of.Enabled
		if r, err := tx.FrameworkRequirement(ctx, of.ID, mp.TargetReq); err == nil {
			mv.OtherLabel, mv.OtherReqTitle = r.Label, r.Title
		}
		if mv.Decided, mv.Applicable, mv.Status, err = tx.RequirementDecision(ctx, orgID, of.Key, mp.TargetReq); err != nil {
			return nil, err
		}
		v.Mappings = append(v.Mappings, mv)
	}
	return v, nil
}

// RequirementUpdate is the decision about a requirement as a form or the
// API gives it.
type RequirementUpdate struct {
	Applicable    bool
	Justification string
	Status        isms.ImplementationStatus
	OwnerID       int64 // 0: none
	ProcessIDs    []int64
	DocumentIDs   []int64
	Evidence      string
}

// UpdateRequirement records the decision about a requirement of an
// enabled framework. The rules are the Statement of Applicability's: an
// excluded requirement needs a justification, has no status, and cannot
// be excluded while risks name it. Requires write_records. ENOTFOUND,
// EINVALID, ECONFLICT (the framework is not enabled).
func (a *App) UpdateRequirement(ctx context.Context, p Principal, slug, key, reqID string, u RequirementUpdate) (*RequirementView, error) {
	var out *RequirementView
	err := a.write(ctx, p, slug, isms.ActWriteRecords, func(tx *store.Tx, m *Member) error {
		fw, err := tx.FrameworkByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		if !fw.Enabled {
			return isms.Errorf(isms.ECONFLICT, "%s is not enabled in this organisation: enable it on the frameworks page first", fw.Title)
		}
		before, err := tx.RegisterRequirement(ctx, m.Org.ID, &fw.Framework, reqID)
		if err != nil {
			return err
		}
		if !before.Kind.Counts() || before.Withdrawn {
			return isms.Errorf(isms.EINVALID, "%s is a %s: only controls and enhancements that are not withdrawn can be decided", reqID, requirementWord(before.Requirement))
		}
		d := isms.RequirementDecision{ReqID: reqID, Applicable: u.Applicable, Justification: u.Justification, Status: u.Status, Evidence: u.Evidence}
		if !d.Applicable {
			d.Status = ""
			risks, err := tx.RisksNaming(ctx, m.Org.ID, fw.Key, reqID)
			if err != nil {
				return err
			}
			if len(risks) > 0 {
				refs := make([]string, len(risks))
				for i, r := range risks {
					refs[i] = r.Ref
				}
				return isms.Errorf(isms.EINVALID, "%s treats %s: remove it from those risks' controls before excluding it", strings.Join(refs, ", "), reqID)
			}
		}
		if err := d.Validate(); err != nil {
			return err
		}
		if len(u.ProcessIDs) > 500 || len(u.DocumentIDs) > 500 {
			return isms.Errorf(isms.EINVALID, "processes, documents: link at most 500 of each")
		}
		u.ProcessIDs, u.DocumentIDs = uniqueIDs(u.ProcessIDs), uniqueIDs(u.DocumentIDs)
		if err := checkProcesses(ctx, tx, m.Org.ID, u.ProcessIDs); err != nil {
			return err
		}
		if len(u.DocumentIDs) > 0 {
			docs, err := tx.LinkableDocuments(ctx, m.Org.ID)
			if err != nil {
				return err
			}
			for _, id := range u.DocumentIDs {
				if !slices.ContainsFunc(docs, func(d store.DocumentChoice) bool { return d.ID == id }) && !slices.Contains(before.DocumentIDs, id) {
					return isms.Errorf(isms.EINVALID, "documents: there is no document %d in this organisation (or it is retired)", id)
				}
			}
		}
		if u.OwnerID != 0 {
			if _, err := tx.Membership(ctx, m.Org.ID, u.OwnerID); err != nil {
				if isms.ErrorCode(err) == isms.ENOTFOUND {
					return isms.Errorf(isms.EINVALID, "owner: person %d is not a member of this organisation", u.OwnerID)
				}
				return err
			}
		}
		row := &store.RegisterDecision{SoARow: store.SoARow{SoAEntry: isms.SoAEntry{Catalogue: fw.Key, ControlID: reqID, Applicable: d.Applicable,
			Justification: d.Justification, Status: d.Status, ProcessIDs: u.ProcessIDs}, UpdatedBy: m.Label},
			OwnerID: u.OwnerID, Evidence: d.Evidence, DocumentIDs: u.DocumentIDs}
		if err := tx.SaveRegisterDecision(ctx, m.Org.ID, row); err != nil {
			return err
		}
		if out, err = requirementView(ctx, tx, m.Org.ID, fw, reqID); err != nil {
			return err
		}
		var old any
		if before.Decided {
			old = requirementAudit(before.Applicable, before.Justification, before.Status, before.OwnerID, before.Evidence, before.ProcessIDs, before.DocumentIDs)
		}
		return audit(ctx, tx, m.Org.ID, p, "framework.requirement.update", "requirement", fw.Key+"/"+reqID, old,
			requirementAudit(d.Applicable, d.Justification, d.Status, u.OwnerID, d.Evidence, u.ProcessIDs, u.DocumentIDs))
	})
	return out, err
}

func requirementWord(r isms.Requirement) string {
	if r.Withdrawn {
		return "withdrawn requirement"
	}
	return string(r.Kind)
}

func uniqueIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func requirementAudit(applicable bool, justification string, status isms.ImplementationStatus, owner int64, evidence string, processes, documents []int64) map[string]any {
	return map[string]any{"applicable": applicable, "justification": justification, "status": status, "owner_id": owner,
		"evidence": evidence, "processes": append([]int64{}, processes...), "documents": append([]int64{}, documents...)}
}

// FrameworkRegisterFile is the whole register of a framework (every
// requirement that can be decided, in document order) as CSV
// (formula-neutralised) or XLSX (typed cells), recorded in the audit trail
// as an export. Requires read. ENOTFOUND, EINVALID.
func (a *App) FrameworkRegisterFile(ctx context.Context, p Principal, slug, key, format string) ([]byte, error) {
	if format != "csv" && format != "xlsx" {
		return nil, isms.Errorf(isms.EINVALID, "format %q: use csv or xlsx", format)
	}
	yesNo := map[bool]string{true: "yes", false: "no"}
	t := &export.Table{Columns: []string{"requirement_id", "label", "kind", "group", "title", "decision", "applicable", "justification", "status",
		"owner", "evidence", "covered_by", "updated_by", "updated_at"}, Types: map[string]export.Type{"updated_at": export.Time}}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		fw, err := tx.FrameworkByKey(ctx, m.Org.ID, key)
		if err != nil {
			return err
		}
		t.Name, t.Title = "framework-"+fw.Key, fw.Title
		for off := 0; ; off += 500 {
			pg, err := tx.FrameworkRegister(ctx, m.Org.ID, &fw.Framework, store.RegisterFilter{Offset: off, Limit: 500})
			if err != nil {
				return err
			}
			ids := make([]string, len(pg.Items))
			for i, r := range pg.Items {
				ids[i] = r.ID
			}
			covers, err := tx.MappedCovers(ctx, m.Org.ID, &fw.Framework, ids)
			if err != nil {
				return err
			}
			for _, r := range pg.Items {
				applicable := ""
				if r.Decided {
					applicable = yesNo[r.Applicable]
				}
				var cov []string
				for _, c := range covers[r.ID] {
					cov = append(cov, CoverText(c))
				}
				t.Rows = append(t.Rows, []string{r.ID, r.Label, string(r.Kind), r.GroupTitle, r.Title, r.Decision(), applicable, r.Justification,
					string(r.Status), r.Owner, r.Evidence, strings.Join(cov, "; "), r.UpdatedBy, fmtTime(r.UpdatedAt)})
			}
			if !pg.More {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if format == "xlsx" {
		err = export.WriteXLSX(&buf, t)
	} else {
		err = export.WriteCSV(&buf, t)
	}
	if err != nil {
		return nil, err
	}
	x := ExportInfo{Kind: t.Name, Format: format, Rows: len(t.Rows), Bytes: int64(buf.Len()), SHA256: sum(buf.Bytes())}
	if err := a.RecordExport(ctx, p, slug, x); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CoverText says how a requirement is covered through a mapping: "covered
// by A.8.5 (ISO/IEC 27001:2022 Annex A), implemented; relation: subset".
func CoverText(c store.MappedCover) string {
	return "covered by " + c.OtherLabel + " (" + c.OtherTitle + "), implemented; relation: " + string(c.Relation)
}

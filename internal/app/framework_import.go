package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 19: importing framework catalogues and mappings
// (docs/frameworks-import.md).

// Framework file formats.
const (
	FrameworkFormatOSCAL = "oscal"
	FrameworkFormatCSV   = "csv"
	FrameworkFormatXLSX  = "xlsx"
)

// FrameworkFormatFromName guesses a catalogue's or mapping file's format
// from its extension: .json is oscal, .csv (.tsv, .txt) csv, .xlsx xlsx.
func FrameworkFormatFromName(name string) (string, bool) {
	if strings.EqualFold(strings.TrimSpace(name[strings.LastIndexByte(name, '.')+1:]), "json") {
		return FrameworkFormatOSCAL, true
	}
	f, ok := importer.FormatFromName(name)
	if !ok || f == importer.FormatJSON {
		return "", false
	}
	return string(f), true
}

// reservedFrameworkKeys name pages under /o/{org}/frameworks/, so no
// framework may have them as its key.
var reservedFrameworkKeys = map[string]bool{"import": true, "imports": true, "mappings": true, "new": true}

// CanImportFrameworks returns the error ImportFramework and ImportMappings
// would return for a caller who may not import (manage_org), so an upload
// can be refused before it is read.
func (a *App) CanImportFrameworks(ctx context.Context, p Principal, slug string) error {
	return a.read(ctx, p, slug, isms.ActManageOrg, func(*store.Tx, *Member) error { return nil })
}

// FrameworkImportRequest is a catalogue file to import.
type FrameworkImportRequest struct {
	Format   string // oscal, csv or xlsx
	FileName string // for messages and the framework's origin
	File     io.Reader
	Key      string // default: from the title and version (isms.FrameworkKey)
	Title    string // required for csv/xlsx; overrides the OSCAL title
	Version  string // overrides the OSCAL version
}

// FrameworkImportResult says what an import stored.
type FrameworkImportResult struct {
	Framework isms.Framework
	Replaced  bool // a framework with the key existed: its text was replaced, its decisions kept
}

// frameworkAudit is a framework as its audit events record it.
func frameworkAudit(f *isms.Framework) map[string]any {
	if f == nil {
		return nil
	}
	return map[string]any{"key": f.Key, "title": f.Title, "version": f.Version, "source": f.Source,
		"requirements": f.Requirements, "sha256": f.SHA256}
}

// fileProblems turns a reader's problems into one EINVALID naming the
// file, the line and the column of each.
func fileProblems(name string, err error) error {
	if name == "" {
		name = "the file"
	}
	var bad *importer.Error
	if errors.As(err, &bad) {
		msgs := make([]string, 0, len(bad.Errors)+1)
		for _, e := range bad.Errors {
			msgs = append(msgs, e.String())
		}
		if n := bad.Count() - len(bad.Errors); n > 0 {
			msgs = append(msgs, fmt.Sprintf("and %d more problems", n))
		}
		return isms.Errorf(isms.EINVALID, "%s: nothing was imported: %s", name, strings.Join(msgs, "; "))
	}
	var ce *export.CatalogError
	if errors.As(err, &ce) {
		return isms.Errorf(isms.EINVALID, "%s: nothing was imported: %s", name, ce.Error())
	}
	if code := isms.ErrorCode(err); code != "" && code != isms.EINTERNAL {
		return isms.Errorf(code, "%s: %s", name, isms.ErrorMessage(err))
	}
	return err
}

// readFrameworkFile reads and validates a catalogue: an OSCAL catalog is
// checked against the catalog schema (internal/export) before it is
// parsed; a table is read by the importer. The key, title and version
// are the request's when given.
func readFrameworkFile(req FrameworkImportRequest) (*isms.FrameworkCatalogue, error) {
	var c *isms.FrameworkCatalogue
	switch req.Format {
	case FrameworkFormatOSCAL:
		data, err := io.ReadAll(io.LimitReader(req.File, isms.MaxCatalogueBytes+1))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", req.FileName, err)
		}
		if len(data) > isms.MaxCatalogueBytes {
			return nil, isms.Errorf(isms.ETOOLARGE, "%s: the catalogue is larger than %d MiB", req.FileName, isms.MaxCatalogueBytes>>20)
		}
		if err := export.ValidateCatalog(data); err != nil {
			return nil, fileProblems(req.FileName, err)
		}
		if c, err = isms.ParseOSCALCatalog(data); err != nil {
			return nil, fileProblems(req.FileName, err)
		}
	case FrameworkFormatCSV, FrameworkFormatXLSX:
		if strings.TrimSpace(req.Title) == "" {
			return nil, isms.Errorf(isms.EINVALID, "title: a %s catalogue carries no metadata; give the framework's title (and its version)", req.Format)
		}
		var err error
		if c, err = importer.ReadCatalogue(req.File, importer.Format(req.Format), importer.XLSXLimits{}); err != nil {
			return nil, fileProblems(req.FileName, err)
		}
	default:
		return nil, isms.Errorf(isms.EINVALID, "format %q: a catalogue is oscal (an OSCAL 1.x catalog in JSON), csv or xlsx", req.Format)
	}
	if t := strings.TrimSpace(req.Title); t != "" {
		c.Title = t
	}
	if v := strings.TrimSpace(req.Version); v != "" {
		c.Version = v
	}
	c.Key = strings.TrimSpace(req.Key)
	if c.Key == "" {
		c.Key = isms.FrameworkKey(c.Title, c.Version)
	}
	if reservedFrameworkKeys[c.Key] {
		return nil, isms.Errorf(isms.EINVALID, "key %q: the word names a page of the frameworks; choose another key", c.Key)
	}
	c.Origin = "imported from " + req.FileName
	if req.FileName == "" {
		c.Origin = "imported"
	}
	if err := c.Validate(); err != nil {
		return nil, fileProblems(req.FileName, err)
	}
	return c, nil
}

// ImportFramework imports a catalogue privately for the organisation
// (only its members see it), enabling it there the first time. A key an
// instance-wide framework uses is refused (ECONFLICT); importing the same
// key again replaces the text and keeps the decisions. Requires
// manage_org; audited as framework.import. The file is read and checked
// before the transaction: a broken file stores nothing.
func (a *App) ImportFramework(ctx context.Context, p Principal, slug string, req FrameworkImportRequest) (*FrameworkImportResult, error) {
	if err := a.CanImportFrameworks(ctx, p, slug); err != nil {
		return nil, err
	}
	c, err := readFrameworkFile(req)
	if err != nil {
		return nil, err
	}
	res := &FrameworkImportResult{}
	err = a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		if shared, err := tx.FrameworkByKey(ctx, 0, c.Key); err == nil {
			return isms.Errorf(isms.ECONFLICT, "key %q is the key of %q, a framework every organisation may use; choose another key", c.Key, shared.Title)
		} else if isms.ErrorCode(err) != isms.ENOTFOUND {
			return err
		}
		var before *isms.Framework
		if old, err := tx.FrameworkByKey(ctx, m.Org.ID, c.Key); err == nil {
			before = &old.Framework
		}
		c.OrgID, c.ImportedBy = m.Org.ID, p.Label
		replaced, err := tx.SaveFramework(ctx, c)
		if err != nil {
			return err
		}
		if !replaced {
			if err := tx.EnableFramework(ctx, m.Org.ID, c.ID, p.Label); err != nil {
				return err
			}
		}
		res.Framework, res.Replaced = c.Framework, replaced
		return audit(ctx, tx, m.Org.ID, p, "framework.import", "framework", c.ID, frameworkAudit(before), frameworkAudit(&c.Framework))
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ImportInstanceFramework imports a catalogue every organisation may
// enable (the command line: operators only). A built-in framework's key,
// or a key an organisation uses for a private framework, is refused
// (ECONFLICT). Audited as framework.import in the system chain.
func (a *App) ImportInstanceFramework(ctx context.Context, p Principal, req FrameworkImportRequest) (*FrameworkImportResult, error) {
	if !p.System {
		return nil, isms.Errorf(isms.EFORBIDDEN, "frameworks for every organisation are imported on the command line (pdca framework import)")
	}
	c, err := readFrameworkFile(req)
	if err != nil {
		return nil, err
	}
	res := &FrameworkImportResult{}
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		var before *isms.Framework
		switch old, err := tx.FrameworkByKey(ctx, 0, c.Key); {
		case err == nil && old.Builtin:
			return isms.Errorf(isms.ECONFLICT, "key %q is the built-in %q, which pdca keeps up to date; choose another key", c.Key, old.Title)
		case err == nil:
			before = &old.Framework
		case isms.ErrorCode(err) != isms.ENOTFOUND:
			return err
		}
		owners, err := tx.FrameworkKeyOwners(ctx, c.Key)
		if err != nil {
			return err
		}
		if len(owners) > 0 {
			return isms.Errorf(isms.ECONFLICT, "key %q is used by a framework private to %s; choose another key", c.Key, strings.Join(owners, ", "))
		}
		c.OrgID, c.ImportedBy = 0, p.Label
		replaced, err := tx.SaveFramework(ctx, c)
		if err != nil {
			return err
		}
		res.Framework, res.Replaced = c.Framework, replaced
		return audit(ctx, tx, isms.SystemOrgID, p, "framework.import", "framework", c.ID, frameworkAudit(before), frameworkAudit(&c.Framework))
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// MappingImportRequest is a mapping file to import.
type MappingImportRequest struct {
	Format   string // oscal (an OSCAL 1.2 mapping-collection), csv or xlsx
	FileName string
	File     io.Reader
}

// MappingImportResult says what a mapping import stored.
type MappingImportResult struct {
	Read  int // mappings in the file
	Added int // new ones; those stored already are skipped
}

func readMappingFile(req MappingImportRequest) ([]importer.MappingRow, error) {
	var rows []importer.MappingRow
	var err error
	switch req.Format {
	case FrameworkFormatOSCAL:
		rows, err = importer.ReadOSCALMappings(req.File)
	case FrameworkFormatCSV, FrameworkFormatXLSX:
		rows, err = importer.ReadMappings(req.File, importer.Format(req.Format), importer.XLSXLimits{})
	default:
		return nil, isms.Errorf(isms.EINVALID, "format %q: a mapping file is oscal (an OSCAL 1.2 mapping-collection in JSON), csv or xlsx", req.Format)
	}
	if err != nil {
		return nil, fileProblems(req.FileName, err)
	}
	return rows, nil
}

// resolveMappings checks that every framework named is one the scope may
// use (by key, or by title for OSCAL resources) and every requirement is
// in it; problems name the line (or JSON path), at most
// importer.MaxCatalogueErrors.
func resolveMappings(ctx context.Context, tx *store.Tx, orgID int64, name string, rows []importer.MappingRow) ([]store.Mapping, []string, error) {
	all, err := tx.Frameworks(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	if orgID == 0 {
		kept := all[:0]
		for _, f := range all {
			if f.OrgID == 0 {
				kept = append(kept, f)
			}
		}
		all = kept
	}
	type fw struct {
		row *store.FrameworkRow
		ids map[string]isms.RequirementKind
	}
	cache := map[string]*fw{}
	find := func(ref string) (*fw, error) {
		if f, ok := cache[ref]; ok {
			return f, nil
		}
		var hit *store.FrameworkRow
		for _, f := range all { // own frameworks come after shared ones of the same key: none share one
			if f.Key == ref {
				hit = f
				break
			}
		}
		if hit == nil {
			for _, f := range all {
				if strings.EqualFold(f.Title, ref) || strings.EqualFold(strings.TrimSpace(f.Title+" "+f.Version), ref) {
					hit = f
					break
				}
			}
		}
		if hit == nil {
			cache[ref] = nil
			return nil, nil
		}
		ids, err := tx.FrameworkRequirementIDs(ctx, hit.ID)
		if err != nil {
			return nil, err
		}
		cache[ref] = &fw{row: hit, ids: ids}
		return cache[ref], nil
	}
	var problems []string
	more := 0
	problem := func(format string, args ...any) {
		if len(problems) < importer.MaxCatalogueErrors {
			problems = append(problems, fmt.Sprintf(format, args...))
		} else {
			more++
		}
	}
	out := make([]store.Mapping, 0, len(rows))
	keys := map[string]bool{}
	for _, r := range rows {
		src, err := find(r.SourceFramework)
		if err != nil {
			return nil, nil, err
		}
		tgt, err := find(r.TargetFramework)
		if err != nil {
			return nil, nil, err
		}
		ok := true
		for _, end := range []struct {
			col, ref, id string
			f            *fw
		}{{"source", r.SourceFramework, r.SourceID, src}, {"target", r.TargetFramework, r.TargetID, tgt}} {
			switch {
			case end.f == nil:
				problem("%s, %s_framework %q: no framework with this key that you may use; pdca framework list shows the keys", r.Where, end.col, end.ref)
				ok = false
			case end.f.ids[end.id] == "":
				problem("%s, %s_id %q: not a requirement of %s; use its identifier as the catalogue gives it", r.Where, end.col, end.id, end.f.row.Key)
				ok = false
			}
		}
		if !ok {
			continue
		}
		if src.row.ID == tgt.row.ID && r.SourceID == r.TargetID {
			problem("%s: maps %s to itself; a mapping relates two different requirements", r.Where, r.SourceID)
			continue
		}
		origin := r.Origin
		if origin == "" {
			origin = "imported from " + name
		}
		keys[src.row.Key], keys[tgt.row.Key] = true, true
		out = append(out, store.Mapping{SourceFrameworkID: src.row.ID, SourceKey: src.row.Key, SourceReq: r.SourceID,
			TargetFrameworkID: tgt.row.ID, TargetKey: tgt.row.Key, TargetReq: r.TargetID, Relation: r.Relation, Origin: origin})
	}
	if len(problems) > 0 {
		if more > 0 {
			problems = append(problems, fmt.Sprintf("and %d more problems", more))
		}
		return nil, nil, isms.Errorf(isms.EINVALID, "%s: nothing was imported: %s", name, strings.Join(problems, "; "))
	}
	fws := make([]string, 0, len(keys))
	for k := range keys {
		fws = append(fws, k)
	}
	sort.Strings(fws)
	return out, fws, nil
}

// ImportMappings imports requirement mappings for the organisation: both
// ends must be requirements of frameworks it may use. All or nothing;
// mappings stored already are skipped. Requires manage_org; audited as
// framework.map.
func (a *App) ImportMappings(ctx context.Context, p Principal, slug string, req MappingImportRequest) (*MappingImportResult, error) {
	if err := a.CanImportFrameworks(ctx, p, slug); err != nil {
		return nil, err
	}
	rows, err := readMappingFile(req)
	if err != nil {
		return nil, err
	}
	res := &MappingImportResult{Read: len(rows)}
	err = a.write(ctx, p, slug, isms.ActManageOrg, func(tx *store.Tx, m *Member) error {
		return a.storeMappings(ctx, tx, p, m.Org.ID, req.FileName, rows, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ImportInstanceMappings imports mappings every organisation sees,
// between instance-wide frameworks (the command line: operators only).
// Audited as framework.map in the system chain.
func (a *App) ImportInstanceMappings(ctx context.Context, p Principal, req MappingImportRequest) (*MappingImportResult, error) {
	if !p.System {
		return nil, isms.Errorf(isms.EFORBIDDEN, "mappings for every organisation are imported on the command line (pdca framework map)")
	}
	rows, err := readMappingFile(req)
	if err != nil {
		return nil, err
	}
	res := &MappingImportResult{Read: len(rows)}
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		return a.storeMappings(ctx, tx, p, 0, req.FileName, rows, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (a *App) storeMappings(ctx context.Context, tx *store.Tx, p Principal, orgID int64, name string, rows []importer.MappingRow, res *MappingImportResult) error {
	if name == "" {
		name = "the file"
	}
	ms, fws, err := resolveMappings(ctx, tx, orgID, name, rows)
	if err != nil {
		return err
	}
	if res.Added, err = tx.SaveMappings(ctx, orgID, ms); err != nil {
		return err
	}
	return audit(ctx, tx, orgID, p, "framework.map", "framework_mapping", name, nil,
		map[string]any{"file": name, "mappings": res.Read, "added": res.Added, "frameworks": fws})
}

// FrameworkSummaries lists the frameworks the organisation may use (slug
// ""): the instance-wide ones, for the command line), built-in first.
// Requires read.
func (a *App) FrameworkSummaries(ctx context.Context, p Principal, slug string) ([]*store.FrameworkRow, error) {
	var out []*store.FrameworkRow
	if slug == "" {
		if !p.System {
			return nil, isms.Errorf(isms.EFORBIDDEN, "name an organisation")
		}
		err := a.DB.Read(ctx, func(tx *store.Tx) error {
			var err error
			out, err = tx.Frameworks(ctx, 0)
			return err
		})
		return out, err
	}
	err := a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error {
		var err error
		out, err = tx.Frameworks(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// ExportFrameworkCatalogue returns a framework the organisation may use
// (slug "": an instance-wide one, for the command line) with its
// requirements in document order, for a catalogue file (CSV columns of
// importer.CatalogueColumns). Requires read.
func (a *App) ExportFrameworkCatalogue(ctx context.Context, p Principal, slug, key string) (*isms.FrameworkCatalogue, error) {
	c := &isms.FrameworkCatalogue{}
	load := func(tx *store.Tx, orgID int64) error {
		f, err := tx.FrameworkByKey(ctx, orgID, key)
		if err != nil {
			return err
		}
		c.Framework = f.Framework
		c.Items, err = tx.FrameworkRequirements(ctx, f.ID)
		return err
	}
	if slug == "" {
		if !p.System {
			return nil, isms.Errorf(isms.EFORBIDDEN, "name an organisation")
		}
		return c, a.DB.Read(ctx, func(tx *store.Tx) error { return load(tx, 0) })
	}
	return c, a.read(ctx, p, slug, isms.ActRead, func(tx *store.Tx, m *Member) error { return load(tx, m.Org.ID) })
}

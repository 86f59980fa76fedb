package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// Mapping files (issue 19): requirement-to-requirement mappings between
// frameworks, as a table (CSV/XLSX) or an OSCAL 1.2 mapping-collection
// (JSON). The reader checks the form; the caller checks that the
// frameworks and requirements exist.

// MappingRow is one mapping read from a file. Where says where it is: the
// line of a table, the JSON path of an OSCAL map.
type MappingRow struct {
	Line            int
	Where           string
	SourceFramework string
	SourceID        string
	Relation        isms.MappingRelation
	TargetFramework string
	TargetID        string
	Origin          string
}

// MappingColumns are the columns of a mapping table; origin and comment
// are optional.
var MappingColumns = []string{"source_framework", "source_id", "relation", "target_framework", "target_id", "origin", "comment"}

// Limits of a mapping file.
const (
	MaxMappingBytes = 8 << 20
	MaxMappings     = 20000
)

// ParseRelation reads a relation as pdca writes it (equivalent, subset,
// superset, intersects) or as OSCAL's mapping model does (equivalent-to,
// equal-to, subset-of, superset-of, intersects-with).
func ParseRelation(s string) (isms.MappingRelation, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "equivalent", "equivalent-to", "equal-to", "equal":
		return isms.RelationEquivalent, true
	case "subset", "subset-of":
		return isms.RelationSubset, true
	case "superset", "superset-of":
		return isms.RelationSuperset, true
	case "intersects", "intersects-with":
		return isms.RelationIntersects, true
	}
	return "", false
}

const relationHint = "write equivalent, subset, superset or intersects (OSCAL's equivalent-to, subset-of, superset-of and intersects-with are read too)"

// ReadMappings reads mappings from a CSV or XLSX file with the columns
// MappingColumns (header names match ignoring case, spaces, underscores
// and hyphens). Problems are an *Error with the first MaxCatalogueErrors
// problems and their line and column.
func ReadMappings(r io.Reader, format Format, lim XLSXLimits) ([]MappingRow, error) {
	lr := &io.LimitedReader{R: r, N: MaxMappingBytes + 1}
	rows, err := readCells(lr, format, lim, MaxMappings)
	if lr.N <= 0 {
		return nil, isms.Errorf(isms.ETOOLARGE, "the mapping file is larger than %d MiB; split it", MaxMappingBytes>>20)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fileError(1, "", "", "the file is empty; expected a header row: "+strings.Join(MappingColumns[:5], ","))
	}
	var bad catalogueBudget
	head := rows[0]
	idx := map[string]int{}
	known := map[string]string{}
	for _, c := range MappingColumns {
		known[normaliseHeader(c)] = c
	}
	for i, name := range head.cells {
		n := normaliseHeader(name)
		if n == "" {
			continue
		}
		col, ok := known[n]
		if !ok {
			bad.add(RowError{Line: head.line, Column: strings.TrimSpace(name), Reason: fmt.Sprintf("unknown column (column %d); the columns are %s: rename it or remove it", i+1, strings.Join(MappingColumns, ", "))})
			continue
		}
		if j, dup := idx[col]; dup {
			bad.add(RowError{Line: head.line, Column: col, Reason: fmt.Sprintf("column %s appears twice in the header (columns %d and %d); remove one", col, j+1, i+1)})
			continue
		}
		idx[col] = i
	}
	for _, c := range MappingColumns[:5] {
		if _, ok := idx[c]; !ok {
			bad.add(RowError{Line: head.line, Column: c, Reason: "missing column " + c + "; the header must name " + strings.Join(MappingColumns[:5], ", ") + " (origin and comment are optional)"})
		}
	}
	if bad.e.Total > 0 {
		return nil, &bad.e
	}
	csvFile := format == FormatCSV
	cell := func(cells []string, col string) string {
		i, ok := idx[col]
		if !ok || i >= len(cells) {
			return ""
		}
		v := strings.TrimSpace(cells[i])
		if csvFile {
			v = restoreNeutralised(v)
		}
		return v
	}
	out := make([]MappingRow, 0, len(rows)-1)
	for _, row := range rows[1:] {
		if len(row.cells) > len(head.cells) && !blank(row.cells[len(head.cells):]) {
			bad.add(RowError{Line: row.line, Reason: fmt.Sprintf("found %d values but the header has %d columns; name the extra column or remove its values", len(row.cells), len(head.cells))})
			continue
		}
		m := MappingRow{Line: row.line, Where: fmt.Sprintf("line %d", row.line),
			SourceFramework: cell(row.cells, "source_framework"), SourceID: cell(row.cells, "source_id"),
			TargetFramework: cell(row.cells, "target_framework"), TargetID: cell(row.cells, "target_id"), Origin: cell(row.cells, "origin")}
		for _, f := range []struct{ col, v string }{{"source_framework", m.SourceFramework}, {"source_id", m.SourceID}, {"target_framework", m.TargetFramework}, {"target_id", m.TargetID}} {
			if f.v == "" {
				bad.add(RowError{Line: row.line, Column: f.col, Reason: "empty; every mapping names both frameworks (by key, see pdca framework list) and both requirements"})
			}
		}
		v := cell(row.cells, "relation")
		rel, ok := ParseRelation(v)
		if !ok {
			bad.add(RowError{Line: row.line, Column: "relation", Value: v, Reason: relationHint})
		}
		m.Relation = rel
		if len(m.Origin) > 1000 {
			bad.add(RowError{Line: row.line, Column: "origin", Value: m.Origin, Reason: "longer than 1,000 bytes; shorten it"})
		}
		out = append(out, m)
	}
	if bad.e.Total > 0 {
		return nil, &bad.e
	}
	if len(out) == 0 {
		return nil, fileError(head.line, "", "", "the file has a header but no mappings")
	}
	return out, nil
}

// OSCAL 1.2 mapping model, the part pdca reads.
type oscalMappingDoc struct {
	Collection *struct {
		UUID     string `json:"uuid"`
		Metadata struct {
			Title string `json:"title"`
		} `json:"metadata"`
		Mappings   []oscalMapping `json:"mappings"`
		BackMatter struct {
			Resources []struct {
				UUID  string `json:"uuid"`
				Title string `json:"title"`
			} `json:"resources"`
		} `json:"back-matter"`
	} `json:"mapping-collection"`
}

type oscalMapping struct {
	Source *oscalResource `json:"source-resource"`
	Target *oscalResource `json:"target-resource"`
	Maps   []struct {
		Relationship string          `json:"relationship"`
		Sources      []oscalMapItem  `json:"sources"`
		Targets      []oscalMapItem  `json:"targets"`
		Remarks      json.RawMessage `json:"remarks"`
	} `json:"maps"`
}

type oscalResource struct {
	Type  string `json:"type"`
	Href  string `json:"href"`
	Props []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"props"`
}

type oscalMapItem struct {
	Type  string `json:"type"`
	IDRef string `json:"id-ref"`
}

// ReadOSCALMappings reads an OSCAL 1.2 mapping-collection (JSON). A
// source-resource or target-resource names its framework by its href
// (a framework key, or "#uuid" of a back-matter resource whose title is
// the key or the framework's title); the caller resolves the names. Each
// map gives one mapping per source and target pair; a map whose
// relationship is no-relationship is skipped. Where is the map's JSON
// path, e.g. mappings[0].maps[3].
func ReadOSCALMappings(r io.Reader) ([]MappingRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxMappingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read mappings: %w", err)
	}
	if len(data) > MaxMappingBytes {
		return nil, isms.Errorf(isms.ETOOLARGE, "the mapping file is larger than %d MiB; split it", MaxMappingBytes>>20)
	}
	var doc oscalMappingDoc
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, isms.Errorf(isms.EINVALID, "not an OSCAL mapping-collection in JSON: %v", err)
	}
	mc := doc.Collection
	if mc == nil {
		return nil, isms.Errorf(isms.EINVALID, "not an OSCAL mapping-collection: the top-level object has no \"mapping-collection\"")
	}
	titles := map[string]string{}
	for _, res := range mc.BackMatter.Resources {
		titles[res.UUID] = res.Title
	}
	name := func(res *oscalResource) string {
		if res == nil {
			return ""
		}
		for _, p := range res.Props {
			if p.Name == "framework" && p.Value != "" {
				return p.Value
			}
		}
		if uuid, ok := strings.CutPrefix(res.Href, "#"); ok {
			if t := titles[uuid]; t != "" {
				return t
			}
		}
		return res.Href
	}
	var bad catalogueBudget
	problem := func(where, reason string) { bad.add(RowError{Reason: where + ": " + reason}) }
	var out []MappingRow
	for i, m := range mc.Mappings {
		src, tgt := name(m.Source), name(m.Target)
		if src == "" {
			problem(fmt.Sprintf("mappings[%d].source-resource", i), "missing or without href; give the source framework's key as href (pdca framework list shows the keys)")
		}
		if tgt == "" {
			problem(fmt.Sprintf("mappings[%d].target-resource", i), "missing or without href; give the target framework's key as href")
		}
		for j, mp := range m.Maps {
			where := fmt.Sprintf("mappings[%d].maps[%d]", i, j)
			if strings.EqualFold(mp.Relationship, "no-relationship") {
				continue
			}
			rel, ok := ParseRelation(mp.Relationship)
			if !ok {
				problem(where+".relationship", fmt.Sprintf("%q: %s", mp.Relationship, relationHint))
				continue
			}
			if len(mp.Sources) == 0 || len(mp.Targets) == 0 {
				problem(where, "a map needs at least one source and one target")
				continue
			}
			for k, s := range mp.Sources {
				for l, t := range mp.Targets {
					if s.IDRef == "" {
						problem(fmt.Sprintf("%s.sources[%d]", where, k), "id-ref is missing; give the requirement's identifier")
						continue
					}
					if t.IDRef == "" {
						problem(fmt.Sprintf("%s.targets[%d]", where, l), "id-ref is missing; give the requirement's identifier")
						continue
					}
					if len(out) >= MaxMappings {
						return nil, isms.Errorf(isms.ETOOLARGE, "the file has more than %d mappings; split it", MaxMappings)
					}
					out = append(out, MappingRow{Where: where, SourceFramework: src, SourceID: s.IDRef, Relation: rel,
						TargetFramework: tgt, TargetID: t.IDRef, Origin: strings.TrimSpace(mc.Metadata.Title)})
				}
			}
		}
	}
	if bad.e.Total > 0 {
		return nil, &bad.e
	}
	if len(out) == 0 {
		return nil, isms.Errorf(isms.EINVALID, "the mapping-collection has no mappings (maps with sources, targets and a relationship)")
	}
	return out, nil
}

package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// Catalogue files (issue 19): a framework's requirements as a table, one
// row per requirement in document order, with the columns
// CatalogueColumns. The same columns are written by CatalogueRows, so an
// exported catalogue edited in a spreadsheet imports back.

// CatalogueColumns are the columns of a catalogue file, in the order the
// export writes them. id, parent, title and text are required in the
// header; the others are optional.
var CatalogueColumns = []string{"id", "parent", "kind", "label", "class", "title", "text", "guidance", "withdrawn"}

var catalogueRequired = []string{"id", "parent", "title", "text"}

// MaxCatalogueErrors bounds the problems a catalogue file reports.
const MaxCatalogueErrors = 50

// CatalogueRows returns the requirements as rows of CatalogueColumns.
func CatalogueRows(items []isms.Requirement) [][]string {
	out := make([][]string, 0, len(items))
	for _, r := range items {
		label := r.Label
		if label == r.ID {
			label = ""
		}
		w := "no"
		if r.Withdrawn {
			w = "yes"
		}
		out = append(out, []string{r.ID, r.ParentID, string(r.Kind), label, r.Class, r.Title, r.Statement, r.Guidance, w})
	}
	return out
}

// catalogueBudget collects at most MaxCatalogueErrors problems and counts
// the rest.
type catalogueBudget struct{ e Error }

func (b *catalogueBudget) add(re RowError) {
	if len(b.e.Errors) < MaxCatalogueErrors {
		re.Value = shorten(re.Value)
		b.e.Errors = append(b.e.Errors, re)
	}
	b.e.Total++
}

// ReadCatalogue reads a framework's requirements from a CSV or XLSX file
// whose header names the columns (case, spaces, underscores and hyphens
// ignored): id, parent, title and text are required; kind
// (group|control|enhancement), label, class, guidance and withdrawn
// (yes|no) are optional. A row's parent must be a row above it. Without a
// kind, a row is a group when other rows name it as their parent and it
// has no text, else a control. The file is at most
// isms.MaxCatalogueBytes and isms.MaxCatalogueRequirements rows; problems
// are an *Error listing the first MaxCatalogueErrors with their line,
// column and how to fix them. The result has no key, title or version
// (a table has no metadata): the caller sets them, then calls Validate.
func ReadCatalogue(r io.Reader, format Format, lim XLSXLimits) (*isms.FrameworkCatalogue, error) {
	h := sha256.New()
	lr := &io.LimitedReader{R: io.TeeReader(r, h), N: isms.MaxCatalogueBytes + 1}
	rows, err := readCells(lr, format, lim, isms.MaxCatalogueRequirements)
	if lr.N <= 0 {
		return nil, isms.Errorf(isms.ETOOLARGE, "the catalogue file is larger than %d MiB; split it or remove text it does not need", isms.MaxCatalogueBytes>>20)
	}
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(h, lr); err != nil { // the rest of the file, for the digest
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	if len(rows) == 0 {
		return nil, fileError(1, "", "", "the file is empty; expected a header row naming at least id, parent, title and text")
	}
	var bad catalogueBudget
	head := rows[0]
	idx := map[string]int{}
	known := map[string]bool{}
	for _, c := range CatalogueColumns {
		known[c] = true
	}
	for i, name := range head.cells {
		n := normaliseHeader(name)
		switch {
		case n == "":
			continue
		case n == "statement":
			n = "text"
		case n == "parentid":
			n = "parent"
		}
		if !known[n] {
			bad.add(RowError{Line: head.line, Column: strings.TrimSpace(name), Reason: fmt.Sprintf("unknown column (column %d); the columns are %s: rename it or remove it", i+1, strings.Join(CatalogueColumns, ", "))})
			continue
		}
		if j, dup := idx[n]; dup {
			bad.add(RowError{Line: head.line, Column: n, Reason: fmt.Sprintf("column %s appears twice in the header (columns %d and %d); remove one", n, j+1, i+1)})
			continue
		}
		idx[n] = i
	}
	for _, c := range catalogueRequired {
		if _, ok := idx[c]; !ok {
			bad.add(RowError{Line: head.line, Column: c, Reason: "missing column " + c + "; the header must name id, parent, title and text (kind, label, class, guidance and withdrawn are optional)"})
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
		v := strings.TrimSpace(strings.ReplaceAll(cells[i], "\r\n", "\n"))
		if csvFile {
			v = restoreNeutralised(v)
		}
		return v
	}
	type pending struct {
		req      isms.Requirement
		line     int
		kindSet  bool
		children bool
	}
	items := make([]pending, 0, len(rows)-1)
	at := map[string]int{} // id -> index in items
	lineOf := map[string]int{}
	for _, row := range rows[1:] {
		if len(row.cells) > len(head.cells) && !blank(row.cells[len(head.cells):]) {
			bad.add(RowError{Line: row.line, Reason: fmt.Sprintf("found %d values but the header has %d columns; name the extra column or remove its values", len(row.cells), len(head.cells))})
			continue
		}
		p := pending{line: row.line, req: isms.Requirement{
			ID: cell(row.cells, "id"), ParentID: cell(row.cells, "parent"), Label: cell(row.cells, "label"), Class: cell(row.cells, "class"),
			Title: cell(row.cells, "title"), Statement: cell(row.cells, "text"), Guidance: cell(row.cells, "guidance"),
		}}
		ok := true
		id := p.req.ID
		switch {
		case id == "":
			bad.add(RowError{Line: row.line, Column: "id", Reason: "the identifier is missing; give every row a unique identifier, e.g. AC-1"})
			ok = false
		case len(id) > 100 || strings.ContainsAny(id, "/?#\n"):
			bad.add(RowError{Line: row.line, Column: "id", Value: id, Reason: "an identifier is at most 100 characters without / ? # or line breaks"})
			ok = false
		case lineOf[id] != 0:
			bad.add(RowError{Line: row.line, Column: "id", Value: id, Reason: fmt.Sprintf("already on line %d; identifiers must be unique in a catalogue", lineOf[id])})
			ok = false
		}
		if par := p.req.ParentID; par != "" {
			j, defined := at[par]
			switch {
			case par == id:
				bad.add(RowError{Line: row.line, Column: "parent", Value: par, Reason: "a row cannot be its own parent; leave parent blank for a top-level row"})
			case !defined:
				bad.add(RowError{Line: row.line, Column: "parent", Value: par, Reason: "no row above has this identifier; a parent must come before its children (or leave parent blank)"})
			default:
				items[j].children = true
			}
		}
		if v := strings.ToLower(cell(row.cells, "kind")); v != "" {
			switch k := isms.RequirementKind(v); k {
			case isms.KindGroup, isms.KindControl, isms.KindEnhancement:
				p.req.Kind, p.kindSet = k, true
			default:
				bad.add(RowError{Line: row.line, Column: "kind", Value: v, Reason: "write group, control or enhancement (or leave it blank: a row other rows name as parent and without text is a group, any other a control)"})
			}
		}
		if v := cell(row.cells, "withdrawn"); v != "" {
			w, known := soaYesNo[strings.ToLower(v)]
			if !known {
				bad.add(RowError{Line: row.line, Column: "withdrawn", Value: v, Reason: "write yes (the requirement is withdrawn) or no, or leave it blank"})
			}
			p.req.Withdrawn = w
		}
		if p.req.Title == "" && p.req.Statement == "" {
			bad.add(RowError{Line: row.line, Column: "title", Reason: "the row has neither a title nor a text; give it at least one"})
		}
		for _, f := range []struct{ col, v string }{{"title", p.req.Title}, {"label", p.req.Label}, {"class", p.req.Class}} {
			if len(f.v) > 1000 {
				bad.add(RowError{Line: row.line, Column: f.col, Value: f.v, Reason: "longer than 1,000 bytes; shorten it (long text belongs in text or guidance)"})
			}
		}
		for _, f := range []struct{ col, v string }{{"text", p.req.Statement}, {"guidance", p.req.Guidance}} {
			if len(f.v) > isms.MaxRequirementText {
				bad.add(RowError{Line: row.line, Column: f.col, Reason: fmt.Sprintf("longer than %d KiB; shorten it", isms.MaxRequirementText>>10)})
			}
		}
		if ok {
			lineOf[id] = row.line
			at[id] = len(items)
			items = append(items, p)
		}
	}
	if bad.e.Total > 0 {
		return nil, &bad.e
	}
	sum := h.Sum(nil)
	c := &isms.FrameworkCatalogue{Framework: isms.Framework{Source: isms.SourceCSV, SHA256: hex.EncodeToString(sum)}}
	c.Items = make([]isms.Requirement, 0, len(items))
	for _, p := range items {
		if !p.kindSet {
			p.req.Kind = isms.KindControl
			if p.children && p.req.Statement == "" {
				p.req.Kind = isms.KindGroup
			}
		}
		if p.req.Label == "" {
			p.req.Label = p.req.ID
		}
		c.Items = append(c.Items, p.req)
	}
	for i := range c.Items {
		c.Items[i].Position = i
	}
	c.Requirements = c.Count()
	if c.Requirements == 0 {
		return nil, fileError(rows[0].line, "kind", "", "the file has no requirements: every row is a group or withdrawn; give at least one row text or kind control")
	}
	return c, nil
}

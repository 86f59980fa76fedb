package importer

import (
	"fmt"
	"io"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// SoADecision is one row of a Statement of Applicability file: a control
// and the parts of its decision the row states. A nil field is a blank cell
// or an absent column: that part of the decision stays as it is.
type SoADecision struct {
	Line          int
	ControlID     string // as in the catalogue, e.g. A.5.1
	Applicable    *bool
	Justification *string
	Status        *isms.ImplementationStatus
}

// SoAFile is what ReadSoA found in a file.
type SoAFile struct {
	Rows []SoADecision
	// Ignored lists header names that are neither read nor a column of the
	// SoA export (a misspelt "justifcation" would otherwise vanish silently).
	Ignored []string
}

// MaxSoARows bounds the rows of an SoA file: the catalogue has 93 controls.
const MaxSoARows = 1000

// soaColumns maps a normalised header name (lower case, without spaces,
// underscores and hyphens) to the column read; "" marks a column of the
// export that is shown, not read (theme, title, risks...).
var soaColumns = map[string]string{
	"controlid": "control_id", "control": "control_id", "id": "control_id",
	"applicable": "applicable", "applicability": "applicable",
	"decision":      "decision",
	"justification": "justification",
	"status":        "status", "implementationstatus": "status",
	"theme": "", "shorttitle": "", "title": "", "newin2022": "", "risks": "", "processes": "", "updatedby": "", "updatedat": "",
}

func normaliseHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s)
}

// ReadSoA reads decisions of the Statement of Applicability from a CSV or
// XLSX file with the columns of the SoA export (control_id, applicable,
// decision, justification, status; the export's other columns are
// ignored), so an exported file edited in a spreadsheet imports back.
// Header names match ignoring case, spaces, underscores and hyphens. Every
// problem (unknown control, unknown value, a control twice) is collected
// into one *Error with its line and column; the caller checks the decisions
// against the stored ones.
func ReadSoA(r io.Reader, format Format, lim XLSXLimits) (*SoAFile, error) {
	rows, err := readCells(r, format, lim, MaxSoARows)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fileError(1, "", "", "the file is empty; expected a header row naming at least control_id and the columns to change (applicable, justification, status)")
	}
	head := rows[0]
	idx := map[string]int{}
	out := &SoAFile{}
	var bad Error
	for i, name := range head.cells {
		n := normaliseHeader(name)
		if n == "" {
			continue
		}
		col, known := soaColumns[n]
		switch {
		case !known:
			out.Ignored = append(out.Ignored, strings.TrimSpace(name))
		case col == "":
		default:
			if j, dup := idx[col]; dup {
				bad.Add(RowError{Line: head.line, Column: col, Reason: fmt.Sprintf("column %s appears twice in the header (columns %d and %d); remove one", col, j+1, i+1)})
				continue
			}
			idx[col] = i
		}
	}
	if _, ok := idx["control_id"]; !ok {
		bad.Add(RowError{Line: head.line, Column: "control_id", Reason: "missing column control_id; the header must name it (as the SoA export does), e.g. control_id,applicable,justification,status"})
	}
	if bad.Count() > 0 {
		return nil, &bad
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
	cat := isms.AnnexA()
	seen := map[string]int{}
	for _, row := range rows[1:] {
		if len(row.cells) > len(head.cells) && !blank(row.cells[len(head.cells):]) {
			bad.Add(RowError{Line: row.line, Reason: fmt.Sprintf("found %d values but the header has %d columns; name the extra column or remove its values", len(row.cells), len(head.cells))})
			continue
		}
		d := SoADecision{Line: row.line}
		rawID := cell(row.cells, "control_id")
		switch id, err := soaControlID(cat, rawID); {
		case err != "":
			bad.Add(RowError{Line: row.line, Column: "control_id", Value: rawID, Reason: err})
		case seen[id] != 0:
			bad.Add(RowError{Line: row.line, Column: "control_id", Value: rawID, Reason: fmt.Sprintf("%s is already on line %d; keep one row per control", id, seen[id])})
		default:
			seen[id], d.ControlID = row.line, id
		}
		if v := cell(row.cells, "applicable"); v != "" {
			b, ok := soaYesNo[strings.ToLower(v)]
			if !ok {
				bad.Add(RowError{Line: row.line, Column: "applicable", Value: v, Reason: "write yes (the control applies) or no (it is excluded), or leave it blank to keep the decision"})
			} else {
				d.Applicable = &b
			}
		}
		if v := cell(row.cells, "decision"); v != "" {
			b, ok := soaDecisions[strings.ToLower(v)]
			switch {
			case !ok:
				bad.Add(RowError{Line: row.line, Column: "decision", Value: v, Reason: "write applicable or excluded (or clear the cell and use the applicable column)"})
			case b == nil:
			case d.Applicable != nil && *d.Applicable != *b:
				bad.Add(RowError{Line: row.line, Column: "decision", Value: v, Reason: fmt.Sprintf("disagrees with applicable %q; change both columns, or clear one", cell(row.cells, "applicable"))})
			default:
				d.Applicable = b
			}
		}
		if v := cell(row.cells, "justification"); v != "" {
			if err := isms.CheckLength("justification", v, isms.MaxText); err != nil {
				bad.Add(RowError{Line: row.line, Column: "justification", Value: v, Reason: isms.ErrorMessage(err)})
			} else {
				d.Justification = &v
			}
		}
		if v := cell(row.cells, "status"); v != "" {
			st, ok := soaStatus(v)
			if !ok {
				bad.Add(RowError{Line: row.line, Column: "status", Value: v, Reason: "use one of not started, planned, partial, implemented (or leave it blank to keep the status)"})
			} else {
				d.Status = &st
			}
		}
		out.Rows = append(out.Rows, d)
	}
	if bad.Count() > 0 {
		return nil, &bad
	}
	return out, nil
}

// soaControlID turns A.5.1, a.5.1 or 5.1 into the catalogue's identifier,
// or says why it cannot.
func soaControlID(cat *isms.Catalogue, v string) (string, string) {
	if v == "" {
		return "", "the control identifier is missing; write it as in the export, e.g. A.5.1"
	}
	id := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	if !strings.HasPrefix(id, "A.") {
		id = "A." + id
	}
	if _, err := cat.Control(id); err != nil {
		return "", "not a control of ISO/IEC 27001:2022 Annex A; use an identifier such as A.5.1 (themes 5 to 8)"
	}
	return id, ""
}

var (
	yes, no      = true, false
	soaYesNo     = map[string]bool{"yes": true, "y": true, "true": true, "1": true, "no": false, "n": false, "false": false, "0": false}
	soaDecisions = map[string]*bool{"applicable": &yes, "excluded": &no, "not applicable": &no, "not yet decided": nil, "undecided": nil}
)

// soaStatus reads an implementation status as stored (not_started) or as
// shown (Not started).
func soaStatus(v string) (isms.ImplementationStatus, bool) {
	n := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(v))
	for _, s := range isms.ImplementationStatuses() {
		if string(s) == n {
			return s, true
		}
	}
	return "", false
}

// restoreNeutralised undoes the CSV export's formula neutralisation: a
// leading ' before a ' or a character a spreadsheet reads as a formula.
func restoreNeutralised(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("'=+-@\t\r", rune(v[1])) {
		return v[1:]
	}
	return v
}

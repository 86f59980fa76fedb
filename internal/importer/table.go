package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/isms"
)

// cellRow is one non-blank row of a table file: its line (CSV) or sheet
// row (XLSX) and its cells as text.
type cellRow struct {
	line  int
	cells []string
}

// readCells reads a small CSV or XLSX table whole: the header row first,
// then every non-blank row, at most maxRows rows after the header (more is
// ETOOLARGE). It uses the same bounds as the record readers: a CSV record
// of at most MaxRecord bytes, a workbook checked against lim before it is
// opened. A malformed file is an *Error.
func readCells(r io.Reader, format Format, lim XLSXLimits, maxRows int) ([]cellRow, error) {
	switch format {
	case FormatCSV:
		return readCSVCells(r, maxRows)
	case FormatXLSX:
		return readXLSXCells(r, lim, maxRows)
	}
	return nil, fileError(1, "", string(format), "unknown file format; expected csv or xlsx")
}

func tooManyRows(maxRows int) error {
	return isms.Errorf(isms.ETOOLARGE, "the file has more than %d rows, the most this import takes; keep one row per control", maxRows)
}

func readCSVCells(r io.Reader, maxRows int) ([]cellRow, error) {
	br := bufio.NewReader(r)
	skipBOM(br)
	lim := &budgetReader{r: br, what: "a line (or a quoted value across lines)"}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1
	var out []cellRow
	for {
		lim.allow(lim.n)
		cells, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			if _, rowErr := csvError(err); rowErr != nil {
				return nil, rowErr
			}
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		if blank(cells) {
			continue
		}
		if len(out) > maxRows {
			return nil, tooManyRows(maxRows)
		}
		line, _ := cr.FieldPos(0)
		out = append(out, cellRow{line: line, cells: cells})
	}
}

func readXLSXCells(r io.Reader, lim XLSXLimits, maxRows int) ([]cellRow, error) {
	lim = lim.orDefault()
	file, remove, err := workbookFile(r, lim.Total)
	if err != nil {
		return nil, err
	}
	defer remove()
	if err := checkWorkbook(file, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(file.Name(), excelize.Options{UnzipSizeLimit: lim.Total, UnzipXMLSizeLimit: min(xlsxStreamAbove, lim.Total)})
	if err != nil {
		return nil, fileError(1, "", "", "not a readable XLSX workbook ("+err.Error()+"); save the file in Excel Workbook (.xlsx) format")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileError(1, "", "", "the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileError(1, "", "", fmt.Sprintf("cannot read sheet %q (%v); save the file again as .xlsx", sheets[0], err))
	}
	defer rows.Close()
	var out []cellRow
	n := 0
	for rows.Next() {
		n++
		// Formatted, not raw: the cells read here are text (identifiers,
		// yes/no, words), and a shared string is returned as its text.
		cells, err := rows.Columns()
		if err != nil {
			return nil, fileError(n, "", "", "cannot read this row ("+err.Error()+"); save the file again as .xlsx")
		}
		if blank(cells) {
			continue
		}
		if len(out) > maxRows {
			return nil, tooManyRows(maxRows)
		}
		out = append(out, cellRow{line: n, cells: cells})
	}
	if err := rows.Error(); err != nil {
		return nil, fileError(n+1, "", "", "cannot read the sheet ("+err.Error()+")")
	}
	return out, nil
}

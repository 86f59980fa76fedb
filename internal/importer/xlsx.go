package importer

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// xlsxSource reads the first sheet of a workbook row by row with excelize's
// streaming iterator, so a large sheet is not held in memory as cells.
// Cells are read raw: a date typed into a spreadsheet arrives as its serial
// day number, which the builder converts, instead of in a display format
// that depends on the author's locale.
type xlsxSource struct {
	f      *excelize.File
	remove func() // deletes the temporary copy of the workbook, if any
	rows   *excelize.Rows
	row    int // sheet row number of the last row read
	cols   []column
	vals   []value
}

// newXLSX opens a workbook from a file (r itself when it is an *os.File,
// else a temporary copy), never from memory: the limits of lim are checked
// first (see XLSXLimits), then excelize unpacks large sheets to temporary
// files and reads them as streams.
func newXLSX(r io.Reader, b *builder, lim XLSXLimits) (*xlsxSource, error) {
	lim = lim.orDefault()
	file, remove, err := workbookFile(r, lim.Total)
	if err != nil {
		return nil, err
	}
	if err := checkWorkbook(file, lim); err != nil {
		remove()
		return nil, err
	}
	f, err := excelize.OpenFile(file.Name(), excelize.Options{UnzipSizeLimit: lim.Total, UnzipXMLSizeLimit: min(xlsxStreamAbove, lim.Total)})
	if err != nil {
		remove()
		return nil, fileError(1, "", "", "not a readable XLSX workbook ("+err.Error()+"); save the file in Excel Workbook (.xlsx) format")
	}
	src := &xlsxSource{f: f, remove: remove}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		b.date1904 = *props.Date1904
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		remove()
		return nil, fileError(1, "", "", "the workbook has no sheet")
	}
	if src.rows, err = f.Rows(sheets[0]); err != nil {
		_ = f.Close()
		remove()
		return nil, fileError(1, "", "", fmt.Sprintf("cannot read sheet %q (%v); save the file again as .xlsx", sheets[0], err))
	}
	names, err := src.nextCells()
	if err != nil {
		_ = src.close()
		if err == io.EOF {
			return nil, fileError(1, "", "", fmt.Sprintf("sheet %q is empty; expected a header row with at least the columns %s", sheets[0], keyNames(b.spec)))
		}
		return nil, err
	}
	cols, herr := b.header(src.row, names)
	if herr != nil {
		_ = src.close()
		return nil, herr
	}
	src.cols = cols
	src.vals = make([]value, len(cols))
	return src, nil
}

// nextCells returns the cells of the next row that is not blank.
func (s *xlsxSource) nextCells() ([]string, error) {
	for s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fileError(s.row, "", "", "cannot read this row ("+err.Error()+"); save the file again as .xlsx")
		}
		if !blank(cells) {
			return cells, nil
		}
	}
	if err := s.rows.Error(); err != nil {
		return nil, fileError(s.row+1, "", "", "cannot read the sheet ("+err.Error()+")")
	}
	return nil, io.EOF
}

func (s *xlsxSource) next() (int, []column, []value, error) {
	cells, err := s.nextCells()
	if err != nil {
		return s.row, nil, nil, err
	}
	if len(cells) > len(s.cols) && !blank(cells[len(s.cols):]) {
		return s.row, nil, nil, fileError(s.row, "", "", fmt.Sprintf(
			"value in column %d, right of the last column named in the header; name the column or remove the value",
			firstFilled(cells, len(s.cols))+1))
	}
	for i := range s.cols {
		s.vals[i] = value{kind: valCell}
		if i < len(cells) {
			s.vals[i].s = cells[i]
		}
	}
	return s.row, s.cols, s.vals, nil
}

// firstFilled returns the index of the first non-blank cell from index from.
func firstFilled(cells []string, from int) int {
	for i := from; i < len(cells); i++ {
		if !blank(cells[i : i+1]) {
			return i
		}
	}
	return from
}

func (s *xlsxSource) offset() int64 { return int64(s.row) }

func (s *xlsxSource) close() error {
	if s.f == nil {
		return nil
	}
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.remove()
	s.f = nil
	return err
}

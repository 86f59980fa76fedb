package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// csvSource reads comma-separated values with a header row (RFC 4180 quoting;
// an optional UTF-8 byte order mark, as spreadsheets write, is skipped).
type csvSource struct {
	r    *csv.Reader
	lim  *budgetReader
	bom  int64
	cols []column
	vals []value
}

func newCSV(r io.Reader, b *builder) (*csvSource, error) {
	br := bufio.NewReader(r)
	bom := skipBOM(br)
	lim := &budgetReader{r: br, what: "a line (or a quoted value across lines)"}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1 // field counts are checked per row, with a better message
	cr.ReuseRecord = true
	src := &csvSource{r: cr, lim: lim, bom: bom}
	for {
		lim.allow(lim.n)
		names, err := cr.Read()
		if err == io.EOF {
			return nil, fileError(1, "", "", "the file is empty; expected a header row with at least the columns "+keyNames(b.spec))
		}
		if err != nil {
			_, rowErr := csvError(err)
			if rowErr == nil {
				return nil, fmt.Errorf("read CSV header: %w", err)
			}
			return nil, rowErr
		}
		if blank(names) {
			continue
		}
		line, _ := cr.FieldPos(0)
		cols, herr := b.header(line, names)
		if herr != nil {
			return nil, herr
		}
		src.cols = cols
		src.vals = make([]value, len(cols))
		return src, nil
	}
}

// skipBOM consumes a UTF-8 byte order mark and returns its length.
func skipBOM(br *bufio.Reader) int64 {
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
		return 3
	}
	return 0
}

// csvError turns a CSV syntax error into a row error; any other error (from
// the underlying reader) is returned as nil.
func csvError(err error) (int, *Error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return 0, nil
	}
	reason := "malformed CSV: " + pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		reason += "; a quoted value must end with a quote, and a quote inside it must be doubled (\"\")"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason += "; put values containing quotes in quotes and double the inner quotes (\"\")"
	}
	return pe.StartLine, fileError(pe.StartLine, "", "", reason)
}

func (s *csvSource) next() (int, []column, []value, error) {
	for {
		s.lim.allow(s.lim.n) // csv.Reader reads ahead at most a few KiB
		cells, err := s.r.Read()
		if err == io.EOF {
			return 0, nil, nil, io.EOF
		}
		if err != nil {
			line, rowErr := csvError(err)
			if rowErr == nil {
				return 0, nil, nil, fmt.Errorf("read CSV: %w", err)
			}
			return line, nil, nil, rowErr
		}
		if blank(cells) {
			continue
		}
		line, _ := s.r.FieldPos(0)
		if len(cells) < len(s.cols) || !blank(cells[len(s.cols):]) {
			return line, nil, nil, fileError(line, "", "", fmt.Sprintf(
				"found %d values but the header has %d columns; check for missing or extra commas, and quote values that contain commas",
				len(cells), len(s.cols)))
		}
		for i := range s.cols {
			s.vals[i] = value{s: cells[i]}
		}
		return line, s.cols, s.vals, nil
	}
}

func (s *csvSource) offset() int64 { return s.bom + s.r.InputOffset() }

func (s *csvSource) close() error { return nil }

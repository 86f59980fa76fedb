package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvSource reads delimited text with a header row, as spreadsheets save it:
// RFC 4180 quoting; the delimiter (comma, semicolon, tab or pipe) found from
// the first lines; UTF-8 with or without a byte order mark, or UTF-16 with
// one (Excel's "Unicode text").
type csvSource struct {
	r      *csv.Reader
	lim    *budgetReader
	raw    *countReader  // the file's bytes, for the offset of UTF-16 text
	buf    *bufio.Reader // the buffer over raw
	layout Layout
	bom    int64
	ended  bool // an encoding problem ended the file
	cols   []column
	vals   []value
}

// Layout says how a text file was read, for the import summary. Both
// fields are empty for XLSX and JSON.
type Layout struct {
	// Delimiter is "comma", "semicolon", "tab" or "pipe".
	Delimiter string
	// Encoding is "UTF-8", "UTF-8 with BOM", "UTF-16 LE" or "UTF-16 BE".
	Encoding string
}

// String describes the layout, e.g. "semicolon-separated, UTF-8 with BOM".
func (l Layout) String() string {
	if l.Delimiter == "" {
		return ""
	}
	return l.Delimiter + "-separated, " + l.Encoding
}

// sniffSize is how much of the start of a file is looked at to find its
// delimiter (at most sniffLines lines of it).
const (
	sniffSize  = 64 << 10
	sniffLines = 20
)

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newCSV(r io.Reader, b *builder) (*csvSource, error) {
	raw := &countReader{r: r}
	br := bufio.NewReaderSize(raw, sniffSize)
	src := &csvSource{raw: raw, buf: br}
	text := br
	start, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(start, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		src.bom, src.layout.Encoding = 3, "UTF-8 with BOM"
	case bytes.HasPrefix(start, []byte("\xff\xfe")):
		src.layout.Encoding = "UTF-16 LE"
		text = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), sniffSize)
	case bytes.HasPrefix(start, []byte("\xfe\xff")):
		src.layout.Encoding = "UTF-16 BE"
		text = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), sniffSize)
	default:
		src.layout.Encoding = "UTF-8"
	}
	sample, err := text.Peek(sniffSize)
	if looksUTF16(sample) {
		return nil, fileError(1, "", "", "the file looks like UTF-16 text without a byte order mark; "+
			"save it as \"CSV UTF-8\" (Excel) or with the character set \"Unicode (UTF-8)\" (LibreOffice)")
	}
	delim := sniffDelimiter(sample, err == io.EOF)
	src.layout.Delimiter = delimName(delim)
	lim := &budgetReader{r: text, what: "a line (or a quoted value across lines)"}
	cr := csv.NewReader(lim)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // field counts are checked per row, with a better message
	cr.ReuseRecord = true
	src.r, src.lim = cr, lim
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
		for _, n := range names {
			if !utf8.ValidString(n) {
				return nil, &Error{Errors: []RowError{encodingError(line, "", n)}}
			}
		}
		cols, herr := b.header(line, names)
		if herr != nil {
			if len(names) == 1 {
				herr.Errors[len(herr.Errors)-1].Reason += "; the header has one column only: separate the columns with commas, semicolons, tabs or pipes"
			}
			return nil, herr
		}
		src.cols = cols
		src.vals = make([]value, len(cols))
		return src, nil
	}
}

// looksUTF16 reports whether text starts like UTF-16 without a byte order
// mark: every other byte of its ASCII characters is zero.
func looksUTF16(sample []byte) bool {
	sample = sample[:min(len(sample), 512)]
	return len(sample) >= 8 && bytes.Count(sample, []byte{0}) >= len(sample)/4
}

// delimiters are the separators recognised, in order of preference.
var delimiters = [...]rune{',', ';', '\t', '|'}

// sniffDelimiter picks the delimiter of a file from the start of its text
// (complete says sample is the whole file): of those that split the header
// line into at least two columns, the one that splits the most of the
// following lines into as many values (delimiters inside quotes do not
// count), then the one giving the most columns. Without any, a comma: the
// file then has one column, which the header check reports.
func sniffDelimiter(sample []byte, complete bool) rune {
	best, bestAgree, bestFields := ',', -1, 0
	for _, d := range delimiters {
		counts := fieldCounts(sample, byte(d), complete)
		if len(counts) == 0 || counts[0] < 2 {
			continue
		}
		agree := 0
		for _, n := range counts[1:] {
			if n == counts[0] {
				agree++
			}
		}
		if agree > bestAgree || (agree == bestAgree && counts[0] > bestFields) {
			best, bestAgree, bestFields = d, agree, counts[0]
		}
	}
	return best
}

// fieldCounts returns the number of fields of each of the first sniffLines
// non-empty records of sample split by d; a last record that sample may
// cut short is left out unless complete.
func fieldCounts(sample []byte, d byte, complete bool) []int {
	var counts []int
	n, inQuote, empty := 1, false, true
	for _, c := range sample {
		if len(counts) == sniffLines {
			return counts
		}
		switch {
		case c == '"':
			inQuote, empty = !inQuote, false
		case inQuote:
		case c == d:
			n, empty = n+1, false
		case c == '\n':
			if !empty {
				counts = append(counts, n)
			}
			n, empty = 1, true
		case c == '\r':
		default:
			empty = false
		}
	}
	if complete && !empty && !inQuote {
		counts = append(counts, n)
	}
	return counts
}

// delimName names a delimiter in messages and summaries.
func delimName(d rune) string {
	switch d {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	case '|':
		return "pipe"
	}
	return "comma"
}

// encodingError is the problem of text that is not UTF-8: what it probably
// is, and how to save it so that it is.
func encodingError(line int, column, cell string) RowError {
	bad := cell
	for len(bad) > 0 {
		r, size := utf8.DecodeRuneInString(bad)
		if r == utf8.RuneError && size == 1 {
			break
		}
		bad = bad[size:]
	}
	b := byte(0)
	if bad != "" {
		b = bad[0]
	}
	return RowError{Line: line, Column: column, Value: strings.ToValidUTF8(cell, "?"), Reason: fmt.Sprintf(
		"the file is not UTF-8 text: this line holds the byte 0x%02X, which UTF-8 does not allow "+
			"(the file is probably in Windows-1252 or ISO-8859-1, what Excel writes as \"CSV (Comma delimited)\"); "+
			"save it as \"CSV UTF-8\" (Excel) or with the character set \"Unicode (UTF-8)\" (LibreOffice) and import it again", b)}
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
		if s.ended {
			return 0, nil, nil, io.EOF
		}
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
			d := delimName(s.r.Comma)
			return line, nil, nil, fileError(line, "", "", fmt.Sprintf(
				"found %d values but the header has %d columns (the file is %s-separated); check for missing or extra %ss, and quote values that contain %ss",
				len(cells), len(s.cols), d, d, d))
		}
		for i := range s.cols {
			if !utf8.ValidString(cells[i]) {
				// One problem says it all: the rest of the file is
				// in the same encoding.
				s.ended = true
				return line, nil, nil, &Error{Errors: []RowError{encodingError(line, s.cols[i].name, cells[i])}}
			}
			s.vals[i] = value{s: cells[i]}
		}
		return line, s.cols, s.vals, nil
	}
}

func (s *csvSource) offset() int64 {
	if s.bom == 0 && s.layout.Encoding != "UTF-8" { // UTF-16: bytes of the file taken
		return s.raw.n - int64(s.buf.Buffered())
	}
	return s.bom + s.r.InputOffset()
}

func (s *csvSource) close() error { return nil }

// skipBOM consumes a UTF-8 byte order mark and returns its length.
func skipBOM(br *bufio.Reader) int64 {
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
		return 3
	}
	return 0
}

package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/pdca/pdca/internal/isms"
)

// jsonSource reads an array of objects token by token, so only one object is
// in memory at a time.
type jsonSource struct {
	dec   *json.Decoder
	lim   *budgetReader
	lines *lineCounter
	bom   int64
	b     *builder
	done  bool
	cols  []column
	vals  []value
}

func newJSON(r io.Reader, b *builder) (*jsonSource, error) {
	br := bufio.NewReader(r)
	bom := skipBOM(br)
	lines := &lineCounter{r: br}
	lim := &budgetReader{r: lines, what: "a JSON object"}
	lim.allow(0)
	dec := json.NewDecoder(lim)
	dec.UseNumber()
	src := &jsonSource{dec: dec, lim: lim, lines: lines, bom: bom, b: b}
	tok, err := dec.Token()
	switch {
	case err == io.EOF:
		return nil, fileError(1, "", "", "the file is empty; expected a JSON array of objects, [{...}, {...}]")
	case err != nil:
		return nil, src.syntaxError(err)
	case tok != json.Delim('['):
		return nil, fileError(lines.lineAt(dec.InputOffset()), "", "", fmt.Sprintf(
			"expected a JSON array of objects, [{...}, {...}], found %s", kindName(tokenKind(tok))))
	}
	return src, nil
}

// syntaxError reports malformed JSON. The decoder cannot resume after it.
func (s *jsonSource) syntaxError(err error) error {
	s.done = true
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fileError(s.lines.lineAt(se.Offset), "", "", "invalid JSON: "+se.Error())
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		// Only called when more JSON is due, so even a plain EOF is early.
		return fileError(s.lines.lineAt(s.lines.read), "", "", "the JSON ends too early; check that every [ and { is closed")
	case isms.ErrorCode(err) == isms.ETOOLARGE:
		return err
	}
	return fmt.Errorf("read JSON: %w", err)
}

func (s *jsonSource) next() (int, []column, []value, error) {
	if s.done {
		return 0, nil, nil, io.EOF
	}
	s.lim.allow(s.dec.InputOffset()) // the decoder has read ahead at most its buffer
	if !s.dec.More() {
		if _, err := s.dec.Token(); err != nil { // the closing ]
			return 0, nil, nil, s.syntaxError(err)
		}
		s.done = true
		if _, err := s.dec.Token(); err != io.EOF {
			line := s.lines.lineAt(s.dec.InputOffset())
			return line, nil, nil, fileError(line, "", "", "unexpected data after the closing ] of the array; a file holds one array")
		}
		return 0, nil, nil, io.EOF
	}
	tok, err := s.dec.Token()
	if err != nil {
		return 0, nil, nil, s.syntaxError(err)
	}
	// The token has just been consumed, so it ends at InputOffset; a
	// delimiter is one byte and a scalar sits on one line.
	line := s.lines.lineAt(s.dec.InputOffset() - 1)
	if tok != json.Delim('{') {
		if err := s.skip(tok); err != nil {
			return line, nil, nil, err
		}
		return line, nil, nil, fileError(line, "", "", fmt.Sprintf(
			"expected an object {\"column\": value, ...}, found %s", kindName(tokenKind(tok))))
	}
	s.cols, s.vals = s.cols[:0], s.vals[:0]
	for s.dec.More() {
		key, err := s.dec.Token()
		if err != nil {
			return line, nil, nil, s.syntaxError(err)
		}
		name, _ := key.(string)
		tok, err := s.dec.Token()
		if err != nil {
			return line, nil, nil, s.syntaxError(err)
		}
		if err := s.skip(tok); err != nil {
			return line, nil, nil, err
		}
		s.cols = append(s.cols, s.b.resolve(name))
		s.vals = append(s.vals, jsonValue(tok))
	}
	if _, err := s.dec.Token(); err != nil { // the closing }
		return line, nil, nil, s.syntaxError(err)
	}
	return line, s.cols, s.vals, nil
}

// skip consumes the rest of a nested array or object whose opening token
// has been read; other tokens need nothing more.
func (s *jsonSource) skip(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := s.dec.Token()
		if err != nil {
			return s.syntaxError(err)
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// tokenKind classifies a decoder token.
func tokenKind(tok json.Token) valueKind {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return valObject
		}
		return valArray
	case json.Number, float64:
		return valNumber
	case bool:
		return valBool
	case nil:
		return valNull
	}
	return valText
}

// jsonValue converts a value token; numbers keep their literal text.
func jsonValue(tok json.Token) value {
	switch t := tok.(type) {
	case string:
		return value{s: t, kind: valText}
	case json.Number:
		return value{s: t.String(), kind: valNumber}
	case bool:
		if t {
			return value{s: "true", kind: valBool}
		}
		return value{s: "false", kind: valBool}
	}
	return value{kind: tokenKind(tok)}
}

func (s *jsonSource) offset() int64 { return s.bom + s.dec.InputOffset() }

func (s *jsonSource) close() error { return nil }

// lineCounter passes bytes through and answers which line a byte offset is
// on. Offsets must be asked in increasing order; it keeps only the newlines
// read ahead of the last offset asked, so memory stays bounded by the
// decoder's buffer.
type lineCounter struct {
	r    io.Reader
	read int64   // bytes read so far
	nl   []int64 // offsets of newlines not yet passed
	line int     // newlines before the last offset asked
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		c.nl = append(c.nl, c.read+int64(i+j))
		i += j + 1
	}
	c.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line holding byte offset off.
func (c *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(c.nl) && c.nl[i] < off {
		i++
	}
	c.line += i
	c.nl = c.nl[i:]
	return c.line + 1
}

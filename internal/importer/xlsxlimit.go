package importer

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pdca/pdca/internal/isms"
)

// XLSXLimits bounds what a workbook may unpack to. A workbook is a zip of
// XML parts: a few kilobytes can unpack to gigabytes (a zip bomb), and
// excelize keeps some parts in memory whole. The limits are checked on the
// zip directory and on one streaming pass over the parts before excelize
// opens the file, so a bomb is refused in about the time it takes to
// inflate what the limits allow.
type XLSXLimits struct {
	// Total bounds all parts together, uncompressed (the sheets are unpacked
	// to temporary files, so this is mostly disk).
	Total int64
	// Part bounds each part other than sheets and the shared strings
	// (styles, workbook, relationships: excelize holds these in memory).
	Part int64
	// InMemory bounds the parts excelize holds in memory together: every
	// part but sheets and shared strings above xlsxStreamAbove.
	InMemory int64
	// SharedStrings bounds the shared string table, uncompressed.
	SharedStrings int64
	// Strings bounds the number of entries of the shared string table
	// (excelize keeps an index entry of each in memory).
	Strings int
	// Row bounds one sheet row and one shared string, in XML bytes.
	Row int64
	// Token bounds one XML tag or text between tags, in bytes.
	Token int64
	// Entries bounds the number of files in the zip.
	Entries int
}

// DefaultXLSXLimits fit 100,000-row registers with room to spare, and keep
// a server's memory for one workbook under about a hundred megabytes.
var DefaultXLSXLimits = XLSXLimits{
	Total:         512 << 20,
	Part:          16 << 20,
	InMemory:      64 << 20,
	SharedStrings: 64 << 20,
	Strings:       1_000_000,
	Row:           4 << 20,
	Token:         1 << 20,
	Entries:       10_000,
}

// xlsxStreamAbove is excelize's UnzipXMLSizeLimit as we set it: sheets and
// shared strings larger than this are unpacked to temporary files and read
// as streams, smaller ones are held in memory.
const xlsxStreamAbove = 4 << 20

func (l XLSXLimits) orDefault() XLSXLimits {
	d := DefaultXLSXLimits
	if l.Total > 0 {
		d.Total = l.Total
	}
	if l.Part > 0 {
		d.Part = l.Part
	}
	if l.InMemory > 0 {
		d.InMemory = l.InMemory
	}
	if l.SharedStrings > 0 {
		d.SharedStrings = l.SharedStrings
	}
	if l.Strings > 0 {
		d.Strings = l.Strings
	}
	if l.Row > 0 {
		d.Row = l.Row
	}
	if l.Token > 0 {
		d.Token = l.Token
	}
	if l.Entries > 0 {
		d.Entries = l.Entries
	}
	return d
}

// tooLarge is the error of a workbook beyond a limit: ETOOLARGE, with what
// was too large and how to get the data in.
func tooLarge(format string, args ...any) error {
	return isms.Errorf(isms.ETOOLARGE, "the workbook is too large to import: %s; split it into smaller files or save it as CSV",
		fmt.Sprintf(format, args...))
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// workbookFile returns r as a file excelize can open without reading it
// into memory: r itself when it is a file, else a temporary copy of at
// most limit bytes. remove deletes the copy.
func workbookFile(r io.Reader, limit int64) (f *os.File, remove func(), err error) {
	if f, ok := r.(*os.File); ok {
		if _, err := f.Seek(0, io.SeekCurrent); err == nil {
			return f, func() {}, nil
		}
	}
	tmp, err := os.CreateTemp("", "pdca-xlsx-*")
	if err != nil {
		return nil, nil, fmt.Errorf("workbook temporary file: %w", err)
	}
	remove = func() { tmp.Close(); os.Remove(tmp.Name()) }
	n, err := io.Copy(tmp, io.LimitReader(r, limit+1))
	if err != nil {
		remove()
		return nil, nil, fmt.Errorf("copy workbook: %w", err)
	}
	if n > limit {
		remove()
		return nil, nil, tooLarge("the file is larger than %s", mib(limit))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		remove()
		return nil, nil, err
	}
	return tmp, remove, nil
}

// checkWorkbook refuses a workbook beyond the limits: ETOOLARGE naming the
// limit, or *Error when the file is not a zip.
func checkWorkbook(f *os.File, lim XLSXLimits) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat workbook: %w", err)
	}
	size := st.Size()
	if n, dir, ok := zipDirectory(f, size); ok && (n > lim.Entries || dir > lim.Part) {
		return tooLarge("it holds more than %d files", lim.Entries)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fileError(1, "", "", "not a readable XLSX workbook ("+err.Error()+"); save the file in Excel Workbook (.xlsx) format")
	}
	if len(zr.File) > lim.Entries {
		return tooLarge("it holds more than %d files", lim.Entries)
	}
	var total, inMem int64
	for _, zf := range zr.File {
		size := int64(zf.UncompressedSize64)
		if size < 0 || size > lim.Total {
			return tooLarge("its part %s unpacks to more than %s", zf.Name, mib(lim.Total))
		}
		if total += size; total > lim.Total {
			return tooLarge("it unpacks to more than %s", mib(lim.Total))
		}
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		sheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		sst := name == "xl/sharedstrings.xml"
		switch {
		case sst && size > lim.SharedStrings:
			return tooLarge("its shared strings unpack to more than %s", mib(lim.SharedStrings))
		case !sheet && !sst && size > lim.Part:
			return tooLarge("its part %s unpacks to more than %s", zf.Name, mib(lim.Part))
		}
		if !sheet && !sst || size <= xlsxStreamAbove {
			if inMem += size; inMem > lim.InMemory {
				return tooLarge("its parts other than sheets unpack to more than %s", mib(lim.InMemory))
			}
		}
		if sheet || sst {
			if err := scanPart(zf, sst, lim); err != nil {
				return err
			}
		}
	}
	return nil
}

// zipDirectory reads the entry count and directory size from the end of
// a zip, so a directory of millions of entries is refused before
// archive/zip allocates one struct per entry. ok is false when the end
// record is not found (zip.NewReader then reports the damage).
func zipDirectory(f io.ReaderAt, size int64) (entries int, dirSize int64, ok bool) {
	n := min(size, 22+65535)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, 0, false
	}
	i := strings.LastIndex(string(buf), "PK\x05\x06")
	if i < 0 || len(buf)-i < 22 {
		return 0, 0, false
	}
	rec := buf[i:]
	entries = int(binary.LittleEndian.Uint16(rec[10:12]))
	dirSize = int64(binary.LittleEndian.Uint32(rec[12:16]))
	if entries == 0xffff || dirSize == 0xffffffff { // zip64: no workbook needs it
		return 1 << 30, 1 << 40, true
	}
	return entries, dirSize, true
}

// scanPart streams one sheet or the shared strings and checks the sizes
// the XML parser would hold at once: a tag or text (bytes between two
// '<'), a row (sheet) or string entry (shared strings), and the number of
// string entries.
func scanPart(zf *zip.File, sst bool, lim XLSXLimits) error {
	rc, err := zf.Open()
	if err != nil {
		return fileError(1, "", "", "not a readable XLSX workbook ("+err.Error()+"); save the file in Excel Workbook (.xlsx) format")
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	unit, what := "row", "a row of the sheet"
	if sst {
		unit, what = "si", "a shared string"
	}
	var (
		pos, lastLT, lastUnit int64
		units                 int
		name                  []byte
		inName, closing       bool
	)
	check := func() error {
		if lastUnit > 0 && pos-lastUnit > lim.Row {
			return tooLarge("%s in %s is larger than %s", what, zf.Name, mib(lim.Row))
		}
		return nil
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			break
		} else if err != nil {
			return fileError(1, "", "", "cannot unpack "+zf.Name+" ("+err.Error()+"); save the file again as .xlsx")
		}
		pos++
		switch {
		case c == '<':
			if pos-lastLT > lim.Token {
				return tooLarge("a value or tag in %s is larger than %s", zf.Name, mib(lim.Token))
			}
			lastLT, inName, closing, name = pos, true, false, name[:0]
		case inName && c == '/' && pos == lastLT+1:
			closing = true
		case inName && (c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r'):
			inName = false
			local := name
			if i := strings.LastIndexByte(string(name), ':'); i >= 0 {
				local = name[i+1:]
			}
			if !closing && string(local) == unit {
				if err := check(); err != nil {
					return err
				}
				lastUnit = pos
				if units++; sst && units > lim.Strings {
					return tooLarge("its shared strings hold more than %d entries", lim.Strings)
				}
			}
		case inName && len(name) < 32:
			name = append(name, c)
		}
	}
	if pos-lastLT > lim.Token {
		return tooLarge("a value or tag in %s is larger than %s", zf.Name, mib(lim.Token))
	}
	return check()
}

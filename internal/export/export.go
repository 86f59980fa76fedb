// Package export writes registers as CSV and XLSX and packs evidence
// bundles: a zip of files with a manifest of their SHA-256 hashes in the
// format of sha256sum, so an auditor can check the bundle offline with
// "sha256sum -c MANIFEST.sha256". It knows nothing of pdca's storage.
package export

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Table is a register as rows of text, first row the column names.
type Table struct {
	Name    string // file base name, e.g. "processes"
	Title   string // sheet title, e.g. "Processes"
	Columns []string
	Rows    [][]string
}

// WriteCSV writes the table as CSV with a header row.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// sheetName shortens a title to Excel's 31-character limit.
func sheetName(title string) string {
	r := []rune(strings.NewReplacer("/", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")", ":", "-").Replace(title))
	if len(r) > 31 {
		r = r[:31]
	}
	if len(r) == 0 {
		return "Sheet1"
	}
	return string(r)
}

// WriteXLSX writes the table as a workbook of one sheet, header in bold
// and frozen, streamed row by row.
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(t.Title)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := func(vals []string, style int) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = excelize.Cell{Value: v, StyleID: style}
		}
		return out
	}
	if err := sw.SetRow("A1", row(t.Columns, bold)); err != nil {
		return err
	}
	for i, r := range t.Rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row(r, 0)); err != nil {
			return fmt.Errorf("xlsx row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// File is one file of a bundle.
type File struct {
	Name string
	Data []byte
}

// ManifestName is the manifest's file name inside a bundle.
const ManifestName = "MANIFEST.sha256"

// Manifest returns the sha256sum-format manifest of the files, sorted by
// name: "<hex>  <name>" per line.
func Manifest(files []File) string {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var b strings.Builder
	for _, f := range sorted {
		sum := sha256.Sum256(f.Data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), f.Name)
	}
	return b.String()
}

// WriteBundle writes a zip of the files and their manifest, every entry
// stamped with the same moment so the bundle is reproducible.
func WriteBundle(w io.Writer, files []File, at time.Time) error {
	zw := zip.NewWriter(w)
	all := append(append([]File(nil), files...), File{Name: ManifestName, Data: []byte(Manifest(files))})
	for _, f := range all {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: at.UTC()}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

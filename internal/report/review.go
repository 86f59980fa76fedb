// Package report renders the management review pack as PDF, in-process,
// with embedded Liberation fonts. It takes plain data (no storage, no
// HTTP); the same pack always gives the same bytes, so a signed review's
// PDF can be reproduced from its snapshot.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
)

// Section is one input of the review: a headline with a status colour
// and a table.
type Section struct {
	Key, Title, Status, Summary, Comment string
	Columns                              []string
	Rows                                 [][]string
	Trends                               []Trend
}

// Decision is a decision of the review.
type Decision struct {
	Title, Kind, Owner, Deadline, Status string
}

// ReviewPack is everything the pack shows.
type ReviewPack struct {
	Org, Period, HeldOn, Status, Attendees string
	SignedAt                               *time.Time
	SignedBy, SHA256                       string
	Sections                               []Section
	Decisions                              []Decision
	Proposals                              string
	// Checkpoint, when the review was signed with an audit key, names the
	// signed audit checkpoint frozen into its snapshot (small print).
	Checkpoint string
	// At stamps the PDF (creation date): the signing moment for a signed
	// review, so the file is reproducible.
	At time.Time
}

var colours = map[string][3]int{"red": {198, 40, 40}, "yellow": {176, 136, 0}, "green": {26, 127, 55}, "grey": {110, 119, 129}}

// ReviewPDF writes the pack: page one has the status of every input,
// the metric trends and the decisions; detail pages follow.
func ReviewPDF(w io.Writer, p ReviewPack) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(p.At.UTC())
	pdf.SetModificationDate(p.At.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	pdf.SetTitle("Management review "+p.Period+" of "+p.Org, true)
	pdf.SetAuthor("pdca", true)
	pdf.SetMargins(14, 14, 14)
	pdf.SetAutoPageBreak(true, 14)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("sans", "", 7)
		pdf.SetTextColor(110, 119, 129)
		foot := fmt.Sprintf("%s · management review %s · page %d", p.Org, p.Period, pdf.PageNo())
		if p.SHA256 != "" {
			foot += " · snapshot SHA-256 " + p.SHA256
		}
		pdf.CellFormat(0, 4, foot, "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("sans", "B", 16)
	pdf.SetTextColor(29, 35, 48)
	pdf.CellFormat(0, 8, "Management review "+p.Period, "", 1, "L", false, 0, "")
	pdf.SetFont("sans", "", 9)
	line := p.Org + " · meeting " + p.HeldOn + " · " + p.Status
	if p.SignedAt != nil {
		line += " · signed " + p.SignedAt.Format("2006-01-02 15:04") + " " + p.SignedAt.Location().String() + " by " + p.SignedBy
	}
	pdf.CellFormat(0, 5, line, "", 1, "L", false, 0, "")
	if p.Attendees != "" {
		pdf.CellFormat(0, 5, "Attendees: "+p.Attendees, "", 1, "L", false, 0, "")
	}
	if p.Checkpoint != "" {
		pdf.SetFont("sans", "", 6.5)
		pdf.SetTextColor(110, 119, 129)
		pdf.MultiCell(0, 3.5, p.Checkpoint, "", "L", false)
		pdf.SetTextColor(29, 35, 48)
		pdf.SetFont("sans", "", 9)
	}
	pdf.Ln(2)
	// Red, yellow, green first: one line per input.
	for _, s := range p.Sections {
		statusBox(pdf, s.Status)
		pdf.SetFont("sans", "B", 8.5)
		pdf.CellFormat(64, 6, fit(pdf, s.Title, 63), "", 0, "L", false, 0, "")
		pdf.SetFont("sans", "", 8)
		pdf.MultiCell(0, 6, s.Summary, "", "L", false)
	}
	pdf.Ln(2)
	for _, s := range p.Sections {
		if err := trendGrid(pdf, s.Trends); err != nil {
			return err
		}
	}
	pdf.Ln(2)
	heading(pdf, "Decisions")
	var rows [][]string
	for _, d := range p.Decisions {
		rows = append(rows, []string{d.Title, d.Kind, d.Owner, d.Deadline, d.Status})
	}
	if len(rows) == 0 {
		rows = [][]string{{"No decision recorded.", "", "", "", ""}}
	}
	table(pdf, []string{"decision", "kind", "owner", "deadline", "status"}, rows, -1)
	if strings.TrimSpace(p.Proposals) != "" {
		heading(pdf, "Proposals")
		pdf.SetFont("sans", "", 8)
		pdf.MultiCell(0, 4.5, p.Proposals, "", "L", false)
	}
	// Detail pages.
	for _, s := range p.Sections {
		if len(s.Rows) == 0 && s.Comment == "" {
			continue
		}
		pdf.AddPage()
		heading(pdf, s.Title)
		pdf.SetFont("sans", "", 8)
		pdf.MultiCell(0, 4.5, s.Summary, "", "L", false)
		if s.Comment != "" {
			pdf.SetFont("sans", "B", 8)
			pdf.MultiCell(0, 4.5, "Comment: "+s.Comment, "", "L", false)
		}
		pdf.Ln(1)
		table(pdf, s.Columns, s.Rows, -1)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("review pdf: %w", err)
	}
	return pdf.Output(w)
}

func heading(pdf *fpdf.Fpdf, s string) {
	pdf.SetFont("sans", "B", 11)
	pdf.SetTextColor(29, 35, 48)
	pdf.CellFormat(0, 7, s, "B", 1, "L", false, 0, "")
	pdf.Ln(1)
}

// statusBox draws a small coloured box with the status word.
func statusBox(pdf *fpdf.Fpdf, status string) {
	c, ok := colours[status]
	if !ok {
		pdf.CellFormat(16, 6, "", "", 0, "L", false, 0, "")
		return
	}
	pdf.SetFillColor(c[0], c[1], c[2])
	pdf.SetTextColor(255, 255, 255)
	pdf.SetFont("sans", "B", 7)
	pdf.CellFormat(14, 5, status, "", 0, "C", true, 0, "")
	pdf.CellFormat(2, 5, "", "", 0, "L", false, 0, "")
	pdf.SetTextColor(29, 35, 48)
}

// table draws rows in equal columns, cutting long cells; statusCol, when
// not negative, is a column of status words drawn as coloured boxes.
func table(pdf *fpdf.Fpdf, cols []string, rows [][]string, statusCol int) {
	if len(cols) == 0 {
		return
	}
	width, _ := pdf.GetPageSize()
	l, _, r, _ := pdf.GetMargins()
	w := (width - l - r) / float64(len(cols))
	pdf.SetFont("sans", "B", 7.5)
	pdf.SetFillColor(240, 242, 245)
	for _, c := range cols {
		pdf.CellFormat(w, 5, c, "", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("sans", "", 7.5)
	for _, row := range rows {
		for i := range cols {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			if i == statusCol {
				if c, ok := colours[v]; ok {
					pdf.SetFillColor(c[0], c[1], c[2])
					pdf.SetTextColor(255, 255, 255)
					pdf.CellFormat(w, 4.6, v, "B", 0, "C", true, 0, "")
					pdf.SetTextColor(29, 35, 48)
					continue
				}
			}
			pdf.CellFormat(w, 4.6, fit(pdf, v, w-1), "B", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
}

// fit cuts a text to a width, with an ellipsis.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

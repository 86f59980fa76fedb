// Package report renders the management review pack as PDF, in-process,
// with embedded Liberation fonts. It takes plain data (no storage, no
// HTTP); the same pack always gives the same bytes, so a signed review's
// PDF can be reproduced from its snapshot.
//
// Nothing is cut short: every cell wraps, a row is as tall as its tallest
// cell, and a table that does not fit on a page goes on to the next with
// its header row repeated.
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

// Section is one input of the review: a headline with a status colour,
// a note on what it covers, and a table.
type Section struct {
	Key, Title, Status, Summary, Comment, Note string
	Columns                                    []string
	Rows                                       [][]string
	Trends                                     []Trend
}

// Decision is a decision of the review, in words.
type Decision struct {
	Title, Kind, Owner, Deadline, Status string
}

// Person is someone named in the pack: the chair, an attendee, a
// signatory.
type Person struct {
	Name, Role string
}

func (p Person) String() string {
	if p.Role == "" {
		return p.Name
	}
	return p.Name + " (" + p.Role + ")"
}

// ReviewPack is everything the pack shows.
type ReviewPack struct {
	Org, Period, HeldOn string
	// Status is the review's status: draft, held or signed.
	Status      string
	Chair       Person
	Attendees   []Person
	Signatories []Person // besides the chair
	SignedAt    *time.Time
	SignedBy    string
	SHA256      string
	Sections    []Section
	Decisions   []Decision
	Proposals   string
	// Checkpoint, when the review was signed with an audit key, names the
	// signed audit checkpoint frozen into its snapshot (small print).
	Checkpoint string
	// At stamps the PDF (creation date): the signing moment for a signed
	// review, so the file is reproducible.
	At time.Time
	// Loc is the organisation's time zone, for the signing time; nil is UTC.
	Loc *time.Location
}

var (
	colours = map[string][3]int{"red": {198, 40, 40}, "yellow": {230, 180, 0}, "green": {26, 127, 55}, "grey": {150, 156, 163}}
	ink     = [3]int{29, 35, 48}
	muted   = [3]int{90, 97, 105}
)

// statusWords are the words a status is written as; a cell ending in one
// of them, in a status column, gets the colour's square.
var statusWords = map[string]string{"red": "red", "yellow": "yellow", "green": "green", "no data": "grey", "grey": "grey"}

const (
	fontSize   = 8
	lineH      = 3.7
	cellPad    = 1.2
	bottomEdge = 16 // mm kept free at the bottom of a page (footer)
)

// ReviewPDF writes the pack: page one is the summary (every input's
// status, every metric's status for the rated periods, the decisions);
// the detail follows, then the signature block on the last page.
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
	pdf.SetAutoPageBreak(true, bottomEdge)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-11)
		pdf.SetFont("sans", "", 6.5)
		setColour(pdf, muted)
		foot := fmt.Sprintf("%s · management review %s · page %d of {nb}", p.Org, p.Period, pdf.PageNo())
		if p.SHA256 != "" {
			foot += " · snapshot SHA-256 " + p.SHA256
		}
		pdf.MultiCell(0, 3, foot, "", "C", false)
		setColour(pdf, ink)
	})
	pdf.AddPage()
	summaryPage(pdf, p)
	if err := detail(pdf, p); err != nil {
		return err
	}
	signatures(pdf, p)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("review pdf: %w", err)
	}
	return pdf.Output(w)
}

func setColour(pdf *fpdf.Fpdf, c [3]int) { pdf.SetTextColor(c[0], c[1], c[2]) }

// statusLine says where the review stands, in words.
func statusLine(p ReviewPack) string {
	switch p.Status {
	case "signed":
		if p.SignedAt != nil {
			loc := p.Loc
			if loc == nil {
				loc = time.UTC
			}
			return "Signed in pdca on " + p.SignedAt.In(loc).Format("2006-01-02 15:04 MST") + " by " + p.SignedBy + "; what this pack shows is frozen."
		}
		return "Signed."
	case "held":
		return "Held, not signed yet: the inputs are live data until the review is signed."
	}
	return "Draft: the inputs are live data until the review is signed."
}

func summaryPage(pdf *fpdf.Fpdf, p ReviewPack) {
	pdf.SetFont("sans", "B", 16)
	setColour(pdf, ink)
	pdf.MultiCell(0, 8, "Management review "+p.Period, "", "L", false)
	pdf.SetFont("sans", "", 9)
	pdf.MultiCell(0, 4.6, p.Org+" · meeting on "+p.HeldOn, "", "L", false)
	if p.Chair.Name != "" {
		pdf.MultiCell(0, 4.6, "Chair: "+p.Chair.String(), "", "L", false)
	}
	if len(p.Attendees) > 0 {
		var names []string
		for _, a := range p.Attendees {
			names = append(names, a.String())
		}
		pdf.MultiCell(0, 4.6, "Attendees: "+strings.Join(names, ", "), "", "L", false)
	}
	pdf.SetFont("sans", "B", 9)
	pdf.MultiCell(0, 4.6, statusLine(p), "", "L", false)
	if p.Checkpoint != "" {
		pdf.SetFont("sans", "", 6.5)
		setColour(pdf, muted)
		pdf.MultiCell(0, 3.2, p.Checkpoint, "", "L", false)
		setColour(pdf, ink)
	}
	pdf.Ln(2)
	heading(pdf, "Summary: red, yellow and green")
	var rows [][]string
	for _, s := range p.Sections {
		rows = append(rows, []string{statusWord(s.Status), s.Title, s.Summary})
	}
	table(pdf, []string{"Status", "Input", "Summary"}, rows, map[int]bool{0: true})
	for _, s := range p.Sections {
		if len(s.Trends) == 0 {
			continue
		}
		cols, mrows := metricMatrix(s.Trends)
		heading(pdf, "Metrics by rated period")
		status := map[int]bool{}
		for i := 1; i < len(cols); i++ {
			status[i] = true
		}
		table(pdf, cols, mrows, status)
		if s.Note != "" {
			note(pdf, s.Note)
		}
	}
	heading(pdf, "Decisions of this review")
	rows = nil
	for _, d := range p.Decisions {
		rows = append(rows, []string{d.Title, d.Kind, d.Owner, d.Deadline, d.Status})
	}
	if len(rows) == 0 {
		rows = [][]string{{"No decision recorded.", "", "", "", ""}}
	}
	table(pdf, []string{"Decision", "Kind", "Owner", "Deadline", "Status"}, rows, nil)
	if strings.TrimSpace(p.Proposals) != "" {
		heading(pdf, "Proposals")
		pdf.SetFont("sans", "", fontSize)
		pdf.MultiCell(0, lineH+0.5, p.Proposals, "", "L", false)
	}
}

// statusWord is a status as people read it ("" when none applies).
func statusWord(s string) string {
	if s == "grey" {
		return "no data"
	}
	return s
}

// metricMatrix is the first page's table of metrics: a row per metric, a
// column per rated period (months, then quarters), each cell the figure
// and its status. A trend from a snapshot signed before rated periods were
// recorded shows its last period.
func metricMatrix(trends []Trend) ([]string, [][]string) {
	var periods []string
	seen := map[string]bool{}
	ratedOf := func(t Trend) []string {
		if len(t.Rated) == 0 && t.Pending == "" && len(t.Periods) > 0 {
			return []string{t.Periods[len(t.Periods)-1]}
		}
		return t.Rated
	}
	for _, t := range trends {
		for _, r := range ratedOf(t) {
			if !seen[r] {
				seen[r] = true
				periods = append(periods, r)
			}
		}
	}
	// Months first (they sort as text), then quarters.
	sortStrings(periods, func(a, b string) bool {
		qa, qb := strings.Contains(a, "Q"), strings.Contains(b, "Q")
		if qa != qb {
			return !qa
		}
		return a < b
	})
	cols := []string{"Metric"}
	for _, pr := range periods {
		cols = append(cols, longPeriod(pr))
	}
	var rows [][]string
	for _, t := range trends {
		row := []string{t.Name}
		rated := map[string]bool{}
		for _, r := range ratedOf(t) {
			rated[r] = true
		}
		for _, pr := range periods {
			cell := ""
			if rated[pr] {
				for i, tp := range t.Periods {
					if tp == pr {
						cell = figureOf(t.Values[i], t.Unit) + " · " + statusWord(t.Statuses[i])
						if t.Values[i] == nil {
							cell = "no data"
						}
					}
				}
			}
			row = append(row, cell)
		}
		if len(periods) == 0 || len(ratedOf(t)) == 0 {
			word := "not rated yet"
			if t.Pending != "" {
				word += ": " + longPeriod(t.Pending) + " has not ended"
			}
			row = append(row[:1], word)
			for len(row) < len(cols) {
				row = append(row, "")
			}
		}
		rows = append(rows, row[:max(len(cols), 2)])
	}
	if len(periods) == 0 {
		cols = append(cols, "Status")
	}
	return cols, rows
}

func sortStrings(s []string, less func(a, b string) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// longPeriod names a period for a column: "Oct 2026", "2026-Q4".
func longPeriod(p string) string {
	if s := shortPeriods([]string{p})[0]; s != p && !strings.HasPrefix(s, "Q") {
		return s + " " + p[:4]
	}
	return p
}

// detail writes each input with rows, a comment, a note or trends:
// the first on a new page, the others after it while a good part of the
// page is left.
func detail(pdf *fpdf.Fpdf, p ReviewPack) error {
	first := true
	for _, s := range p.Sections {
		if len(s.Rows) == 0 && s.Comment == "" && len(s.Trends) == 0 {
			continue
		}
		if first || remaining(pdf) < 60 {
			pdf.AddPage()
		} else {
			pdf.Ln(4)
		}
		first = false
		heading(pdf, s.Title)
		pdf.SetFont("sans", "", fontSize)
		pdf.MultiCell(0, lineH+0.5, s.Summary, "", "L", false)
		if s.Note != "" {
			note(pdf, s.Note)
		}
		if s.Comment != "" {
			pdf.SetFont("sans", "B", fontSize)
			pdf.MultiCell(0, lineH+0.5, "Comment: "+s.Comment, "", "L", false)
		}
		pdf.Ln(1)
		if err := trendGrid(pdf, s.Trends); err != nil {
			return err
		}
		if len(s.Rows) > 0 {
			status := map[int]bool{}
			for i, c := range s.Columns {
				if strings.EqualFold(c, "status") {
					status[i] = true
				}
			}
			table(pdf, s.Columns, s.Rows, status)
		}
	}
	return nil
}

func note(pdf *fpdf.Fpdf, s string) {
	pdf.SetFont("sans", "", 7)
	setColour(pdf, muted)
	pdf.MultiCell(0, 3.4, s, "", "L", false)
	setColour(pdf, ink)
	pdf.Ln(1)
}

// signatures writes the signature block: the chair and every other
// signatory, each with name, role, a date and a line to sign, all on the
// last page.
func signatures(pdf *fpdf.Fpdf, p ReviewPack) {
	people := []Person{p.Chair}
	if p.Chair.Name == "" {
		people = nil
	}
	for _, s := range p.Signatories {
		if s.Name != "" && !strings.EqualFold(s.Name, p.Chair.Name) {
			people = append(people, s)
		}
	}
	if len(people) == 0 {
		people = []Person{{}}
	}
	const blockH = 30
	need := 24 + float64((len(people)+1)/2)*blockH
	if remaining(pdf) < need {
		pdf.AddPage()
	} else {
		pdf.Ln(6)
	}
	heading(pdf, "Signatures")
	pdf.SetFont("sans", "", fontSize)
	pdf.MultiCell(0, lineH+0.5, "By signing, the chair and the signatories confirm that top management reviewed the ISMS for "+p.Period+
		" on "+p.HeldOn+" with the inputs above, and decided the decisions listed.", "", "L", false)
	if p.Status == "signed" {
		note(pdf, statusLine(p))
	}
	pdf.Ln(3)
	l, _, r, _ := pdf.GetMargins()
	width, _ := pdf.GetPageSize()
	colW := (width - l - r) / 2
	for i, who := range people {
		col := i % 2
		if col == 0 && i > 0 {
			pdf.SetY(pdf.GetY() + blockH)
		}
		x, y := l+float64(col)*colW, pdf.GetY()
		role := who.Role
		if i == 0 && p.Chair.Name != "" {
			role = strings.TrimSpace("Chair" + map[bool]string{true: ", " + role, false: ""}[role != ""])
		}
		pdf.SetXY(x, y)
		pdf.SetFont("sans", "B", 9)
		name := who.Name
		if name == "" {
			name = "Name: ____________________________"
		}
		pdf.MultiCell(colW-6, 4.5, name, "", "L", false)
		pdf.SetX(x)
		pdf.SetFont("sans", "", fontSize)
		if role == "" {
			role = "Role: ____________________________"
		}
		pdf.MultiCell(colW-6, 4, role, "", "L", false)
		pdf.SetDrawColor(90, 97, 105)
		pdf.Line(x, y+19, x+colW-8, y+19)
		pdf.SetXY(x, y+19.5)
		setColour(pdf, muted)
		pdf.SetFont("sans", "", 7)
		pdf.CellFormat(colW-8, 3.5, "Signature", "", 2, "L", false, 0, "")
		pdf.SetXY(x, y+24)
		setColour(pdf, ink)
		pdf.SetFont("sans", "", fontSize)
		pdf.CellFormat(colW-8, 4, "Date: ____________________", "", 0, "L", false, 0, "")
		pdf.SetXY(l, y)
	}
	pdf.SetY(pdf.GetY() + blockH)
}

func heading(pdf *fpdf.Fpdf, s string) {
	if remaining(pdf) < 24 {
		pdf.AddPage()
	}
	pdf.SetFont("sans", "B", 11)
	setColour(pdf, ink)
	pdf.SetDrawColor(200, 205, 212)
	pdf.MultiCell(0, 7, s, "B", "L", false)
	pdf.Ln(1.5)
}

// remaining is the height left on the page above the bottom edge.
func remaining(pdf *fpdf.Fpdf) float64 {
	_, h := pdf.GetPageSize()
	return h - bottomEdge - pdf.GetY()
}

// Wrap splits text into the lines that fit width w (mm) in the current
// font, breaking between words (inside a word only when the word alone is
// wider than w) and at new lines; no character is dropped.
func Wrap(pdf *fpdf.Fpdf, text string, w float64) []string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\t", " ")
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if strings.TrimSpace(para) == "" {
			out = append(out, "")
			continue
		}
		// SplitText measures without the cell margins; widen by them.
		out = append(out, pdf.SplitText(para, w+2*pdf.GetCellMargin())...)
	}
	for len(out) > 1 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// columnWidths shares the page's width among columns: each gets its
// natural width (its widest cell) when all fit, otherwise at least its
// longest word (up to a fair share) and the rest in proportion to what
// each would need more.
func columnWidths(pdf *fpdf.Fpdf, cols []string, rows [][]string, avail float64) []float64 {
	n := len(cols)
	natural, least := make([]float64, n), make([]float64, n)
	measure := func(i int, s string, bold bool) {
		if bold {
			pdf.SetFont("sans", "B", fontSize)
		} else {
			pdf.SetFont("sans", "", fontSize)
		}
		text, st := statusCell(s)
		extra := 2*cellPad + 0.5
		if st != "" && !bold {
			extra += 3.5 // the status square
		}
		for _, line := range strings.Split(text, "\n") {
			natural[i] = max(natural[i], pdf.GetStringWidth(line)+extra)
			for _, word := range strings.Fields(line) {
				least[i] = max(least[i], pdf.GetStringWidth(word)+extra)
			}
		}
	}
	for i, c := range cols {
		measure(i, c, true)
	}
	for _, r := range rows {
		for i := 0; i < n && i < len(r); i++ {
			measure(i, r[i], false)
		}
	}
	for i := range natural {
		natural[i] = max(natural[i], 8)
		least[i] = min(max(least[i], 8), avail/float64(n))
	}
	sum := func(v []float64) (s float64) {
		for _, x := range v {
			s += x
		}
		return s
	}
	out := make([]float64, n)
	if total := sum(natural); total <= avail {
		for i := range out {
			out[i] = natural[i] + (avail-total)*natural[i]/total
		}
		return out
	}
	spare := avail - sum(least)
	want := sum(natural) - sum(least)
	for i := range out {
		out[i] = least[i]
		if want > 0 {
			out[i] += spare * (natural[i] - least[i]) / want
		}
	}
	return out
}

// statusCell splits a status cell into its text and the status its last
// word names ("" when none).
func statusCell(s string) (string, string) {
	for word, st := range statusWords {
		if s == word || strings.HasSuffix(s, " · "+word) {
			return s, st
		}
	}
	return s, ""
}

// table draws rows with wrapped cells; a row is as tall as its tallest
// cell, and a table (or a row) that runs past the page goes on to the next
// with the header row repeated. Cells of the status columns ending in a
// status word get its coloured square.
func table(pdf *fpdf.Fpdf, cols []string, rows [][]string, statusCols map[int]bool) {
	if len(cols) == 0 {
		return
	}
	width, _ := pdf.GetPageSize()
	l, _, r, _ := pdf.GetMargins()
	widths := columnWidths(pdf, cols, rows, width-l-r)
	header := func() {
		pdf.SetFont("sans", "B", fontSize)
		setColour(pdf, ink)
		lines := make([][]string, len(cols))
		h := 0.0
		for i, c := range cols {
			lines[i] = Wrap(pdf, c, widths[i]-2*cellPad)
			h = max(h, float64(len(lines[i]))*lineH+2*cellPad)
		}
		if remaining(pdf) < h+lineH+2*cellPad {
			pdf.AddPage()
			pdf.SetFont("sans", "B", fontSize)
		}
		x, y := l, pdf.GetY()
		pdf.SetFillColor(236, 239, 243)
		pdf.Rect(l, y, width-l-r, h, "F")
		for i := range cols {
			for k, line := range lines[i] {
				pdf.SetXY(x+cellPad, y+cellPad+float64(k)*lineH)
				pdf.CellFormat(widths[i]-2*cellPad, lineH, line, "", 0, "L", false, 0, "")
			}
			x += widths[i]
		}
		pdf.SetXY(l, y+h)
	}
	header()
	pdf.SetDrawColor(215, 219, 225)
	for _, row := range rows {
		pdf.SetFont("sans", "", fontSize)
		cells := make([][]string, len(cols))
		marks := make([]string, len(cols))
		tallest := 0
		for i := range cols {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			cw := widths[i] - 2*cellPad
			if statusCols[i] {
				if v == "grey" { // a status word of an older snapshot
					v = "no data"
				}
				if _, st := statusCell(v); st != "" {
					marks[i] = st
					cw -= 3.5
				}
			}
			cells[i] = Wrap(pdf, v, cw)
			tallest = max(tallest, len(cells[i]))
		}
		// Draw the row in slices as tall as the page allows; a row that
		// fits on a fresh page is not split.
		done := 0
		for done < tallest || (tallest == 0 && done == 0) {
			left := tallest - done
			fit := int((remaining(pdf) - 2*cellPad) / lineH)
			_, pageH := pdf.GetPageSize()
			_, top, _, _ := pdf.GetMargins()
			body := pageH - top - bottomEdge - 12 // a page less its header row
			if fit < max(left, 1) && (done > 0 || float64(left)*lineH+2*cellPad <= body || fit < 3) {
				pdf.AddPage()
				header()
				pdf.SetFont("sans", "", fontSize)
				pdf.SetDrawColor(215, 219, 225)
				fit = int((remaining(pdf) - 2*cellPad) / lineH)
			}
			n := min(left, fit)
			y := pdf.GetY()
			x := l
			for i := range cols {
				off := 0.0
				if marks[i] != "" && done == 0 {
					c := colours[marks[i]]
					pdf.SetFillColor(c[0], c[1], c[2])
					pdf.Rect(x+cellPad, y+cellPad+0.6, 2.5, 2.5, "F")
				}
				if marks[i] != "" {
					off = 3.5
				}
				for k := done; k < done+n && k < len(cells[i]); k++ {
					pdf.SetXY(x+cellPad+off, y+cellPad+float64(k-done)*lineH)
					pdf.CellFormat(widths[i]-2*cellPad-off, lineH, cells[i][k], "", 0, "L", false, 0, "")
				}
				x += widths[i]
			}
			h := float64(n)*lineH + 2*cellPad
			if tallest == 0 {
				h = lineH + 2*cellPad
			}
			pdf.Line(l, y+h, width-r, y+h)
			pdf.SetXY(l, y+h)
			done += max(n, 1)
		}
	}
	pdf.Ln(2)
}

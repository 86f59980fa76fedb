package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
)

// DocumentSheet is one version of a document to publish as PDF (issue 18).
type DocumentSheet struct {
	Org            string
	Ref, Title     string
	Kind           string
	Classification string
	Version        string // "1.2"
	Status         string // "approved", "draft", ...
	Approver       string // "" when not approved
	ApprovedAt     *time.Time
	Zone           *time.Location // approval date shown in it; UTC if nil
	Body           string         // Markdown; "" for a file version
	FileName       string         // the attached file, when the version is one
	SHA256         string
	At             time.Time // creation date in the PDF (reproducible output)
}

// DocumentPDF writes the version: every page carries the reference and
// title, the version and status (header) and the approver, approval date
// and SHA-256 (footer). The Markdown is set as headings, paragraphs and
// lists; long text wraps onto new lines and pages, never cut.
func DocumentPDF(w io.Writer, d DocumentSheet) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(d.At.UTC())
	pdf.SetModificationDate(d.At.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	pdf.SetTitle(d.Ref+" "+d.Title+" "+d.Version, true)
	pdf.SetAuthor(d.Org, true)
	pdf.SetMargins(18, 24, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	approval := "not approved"
	if d.ApprovedAt != nil {
		loc := d.Zone
		if loc == nil {
			loc = time.UTC
		}
		approval = "approved " + d.ApprovedAt.In(loc).Format("2006-01-02") + " by " + d.Approver
	}
	pdf.SetHeaderFunc(func() {
		pdf.SetY(9)
		pdf.SetFont("sans", "B", 8)
		setColour(pdf, ink)
		pdf.MultiCell(0, 4, d.Ref+" "+d.Title, "", "L", false)
		pdf.SetFont("sans", "", 7.5)
		setColour(pdf, muted)
		pdf.MultiCell(0, 3.6, fmt.Sprintf("Version %s · %s · %s · %s", d.Version, d.Status, d.Classification, d.Org), "B", "L", false)
		setColour(pdf, ink)
		pdf.SetY(max(pdf.GetY()+4, 24))
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("sans", "", 6.5)
		setColour(pdf, muted)
		pdf.MultiCell(0, 3, fmt.Sprintf("%s %s version %s · %s · page %d of {nb}", d.Ref, d.Title, d.Version, approval, pdf.PageNo()), "T", "C", false)
		pdf.MultiCell(0, 3, "SHA-256 "+d.SHA256, "", "C", false)
		setColour(pdf, ink)
	})
	pdf.AddPage()
	pdf.SetFont("sans", "B", 16)
	pdf.MultiCell(0, 7.5, d.Title, "", "L", false)
	pdf.SetFont("sans", "", 9)
	setColour(pdf, muted)
	pdf.MultiCell(0, 4.5, fmt.Sprintf("%s · %s · version %s, %s", d.Ref, d.Kind, d.Version, approval), "", "L", false)
	setColour(pdf, ink)
	pdf.Ln(4)
	if d.FileName != "" {
		pdf.SetFont("sans", "", 10)
		pdf.MultiCell(0, 5, "This version is the attached file "+d.FileName+". Its SHA-256 is "+d.SHA256+
			"; the copy in force is the file with that hash, downloadable from pdca.", "", "L", false)
	} else {
		markdownPDF(pdf, d.Body)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("document pdf: %w", err)
	}
	return pdf.Output(w)
}

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	mdBullet  = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	mdNumber  = regexp.MustCompile(`^(\s*)(\d+)[.)]\s+(.*)$`)
	mdLink    = regexp.MustCompile(`\[([^\]]*)\]\(([^)]*)\)`)
	mdInline  = strings.NewReplacer("**", "", "__", "", "`", "")
)

// inline drops Markdown's inline marks: emphasis, code, and links become
// "text (address)".
func inline(s string) string {
	s = mdLink.ReplaceAllString(s, "$1 ($2)")
	return strings.TrimSpace(mdInline.Replace(s))
}

// markdownPDF sets Markdown as headings, paragraphs (consecutive lines
// joined), bulleted and numbered lists (indented by nesting), quotes and
// code blocks (as plain lines). It is a reader's copy, not a typesetter.
func markdownPDF(pdf *fpdf.Fpdf, src string) {
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\t", "    ")
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		pdf.SetFont("sans", "", 10)
		pdf.MultiCell(0, 5, inline(strings.Join(para, " ")), "", "L", false)
		pdf.Ln(2)
		para = nil
	}
	inCode := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			flush()
			inCode = !inCode
			continue
		}
		if inCode {
			pdf.SetFont("sans", "", 9)
			setColour(pdf, muted)
			pdf.MultiCell(0, 4.5, line, "", "L", false)
			setColour(pdf, ink)
			continue
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case mdHeading.MatchString(trimmed):
			flush()
			m := mdHeading.FindStringSubmatch(trimmed)
			size := map[int]float64{1: 14, 2: 12.5, 3: 11}[len(m[1])]
			if size == 0 {
				size = 10.5
			}
			if remaining(pdf) < 30 {
				pdf.AddPage()
			}
			pdf.Ln(2)
			pdf.SetFont("sans", "B", size)
			pdf.MultiCell(0, size*0.5, inline(m[2]), "", "L", false)
			pdf.Ln(1.5)
		case mdBullet.MatchString(line) && !strings.HasPrefix(trimmed, "---"):
			flush()
			m := mdBullet.FindStringSubmatch(line)
			listItem(pdf, len(m[1])/2, "•", inline(m[2]))
		case mdNumber.MatchString(line):
			flush()
			m := mdNumber.FindStringSubmatch(line)
			listItem(pdf, len(m[1])/2, m[2]+".", inline(m[3]))
		case strings.HasPrefix(trimmed, ">"):
			flush()
			pdf.SetFont("sans", "", 10)
			setColour(pdf, muted)
			x := pdf.GetX()
			pdf.SetX(x + 6)
			pdf.MultiCell(0, 5, inline(strings.TrimLeft(trimmed, "> ")), "", "L", false)
			pdf.SetX(x)
			setColour(pdf, ink)
		case strings.Trim(trimmed, "-*_ ") == "" && len(trimmed) >= 3:
			flush()
			pdf.Ln(2)
		default:
			para = append(para, trimmed)
		}
	}
	flush()
}

// listItem sets one list item: its mark in a hanging indent, the text
// wrapped beside it.
func listItem(pdf *fpdf.Fpdf, level int, mark, text string) {
	left, _, _, _ := pdf.GetMargins()
	indent := left + 4 + float64(min(level, 4))*6
	pdf.SetFont("sans", "", 10)
	pdf.SetX(indent)
	pdf.CellFormat(6, 5, mark, "", 0, "L", false, 0, "")
	pdf.SetLeftMargin(indent + 6)
	pdf.MultiCell(0, 5, text, "", "L", false)
	pdf.SetLeftMargin(left)
	pdf.SetX(left)
	pdf.Ln(0.8)
}

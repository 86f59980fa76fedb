package report_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/pdca/pdca/internal/report"
)

const longDecision = "Replace the weekly leaver spreadsheet with a daily feed from the HR system to IT, with an alert to the IT lead when an account of a leaver is still active 24 hours after the last working day"

func samplePack() report.ReviewPack {
	signed := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	var devRows [][]string
	for i := 1; i <= 60; i++ {
		devRows = append(devRows, []string{fmt.Sprintf("DEV-2026-%03d", i), fmt.Sprintf("Deviation number %d whose title is long enough to wrap over two lines in its column of the table", i), "metric", "high", "2026-10-05", "", "open"})
	}
	return report.ReviewPack{Org: "Acme Oy", Period: "2026-Q4", HeldOn: "2027-01-15", Status: "signed", SignedAt: &signed, SignedBy: "ceo@acme.example",
		SHA256: strings.Repeat("ab", 32), At: signed, Loc: time.UTC,
		Chair:       report.Person{Name: "Cecilia Virtanen", Role: "CEO"},
		Attendees:   []report.Person{{Name: "Cecilia Virtanen", Role: "CEO"}, {Name: "Ilona Korhonen", Role: "ISMS manager"}},
		Signatories: []report.Person{{Name: "Harri Board", Role: "Chair of the board"}},
		Sections: []report.Section{
			{Key: "metrics", Title: "Metrics and their trend", Status: "red", Summary: "1 red, 0 yellow, 1 green, 0 without data (each metric by its worst rated period).",
				Note:    "Rated: October 2026, November 2026 and December 2026, the periods of 2026-Q4 that had ended by 2027-01-15.",
				Columns: []string{"Metric", "Period", "Figure", "Status", "Period before", "Change"},
				Rows:    [][]string{{"Access removed within 24 h", "December 2026", "95.45 %", "red", "100 %", "falling, worse"}, {"Changes documented — ÄÖ", "December 2026", "100 %", "green", "98 %", "rising, better"}},
				Trends: []report.Trend{
					{Name: "Access removed within 24 h", Unit: "%", Periods: []string{"2026-10", "2026-11", "2026-12"}, Values: []*float64{ptr(100), nil, ptr(95.45)}, Statuses: []string{"green", "grey", "red"}, Rated: []string{"2026-10", "2026-11", "2026-12"}},
					{Name: "Open deviations", Unit: "count", Periods: []string{"2026-10", "2026-11", "2026-12"}, Values: []*float64{ptr(2), ptr(3), ptr(5)}, Statuses: []string{"green", "yellow", "red"}, Rated: []string{"2026-10", "2026-11", "2026-12"}},
				}},
			{Key: "deviations", Title: "Nonconformities", Summary: "60 deviations open during 2026-Q4.", Comment: "Root cause in HR export", Columns: []string{"Ref", "Title", "Source", "Severity", "Detected", "Closed", "Status"}, Rows: devRows},
		},
		Decisions: []report.Decision{{Title: longDecision, Kind: "action", Owner: "Ivo", Deadline: "2027-02-28", Status: "open"}, {Title: "Add the payroll supplier to the critical suppliers", Kind: "change to the ISMS", Status: "open"}},
	}
}

func render(t *testing.T, p report.ReviewPack) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.ReviewPDF(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReviewPDFIsReproducible(t *testing.T) {
	pack := samplePack()
	one, two := render(t, pack), render(t, pack)
	if !bytes.HasPrefix(one, []byte("%PDF-")) || len(one) < 10000 {
		t.Fatalf("not a PDF: %d bytes", len(one))
	}
	if !bytes.Equal(one, two) {
		t.Error("the same pack gave two different PDFs")
	}
	if !bytes.Contains(one, []byte("/FontFile2")) {
		t.Error("no TrueType font is embedded")
	}
	if n := bytes.Count(one, []byte("/Subtype /Image")); n < 2 {
		t.Errorf("%d images, want the two trend charts", n)
	}
	if os.Getenv("PDCA_REVIEW_PDF") != "" {
		_ = os.WriteFile(os.Getenv("PDCA_REVIEW_PDF"), one, 0o644)
	}
}

// pdfText extracts each page's text with poppler's pdftotext, in content
// order (-raw), so a wrapped cell reads as its lines one after another.
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "pack.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	return pages
}

func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestReviewPDFNothingCutShort(t *testing.T) {
	pages := pdfText(t, render(t, samplePack()))
	all := flat(strings.Join(pages, "\n"))
	if strings.Contains(all, "…") {
		t.Error("the pack cuts text short with an ellipsis")
	}
	for _, want := range []string{longDecision, "Deviation number 60 whose title is long enough to wrap over two lines in its column of the table", "change to the ISMS"} {
		if !strings.Contains(all, want) {
			t.Errorf("the pack lacks, in full: %q", want)
		}
	}
	// The 60 deviations flow over pages, each page's part of the table
	// under the header row again.
	headed := 0
	for _, p := range pages {
		if strings.Contains(p, "DEV-2026-") && strings.Contains(flat(p), "Ref Title Source Severity Detected Closed Status") {
			headed++
		}
	}
	if headed < 2 {
		t.Errorf("the deviations table runs over %d page(s) with its header; want at least 2", headed)
	}
	if !strings.Contains(pages[0], "Summary: red, yellow and green") || !strings.Contains(flat(pages[0]), "Metrics by rated period") {
		t.Errorf("page one is not the summary:\n%s", pages[0])
	}
	last := flat(pages[len(pages)-1])
	for _, want := range []string{"Signatures", "Cecilia Virtanen", "Chair, CEO", "Harri Board", "Chair of the board", "Signature", "Date:"} {
		if !strings.Contains(last, want) {
			t.Errorf("the last page's signature block lacks %q:\n%s", want, last)
		}
	}
	for _, bad := range []string{"signed · signed", "0 count", "isms_change"} {
		if strings.Contains(all, bad) {
			t.Errorf("the pack shows %q", bad)
		}
	}
}

// TestWrapKeepsEveryCharacter: the cell-fitting function splits text into
// lines no wider than the column and drops nothing.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 8)
	for _, w := range []float64{12, 30, 60} {
		for _, s := range []string{longDecision, "Averyveryverylongwordwithoutanyspacesatallthatmustbreakinside", "two\nparagraphs"} {
			lines := report.Wrap(pdf, s, w)
			for _, l := range lines {
				if pdf.GetStringWidth(l) > w+0.01 {
					t.Errorf("width %v: line %q is %.1f mm wide", w, l, pdf.GetStringWidth(l))
				}
			}
			if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != strings.ReplaceAll(strings.ReplaceAll(s, "\n", ""), " ", "") {
				t.Errorf("width %v: %q wrapped to %q", w, s, lines)
			}
		}
	}
}

func ptr(v float64) *float64 { return &v }

// TestReviewPDFOldSnapshot: a pack from a snapshot signed before issue 14
// (no rated periods, no chair, lowercase columns, "grey") still renders:
// the matrix shows each trend's last period, grey reads "no data".
func TestReviewPDFOldSnapshot(t *testing.T) {
	p := samplePack()
	p.Chair, p.Signatories = report.Person{}, nil
	for i := range p.Sections[0].Trends {
		p.Sections[0].Trends[i].Rated = nil
	}
	p.Sections[0].Columns = []string{"metric", "period", "figure", "status", "before", "trend"}
	p.Sections[0].Rows = [][]string{{"Access removed within 24 h", "2026-12", "no data", "grey", "100 %", ""}}
	pages := pdfText(t, render(t, p))
	first := flat(pages[0])
	if !strings.Contains(first, "Dec 2026") || strings.Contains(first, "Oct 2026") {
		t.Errorf("old snapshot's matrix does not show the last period alone:\n%s", first)
	}
	if all := flat(strings.Join(pages, " ")); strings.Contains(all, " grey ") {
		t.Errorf("'grey' printed as a word:\n%s", all)
	}
	if last := flat(pages[len(pages)-1]); !strings.Contains(last, "Signatures") || !strings.Contains(last, "Name: ") {
		t.Errorf("no signature block with blanks to fill:\n%s", last)
	}
}

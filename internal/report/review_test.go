package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/report"
)

func TestReviewPDFIsReproducible(t *testing.T) {
	signed := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	pack := report.ReviewPack{Org: "Acme Oy", Period: "2026-Q4", HeldOn: "2027-01-15", Status: "signed", SignedAt: &signed, SignedBy: "ceo@acme.example",
		SHA256: strings.Repeat("ab", 32), At: signed, Attendees: "Cecilia (CEO), Ilona (ISMS)",
		Sections: []report.Section{
			{Key: "metrics", Title: "Metrics and their trend", Status: "red", Summary: "1 red, 0 yellow, 1 green.", Columns: []string{"metric", "period", "figure", "status", "before", "trend"},
				Rows: [][]string{{"Access removed within 24 h", "2026-12", "95.45 %", "red", "100 %", "falling, worse"}, {"Changes documented — ÄÖ", "2026-12", "100 %", "green", "98 %", "rising, better"}},
				Trends: []report.Trend{
					{Name: "Access removed within 24 h", Unit: "%", Periods: []string{"2026-10", "2026-11", "2026-12"}, Values: []*float64{ptr(100), nil, ptr(95.45)}, Statuses: []string{"green", "grey", "red"}},
					{Name: "Open deviations", Unit: "count", Periods: []string{"2026-10", "2026-11", "2026-12"}, Values: []*float64{ptr(2), ptr(3), ptr(5)}, Statuses: []string{"green", "yellow", "red"}},
				}},
			{Key: "deviations", Title: "Nonconformities", Summary: "2 opened", Comment: "Root cause in HR export", Columns: []string{"ref", "title"}, Rows: [][]string{{"DEV-1", strings.Repeat("long title ", 30)}}},
		},
		Decisions: []report.Decision{{Title: "Daily leaver feed", Kind: "action", Owner: "Ivo", Deadline: "2027-02-28", Status: "open"}},
	}
	var one, two bytes.Buffer
	if err := report.ReviewPDF(&one, pack); err != nil {
		t.Fatal(err)
	}
	if err := report.ReviewPDF(&two, pack); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(one.Bytes(), []byte("%PDF-")) || one.Len() < 10000 {
		t.Fatalf("not a PDF: %d bytes", one.Len())
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Error("the same pack gave two different PDFs")
	}
	if !bytes.Contains(one.Bytes(), []byte("/FontFile2")) {
		t.Error("no TrueType font is embedded")
	}
	if n := bytes.Count(one.Bytes(), []byte("/Subtype /Image")); n < 2 {
		t.Errorf("%d images, want the two trend charts", n)
	}
	if n := bytes.Count(one.Bytes(), []byte("/Type /Page\n")); n != 3 {
		t.Errorf("%d pages, want the one-page summary and a detail page for each of the two inputs with rows", n)
	}
}

func ptr(v float64) *float64 { return &v }

package report_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/report"
)

// TestDocumentPDF: a long policy runs over several pages, every page
// carries the reference, version and approval, and the same version gives
// the same bytes. PDCA_PDF=<file> keeps the PDF to look at.
func TestDocumentPDF(t *testing.T) {
	at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	var body strings.Builder
	body.WriteString("# Information security policy\n\nThis policy sets out **how** we protect information. See [the intranet](https://intranet.example/isms).\n\n")
	for i := range 12 {
		body.WriteString("## Section " + string(rune('A'+i)) + "\n\n")
		body.WriteString(strings.Repeat("Everyone who handles information follows this rule without exception. ", 12) + "\n\n")
		body.WriteString("- first point of the section, long enough to wrap onto a second line when set in ten point type on A4 paper\n")
		body.WriteString("  - a nested point\n1. numbered step\n2. another step\n\n")
	}
	body.WriteString("A very long word: " + strings.Repeat("x", 300) + "\n")
	sheet := report.DocumentSheet{Org: "Acme Oy", Ref: "POL-01", Title: "Information security policy", Kind: "Policy", Classification: "Internal",
		Version: "1.2", Status: "Approved", Approver: "Maija Manager", ApprovedAt: &at, Body: body.String(), SHA256: strings.Repeat("ab", 32), At: at}
	var a, b bytes.Buffer
	if err := report.DocumentPDF(&a, sheet); err != nil {
		t.Fatal(err)
	}
	if err := report.DocumentPDF(&b, sheet); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same version gives different bytes")
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if f := os.Getenv("PDCA_PDF"); f != "" {
		if err := os.WriteFile(f, a.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Pages: count them through the page tree.
	if n := bytes.Count(a.Bytes(), []byte("/Type /Page\n")) + bytes.Count(a.Bytes(), []byte("/Type /Page ")); n < 3 {
		t.Errorf("%d pages, want the long policy on 3 or more", n)
	}
}

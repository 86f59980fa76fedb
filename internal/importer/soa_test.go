package importer_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// soa_libreoffice.xlsx was written by LibreOffice Calc from
// soa_libreoffice.csv (soffice --headless --convert-to xlsx): a workbook
// from a real spreadsheet program, with 5.2 stored as a number.
func TestReadSoAFixtures(t *testing.T) {
	for _, tt := range []struct {
		file   string
		format importer.Format
	}{{"testdata/soa_libreoffice.csv", importer.FormatCSV}, {"testdata/soa_libreoffice.xlsx", importer.FormatXLSX}} {
		t.Run(string(tt.format), func(t *testing.T) {
			f, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := importer.ReadSoA(f, tt.format, importer.XLSXLimits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != 4 || len(got.Ignored) != 0 {
				t.Fatalf("rows %+v, ignored %v", got.Rows, got.Ignored)
			}
			r := got.Rows
			if r[0].ControlID != "A.5.1" || r[0].Line != 2 || !*r[0].Applicable || *r[0].Justification != "Required by customer contracts" || *r[0].Status != isms.StatusImplemented {
				t.Errorf("row 1 %+v", r[0])
			}
			if r[1].ControlID != "A.5.2" || !*r[1].Applicable || *r[1].Status != isms.StatusPlanned {
				t.Errorf("row 2 %+v", r[1])
			}
			if r[2].ControlID != "A.7.4" || *r[2].Applicable || r[2].Status != nil {
				t.Errorf("row 3 %+v", r[2])
			}
			if r[3].ControlID != "A.8.13" || r[3].Applicable != nil || r[3].Justification != nil || r[3].Status != nil {
				t.Errorf("row 4 %+v", r[3])
			}
		})
	}
}

func TestReadSoAProblems(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		want       []string // RowError.String() of every problem
		ignored    string
	}{
		{"no control column", "control,applicable\n", nil, ""},
		{"header", "Control_ID, JUSTIFICATION ,Implementation status,notes\nA.5.1,'=sum,not-started\n", nil, "notes"},
		{"twice in header", "control_id,status,Status\n", []string{`line 1, column status: column status appears twice in the header (columns 2 and 3); remove one`}, ""},
		{"missing control column", "applicable\nyes\n", []string{`line 1, column control_id: missing column control_id; the header must name it (as the SoA export does), e.g. control_id,applicable,justification,status`}, ""},
		{"values", "control_id,applicable,decision,status\nA.5.1,maybe,,\nB.1,,,\nA.5.2,yes,excluded,\nA.5.3,,applicable,done\na.5.3,,,\n,yes,,\n", []string{
			`line 2, column applicable, value "maybe": write yes (the control applies) or no (it is excluded), or leave it blank to keep the decision`,
			`line 3, column control_id, value "B.1": not a control of ISO/IEC 27001:2022 Annex A; use an identifier such as A.5.1 (themes 5 to 8)`,
			`line 4, column decision, value "excluded": disagrees with applicable "yes"; change both columns, or clear one`,
			`line 5, column status, value "done": use one of not started, planned, partial, implemented (or leave it blank to keep the status)`,
			`line 6, column control_id, value "a.5.3": A.5.3 is already on line 5; keep one row per control`,
			`line 7, column control_id: the control identifier is missing; write it as in the export, e.g. A.5.1`,
		}, ""},
		{"extra values", "control_id,applicable\nA.5.1,yes,oops\n", []string{`line 2: found 3 values but the header has 2 columns; name the extra column or remove its values`}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importer.ReadSoA(strings.NewReader(tt.file), importer.FormatCSV, importer.XLSXLimits{})
			if tt.name == "no control column" {
				// "control" is a name of the control_id column.
				if err != nil || len(got.Rows) != 0 {
					t.Fatalf("%+v %v", got, err)
				}
				return
			}
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(got.Ignored, ",") != tt.ignored {
					t.Errorf("ignored %v, want %s", got.Ignored, tt.ignored)
				}
				if r := got.Rows[0]; *r.Justification != "=sum" || *r.Status != isms.StatusNotStarted {
					t.Errorf("row %+v", r)
				}
				return
			}
			bad, ok := err.(*importer.Error)
			if !ok {
				t.Fatalf("err %v, want *Error", err)
			}
			var msgs []string
			for _, e := range bad.Errors {
				msgs = append(msgs, e.String())
			}
			if strings.Join(msgs, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	big := "control_id\n" + strings.Repeat("A.5.1\n", importer.MaxSoARows+1)
	if _, err := importer.ReadSoA(strings.NewReader(big), importer.FormatCSV, importer.XLSXLimits{}); isms.ErrorCode(err) != isms.ETOOLARGE {
		t.Errorf("%d rows: %v, want ETOOLARGE", importer.MaxSoARows+1, err)
	}
}

// FuzzReadSoA: any bytes give rows or an error, never a panic; every row
// names a control of the catalogue at most once, and a problem has a line.
func FuzzReadSoA(f *testing.F) {
	addTestdata(f, "soa_libreoffice.*", func(data []byte) { f.Add(data) })
	f.Add([]byte("control_id,applicable,decision,justification,status\nA.5.1,yes,applicable,'=x,Not started\n5.2,,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []importer.Format{importer.FormatCSV, importer.FormatXLSX} {
			got, err := importer.ReadSoA(bytes.NewReader(data), format, importer.XLSXLimits{})
			var bad *importer.Error
			if errors.As(err, &bad) {
				for _, e := range bad.Errors {
					if e.Line < 1 || e.Reason == "" {
						t.Fatalf("problem without line or reason: %+v", e)
					}
				}
				continue
			}
			if err != nil {
				continue
			}
			seen := map[string]bool{}
			for _, r := range got.Rows {
				if _, err := isms.AnnexA().Control(r.ControlID); err != nil || seen[r.ControlID] {
					t.Fatalf("row %+v: %v (seen %v)", r, err, seen[r.ControlID])
				}
				seen[r.ControlID] = true
			}
		}
	})
}

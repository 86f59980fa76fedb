package importer_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/export"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

func TestReadCatalogue(t *testing.T) {
	f, err := os.Open("testdata/catalogue_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := importer.ReadCatalogue(f, importer.FormatCSV, importer.XLSXLimits{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, parent string
		kind       isms.RequirementKind
		label      string
		withdrawn  bool
	}
	var got []row
	for _, r := range c.Items {
		got = append(got, row{r.ID, r.ParentID, r.Kind, r.Label, r.Withdrawn})
	}
	want := []row{
		{"ac", "", isms.KindGroup, "AC", false},
		{"ac-1", "ac", isms.KindControl, "AC-1", false},
		{"ac-2", "ac", isms.KindControl, "AC-2", false},
		{"ac-2.1", "ac-2", isms.KindEnhancement, "AC-2(1)", false},
		{"ac-3", "ac", isms.KindControl, "ac-3", true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items\n got %v\nwant %v", got, want)
	}
	if c.Count() != 3 || c.Requirements != 3 {
		t.Errorf("count = %d/%d, want 3 (withdrawn and groups excluded)", c.Count(), c.Requirements)
	}
	if s := c.Items[1].Statement; !strings.HasPrefix(s, "a. Develop") || !strings.Contains(s, "\nb. Review") {
		t.Errorf("multi-line text = %q", s)
	}
	if s := c.Items[4].Statement; s != "=SUM(A1)" {
		t.Errorf("neutralised text = %q, want the formula text restored", s)
	}
	if len(c.SHA256) != 64 || c.Source != isms.SourceCSV {
		t.Errorf("sha256 %q source %q", c.SHA256, c.Source)
	}
}

// A framework's catalogue exported as CSV and as XLSX reads back equal.
func TestCatalogueRoundTrip(t *testing.T) {
	fws, err := isms.BuiltinFrameworks()
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range fws {
		tab := &export.Table{Title: fw.Key, Columns: importer.CatalogueColumns, Rows: importer.CatalogueRows(fw.Items)}
		for _, format := range []importer.Format{importer.FormatCSV, importer.FormatXLSX} {
			var buf bytes.Buffer
			write := export.WriteCSV
			if format == importer.FormatXLSX {
				write = export.WriteXLSX
			}
			if err := write(&buf, tab); err != nil {
				t.Fatal(err)
			}
			got, err := importer.ReadCatalogue(&buf, format, importer.XLSXLimits{})
			if err != nil {
				t.Fatalf("%s %s: %v", fw.Key, format, err)
			}
			if !reflect.DeepEqual(got.Items, fw.Items) {
				for i := range min(len(got.Items), len(fw.Items)) {
					if !reflect.DeepEqual(got.Items[i], fw.Items[i]) {
						t.Fatalf("%s %s: item %d\n got %+v\nwant %+v", fw.Key, format, i, got.Items[i], fw.Items[i])
					}
				}
				t.Fatalf("%s %s: %d items, want %d", fw.Key, format, len(got.Items), len(fw.Items))
			}
			if got.Requirements != fw.Requirements {
				t.Errorf("%s %s: %d requirements, want %d", fw.Key, format, got.Requirements, fw.Requirements)
			}
		}
	}
}

func TestReadCatalogueErrors(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"empty", "", "the file is empty"},
		{"missing column", "id,parent,title\na,,A\n", "line 1, column text: missing column text"},
		{"unknown column", "id,parent,title,text,guidence\n", "line 1, column guidence: unknown column"},
		{"no id", "id,parent,title,text\n,,A,x\n", "line 2, column id: the identifier is missing"},
		{"duplicate", "id,parent,title,text\na,,A,x\na,,B,y\n", `line 3, column id, value "a": already on line 2`},
		{"parent below", "id,parent,title,text\nb,a,B,x\na,,A,\n", `line 2, column parent, value "a": no row above`},
		{"bad kind", "id,parent,title,text,kind\na,,A,x,chapter\n", `line 2, column kind, value "chapter"`},
		{"bad withdrawn", "id,parent,title,text,withdrawn\na,,A,x,maybe\n", `line 2, column withdrawn, value "maybe"`},
		{"only groups", "id,parent,title,text,kind\na,,A,x,group\n", "no requirements"},
		{"no title or text", "id,parent,title,text\na,,,\n", "line 2, column title: the row has neither"},
		{"extra values", "id,parent,title,text\na,,A,x,y\n", "line 2: found 5 values"},
	} {
		_, err := importer.ReadCatalogue(strings.NewReader(c.file), importer.FormatCSV, importer.XLSXLimits{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// Bounded: at most MaxCatalogueErrors problems listed, all counted.
	var b strings.Builder
	b.WriteString("id,parent,title,text\n")
	for range 200 {
		b.WriteString(",,,x\n")
	}
	_, err := importer.ReadCatalogue(strings.NewReader(b.String()), importer.FormatCSV, importer.XLSXLimits{})
	var ie *importer.Error
	if !errors.As(err, &ie) || len(ie.Errors) != importer.MaxCatalogueErrors || ie.Count() != 200 {
		t.Fatalf("err = %v, want %d listed of 200", err, importer.MaxCatalogueErrors)
	}
	// Too large.
	big := strings.NewReader("id,parent,title,text\n" + strings.Repeat("a", isms.MaxCatalogueBytes))
	if _, err := importer.ReadCatalogue(big, importer.FormatCSV, importer.XLSXLimits{}); !(isms.ErrorCode(err) == isms.ETOOLARGE) {
		t.Errorf("a file over the limit: %v, want ETOOLARGE", err)
	}
}

func FuzzReadCatalogue(f *testing.F) {
	addTestdata(f, "catalogue_*.csv", func(data []byte) { f.Add(data) })
	f.Add([]byte("id,parent,title,text\na,,A,\nb,a,B,x\n"))
	f.Add([]byte("id;parent;title;text;kind\na;;A;x;enhancement\n"))
	f.Add([]byte("\ufeffID,Parent,Title,Statement,Withdrawn\n\"a\"\"\",,\"x\ny\",,yes\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := importer.ReadCatalogue(bytes.NewReader(data), importer.FormatCSV, importer.XLSXLimits{})
		if err != nil {
			var ie *importer.Error
			if !errors.As(err, &ie) && !(isms.ErrorCode(err) == isms.ETOOLARGE) {
				t.Fatalf("error %v (%T) is neither a file error nor too large", err, err)
			}
			if ie != nil && len(ie.Errors) > importer.MaxCatalogueErrors {
				t.Fatalf("%d problems listed", len(ie.Errors))
			}
			return
		}
		if c.Count() == 0 || len(c.Items) > isms.MaxCatalogueRequirements {
			t.Fatalf("accepted a catalogue of %d items, %d requirements", len(c.Items), c.Count())
		}
		seen := map[string]bool{}
		for _, r := range c.Items {
			if seen[r.ID] || (r.ParentID != "" && !seen[r.ParentID]) {
				t.Fatalf("item %q: duplicate or parent %q not before it", r.ID, r.ParentID)
			}
			seen[r.ID] = true
		}
		// What the reader accepts, written back, reads back equal.
		var buf bytes.Buffer
		if err := export.WriteCSV(&buf, &export.Table{Columns: importer.CatalogueColumns, Rows: importer.CatalogueRows(c.Items)}); err != nil {
			t.Fatal(err)
		}
		again, err := importer.ReadCatalogue(&buf, importer.FormatCSV, importer.XLSXLimits{})
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(again.Items, c.Items) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", again.Items, c.Items)
		}
	})
}

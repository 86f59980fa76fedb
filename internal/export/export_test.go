package export_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/export"
)

var table = &export.Table{Name: "processes", Title: "Processes: the register / 2026", Columns: []string{"name", "owner"},
	Rows: [][]string{{"Access, granting", `Lea "Lead"`}, {"Incidents", "Ilona\nISMS"}}}

func TestCSVAndXLSX(t *testing.T) {
	var csvBuf bytes.Buffer
	if err := export.WriteCSV(&csvBuf, table); err != nil {
		t.Fatal(err)
	}
	if want := "name,owner\n\"Access, granting\",\"Lea \"\"Lead\"\"\"\nIncidents,\"Ilona\nISMS\"\n"; csvBuf.String() != want {
		t.Errorf("csv = %q, want %q", csvBuf.String(), want)
	}
	var x bytes.Buffer
	if err := export.WriteXLSX(&x, table); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	if len([]rune(sheet)) > 31 || !strings.HasPrefix(sheet, "Processes- the register - 2026") {
		t.Errorf("sheet name %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) != 3 || rows[1][1] != `Lea "Lead"` || rows[2][1] != "Ilona\nISMS" || rows[0][0] != "name" {
		t.Errorf("rows = %q, %v", rows, err)
	}
}

func TestBundleManifestVerifies(t *testing.T) {
	files := []export.File{{Name: "b.csv", Data: []byte("x\n")}, {Name: "a.csv", Data: []byte("y\n")}}
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var one, two bytes.Buffer
	if err := export.WriteBundle(&one, files, at); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteBundle(&two, files, at); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Error("the same files at the same moment give different bundles")
	}
	zr, err := zip.NewReader(bytes.NewReader(one.Bytes()), int64(one.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = b
	}
	lines := strings.Split(strings.TrimSpace(string(got[export.ManifestName])), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  a.csv") {
		t.Fatalf("manifest = %q", got[export.ManifestName])
	}
	for _, l := range lines {
		sum, name, _ := strings.Cut(l, "  ")
		h := sha256.Sum256(got[name])
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("manifest hash of %s does not match its content", name)
		}
	}
}

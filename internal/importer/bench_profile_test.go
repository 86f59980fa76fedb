package importer_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// BenchmarkReadCSV100kProfile reads the same 100,000 changes from a file
// in pdca's own columns ("plain") and from a change tool's export through
// a profile ("profile": renamed columns, Yes/No mapped to flags, a column
// left out, the system a constant): what the profile itself costs the
// reader, without the database (app's BenchmarkImport100kProfile measures
// the whole import).
func BenchmarkReadCSV100kProfile(b *testing.B) {
	const n = 100_000
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		b.Fatal(err)
	}
	prof := &isms.ImportProfile{
		Name: "CAB export", Kind: isms.KindChanges,
		Columns: map[string]string{
			"Change No": "ref", "Go-live": "implemented_at", "Has docs": "documented", "CAB Approved": "approved", "Requester": isms.Ignore,
		},
		Values: map[string]map[string]string{
			"documented": {"Yes": "true", "No": "false"},
			"approved":   {"Yes": "true", "No": "false"},
		},
		Constants: map[string]string{"system": "github"},
	}
	var plain, profiled bytes.Buffer
	plain.WriteString("ref,system,implemented_at,documented,approved\n")
	profiled.WriteString("Change No,Requester,Go-live,Has docs,CAB Approved\n")
	yes := map[bool]string{true: "Yes", false: "No"}
	for i := range n {
		at := time.Date(2020, 1, 1+i/20, 8+i%10, i%60, 0, 0, hel).Format("2006-01-02 15:04")
		doc, appr := i%10 != 0, i%20 != 0
		fmt.Fprintf(&plain, "CHG-%06d,github,%s,%t,%t\n", i, at, doc, appr)
		fmt.Fprintf(&profiled, "CHG-%06d,person%d@example.com,%s,%s,%s\n", i, i%500, at, yes[doc], yes[appr])
	}
	for _, v := range []struct {
		name    string
		data    []byte
		profile *isms.ImportProfile
	}{{"plain", plain.Bytes(), nil}, {"profile", profiled.Bytes(), prof}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			iterations := 0
			for b.Loop() {
				rows, err := importer.ReadAll(bytes.NewReader(v.data), importer.Options{
					Kind: isms.KindChanges, Format: importer.FormatCSV, Location: hel, Profile: v.profile})
				if err != nil || len(rows) != n || rows[0].Record.Texts["system"] != "github" || rows[0].Record.Bools["documented"] || !rows[1].Record.Bools["documented"] {
					b.Fatalf("ReadAll: %d rows, %v", len(rows), err)
				}
				iterations++
			}
			b.ReportMetric(float64(n*iterations)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

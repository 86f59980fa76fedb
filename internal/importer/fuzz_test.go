package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
)

// addTestdata seeds a fuzz corpus with the testdata files matching pattern.
func addTestdata(f *testing.F, pattern string, add func(data []byte)) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(names) == 0 {
		f.Fatalf("no testdata matching %s: %v", pattern, err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-10-01T09:00:00Z", "2026-10-01T09:00:00.5+03:00", "2026-10-01 09:00", "2026-10-01",
		"2026-10-25 03:30", "2026-03-29 03:30", "2026-10-01 09:00:00z", "", "24:00", "2026-02-30",
		"05.10.2026 16:00", "5.10.2026 16.00.05", "2026-10-05T16:00:00.5", "05/10/2026", "29.02.2024",
	} {
		f.Add(s)
	}
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{time.UTC, hel} {
			got, err := importer.ParseTime(s, loc)
			if err != nil {
				if !errors.Is(err, importer.ErrTimeFormat) && !errors.Is(err, importer.ErrAmbiguousTime) &&
					!errors.Is(err, importer.ErrNonexistentTime) && !errors.Is(err, importer.ErrDayOrder) {
					t.Errorf("ParseTime(%q) error %v wraps no sentinel", s, err)
				}
				continue
			}
			if got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, not UTC", s, got)
			}
			if want, err := time.Parse(time.RFC3339Nano, s); err == nil && !got.Equal(want) {
				t.Errorf("ParseTime(%q) = %v, want %v", s, got, want)
			}
			for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
				if wall, err := time.Parse(layout, s); err == nil && got.In(loc).Format(layout) != wall.Format(layout) {
					t.Errorf("ParseTime(%q) = %v, which reads %s in %s", s, got, got.In(loc).Format(layout), loc)
				}
			}
		}
	})
}

// checkReadAll checks the invariants of any ReadAll result.
func checkReadAll(t *testing.T, kind isms.RecordKind, rows []importer.Row, err error) {
	t.Helper()
	if err != nil {
		var ie *importer.Error
		if !errors.As(err, &ie) {
			t.Fatalf("error %v (%T) is not *importer.Error", err, err)
		}
		if rows != nil || len(ie.Errors) == 0 {
			t.Fatalf("%d rows and %d row errors", len(rows), len(ie.Errors))
		}
		for _, re := range ie.Errors {
			if re.Line < 1 || re.Reason == "" {
				t.Errorf("row error without line or reason: %+v", re)
			}
		}
		_ = err.Error()
		return
	}
	spec, _ := isms.LookupKind(string(kind))
	seen := map[string]bool{}
	last := 0
	for _, r := range rows {
		// Several JSON objects may share a line; lines never go back.
		if r.Line < last || r.Line < 1 {
			t.Errorf("line %d after %d", r.Line, last)
		}
		last = r.Line
		if r.Record.Key != spec.NaturalKey(r.Record) || seen[r.Record.Key] {
			t.Errorf("line %d: bad or repeated key %q", r.Line, r.Record.Key)
		}
		seen[r.Record.Key] = true
		for _, k := range spec.KeyFields() {
			if r.Record.Texts[k.Name] == "" && r.Record.Times[k.Name].IsZero() {
				t.Errorf("line %d: empty key field %s", r.Line, k.Name)
			}
		}
	}
}

func fuzzKind(k uint8) isms.RecordKind {
	kinds := isms.Kinds()
	return kinds[int(k)%len(kinds)].Kind
}

// kindIndex returns the index of kind among isms.Kinds.
func kindIndex(kind isms.RecordKind) uint8 {
	for i, k := range isms.Kinds() {
		if k.Kind == kind {
			return uint8(i)
		}
	}
	return 0
}

func FuzzReadCSV(f *testing.F) {
	addTestdata(f, "*.csv", func(data []byte) { f.Add(data, kindIndex(isms.KindIncidents)) })
	addTestdata(f, "spreadsheets/*.[ct][sx][vt]", func(data []byte) { f.Add(data, kindIndex(isms.KindAccessRemovals)) })
	for _, kc := range kindCases() {
		f.Add(MustCSV(f, kc.header, kc.rows), kindIndex(kc.kind))
	}
	f.Add([]byte("ref\n\"a\nb\",\n\"unterminated\n"), kindIndex(isms.KindIncidents))
	fuzzReadAll(f, importer.FormatCSV)
}

// fuzzReadAll fuzzes importer.ReadAll of one format over every record
// kind (the second argument picks it), with suppliers known or not.
func fuzzReadAll(f *testing.F, format importer.Format) {
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := fuzzKind(k)
		rows, err := importer.ReadAll(bytes.NewReader(data), importer.Options{Kind: kind, Format: format, Location: hel,
			KnownSuppliers: func(name string) bool { return len(name)%2 == 0 }})
		checkReadAll(t, kind, rows, err)
	})
}

func FuzzReadJSON(f *testing.F) {
	addTestdata(f, "*.json", func(data []byte) { f.Add(data, kindIndex(isms.KindIncidents)) })
	for _, kc := range kindCases() {
		f.Add(MustJSON(f, kc.kind, kc.header, kc.rows), kindIndex(kc.kind))
	}
	f.Add([]byte(`[{"ref": {"a": [1, {"b": null}]}}, [[]], 1.5e3, "x", null, true]`), kindIndex(isms.KindIncidents))
	fuzzReadAll(f, importer.FormatJSON)
}

// FuzzReadXLSX feeds workbooks, whole and mangled, to the XLSX reader: a
// spreadsheet from anywhere gives rows or an *importer.Error, never a
// panic or a bare error.
func FuzzReadXLSX(f *testing.F) {
	for _, kc := range kindCases() {
		f.Add(MustXLSX(f, xlsxRows(kc.header, kc.rows)), kindIndex(kc.kind))
	}
	f.Add(MustXLSX(f, [][]any{{"ref", "title"}, nil, {1.5, true}, {"=1/0"}}), kindIndex(isms.KindIncidents))
	f.Add([]byte("PK\x03\x04 not a zip"), kindIndex(isms.KindIncidents))
	fuzzReadAll(f, importer.FormatXLSX)
}

func FuzzParseScan(f *testing.F) {
	addTestdata(f, "trivy*.json", func(data []byte) { f.Add(data, false) })
	addTestdata(f, "grype*.json", func(data []byte) { f.Add(data, true) })
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	spec, _ := isms.LookupKind("vulnerabilities")
	sevField, _ := spec.Field("severity")
	severities := sevField.Enum
	f.Fuzz(func(t *testing.T, data []byte, grype bool) {
		format := importer.FormatTrivy
		if grype {
			format = importer.FormatGrype
		}
		scan, err := importer.ParseScan(bytes.NewReader(data), format, &at)
		if err != nil {
			var ie *importer.Error
			if !errors.As(err, &ie) || len(ie.Errors) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty *importer.Error", err, err)
			}
			return
		}
		if scan.Asset == "" || scan.ScannedAt.Location() != time.UTC {
			t.Errorf("scan %+v without asset or not in UTC", scan)
		}
		for id, sev := range scan.Findings {
			if id == "" {
				t.Error("finding without id")
			}
			if !slices.Contains(severities, sev) {
				t.Errorf("finding %s: severity %q", id, sev)
			}
		}
		recs := importer.Reconcile(scan, nil)
		if len(recs) != len(scan.Findings) {
			t.Errorf("%d findings gave %d records", len(scan.Findings), len(recs))
		}
	})
}

func BenchmarkReadCSV100k(b *testing.B) {
	const n = 100_000
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("person,system,employment_ended_at,access_removed_at,department\n")
	for i := range n {
		// Office hours, local (never in a daylight-saving change) and RFC 3339.
		ended := time.Date(2020, 1, 1+i/20, 8+i%10, i%60, 0, 0, hel)
		fmt.Fprintf(&buf, "person%06d,system%02d,%s,%s,dept%d\n", i, i%40,
			ended.Format("2006-01-02 15:04"), ended.Add(20*time.Hour).Format(time.RFC3339), i%12)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	iterations := 0
	for b.Loop() {
		rows, err := importer.ReadAll(bytes.NewReader(data), importer.Options{
			Kind: isms.KindAccessRemovals, Format: importer.FormatCSV, Location: hel})
		if err != nil || len(rows) != n {
			b.Fatalf("ReadAll: %d rows, %v", len(rows), err)
		}
		iterations++
	}
	b.ReportMetric(float64(n*iterations)/b.Elapsed().Seconds(), "rows/s")
}

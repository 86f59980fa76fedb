package app_test

import (
	"bytes"
	"github.com/pdca/pdca/internal/demo"
	"github.com/pdca/pdca/internal/importer"
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
	"math/rand/v2"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/measure"
	"github.com/pdca/pdca/internal/store"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestDebugMeasure1M(t *testing.T) {
	path := os.Getenv("DEBUG_DB")
	if path == "" {
		t.Skip()
	}
	ctx := context.Background()
	_, statErr := os.Stat(path)
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	asOf := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	if statErr != nil {
		if err := a.CreateOrg(ctx, app.System, &isms.Organization{Slug: "bench", Name: "Bench Oy", TimeZone: "Europe/Helsinki"}); err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(3, 4))
		start := asOf.AddDate(-2, 0, 0)
		for _, m := range millionMix {
			var buf bytes.Buffer
			if err := demo.WriteCSV(&buf, m.kind, demo.Records(m.kind, m.n, start, asOf, r), time.UTC); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Import(ctx, app.System, app.ImportRequest{Org: "bench", Kind: m.kind, Format: importer.FormatCSV, FileName: "x.csv", File: &buf}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 0; i < 3; i++ {
		var ms0 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		c0, w0 := cpuNow(), time.Now()
		if _, err := a.Measure(ctx, app.System, "bench", "2026-10", asOf); err != nil {
			t.Fatal(err)
		}
		var ms1 runtime.MemStats
		runtime.ReadMemStats(&ms1)
		t.Logf("measure: wall %s cpu %s gcs %d pause %s alloc %d MB", time.Since(w0), cpuNow()-c0, ms1.NumGC-ms0.NumGC, time.Duration(ms1.PauseTotalNs-ms0.PauseTotalNs), (ms1.TotalAlloc-ms0.TotalAlloc)>>20)
	}
	// per kind load, and compute alone
	var orgID int64
	recs := map[string][]measure.Record{}
	err = db.Read(ctx, func(tx *store.Tx) error {
		o, err := tx.OrgBySlug(ctx, "bench")
		if err != nil {
			return err
		}
		orgID = o.ID
		for _, k := range isms.Kinds() {
			c0, w0 := cpuNow(), time.Now()
			n := 0
			var out []measure.Record
			err := tx.EachRecord(ctx, orgID, k.Kind, func(r isms.Record) error {
				n++
				out = append(out, measure.Record{ID: r.ID, Key: r.Key, Times: r.Times, Bools: r.Bools, Texts: r.Texts})
				return nil
			})
			if err != nil {
				return err
			}
			recs[string(k.Kind)] = out
			t.Logf("load %-22s %7d rows wall %s cpu %s", k.Kind, n, time.Since(w0), cpuNow()-c0)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Helsinki")
	c0, w0 := cpuNow(), time.Now()
	for _, def := range measure.Builtins() {
		per, _ := measure.ParsePeriod("2026-10", loc)
		for _, p := range measure.PeriodsFor(def.Frequency, per) {
			in := measure.Input{Period: p, AsOf: asOf, Records: recs[def.Kind], Related: recs[def.RelatedKind]}
			w1 := time.Now()
			if _, err := measure.Compute(def, in); err != nil {
				t.Fatal(err)
			}
			t.Logf("compute %-24s %s", def.Key, time.Since(w1))
		}
	}
	t.Logf("compute all: wall %s cpu %s", time.Since(w0), cpuNow()-c0)
}

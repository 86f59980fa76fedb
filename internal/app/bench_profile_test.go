package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// profileBench is the profile of BenchmarkImport100kProfile: a change
// tool's export with its own column names, Yes/No for the flags, a
// column left out, and the system given as a constant.
var profileBench = isms.ImportProfile{
	Name: "CAB export", Kind: isms.KindChanges, FilePattern: "cab-*.csv",
	Columns: map[string]string{
		"Change No": "ref", "Go-live": "implemented_at", "Has docs": "documented", "CAB Approved": "approved", "Requester": isms.Ignore,
	},
	Values: map[string]map[string]string{
		"documented": {"Yes": "true", "No": "false"},
		"approved":   {"Yes": "true", "No": "false"},
	},
	Constants: map[string]string{"system": "github"},
}

// changesCSV returns n changes as two CSV files with the same records:
// one in pdca's own columns and values, one as profileBench reads it.
func changesCSV(n int, r *rand.Rand) (plain, profiled []byte) {
	var p, q bytes.Buffer
	p.WriteString("ref,system,implemented_at,documented,approved\n")
	q.WriteString("Change No,Requester,Go-live,Has docs,CAB Approved\n")
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	yes := map[bool]string{true: "Yes", false: "No"}
	for i := range n {
		// Office hours, local time: no time falls in a clock change.
		at := start.AddDate(0, 0, r.IntN(365)).Add(8*time.Hour + time.Duration(r.Int64N(int64(10*time.Hour)))).Format("2006-01-02 15:04:05")
		doc, appr := r.IntN(10) > 0, r.IntN(20) > 0
		ref := "CHG-" + strconv.Itoa(100000+i)
		fmt.Fprintf(&p, "%s,github,%s,%t,%t\n", ref, at, doc, appr)
		fmt.Fprintf(&q, "%s,person%d@example.com,%s,%s,%s\n", ref, r.IntN(500), at, yes[doc], yes[appr])
	}
	return p.Bytes(), q.Bytes()
}

// BenchmarkImport100kProfile imports the same 100,000 changes from a file
// in pdca's own columns ("plain") and from a tool's export read through a
// saved profile (renamed columns, a value map, a left-out column and a
// constant; "profile", picked by its file pattern), into a fresh database
// per iteration. It reports rows/s (issue 15: at least 40,000 on SQLite
// with a profile), rows per CPU second and the process's peak resident
// memory (VmHWM, MB): run one variant per process to read the latter.
// "access_removals" is BenchmarkImport100k's file, measured the same way,
// to relate these figures to that benchmark's.
func BenchmarkImport100kProfile(b *testing.B) {
	const n = 100_000
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []struct {
		name, file string
		kind       isms.RecordKind
		data       func() []byte // made in the sub-benchmark, so VmHWM counts one file
		profile    bool
	}{
		{"plain", "changes.csv", isms.KindChanges, func() []byte { p, _ := changesCSV(n, rand.New(rand.NewPCG(3, 4))); return p }, false},
		{"profile", "cab-2026-10.csv", isms.KindChanges, func() []byte { _, q := changesCSV(n, rand.New(rand.NewPCG(3, 4))); return q }, true},
		{"access_removals", "access_removals.csv", isms.KindAccessRemovals, func() []byte {
			return benchCSV(b, isms.KindAccessRemovals, n, start, start.AddDate(1, 0, 0), rand.New(rand.NewPCG(1, 2)))
		}, false},
	} {
		b.Run(v.name, func(b *testing.B) {
			data := v.data()
			benchEngines(b, func(b *testing.B, engine store.Engine) {
				rows, cpu := 0, time.Duration(0)
				for b.Loop() {
					b.StopTimer()
					a := benchOrg(b, engine)
					if v.profile {
						if _, err := a.SaveImportProfile(context.Background(), app.System, "bench", profileBench, false); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					before := cpuTime(b)
					res, err := a.Import(context.Background(), app.System, app.ImportRequest{Org: "bench", Kind: v.kind,
						Format: importer.FormatCSV, FileName: v.file, File: bytes.NewReader(data)})
					cpu += cpuTime(b) - before
					if err != nil {
						b.Fatal(err)
					}
					if res.Created != n || (res.Profile != "") != v.profile {
						b.Fatalf("created %d (want %d), profile %q", res.Created, n, res.Profile)
					}
					rows += res.Rows
				}
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				// On a shared machine wall time counts the waits for a
				// core; rows per second of the process's CPU time
				// (user+system, all threads) is steadier.
				b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
				b.ReportMetric(float64(len(data))/1e6, "MB/file")
				b.ReportMetric(vmHWM(b), "MB-VmHWM")
			})
		})
	}
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM returns this process's peak resident memory in MB, from
// /proc/self/status (0 where there is none).
func vmHWM(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb / 1024
		}
	}
	return 0
}

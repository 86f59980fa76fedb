package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// SyntheticSuppliers is how many suppliers synthetic supplier assessments
// refer to: SupplierName(0) to SupplierName(SyntheticSuppliers-1). Import at
// least that many synthetic suppliers before their assessments.
const SyntheticSuppliers = 50

// SupplierName is the name of the i-th synthetic supplier.
func SupplierName(i int) string { return fmt.Sprintf("supplier-%05d", i) }

// Records returns n synthetic, valid records of a kind with distinct
// natural keys and Key set, for benchmarks and load tests. Their defining
// timestamps lie in [start, end) to the second, and later ones (removal,
// fix, closing) follow within days, sometimes never. Text keys carry the
// record's index; kinds keyed by a time only (restore tests, supplier
// assessments) get evenly spaced times, at least one second apart, so they
// may run past end when n exceeds the seconds in [start, end). Suppliers are
// named SupplierName(i); assessments assess the first SyntheticSuppliers of
// them. An unknown kind gives nil.
func Records(kind isms.RecordKind, n int, start, end time.Time, r *rand.Rand) []isms.Record {
	var out []isms.Record
	_ = EachChunk(kind, n, n, start, end, r, func(rs []isms.Record) error {
		out = rs
		return nil
	})
	return out
}

// EachChunk generates the same records as Records (for the same state of
// r) and hands them to fn in chunks of at most size, so that a generator of
// a million records holds one chunk at a time. fn must not keep the slice.
// It returns fn's first error.
func EachChunk(kind isms.RecordKind, n, size int, start, end time.Time, r *rand.Rand, fn func([]isms.Record) error) error {
	spec, ok := isms.LookupKind(string(kind))
	if !ok || n <= 0 || size <= 0 {
		return nil
	}
	span := end.Sub(start)
	at := func() time.Time {
		if span <= 0 {
			return start.Truncate(time.Second)
		}
		return start.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Second)
	}
	step := max((span / time.Duration(n)).Truncate(time.Second), time.Second)
	spaced := func(i int) time.Time { return start.Truncate(time.Second).Add(time.Duration(i) * step) }
	after := func(t time.Time, maxDays float64) time.Time {
		return t.Add(time.Duration(r.Float64() * maxDays * float64(24*time.Hour))).Truncate(time.Second)
	}
	severity := func() string { return pick(r, []string{"critical", "high", "medium", "medium", "low", "low"}) }
	out := make([]isms.Record, 0, min(n, size))
	for i := range n {
		rec := record(kind)
		switch kind {
		case isms.KindAccessRemovals:
			t := at()
			rec.Texts["person"], rec.Texts["system"] = fmt.Sprintf("person-%07d", i), pick(r, otherSystems)
			rec.Times["employment_ended_at"] = t
			if r.IntN(50) > 0 {
				rec.Times["access_removed_at"] = after(t, 1.2)
			}
		case isms.KindIncidents:
			t := at()
			rec.Texts["ref"], rec.Texts["title"], rec.Texts["severity"] = fmt.Sprintf("INC-%07d", i), "Synthetic incident", severity()
			rec.Times["detected_at"], rec.Times["action_started_at"] = t, after(t, 0.3)
			if r.IntN(10) > 0 {
				rec.Times["resolved_at"] = after(t, 10)
				rec.Texts["root_cause"] = "Synthetic root cause"
			}
		case isms.KindRestoreTests:
			rec.Texts["system"], rec.Texts["result"] = restoreSystems[i%len(restoreSystems)], pick(r, []string{"pass", "pass", "pass", "fail"})
			rec.Times["tested_at"] = spaced(i)
		case isms.KindSuppliers:
			rec.Texts["name"] = SupplierName(i)
			rec.Bools["critical"] = i%3 == 0
		case isms.KindSupplierAssessments:
			rec.Texts["supplier"], rec.Texts["result"] = SupplierName(i%SyntheticSuppliers), pick(r, assessmentResults)
			rec.Times["assessed_at"] = spaced(i)
		case isms.KindChanges:
			rec.Texts["ref"], rec.Texts["system"] = fmt.Sprintf("CHG-%07d", i), pick(r, changeSystems)
			rec.Times["implemented_at"] = at()
			rec.Bools["documented"], rec.Bools["approved"] = r.IntN(20) > 0, r.IntN(30) > 0
		case isms.KindVulnerabilities:
			t := at()
			rec.Texts["ref"], rec.Texts["asset"], rec.Texts["severity"] = fmt.Sprintf("CVE-SYN-%07d", i), pick(r, vulnAssets), severity()
			rec.Times["found_at"] = t
			if r.IntN(8) > 0 {
				rec.Times["fixed_at"] = after(t, 30)
			}
		case isms.KindTraining:
			t := at()
			rec.Texts["person"], rec.Texts["course"] = fmt.Sprintf("person-%07d", i), pick(r, courses)
			rec.Times["due_at"] = t
			if r.IntN(20) > 0 {
				rec.Times["completed_at"] = after(t.Add(-10*24*time.Hour), 12)
			}
		case isms.KindDeviations:
			t := at()
			rec.Texts["ref"], rec.Texts["title"], rec.Texts["source"], rec.Texts["severity"] = fmt.Sprintf("DEV-%07d", i), "Synthetic deviation", "internal audit", severity()
			rec.Times["detected_at"] = t
			if r.IntN(5) > 0 {
				rec.Times["closed_at"] = after(t, 40)
			}
		case isms.KindAuditFindings:
			t := at()
			rec.Texts["ref"], rec.Texts["audit"], rec.Texts["title"] = fmt.Sprintf("IA-%07d", i), "Synthetic audit", "Synthetic finding"
			rec.Times["raised_at"] = t
			if r.IntN(5) > 0 {
				rec.Times["closed_at"] = after(t, 60)
			}
		}
		rec.Key = spec.NaturalKey(rec)
		out = append(out, rec)
		if len(out) == size || i == n-1 {
			if err := fn(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	return nil
}

package importer

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Reconcile works out which vulnerability records a scan changes. existing
// holds the organisation's vulnerability records for scan.Asset (others are
// ignored); there is one record per (vulnerability id, asset). The result is
// the records to upsert, sorted by ref; the caller tells unchanged ones from
// updated ones with isms.Record.Equal. Existing records are never modified:
// changed ones are returned as copies.
//
//   - A finding with no record becomes a new record: ref = id, asset,
//     severity, found_at = scan time.
//   - A known finding the scan still reports keeps its found_at (it is set to
//     the scan time if it was empty or later) and takes the scan's severity.
//     If it had been fixed and the scan is not older than the fix, it is
//     reopened: fixed_at is cleared, so the finding counts as open again
//     from its original found_at. (Decision: one record per id and asset,
//     so a reappearance reopens rather than starting a second record.)
//   - An open record the scan no longer reports gets fixed_at = scan time,
//     unless it was found after the scan (an older report imported late).
//   - Fixed records the scan does not report are left alone (not returned).
func Reconcile(scan Scan, existing []isms.Record) []isms.Record {
	spec, _ := isms.LookupKind(string(isms.KindVulnerabilities))
	at := scan.ScannedAt.UTC()
	known := make(map[string]isms.Record, len(existing))
	for _, r := range existing {
		if r.Kind == isms.KindVulnerabilities && r.Texts["asset"] == scan.Asset {
			known[r.Texts["ref"]] = r
		}
	}
	var out []isms.Record
	for id, sev := range scan.Findings {
		old, ok := known[id]
		if !ok {
			rec := newRecord()
			rec.Texts["ref"], rec.Texts["asset"], rec.Texts["severity"] = id, scan.Asset, sev
			rec.Times["found_at"] = at
			rec.Key = spec.NaturalKey(rec)
			out = append(out, rec)
			continue
		}
		rec := cloneRecord(old)
		rec.Texts["severity"] = sev
		if found, ok := rec.Times["found_at"]; !ok || found.After(at) {
			rec.Times["found_at"] = at
		}
		if fixed, ok := rec.Times["fixed_at"]; ok && !at.Before(fixed) {
			delete(rec.Times, "fixed_at")
		}
		out = append(out, rec)
	}
	for id, old := range known {
		if _, reported := scan.Findings[id]; reported {
			continue
		}
		if _, fixed := old.Times["fixed_at"]; fixed {
			continue
		}
		if found, ok := old.Times["found_at"]; ok && found.After(at) {
			continue
		}
		rec := cloneRecord(old)
		rec.Times["fixed_at"] = at
		out = append(out, rec)
	}
	slices.SortFunc(out, func(a, b isms.Record) int { return strings.Compare(a.Texts["ref"], b.Texts["ref"]) })
	return out
}

// newRecord returns an empty vulnerability record with its maps made.
func newRecord() isms.Record {
	return isms.Record{
		Kind:       isms.KindVulnerabilities,
		Times:      map[string]time.Time{},
		Bools:      map[string]bool{},
		Texts:      map[string]string{},
		Attributes: map[string]string{},
	}
}

// cloneRecord copies r with its own maps, so changes leave r untouched.
func cloneRecord(r isms.Record) isms.Record {
	c := newRecord()
	c.ID, c.Kind, c.Key = r.ID, r.Kind, r.Key
	maps.Copy(c.Times, r.Times)
	maps.Copy(c.Bools, r.Bools)
	maps.Copy(c.Texts, r.Texts)
	maps.Copy(c.Attributes, r.Attributes)
	return c
}

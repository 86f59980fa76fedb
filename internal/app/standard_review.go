package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Issue 19: one management review for several standards. When the
// organisation uses more than ISO/IEC 27001 (something is tagged with
// another standard), the metrics and deviations inputs gain a first
// column "Standards" and their rows are grouped by standard, and one more
// input sums up each standard. With nothing tagged, every input is as it
// was, so an ISO/IEC 27001-only review pack is unchanged.

// multiStandard reports whether the organisation uses more than one
// standard, and which.
func multiStandard(ctx context.Context, tx *store.Tx, orgID int64) (bool, []string, error) {
	inUse, err := tx.StandardsInUse(ctx, orgID)
	return len(inUse) > 1, inUse, err
}

// standardRank orders tag sets: by their first standard in
// isms.StandardKeys order, then by how many they name.
func standardRank(tags []string) int {
	tags = isms.EffectiveStandards(tags)
	for i, k := range isms.StandardKeys {
		if k == tags[0] {
			return i*10 + len(tags)
		}
	}
	return 1000
}

func standardWords(tags []string) string {
	var ws []string
	for _, t := range isms.EffectiveStandards(tags) {
		ws = append(ws, isms.StandardLabel(t))
	}
	return strings.Join(ws, ", ")
}

// groupByStandard prepends a "Standards" column to in's rows and groups
// them by standard (stable), when the organisation uses more than one.
// keys[i] is the id standard_tags keys row i's entity by ("" for a row
// that cannot carry tags, which serves ISO/IEC 27001).
func groupByStandard(ctx context.Context, tx *store.Tx, orgID int64, in *ReviewInput, entity string, keys []string) error {
	multi, _, err := multiStandard(ctx, tx, orgID)
	if err != nil || !multi || len(keys) != len(in.Rows) {
		return err
	}
	tags, err := tx.StandardTagsOf(ctx, orgID, entity, keys)
	if err != nil {
		return err
	}
	type row struct {
		rank  int
		cells []string
	}
	rows := make([]row, len(in.Rows))
	for i, r := range in.Rows {
		t := tags[keys[i]]
		rows[i] = row{standardRank(t), append([]string{standardWords(t)}, r...)}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].rank < rows[j].rank })
	for i := range rows {
		in.Rows[i] = rows[i].cells
	}
	in.Columns = append([]string{"Standards"}, in.Columns...)
	note := "Grouped by the standards each row serves; untagged rows serve ISO/IEC 27001."
	if in.Note != "" {
		note = in.Note + " " + note
	}
	in.Note = note
	return nil
}

// standardsReviewInput sums up each standard in use: its processes,
// metrics, deviations open during the period, and the internal audits of
// the period's year with the top-level clauses they cover. nil (no input)
// when only ISO/IEC 27001 is in use.
func standardsReviewInput(ctx context.Context, tx *store.Tx, s ReviewScope) (*ReviewInput, error) {
	multi, inUse, err := multiStandard(ctx, tx, s.Org.ID)
	if err != nil || !multi {
		return nil, err
	}
	count := func(entity string, ids []string) (map[string]int, error) {
		tags, err := tx.StandardTagsOf(ctx, s.Org.ID, entity, ids)
		if err != nil {
			return nil, err
		}
		n := map[string]int{}
		for _, id := range ids {
			for _, t := range isms.EffectiveStandards(tags[id]) {
				n[t]++
			}
		}
		return n, nil
	}
	procs, err := tx.Processes(ctx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range procs {
		ids = append(ids, strconv.FormatInt(p.ID, 10))
	}
	nProc, err := count(isms.TagProcess, ids)
	if err != nil {
		return nil, err
	}
	metrics, err := currentMetrics(ctx, tx, s.Org.ID)
	if err != nil {
		return nil, err
	}
	ids = ids[:0]
	for _, md := range metrics {
		ids = append(ids, md.Key)
	}
	nMetric, err := count(isms.TagMetric, ids)
	if err != nil {
		return nil, err
	}
	devs, err := deviationsOpenDuring(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	ids = ids[:0]
	for _, d := range devs {
		id := ""
		if d.Worked != nil {
			id = strconv.FormatInt(d.Worked.ID, 10)
		}
		ids = append(ids, id)
	}
	nDev, err := count(isms.TagDeviation, ids)
	if err != nil {
		return nil, err
	}
	audits, err := tx.InternalAudits(ctx, s.Org.ID, s.Period.Start.In(s.Org.Location()).Year())
	if err != nil {
		return nil, err
	}
	ids = ids[:0]
	for _, a := range audits {
		ids = append(ids, strconv.FormatInt(a.ID, 10))
	}
	nAudit, err := count(isms.TagAudit, ids)
	if err != nil {
		return nil, err
	}
	year := s.Period.Start.In(s.Org.Location()).Year()
	in := &ReviewInput{Key: "standards", Title: "Standards this management system serves",
		Columns: []string{"Standard", "Processes", "Metrics", "Deviations open during the period", "Internal audits " + strconv.Itoa(year), "Clauses 4 to 10 audited"}}
	for _, std := range inUse {
		covered := "no clause skeleton"
		if isms.HasClauseSkeleton(std) {
			cov := isms.CoverageOf(std, audits)
			n := 0
			for _, c := range cov {
				if len(c.Audits) > 0 {
					n++
				}
			}
			covered = fmt.Sprintf("%d of %d", n, len(cov))
		}
		in.Rows = append(in.Rows, []string{isms.StandardLabel(std), strconv.Itoa(nProc[std]), strconv.Itoa(nMetric[std]), strconv.Itoa(nDev[std]), strconv.Itoa(nAudit[std]), covered})
	}
	in.Summary = fmt.Sprintf("This review covers %d standards: %s.", len(inUse), standardWords(inUse))
	in.Note = "An entry tagged with several standards counts under each; untagged entries serve ISO/IEC 27001. Clauses are covered by audits of " + strconv.Itoa(year) + " that name them (9001:8.4 for ISO 9001)."
	return in, nil
}

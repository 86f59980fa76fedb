package app_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestStandardTags (issue 19): tags round trip and are audited; nothing
// tagged means ISO/IEC 27001; the processes, deviations and audits lists
// filter by standard in SQL; another organisation neither reads nor
// changes the tags; the management review groups its inputs by standard
// only once a second standard is in use; audits cover ISO 9001 clauses.
func TestStandardTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC) }
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		mgr, owner, viewer := f.members[isms.RoleISMSManager], f.members[isms.RoleProcessOwner], f.members[isms.RoleViewer]
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		proc := func(tmpl string) *isms.Process {
			t.Helper()
			p, err := app.ProcessFromTemplate(tmpl, owner.UserID)
			must(err)
			must(f.app.CreateProcess(ctx, owner, "acme", p))
			return p
		}
		access := proc("access")
		dev, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Late answer to a complaint", Kind: "minor", Source: "complaint", Severity: "medium",
			DetectedAt: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)})
		must(err)
		dev2, err := f.app.CreateDeviation(ctx, mgr, "acme", app.DeviationInput{Title: "Shared admin password", Kind: "minor", Source: "observation", Severity: "high",
			DetectedAt: time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC)})
		must(err)
		review := &isms.Review{Period: "2026-Q4", HeldOn: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), ChairID: f.members[isms.RoleManagement].UserID}
		must(f.app.CreateReview(ctx, mgr, "acme", review))

		// Nothing but ISO/IEC 27001: the review's inputs are as before.
		v, err := f.app.Review(ctx, mgr, "acme", review.ID)
		must(err)
		for _, in := range v.Inputs {
			if in.Key == "standards" || slices.Contains(in.Columns, "Standards") {
				t.Fatalf("an ISO/IEC 27001-only review grew a standards input or column: %+v", in)
			}
		}
		complaints := proc("complaints") // tagged iso9001 by its template
		// The template's tag round trips; an untagged process serves 27001.
		if st, err := f.app.Standards(ctx, viewer, "acme", isms.TagProcess, id(complaints.ID)); err != nil || !slices.Equal(st, []string{isms.StdISO9001}) {
			t.Fatalf("complaints process tags %v %v", st, err)
		}
		if st, err := f.app.Standards(ctx, viewer, "acme", isms.TagProcess, id(access.ID)); err != nil || len(st) != 0 {
			t.Fatalf("access process tags %v %v", st, err)
		}
		// Who may change tags, and where.
		for _, tt := range []struct {
			name           string
			p              app.Principal
			slug, ent, eid string
			code           string
		}{
			{"viewer", viewer, "acme", isms.TagProcess, id(access.ID), isms.EFORBIDDEN},
			{"process owner on a metric", owner, "acme", isms.TagMetric, "access-removal", isms.EFORBIDDEN},
			{"other org's admin", other.members[isms.RoleAdmin], "acme", isms.TagProcess, id(access.ID), isms.ENOTFOUND},
			{"acme's process through beta", other.members[isms.RoleAdmin], "beta", isms.TagProcess, id(access.ID), isms.ENOTFOUND},
			{"unknown entity", mgr, "acme", "risk", "1", isms.EINVALID},
			{"unknown metric", mgr, "acme", isms.TagMetric, "no-such-metric", isms.ENOTFOUND},
		} {
			if _, err := f.app.SetStandards(ctx, tt.p, tt.slug, tt.ent, tt.eid, []string{isms.StdISO9001}); isms.ErrorCode(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		if _, err := f.app.SetStandards(ctx, mgr, "acme", isms.TagProcess, id(access.ID), []string{"iso9999"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("unknown standard: %v", err)
		}
		if _, err := f.app.Standards(ctx, other.members[isms.RoleAdmin], "beta", isms.TagProcess, id(access.ID)); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("beta reads acme's process tags: %v", err)
		}
		got, err := f.app.SetStandards(ctx, owner, "acme", isms.TagProcess, id(access.ID), []string{"iso9001", "ISO27001", "iso9001"})
		if err != nil || !slices.Equal(got, []string{isms.StdISO27001, isms.StdISO9001}) {
			t.Fatalf("set: %v %v", got, err)
		}
		_, err = f.app.SetStandards(ctx, mgr, "acme", isms.TagDeviation, id(dev.ID), []string{isms.StdISO9001})
		must(err)
		_, err = f.app.SetStandards(ctx, mgr, "acme", isms.TagMetric, "open-deviations", []string{isms.StdISO9001})
		must(err)
		// Setting the same tags again writes no event.
		_, err = f.app.SetStandards(ctx, owner, "acme", isms.TagProcess, id(access.ID), []string{isms.StdISO27001, isms.StdISO9001})
		must(err)
		evs, err := f.app.Events(ctx, f.members[isms.RoleAuditor], "acme", store.EventFilter{Action: "standards.set"})
		if err != nil || len(evs) != 3 {
			t.Fatalf("events: %d %v", len(evs), err)
		}
		var onAccess []string
		for _, e := range evs {
			if e.Entity == "process" && e.EntityID == id(access.ID) {
				onAccess = append(onAccess, e.Before+" -> "+e.After)
			}
		}
		if len(onAccess) != 1 || !strings.Contains(onAccess[0], `"standards":["iso27001"]`) || !strings.Contains(onAccess[0], `["iso27001","iso9001"]`) {
			t.Errorf("event on the access process: %v", onAccess)
		}
		// Beta's processes are untouched: a filter there sees only its own.
		if bp, err := other.app.ProcessList(ctx, other.members[isms.RoleAdmin], "beta", app.ProcessFilter{Standard: isms.StdISO9001}); err != nil || len(bp.Items) != 0 {
			t.Errorf("beta's ISO 9001 processes: %v %v", bp, err)
		}

		// The lists filter in SQL; ISO/IEC 27001 includes the untagged.
		names := func(std string) []string {
			t.Helper()
			pg, err := f.app.ProcessList(ctx, viewer, "acme", app.ProcessFilter{Standard: std})
			must(err)
			var out []string
			for _, p := range pg.Items {
				out = append(out, p.Template)
				if p.Template == "access" && !slices.Equal(p.Standards, []string{isms.StdISO27001, isms.StdISO9001}) {
					t.Errorf("list item tags %v", p.Standards)
				}
			}
			slices.Sort(out)
			return out
		}
		if got := names(isms.StdISO27001); !slices.Equal(got, []string{"access"}) {
			t.Errorf("27001 processes %v", got)
		}
		if got := names(isms.StdISO9001); !slices.Equal(got, []string{"access", "complaints"}) {
			t.Errorf("9001 processes %v", got)
		}
		if got := names(isms.StdISO42001); len(got) != 0 {
			t.Errorf("42001 processes %v", got)
		}
		if _, err := f.app.ProcessList(ctx, viewer, "acme", app.ProcessFilter{Standard: "iso1"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("unknown filter: %v", err)
		}
		devs := func(std string) []int64 {
			t.Helper()
			ds, total, err := f.app.DeviationPage(ctx, viewer, "acme", app.DeviationQuery{Standard: std})
			must(err)
			var out []int64
			for _, d := range ds {
				out = append(out, d.ID)
			}
			if total != len(out) {
				t.Errorf("%s: total %d, listed %d", std, total, len(out))
			}
			return out
		}
		if got := devs(isms.StdISO9001); !slices.Equal(got, []int64{dev.ID}) {
			t.Errorf("9001 deviations %v", got)
		}
		if got := devs(isms.StdISO27001); !slices.Equal(got, []int64{dev2.ID}) {
			t.Errorf("27001 deviations %v", got)
		}

		// Audits: clauses of ISO 9001 are covered, the list filters.
		isms27, err := f.app.CreateAudit(ctx, mgr, "acme", app.AuditInput{Title: "ISMS audit", Clauses: []string{"9.2", "10.2"}, PlannedOn: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC),
			LeadEmail: "auditor@acme.example"})
		must(err)
		qms, err := f.app.CreateAudit(ctx, mgr, "acme", app.AuditInput{Title: "QMS audit", Clauses: []string{"9001:8.4", "iso9001:8.7"}, PlannedOn: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			LeadEmail: "auditor@acme.example"})
		must(err)
		if !slices.Equal(qms.Clauses, []string{"9001:8.4", "9001:8.7"}) {
			t.Errorf("stored clauses %v", qms.Clauses)
		}
		_, err = f.app.SetStandards(ctx, mgr, "acme", isms.TagAudit, id(qms.ID), []string{isms.StdISO9001})
		must(err)
		as, err := f.app.AuditsFor(ctx, viewer, "acme", 2026, isms.StdISO9001)
		if err != nil || len(as) != 1 || as[0].ID != qms.ID {
			t.Errorf("9001 audits %v %v", as, err)
		}
		pg, err := f.app.AuditListFor(ctx, viewer, "acme", 2026, isms.StdISO27001, app.Page{Count: true})
		if err != nil || pg.Total != 1 || pg.Items[0].ID != isms27.ID {
			t.Errorf("27001 audit page %+v %v", pg, err)
		}
		all, err := f.app.Audits(ctx, viewer, "acme", 2026)
		must(err)
		for _, c := range isms.CoverageOf(isms.StdISO9001, all) {
			if want := c.Clause == "8"; (len(c.Audits) == 1 && c.Audits[0] == "QMS audit") != want {
				t.Errorf("9001 clause %s covered by %v", c.Clause, c.Audits)
			}
		}

		// The review now groups by standard and sums each standard up.
		v, err = f.app.Review(ctx, mgr, "acme", review.ID)
		must(err)
		byKey := map[string]app.ReviewInput{}
		for _, in := range v.Inputs {
			byKey[in.Key] = in
		}
		st, ok := byKey["standards"]
		if !ok || len(st.Rows) != 2 || st.Rows[0][0] != "ISO/IEC 27001" || st.Rows[1][0] != "ISO 9001" {
			t.Fatalf("standards input %+v", st)
		}
		// ISO 9001: 2 processes, 1 metric, 1 deviation, 1 audit, clause 8 of 7 covered.
		if want := []string{"ISO 9001", "2", "1", "1", "1", "1 of 7"}; !slices.Equal(st.Rows[1], want) {
			t.Errorf("ISO 9001 row %v, want %v", st.Rows[1], want)
		}
		if want := []string{"ISO/IEC 27001", "1", strconv.Itoa(len(byKey["metrics"].Trends) - 1), "1", "1", "2 of 7"}; !slices.Equal(st.Rows[0], want) {
			t.Errorf("ISO/IEC 27001 row %v, want %v", st.Rows[0], want)
		}
		ds := byKey["deviations"]
		if ds.Columns[0] != "Standards" || len(ds.Rows) != 2 || ds.Rows[0][0] != "ISO/IEC 27001" || ds.Rows[1][0] != "ISO 9001" || ds.Rows[1][2] != "Late answer to a complaint" {
			t.Errorf("deviations grouped: %v %v", ds.Columns, ds.Rows)
		}
		// The PDF pack lays the grouped inputs out like any other.
		var pdf bytes.Buffer
		if err := f.app.ReviewPackDownload(ctx, mgr, "acme", review.ID, &pdf); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF")) {
			t.Errorf("review pack: %v (%d bytes)", err, pdf.Len())
		}
		ms := byKey["metrics"]
		if ms.Columns[0] != "Standards" || ms.Rows[len(ms.Rows)-1][0] != "ISO 9001" || ms.Rows[0][0] != "ISO/IEC 27001" {
			t.Errorf("metrics grouped: %v first %v last %v", ms.Columns, ms.Rows[0], ms.Rows[len(ms.Rows)-1])
		}
	})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

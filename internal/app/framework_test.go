package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestFrameworkRegister covers enabling frameworks, the register's paging,
// filters and coverage figures, the SoA's rules for any framework, and
// mapped coverage: shown with its relation, never counted as implemented.
func TestFrameworkRegister(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		admin, viewer, writer := f.members[isms.RoleAdmin], f.members[isms.RoleViewer], f.members[isms.RoleProcessOwner]

		list, err := f.app.Frameworks(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Key != isms.FrameworkAnnexA || !list[0].Enabled || list[0].Coverage == nil || list[0].Coverage.Requirements != 93 ||
			list[1].Key != isms.FrameworkCSF2 || list[1].Enabled || list[1].Coverage != nil {
			t.Fatalf("frameworks: %+v", list)
		}
		// Editing needs the framework enabled; enabling needs manage_org.
		upd := app.RequirementUpdate{Applicable: true, Justification: "contract", Status: isms.StatusPlanned}
		if _, err := f.app.UpdateRequirement(ctx, writer, "acme", isms.FrameworkCSF2, "PR.AA-01", upd); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("update in a disabled framework: %v", err)
		}
		if err := f.app.EnableFramework(ctx, writer, "acme", isms.FrameworkCSF2); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("process owner enables: %v", err)
		}
		if err := f.app.EnableFramework(ctx, admin, "acme", "no-such"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("unknown framework: %v", err)
		}
		if err := f.app.EnableFramework(ctx, admin, "acme", isms.FrameworkCSF2); err != nil {
			t.Fatal(err)
		}

		// Paging and filters, in document order.
		reg, err := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if reg.Page.Total != 128 || len(reg.Page.Items) != 50 || !reg.Page.More || reg.Page.Items[0].ID != "GV.OC" || reg.Page.Items[0].GroupID != "GV" ||
			reg.Page.Items[1].ID != "GV.OC-01" || reg.Page.Items[1].GroupID != "GV" || len(reg.Groups) != 6 {
			t.Fatalf("first page: total %d, %d items, more %v, first %+v, groups %d", reg.Page.Total, len(reg.Page.Items), reg.Page.More, reg.Page.Items[0], len(reg.Groups))
		}
		last, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Limit: 50, Offset: 100})
		if len(last.Page.Items) != 28 || last.Page.More {
			t.Errorf("last page: %d items, more %v", len(last.Page.Items), last.Page.More)
		}
		byGroup, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Group: "RC"})
		for _, r := range byGroup.Page.Items {
			if !strings.HasPrefix(r.ID, "RC.") {
				t.Errorf("group RC holds %s", r.ID)
			}
		}
		if byGroup.Page.Total == 0 || byGroup.Page.Total >= 128 {
			t.Errorf("group RC: %d", byGroup.Page.Total)
		}
		// Exactly the requirements under RC, at any depth (function,
		// category, subcategory), in the register's document order.
		whole, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Limit: 500})
		var want, got []string
		for _, r := range whole.Page.Items {
			if strings.HasPrefix(r.ID, "RC.") {
				want = append(want, r.ID)
			}
		}
		for _, r := range byGroup.Page.Items {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("group RC: %v, want %v", got, want)
		}
		text, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Text: "pr.aa-0"})
		if text.Page.Total != 6 {
			t.Errorf("text pr.aa-0: %d rows", text.Page.Total)
		}
		if _, err := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Group: "PR.AA-01"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("a control as group: %v", err)
		}

		// Decisions: the SoA's rules.
		proc := mustRiskProcess(t, f, "Access reviews")
		mustRisk(t, f, app.RiskFields{Asset: "accounts", Threat: "misuse", Treatment: isms.TreatModify, Plan: "reviews", Controls: []string{"A.8.5"}}, 3, 4)
		for _, tt := range []struct {
			name, req string
			p         app.Principal
			u         app.RequirementUpdate
			code      string
		}{
			{"viewer", "PR.AA-01", viewer, upd, isms.EFORBIDDEN},
			{"group", "PR", writer, upd, isms.EINVALID},
			{"unknown", "PR.XX-99", writer, upd, isms.ENOTFOUND},
			{"no justification", "PR.AA-01", writer, app.RequirementUpdate{Applicable: true, Status: isms.StatusPlanned}, isms.EINVALID},
			{"no status", "PR.AA-01", writer, app.RequirementUpdate{Applicable: true, Justification: "x"}, isms.EINVALID},
			{"owner not a member", "PR.AA-01", writer, app.RequirementUpdate{Applicable: true, Justification: "x", Status: isms.StatusPlanned, OwnerID: 999999}, isms.EINVALID},
			{"unknown process", "PR.AA-01", writer, app.RequirementUpdate{Applicable: true, Justification: "x", Status: isms.StatusPlanned, ProcessIDs: []int64{999999}}, isms.EINVALID},
			{"unknown document", "PR.AA-01", writer, app.RequirementUpdate{Applicable: true, Justification: "x", Status: isms.StatusPlanned, DocumentIDs: []int64{999999}}, isms.EINVALID},
			{"applicable with evidence", "PR.AA-01", writer, app.RequirementUpdate{Applicable: true, Justification: "customers' contracts", Status: isms.StatusPartial,
				OwnerID: writer.UserID, ProcessIDs: []int64{proc}, Evidence: "access review minutes, March"}, ""},
			{"implemented", "PR.AA-02", writer, app.RequirementUpdate{Applicable: true, Justification: "law", Status: isms.StatusImplemented}, ""},
			{"excluded, status dropped", "PR.AA-06", writer, app.RequirementUpdate{Justification: "no premises", Status: isms.StatusImplemented}, ""},
			{"Annex A through the register", "A.8.5", writer, app.RequirementUpdate{Applicable: true, Justification: "risk R-001", Status: isms.StatusImplemented}, ""},
		} {
			key := isms.FrameworkCSF2
			if strings.HasPrefix(tt.req, "A.") {
				key = isms.FrameworkAnnexA
			}
			if _, err := f.app.UpdateRequirement(ctx, tt.p, "acme", key, tt.req, tt.u); isms.ErrorCode(err) != tt.code {
				t.Errorf("%s: code %q, want %q (%v)", tt.name, isms.ErrorCode(err), tt.code, err)
			}
		}
		// A risk names A.8.5: it cannot be excluded.
		if _, err := f.app.UpdateRequirement(ctx, writer, "acme", isms.FrameworkAnnexA, "A.8.5", app.RequirementUpdate{Justification: "no"}); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("exclude a control a risk names: %v", err)
		}
		// The ISO-style SoA sees the decision made through the register.
		if c, _, err := f.app.SoAControl(ctx, viewer, "acme", "A.8.5"); err != nil || c.Status != isms.StatusImplemented {
			t.Errorf("SoA A.8.5: %+v %v", c, err)
		}

		cov, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{})
		if c := cov.Coverage; c.Requirements != 128 || c.Decided != 3 || c.Applicable != 2 || c.Implemented != 1 || c.WithEvidence != 1 || c.WithMetric != 0 || c.OpenDeviations != 0 {
			t.Errorf("CSF coverage: %+v", c)
		}
		// A linked process with a metric; an open deviation of the linked
		// process; for Annex A a deviation naming the control.
		measured := &isms.Process{Name: "Joiners", OwnerID: writer.UserID, Trigger: "a person joins", Deadline: "1 day", Impact: 2, Recurrence: 2, Risk: 2,
			Metrics: []string{"open-deviations"}}
		if err := f.app.CreateProcess(ctx, admin, "acme", measured); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.UpdateRequirement(ctx, writer, "acme", isms.FrameworkCSF2, "PR.AA-02", app.RequirementUpdate{Applicable: true, Justification: "law",
			Status: isms.StatusImplemented, ProcessIDs: []int64{measured.ID}}); err != nil {
			t.Fatal(err)
		}
		for _, in := range []app.DeviationInput{{Title: "Review skipped", Kind: "minor", Source: "observation", Severity: "low", ProcessID: proc},
			{Title: "Shared account", Kind: "minor", Source: "observation", Severity: "low", ControlRef: "A.8.5"}} {
			if _, err := f.app.CreateDeviation(ctx, admin, "acme", in); err != nil {
				t.Fatal(err)
			}
		}
		cov, _ = f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{})
		if c := cov.Coverage; c.WithMetric != 1 || c.OpenDeviations != 1 || c.Implemented != 1 {
			t.Errorf("CSF coverage with a metric and a deviation: %+v", c)
		}
		if ax, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkAnnexA, store.RegisterFilter{}); ax.Coverage.OpenDeviations != 1 || ax.Coverage.Implemented != 1 {
			t.Errorf("Annex A coverage: %+v", ax.Coverage)
		}
		yes, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Applicability: "yes"})
		no, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Applicability: "no"})
		und, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Applicability: "undecided"})
		impl, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Status: isms.StatusImplemented})
		if yes.Page.Total != 2 || no.Page.Total != 1 || und.Page.Total != 125 || impl.Page.Total != 1 || impl.Page.Items[0].ID != "PR.AA-02" {
			t.Errorf("filters: yes %d, no %d, undecided %d, implemented %d", yes.Page.Total, no.Page.Total, und.Page.Total, impl.Page.Total)
		}
		r, err := f.app.Requirement(ctx, viewer, "acme", isms.FrameworkCSF2, "PR.AA-01")
		if err != nil {
			t.Fatal(err)
		}
		if !r.Row.Decided || r.Row.Owner == "" || r.Row.Evidence != "access review minutes, March" || len(r.Processes) != 1 || r.Processes[0].Name != "Access reviews" {
			t.Errorf("PR.AA-01: %+v", r.Row)
		}

		// A mapping: CSF PR.AA-05 is a subset of Annex A A.8.5, which is
		// implemented. The CSF requirement shows it; the figure stays.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			csf, err := tx.FrameworkByKey(ctx, f.org.ID, isms.FrameworkCSF2)
			if err != nil {
				return err
			}
			ax, err := tx.FrameworkByKey(ctx, f.org.ID, isms.FrameworkAnnexA)
			if err != nil {
				return err
			}
			_, err = tx.SaveMappings(ctx, 0, []store.Mapping{{SourceFrameworkID: csf.ID, SourceReq: "PR.AA-05", TargetFrameworkID: ax.ID, TargetReq: "A.8.5",
				Relation: isms.MappingRelation("subset"), Origin: "test"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r, _ = f.app.Requirement(ctx, viewer, "acme", isms.FrameworkCSF2, "PR.AA-05")
		covers := r.Covers()
		if len(r.Mappings) != 1 || len(covers) != 1 || covers[0].TargetReq != "A.8.5" || covers[0].Relation != "subset" ||
			covers[0].OtherTitle != "ISO/IEC 27001:2022 Annex A" || covers[0].OtherReqTitle == "" || r.Row.Decided {
			t.Errorf("PR.AA-05 mappings %+v, covers %+v", r.Mappings, covers)
		}
		page, _ := f.app.Register(ctx, viewer, "acme", isms.FrameworkCSF2, store.RegisterFilter{Text: "PR.AA-05"})
		if len(page.Page.Items) != 1 || len(page.Page.Items[0].Covers) != 1 || page.Page.Items[0].Covers[0].OtherReq != "A.8.5" ||
			page.Page.Items[0].Covers[0].Relation != "subset" || page.Coverage.Implemented != 1 {
			t.Errorf("register row PR.AA-05: %+v, implemented %d", page.Page.Items, page.Coverage.Implemented)
		}
		// From the other end the relation is inverted; CSF has not
		// implemented PR.AA-05, so it covers nothing there.
		a85, _ := f.app.Requirement(ctx, viewer, "acme", isms.FrameworkAnnexA, "A.8.5")
		if len(a85.Mappings) != 1 || a85.Mappings[0].Relation != "superset" || len(a85.Covers()) != 0 || len(a85.Risks) != 1 {
			t.Errorf("A.8.5 mappings %+v", a85.Mappings)
		}

		// Disabling keeps the decisions; enabling brings them back.
		if err := f.app.DisableFramework(ctx, admin, "acme", isms.FrameworkCSF2); err != nil {
			t.Fatal(err)
		}
		list, _ = f.app.Frameworks(ctx, viewer, "acme")
		if list[1].Enabled || list[1].Coverage != nil {
			t.Errorf("disabled: %+v", list[1])
		}
		// Disabled: A.8.5's Annex A side no longer lists CSF coverage either way, and CSF cannot be edited.
		if _, err := f.app.UpdateRequirement(ctx, writer, "acme", isms.FrameworkCSF2, "PR.AA-01", upd); isms.ErrorCode(err) != isms.ECONFLICT {
			t.Errorf("update after disable: %v", err)
		}
		if err := f.app.EnableFramework(ctx, admin, "acme", isms.FrameworkCSF2); err != nil {
			t.Fatal(err)
		}
		list, _ = f.app.Frameworks(ctx, viewer, "acme")
		if !list[1].Enabled || list[1].Coverage == nil || list[1].Coverage.Decided != 3 {
			t.Errorf("enabled again: %+v", list[1])
		}
		n := 0
		for _, action := range []string{"framework.enable", "framework.disable", "framework.requirement.update"} {
			ev, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: action, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			n += len(ev)
		}
		if n != 3+5 {
			t.Errorf("%d framework audit events, want 8 (enable, disable, enable and 5 decisions)", n)
		}
		// A framework private to another organisation is not there for acme.
		beta := mustFixture(t, db, "beta")
		soc2 := &isms.FrameworkCatalogue{Framework: isms.Framework{OrgID: beta.org.ID, Key: "soc2-tsc-2017", Title: "SOC 2", Version: "2017", Source: isms.SourceCSV, ImportedBy: "test"},
			Items: []isms.Requirement{{ID: "CC1", Kind: isms.KindGroup, Title: "Control environment"}, {ID: "CC1.1", ParentID: "CC1", Kind: isms.KindControl, Title: "Integrity"}}}
		soc2.Requirements = soc2.Count()
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.SaveFramework(ctx, soc2); return err }); err != nil {
			t.Fatal(err)
		}
		if err := beta.app.EnableFramework(ctx, beta.members[isms.RoleAdmin], "beta", "soc2-tsc-2017"); err != nil {
			t.Fatal(err)
		}
		if l, _ := beta.app.Frameworks(ctx, beta.members[isms.RoleViewer], "beta"); len(l) != 3 {
			t.Errorf("beta sees %d frameworks, want 3", len(l))
		}
		if l, _ := f.app.Frameworks(ctx, viewer, "acme"); len(l) != 2 {
			t.Errorf("acme sees %d frameworks, want 2", len(l))
		}
		if _, err := f.app.Register(ctx, viewer, "acme", "soc2-tsc-2017", store.RegisterFilter{}); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("acme reads beta's framework: %v", err)
		}
		if err := f.app.EnableFramework(ctx, admin, "acme", "soc2-tsc-2017"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("acme enables beta's framework: %v", err)
		}
		if _, err := f.app.Requirement(ctx, viewer, "acme", "soc2-tsc-2017", "CC1.1"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("acme reads beta's requirement: %v", err)
		}

		// The dashboard shows a panel per enabled framework.
		d, err := f.app.Dashboard(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Frameworks) != 2 || d.Frameworks[1].Coverage.Implemented != 1 {
			t.Errorf("dashboard frameworks: %+v", d.Frameworks)
		}
	})
}

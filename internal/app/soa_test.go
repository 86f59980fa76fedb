package app_test

import (
	"context"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func TestSoA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := mustFixture(t, db, "acme")
		ctx := context.Background()
		viewer, writer := f.members[isms.RoleViewer], f.members[isms.RoleProcessOwner]

		soa, err := f.app.SoA(ctx, viewer, "acme", app.SoAFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if soa.Total != 93 || len(soa.Controls) != 93 || soa.Decided != 0 || soa.Controls[0].ID != "A.5.1" || soa.Controls[0].Decision() != "not yet decided" {
			t.Fatalf("defaults: total %d, decided %d, first %+v", soa.Total, soa.Decided, soa.Controls[0])
		}

		proc := mustRiskProcess(t, f, "Backups")
		risk := mustRisk(t, f, app.RiskFields{Asset: "database", Threat: "loss", Treatment: isms.TreatModify, Plan: "backups", Controls: []string{"A.8.13"}}, 3, 4)

		tests := []struct {
			name string
			p    app.Principal
			e    isms.SoAEntry
			code string
		}{
			{"viewer", viewer, isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "law", Status: isms.StatusPlanned}, isms.EFORBIDDEN},
			{"unknown control", writer, isms.SoAEntry{ControlID: "A.99.1", Applicable: true, Justification: "law", Status: isms.StatusPlanned}, isms.ENOTFOUND},
			{"no justification", writer, isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Status: isms.StatusPlanned}, isms.EINVALID},
			{"no status", writer, isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "law"}, isms.EINVALID},
			{"exclude without reason", writer, isms.SoAEntry{ControlID: "A.7.4"}, isms.EINVALID},
			{"exclude a control a risk uses", writer, isms.SoAEntry{ControlID: "A.8.13", Justification: "cloud only"}, isms.EINVALID},
			{"include", writer, isms.SoAEntry{ControlID: "A.8.13", Applicable: true, Justification: "risk R-001", Status: isms.StatusPartial, ProcessIDs: []int64{proc}}, ""},
			{"exclude, status dropped", writer, isms.SoAEntry{ControlID: "A.7.4", Justification: "no premises of our own", Status: isms.StatusImplemented}, ""},
			{"implemented", writer, isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "contract with customers", Status: isms.StatusImplemented}, ""},
			{"change a decision", writer, isms.SoAEntry{ControlID: "A.5.1", Applicable: true, Justification: "contract with customers", Status: isms.StatusImplemented}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.app.UpdateSoA(ctx, tt.p, "acme", tt.e)
				if got := isms.ErrorCode(err); got != tt.code {
					t.Errorf("code %q, want %q (%v)", got, tt.code, err)
				}
			})
		}

		// A risk cannot rely on an excluded control.
		if _, err := f.app.CreateRisk(ctx, writer, "acme", app.RiskFields{Asset: "office", Threat: "burglary", Controls: []string{"A.7.4"}}, 2, 2, ""); isms.ErrorCode(err) != isms.EINVALID {
			t.Errorf("risk names an excluded control: %v", err)
		}

		c, procs, err := f.app.SoAControl(ctx, viewer, "acme", "A.8.13")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Decided || !c.Applicable || c.Status != isms.StatusPartial || len(c.Risks) != 1 || c.Risks[0].ID != risk.ID ||
			len(c.Processes) != 1 || c.Processes[0].Name != "Backups" || len(procs) != 1 || c.UpdatedBy != writer.Label {
			t.Errorf("A.8.13 %+v", c)
		}
		if c, _, _ := f.app.SoAControl(ctx, viewer, "acme", "A.7.4"); c.Decision() != "excluded" || c.Status != "" {
			t.Errorf("A.7.4 %+v", c)
		}
		if _, _, err := f.app.SoAControl(ctx, viewer, "acme", "A.18.1.1"); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("unknown control: %v", err)
		}

		soa, _ = f.app.SoA(ctx, viewer, "acme", app.SoAFilter{})
		if soa.Decided != 3 || soa.Applicable != 2 || soa.Implemented != 1 || len(soa.Controls) != 93 {
			t.Errorf("counts: decided %d applicable %d implemented %d", soa.Decided, soa.Applicable, soa.Implemented)
		}
		for _, tt := range []struct {
			f    app.SoAFilter
			want int
		}{
			{app.SoAFilter{Theme: "People"}, 8}, {app.SoAFilter{Applicability: "yes"}, 2}, {app.SoAFilter{Applicability: "no"}, 1},
			{app.SoAFilter{Applicability: "undecided"}, 90}, {app.SoAFilter{Status: isms.StatusImplemented}, 1},
			{app.SoAFilter{Theme: "Technological", Applicability: "yes"}, 1},
		} {
			soa, err := f.app.SoA(ctx, viewer, "acme", tt.f)
			if err != nil || len(soa.Controls) != tt.want {
				t.Errorf("filter %+v: %d controls, want %d (%v)", tt.f, len(soa.Controls), tt.want, err)
			}
		}

		events, err := f.app.Events(ctx, app.System, "acme", store.EventFilter{Action: "soa.update"})
		if err != nil || len(events) != 4 {
			t.Errorf("soa.update events: %d, %v; want 4", len(events), err)
		}
		// The registers of the exports page and the evidence bundle.
		for name, rows := range map[string]int{app.SoARegister: 93, "risks": 1, "risk-assessments": 1} {
			tb, err := f.app.ExportRegister(ctx, viewer, "acme", name)
			if err != nil || len(tb.Rows) != rows {
				t.Errorf("register %s: %v, want %d rows", name, err, rows)
				continue
			}
			if name == app.SoARegister && (tb.Rows[92][0] != "A.8.34" || len(tb.Rows[0]) != len(tb.Columns)) {
				t.Errorf("last SoA row %v", tb.Rows[92])
			}
		}
		other := mustFixture(t, db, "other")
		if s, _ := other.app.SoA(ctx, other.members[isms.RoleViewer], "other", app.SoAFilter{}); s.Decided != 0 {
			t.Errorf("another organisation sees %d decisions", s.Decided)
		}
	})
}

package isms_test

import (
	"testing"

	"github.com/pdca/pdca/internal/isms"
)

// TestPermissionMatrix spells out the whole role × action table, so any
// change to who may do what is a deliberate, reviewed change of this test.
func TestPermissionMatrix(t *testing.T) {
	const Y, N = true, false
	want := map[isms.Role]map[isms.Action]bool{
		isms.RoleAdmin:        {isms.ActRead: Y, isms.ActReadAudit: Y, isms.ActManageMembers: Y, isms.ActManageOrg: Y, isms.ActManageTokens: Y, isms.ActImport: Y, isms.ActManageMetrics: Y, isms.ActWriteRecords: Y, isms.ActDecide: Y, isms.ActReportIncident: Y},
		isms.RoleISMSManager:  {isms.ActRead: Y, isms.ActReadAudit: Y, isms.ActManageMembers: N, isms.ActManageOrg: N, isms.ActManageTokens: Y, isms.ActImport: Y, isms.ActManageMetrics: Y, isms.ActWriteRecords: Y, isms.ActDecide: Y, isms.ActReportIncident: Y},
		isms.RoleProcessOwner: {isms.ActRead: Y, isms.ActReadAudit: N, isms.ActManageMembers: N, isms.ActManageOrg: N, isms.ActManageTokens: Y, isms.ActImport: Y, isms.ActManageMetrics: N, isms.ActWriteRecords: Y, isms.ActDecide: N, isms.ActReportIncident: Y},
		isms.RoleManagement:   {isms.ActRead: Y, isms.ActReadAudit: N, isms.ActManageMembers: N, isms.ActManageOrg: N, isms.ActManageTokens: N, isms.ActImport: N, isms.ActManageMetrics: N, isms.ActWriteRecords: N, isms.ActDecide: Y, isms.ActReportIncident: Y},
		isms.RoleAuditor:      {isms.ActRead: Y, isms.ActReadAudit: Y, isms.ActManageMembers: N, isms.ActManageOrg: N, isms.ActManageTokens: N, isms.ActImport: N, isms.ActManageMetrics: N, isms.ActWriteRecords: N, isms.ActDecide: N, isms.ActReportIncident: Y},
		isms.RoleViewer:       {isms.ActRead: Y, isms.ActReadAudit: N, isms.ActManageMembers: N, isms.ActManageOrg: N, isms.ActManageTokens: N, isms.ActImport: N, isms.ActManageMetrics: N, isms.ActWriteRecords: N, isms.ActDecide: N, isms.ActReportIncident: Y},
	}
	if len(want) != len(isms.Roles()) {
		t.Fatalf("matrix has %d roles, domain has %d", len(want), len(isms.Roles()))
	}
	for _, r := range isms.Roles() {
		for _, a := range isms.Actions() {
			w, ok := want[r][a]
			if !ok {
				t.Errorf("matrix lacks %s × %s", r, a)
				continue
			}
			t.Run(string(r)+"/"+string(a), func(t *testing.T) {
				if got := r.Can(a); got != w {
					t.Errorf("%s can %s = %v, want %v", r, a, got, w)
				}
				err := isms.Authorize(r, a)
				if w && err != nil || !w && isms.ErrorCode(err) != isms.EFORBIDDEN {
					t.Errorf("Authorize(%s, %s) = %v", r, a, err)
				}
			})
		}
	}
	// The auditor changes nothing: it may only read, and (like everyone)
	// report a suspected incident, a duty of every member (issue 15).
	for _, a := range isms.Actions() {
		if a != isms.ActRead && a != isms.ActReadAudit && a != isms.ActReportIncident && isms.RoleAuditor.Can(a) {
			t.Errorf("auditor may %s", a)
		}
	}
	if err := isms.Role("root").Validate(); isms.ErrorCode(err) != isms.EINVALID {
		t.Errorf("unknown role accepted: %v", err)
	}
}

func TestAuditChain(t *testing.T) {
	var events []isms.Event
	prev := ""
	for i := int64(1); i <= 3; i++ {
		e := isms.Event{OrgID: 7, Seq: i, Actor: "a", Action: "x", Entity: "e", EntityID: "1", After: `{"n":1}`, PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		events = append(events, e)
	}
	if p := isms.VerifyChain(7, events, 3, prev); p != nil {
		t.Fatalf("honest chain: %+v", p)
	}
	altered := append([]isms.Event(nil), events...)
	altered[1].After = `{"n":2}`
	if p := isms.VerifyChain(7, altered, 3, prev); p == nil || p.Seq != 2 {
		t.Errorf("altered: %+v", p)
	}
	if p := isms.VerifyChain(7, []isms.Event{events[0], events[2]}, 3, prev); p == nil || p.Seq != 2 {
		t.Errorf("removed: %+v", p)
	}
	if p := isms.VerifyChain(7, events[:2], 3, prev); p == nil {
		t.Errorf("truncated tail not detected")
	}
	// Re-hashing a forged event does not help: its successor no longer points to it.
	forged := append([]isms.Event(nil), events...)
	forged[1].After = `{"n":2}`
	forged[1].Hash = forged[1].ComputeHash()
	if p := isms.VerifyChain(7, forged, 3, prev); p == nil || p.Seq != 3 {
		t.Errorf("forged and re-hashed: %+v", p)
	}
}

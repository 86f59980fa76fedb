package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

func newPolicy(owner int64) *isms.Document {
	return &isms.Document{Ref: "POL-01", Title: "Information security policy", Kind: isms.DocPolicy, Classification: isms.ClassInternal,
		OwnerID: owner, ApproverRole: isms.RoleManagement, ReviewMonths: 12}
}

// TestDocumentLifecycle: a document is written, reviewed and approved by
// someone else; an approved version is immutable; the next version
// supersedes it; every change is audited; other organisations see
// nothing.
func TestDocumentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		po, mgmt, ismsMgr, viewer := f.members[isms.RoleProcessOwner], f.members[isms.RoleManagement], f.members[isms.RoleISMSManager], f.members[isms.RoleViewer]
		code := func(name string, err error, want string) {
			t.Helper()
			if got := isms.ErrorCode(err); got != want {
				t.Fatalf("%s: code %q, want %q (%v)", name, got, want, err)
			}
		}
		code("viewer creates", f.app.CreateDocument(ctx, viewer, "acme", newPolicy(po.UserID)), isms.EFORBIDDEN)
		code("other org's admin creates", f.app.CreateDocument(ctx, other.members[isms.RoleAdmin], "acme", newPolicy(po.UserID)), isms.ENOTFOUND)
		code("owner from another org", f.app.CreateDocument(ctx, po, "acme", newPolicy(other.members[isms.RoleAdmin].UserID)), isms.EINVALID)
		doc := newPolicy(po.UserID)
		code("create", f.app.CreateDocument(ctx, po, "acme", doc), "")
		code("same ref", f.app.CreateDocument(ctx, po, "acme", newPolicy(po.UserID)), isms.ECONFLICT)

		v1, err := f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "# Policy\n\nLine one.\nLine two.\n", Major: true, ChangeNote: "first"})
		code("draft", err, "")
		if v1.Number() != "1.0" || v1.SHA256 != isms.HashText("# Policy\n\nLine one.\nLine two.\n") || v1.Status != isms.VerDraft {
			t.Fatalf("draft: %+v", v1)
		}
		// Rewriting the draft keeps one open version; the author may change
		// the number choice.
		v1b, err := f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "# Policy\n\nLine one.\nLine 2.\n", Major: false})
		code("rewrite draft", err, "")
		if v1b.ID != v1.ID || v1b.Number() != "0.1" {
			t.Fatalf("rewrite: %+v", v1b)
		}
		_, err = f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "# Policy\n\nLine one.\nLine two.\n", Major: true})
		code("major again", err, "")
		code("viewer submits", f.app.SubmitDocumentVersion(ctx, viewer, "acme", doc.ID, v1.ID), isms.EFORBIDDEN)
		code("submit", f.app.SubmitDocumentVersion(ctx, po, "acme", doc.ID, v1.ID), "")
		_, err = f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "changed in review"})
		code("edit in review", err, isms.ECONFLICT)
		code("process owner approves (not an approver)", f.app.ApproveDocumentVersion(ctx, po, "acme", doc.ID, v1.ID, ""), isms.EFORBIDDEN)
		code("reject without comment", f.app.RejectDocumentVersion(ctx, mgmt, "acme", doc.ID, v1.ID, " "), isms.EINVALID)
		code("reject", f.app.RejectDocumentVersion(ctx, mgmt, "acme", doc.ID, v1.ID, "say who owns it"), "")
		code("submit again", f.app.SubmitDocumentVersion(ctx, po, "acme", doc.ID, v1.ID), "")
		code("approve", f.app.ApproveDocumentVersion(ctx, mgmt, "acme", doc.ID, v1.ID, "good"), "")
		code("approve twice", f.app.ApproveDocumentVersion(ctx, mgmt, "acme", doc.ID, v1.ID, "good"), isms.ECONFLICT)

		view, err := f.app.Document(ctx, viewer, "acme", doc.ID)
		code("view", err, "")
		if view.Current == nil || view.Current.Number() != "1.0" || view.Current.ApprovedBy != mgmt.UserID || view.Open != nil {
			t.Fatalf("after approval: current %+v open %+v", view.Current, view.Open)
		}
		if want := time.Date(2027, 11, 10, 12, 0, 0, 0, time.UTC); view.Doc.NextReviewAt == nil || !view.Doc.NextReviewAt.Equal(want) {
			t.Errorf("next review %v, want %v", view.Doc.NextReviewAt, want)
		}
		if len(view.Approvals) != 2 || view.Approvals[0].Decision != isms.DecisionApprove || view.Approvals[1].Comment != "say who owns it" {
			t.Errorf("approvals: %+v", view.Approvals)
		}
		// A new minor draft after the approved 1.0 is 1.1; approving it
		// supersedes 1.0.
		now = now.AddDate(0, 1, 0)
		v2, err := f.app.PutDocumentDraft(ctx, ismsMgr, "acme", doc.ID, app.DraftInput{Body: "# Policy\n\nLine one.\nLine three.\n"})
		code("second draft", err, "")
		if v2.Number() != "1.1" || v2.ID == v1.ID {
			t.Fatalf("second draft: %+v", v2)
		}
		code("submit 1.1", f.app.SubmitDocumentVersion(ctx, ismsMgr, "acme", doc.ID, v2.ID), "")
		code("approve 1.1", f.app.ApproveDocumentVersion(ctx, mgmt, "acme", doc.ID, v2.ID, ""), "")
		view, _ = f.app.Document(ctx, viewer, "acme", doc.ID)
		if view.Current.ID != v2.ID || view.Versions[1].Status != isms.VerSuperseded {
			t.Errorf("supersede: %+v", view.Versions)
		}
		_, _, diff, err := f.app.DocumentDiff(ctx, viewer, "acme", doc.ID, v1.ID, v2.ID)
		code("diff", err, "")
		var ops []string
		for _, l := range diff {
			ops = append(ops, l.Op[:1]+l.Text)
		}
		if got := strings.Join(ops, "|"); got != "e# Policy|e|eLine one.|dLine two.|iLine three." {
			t.Errorf("diff: %s", got)
		}
		if _, err := f.app.Document(ctx, other.members[isms.RoleAdmin], "acme", doc.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("other org reads: %v", err)
		}
		if _, err := f.app.Document(ctx, other.members[isms.RoleAdmin], "beta", doc.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("other org reads through its own slug: %v", err)
		}
		// Files: recognised by their bytes, hashed.
		_, err = f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{File: []byte("MZ\x90\x00"), FileName: "policy.pdf"})
		code("exe named pdf", err, isms.EINVALID)
		pdf := []byte("%PDF-1.7\n%%EOF\n")
		v3, err := f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{File: pdf, FileName: `C:\x\policy.txt`, Major: true})
		code("pdf", err, "")
		if v3.Number() != "2.0" || v3.FileName != "policy.pdf" || v3.FileType != isms.TypePDF || v3.SHA256 != isms.HashBytes(pdf) || v3.Body != "" {
			t.Errorf("file version: %+v", v3)
		}
		got, b, err := f.app.DocumentFile(ctx, viewer, "acme", doc.ID, v3.ID)
		if err != nil || string(b) != string(pdf) || got.FileType != isms.TypePDF {
			t.Errorf("download: %v %v", got, err)
		}
		if _, _, err := f.app.DocumentFile(ctx, viewer, "acme", doc.ID, v1.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
			t.Errorf("download of Markdown: %v", err)
		}
		// Metadata, retirement.
		doc.Title, doc.ReviewMonths = "Security policy", 6
		code("update", f.app.UpdateDocument(ctx, po, "acme", doc), "")
		view, _ = f.app.Document(ctx, viewer, "acme", doc.ID)
		if want := time.Date(2027, 6, 10, 12, 0, 0, 0, time.UTC); view.Doc.Title != "Security policy" || !view.Doc.NextReviewAt.Equal(want) {
			t.Errorf("update: %q %v, want review %v", view.Doc.Title, view.Doc.NextReviewAt, want)
		}
		code("process owner retires", f.app.RetireDocument(ctx, po, "acme", doc.ID), isms.EFORBIDDEN)
		code("retire", f.app.RetireDocument(ctx, ismsMgr, "acme", doc.ID), "")
		_, err = f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "x"})
		code("draft after retirement", err, isms.ECONFLICT)

		evs, err := f.app.Events(ctx, f.members[isms.RoleAuditor], "acme", store.EventFilter{Entity: "document"})
		code("events", err, "")
		seen := map[string]bool{}
		for _, e := range evs {
			seen[e.Action] = true
		}
		for _, a := range []string{"document.create", "document.update", "document.version_draft", "document.submit", "document.approve", "document.reject", "document.retire"} {
			if !seen[a] {
				t.Errorf("no %s event (have %v)", a, seen)
			}
		}
		for _, e := range evs {
			if strings.Contains(e.After, "Line one.") {
				t.Errorf("%s keeps the Markdown in the audit trail", e.Action)
			}
		}
	})
}

// TestDocumentFourEyes: the author may not approve their own version
// while another approver is a member; a named approver may approve.
func TestDocumentFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "acme")
		mgmt, viewer, po := f.members[isms.RoleManagement], f.members[isms.RoleViewer], f.members[isms.RoleProcessOwner]
		doc := newPolicy(po.UserID)
		doc.ApproverRole = isms.RoleManagement
		if err := f.app.CreateDocument(ctx, po, "acme", doc); err != nil {
			t.Fatal(err)
		}
		// The only management member writes and approves: nobody else could.
		// (Management may not write documents, so the system writes for them
		// via a process owner who is then named approver below.)
		v, err := f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "text"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.SubmitDocumentVersion(ctx, po, "acme", doc.ID, v.ID); err != nil {
			t.Fatal(err)
		}
		doc.Approvers = []int64{po.UserID, viewer.UserID}
		if err := f.app.UpdateDocument(ctx, po, "acme", doc); err != nil {
			t.Fatal(err)
		}
		if err := f.app.ApproveDocumentVersion(ctx, po, "acme", doc.ID, v.ID, ""); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("author approves while others could: %v", err)
		}
		view, _ := f.app.Document(ctx, viewer, "acme", doc.ID)
		if !view.CanApprove {
			t.Error("a named approver sees no approve button")
		}
		if err := f.app.ApproveDocumentVersion(ctx, viewer, "acme", doc.ID, v.ID, "ok"); err != nil {
			t.Errorf("named approver: %v", err)
		}
		// Only the author could approve: allowed, and the record says so.
		doc2 := newPolicy(po.UserID)
		doc2.Ref, doc2.ApproverRole, doc2.Approvers = "POL-02", isms.RoleAdmin, []int64{po.UserID}
		if err := f.app.CreateDocument(ctx, po, "acme", doc2); err != nil {
			t.Fatal(err)
		}
		// Remove the admin's eligibility by role: make the process owner the
		// only eligible member through an approver role nobody else holds.
		doc2.ApproverRole = isms.RoleProcessOwner
		doc2.Approvers = nil
		if err := f.app.UpdateDocument(ctx, po, "acme", doc2); err != nil {
			t.Fatal(err)
		}
		v2, _ := f.app.PutDocumentDraft(ctx, po, "acme", doc2.ID, app.DraftInput{Body: "text"})
		if err := f.app.SubmitDocumentVersion(ctx, po, "acme", doc2.ID, v2.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.app.ApproveDocumentVersion(ctx, mgmt, "acme", doc2.ID, v2.ID, ""); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("management approves a process-owner document: %v", err)
		}
		if err := f.app.ApproveDocumentVersion(ctx, po, "acme", doc2.ID, v2.ID, ""); err != nil {
			t.Errorf("sole eligible author approves: %v", err)
		}
		view, _ = f.app.Document(ctx, viewer, "acme", doc2.ID)
		if len(view.Approvals) != 1 || !strings.Contains(view.Approvals[0].Comment, "approved by its author") {
			t.Errorf("sole-approver record: %+v", view.Approvals)
		}
	})
}

// TestDocumentLoopGate: a corrective action that requires a revision of a
// document cannot be completed until a version approved since exists;
// links are validated in the organisation; review dates are due items.
func TestDocumentLoopGate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
		clock(db, &now)
		f := mustFixture(t, db, "acme")
		other := mustFixture(t, db, "beta")
		po, mgmt, viewer := f.members[isms.RoleProcessOwner], f.members[isms.RoleManagement], f.members[isms.RoleViewer]
		doc := newPolicy(po.UserID)
		if err := f.app.CreateDocument(ctx, po, "acme", doc); err != nil {
			t.Fatal(err)
		}
		approve := func(body string, actionID int64) {
			t.Helper()
			v, err := f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: body, ActionID: actionID})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.app.SubmitDocumentVersion(ctx, po, "acme", doc.ID, v.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.app.ApproveDocumentVersion(ctx, mgmt, "acme", doc.ID, v.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		approve("v1", 0)
		d, err := f.app.CreateDeviation(ctx, po, "acme", app.DeviationInput{Title: "policy gap", Kind: "minor", Source: "complaint", Severity: "medium"})
		if err != nil {
			t.Fatal(err)
		}
		d, err = f.app.AddCorrectiveAction(ctx, po, "acme", d.ID, app.ActionInput{Title: "revise the policy", DueAt: now.AddDate(0, 0, 14)})
		if err != nil {
			t.Fatal(err)
		}
		act := d.Actions[0].ID
		od, _ := other.app.CreateDeviation(ctx, other.members[isms.RoleProcessOwner], "beta", app.DeviationInput{Title: "x", Kind: "minor", Source: "complaint", Severity: "low"})
		od, _ = other.app.AddCorrectiveAction(ctx, other.members[isms.RoleProcessOwner], "beta", od.ID, app.ActionInput{Title: "y", DueAt: now.AddDate(0, 0, 1)})
		for _, tt := range []struct {
			name, kind, target, code string
		}{
			{"other org's action", isms.LinkRequiresAction, itoa(od.Actions[0].ID), isms.EINVALID},
			{"no such process", isms.LinkProcess, "999", isms.EINVALID},
			{"not a control", isms.LinkControl, "A.99.1", isms.EINVALID},
			{"unknown kind", "wiki", "x", isms.EINVALID},
			{"control", isms.LinkControl, "A.5.1", ""},
			{"requirement", isms.LinkRequiresAction, itoa(act), ""},
		} {
			if got := isms.ErrorCode(f.app.AddDocumentLink(ctx, po, "acme", doc.ID, tt.kind, tt.target)); got != tt.code {
				t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
			}
		}
		if err := f.app.AddDocumentLink(ctx, viewer, "acme", doc.ID, isms.LinkControl, "A.5.2"); isms.ErrorCode(err) != isms.EFORBIDDEN {
			t.Errorf("viewer links: %v", err)
		}
		view, _ := f.app.Document(ctx, viewer, "acme", doc.ID)
		if len(view.Requirements) != 1 || view.Requirements[0].Action == nil || view.Requirements[0].Action.DeviationRef != d.Ref {
			t.Errorf("requirement on the page: %+v", view.Requirements)
		}
		// The version approved before the requirement does not count.
		now = now.Add(time.Hour)
		_, err = f.app.CompleteAction(ctx, po, "acme", d.ID, act, "revised", nil, time.Time{})
		if isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), "POL-01") {
			t.Fatalf("complete before the revision: %v", err)
		}
		// The deviation names, per action, the documents it waits for.
		revisions := func() []store.RevisionRequirement {
			t.Helper()
			dv, err := f.app.Deviation(ctx, po, "acme", d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return dv.Revisions[act]
		}
		if rs := revisions(); len(rs) != 1 || rs[0].Ref != "POL-01" || rs[0].Satisfied || rs[0].TargetID != act {
			t.Errorf("the deviation's action waits for %+v, want POL-01 unsatisfied", rs)
		}
		approve("v2, revised", act)
		if rs := revisions(); len(rs) != 1 || !rs[0].Satisfied {
			t.Errorf("after the revision the action's requirement is %+v, want satisfied", rs)
		}
		if _, err := f.app.CompleteAction(ctx, po, "acme", d.ID, act, "revised", nil, time.Time{}); err != nil {
			t.Fatalf("complete after the revision: %v", err)
		}
		// A management review decision gates the same way.
		r := &isms.Review{Period: "2026-Q4", HeldOn: now.AddDate(0, 0, 10), ChairID: mgmt.UserID, Attendees: "CEO"}
		if err := f.app.CreateReview(ctx, f.members[isms.RoleISMSManager], "acme", r); err != nil {
			t.Fatal(err)
		}
		deadline := now.AddDate(0, 1, 0)
		dec := &isms.ReviewAction{Kind: isms.DecisionAction, Title: "Tighten the policy", OwnerID: po.UserID, Deadline: &deadline}
		if err := f.app.AddDecision(ctx, mgmt, "acme", r.ID, dec); err != nil {
			t.Fatal(err)
		}
		if err := f.app.AddDocumentLink(ctx, po, "acme", doc.ID, isms.LinkRequiresDecision, itoa(dec.ID)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := f.app.CompleteDecision(ctx, po, "acme", r.ID, dec.ID, "done"); isms.ErrorCode(err) != isms.EINVALID || !strings.Contains(err.Error(), "POL-01") {
			t.Fatalf("complete the decision before the revision: %v", err)
		}
		v, err := f.app.PutDocumentDraft(ctx, po, "acme", doc.ID, app.DraftInput{Body: "v3", DecisionID: dec.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.SubmitDocumentVersion(ctx, po, "acme", doc.ID, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.app.ApproveDocumentVersion(ctx, mgmt, "acme", doc.ID, v.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.app.CompleteDecision(ctx, po, "acme", r.ID, dec.ID, "done"); err != nil {
			t.Fatalf("complete the decision after the revision: %v", err)
		}
		// The review date is a due item for the owner.
		items, err := f.app.DueItems(ctx, viewer, "acme")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, it := range items {
			if it.Kind == "document-review" && it.OwnerID == po.UserID && strings.Contains(it.Title, "POL-01") && it.Due.Equal(now.AddDate(1, 0, 0)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no document-review due item in %+v", items)
		}
		// Overdue filter, and the management review's input.
		now = now.AddDate(1, 0, 1)
		rv, err := f.app.Review(ctx, viewer, "acme", r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var docInput *app.ReviewInput
		for i := range rv.Inputs {
			if rv.Inputs[i].Key == "documents" {
				docInput = &rv.Inputs[i]
			}
		}
		if docInput == nil || docInput.Status != "red" || len(docInput.Rows) != 1 || docInput.Rows[0][0] != "POL-01" || docInput.Rows[0][5] != "overdue" {
			t.Errorf("review input: %+v", docInput)
		}
		docs, total, err := f.app.Documents(ctx, viewer, "acme", store.DocumentFilter{Overdue: true})
		if err != nil || total != 1 || docs[0].ID != doc.ID {
			t.Errorf("overdue register: %d %v", total, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// TestDocumentStorage: documents, versions, files, approvals and links
// round-trip on both engines; the register is filtered and paged in SQL
// and every read is scoped by organisation; a revision requirement is
// satisfied only by a version approved since it was recorded.
func TestDocumentStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 16, 30, 0, 123000, time.UTC)
		db.Now = func() time.Time { return now }
		var acme, other isms.Organization
		var owner, boss isms.User
		docs := map[string]*isms.Document{}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.Write(ctx, func(tx *store.Tx) error {
			acme, other = isms.Organization{Slug: "acme", Name: "Acme", TimeZone: "UTC"}, isms.Organization{Slug: "other", Name: "Other", TimeZone: "UTC"}
			for _, o := range []*isms.Organization{&acme, &other} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			owner, boss = isms.User{Email: "o@acme.example", Name: "Olli"}, isms.User{Email: "b@acme.example", Name: "Bea"}
			for _, u := range []*isms.User{&owner, &boss} {
				if err := tx.CreateUser(ctx, u, ""); err != nil {
					return err
				}
			}
			must(tx.AddMembership(ctx, &isms.Membership{OrgID: acme.ID, UserID: owner.ID, Role: isms.RoleProcessOwner}))
			must(tx.AddMembership(ctx, &isms.Membership{OrgID: acme.ID, UserID: boss.ID, Role: isms.RoleManagement}))
			past := now.AddDate(0, -1, 0)
			for _, d := range []*isms.Document{
				{OrgID: acme.ID, Ref: "POL-01", Title: "Security policy", Kind: isms.DocPolicy, Classification: isms.ClassInternal, OwnerID: owner.ID,
					ApproverRole: isms.RoleManagement, ReviewMonths: 12, NextReviewAt: &past, Approvers: []int64{owner.ID}},
				{OrgID: acme.ID, Ref: "PRO-01", Title: "Access procedure", Kind: isms.DocProcedure, Classification: isms.ClassConfidential, OwnerID: boss.ID,
					ApproverRole: isms.RoleISMSManager, ReviewMonths: 6},
				{OrgID: other.ID, Ref: "POL-01", Title: "Other's policy", Kind: isms.DocPolicy, Classification: isms.ClassPublic, OwnerID: owner.ID,
					ApproverRole: isms.RoleManagement, ReviewMonths: 12, NextReviewAt: &past},
			} {
				if err := tx.CreateDocument(ctx, d); err != nil {
					return err
				}
				if d.OrgID == acme.ID {
					docs[d.Ref] = d
				}
			}
			return nil
		}))
		// A conflict aborts its transaction (on PostgreSQL), so each has its own.
		conflicts := func(name string, fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Write(ctx, fn); isms.ErrorCode(err) != isms.ECONFLICT {
				t.Errorf("%s: %v, want ECONFLICT", name, err)
			}
		}
		conflicts("same ref", func(tx *store.Tx) error { dup := *docs["POL-01"]; return tx.CreateDocument(ctx, &dup) })
		pol := docs["POL-01"]
		var draft, file *isms.DocumentVersion
		must(db.Write(ctx, func(tx *store.Tx) error {
			body := "# Policy\n\nBe careful."
			draft = &isms.DocumentVersion{OrgID: acme.ID, DocumentID: pol.ID, Major: 1, Status: isms.VerInReview, Body: body, SHA256: isms.HashText(body),
				CreatedBy: owner.ID, ActionID: 0}
			must(tx.InsertDocumentVersion(ctx, draft))
			must(tx.AddDocumentLink(ctx, acme.ID, &store.DocumentLink{DocumentID: pol.ID, Kind: isms.LinkRequiresAction, Target: "42"}))
			must(tx.AddDocumentLink(ctx, acme.ID, &store.DocumentLink{DocumentID: pol.ID, Kind: isms.LinkControl, Target: "A.5.1"}))
			return nil
		}))
		conflicts("same number", func(tx *store.Tx) error { dup := *draft; return tx.InsertDocumentVersion(ctx, &dup) })
		conflicts("same link", func(tx *store.Tx) error {
			return tx.AddDocumentLink(ctx, acme.ID, &store.DocumentLink{DocumentID: pol.ID, Kind: isms.LinkControl, Target: "A.5.1"})
		})
		// Not satisfied while the version is only in review.
		must(db.Read(ctx, func(tx *store.Tx) error {
			reqs, err := tx.RevisionRequirements(ctx, acme.ID, isms.LinkRequiresAction, 42)
			if err != nil || len(reqs) != 1 || reqs[0].Satisfied || reqs[0].Ref != "POL-01" || reqs[0].Since == nil || !reqs[0].Since.Equal(now) {
				t.Errorf("requirements before approval: %+v %v", reqs, err)
			}
			if reqs, _ := tx.RevisionRequirements(ctx, other.ID, isms.LinkRequiresAction, 42); len(reqs) != 0 {
				t.Errorf("other org sees requirements: %+v", reqs)
			}
			return nil
		}))
		now = now.Add(time.Hour)
		must(db.Write(ctx, func(tx *store.Tx) error {
			if err := draft.Decide(isms.DecisionApprove, boss.ID, tx.Now); err != nil {
				return err
			}
			must(tx.SupersedeApproved(ctx, acme.ID, pol.ID))
			must(tx.UpdateDocumentVersion(ctx, draft))
			must(tx.InsertDocumentApproval(ctx, acme.ID, &store.DocumentApproval{DocumentID: pol.ID, VersionID: draft.ID, UserID: boss.ID,
				Actor: boss.Email, Decision: isms.DecisionApprove, Comment: "fine"}))
			file = &isms.DocumentVersion{OrgID: acme.ID, DocumentID: pol.ID, Major: 1, Minor: 1, Status: isms.VerDraft, FileName: "p.pdf",
				FileType: isms.TypePDF, FileSize: 8, SHA256: isms.HashBytes([]byte("%PDF-1.7")), CreatedBy: owner.ID}
			must(tx.InsertDocumentVersion(ctx, file))
			must(tx.SaveDocumentFile(ctx, acme.ID, file.ID, []byte("%PDF-1.0")))
			return tx.SaveDocumentFile(ctx, acme.ID, file.ID, []byte("%PDF-1.7"))
		}))
		must(db.Read(ctx, func(tx *store.Tx) error {
			d, err := tx.Document(ctx, acme.ID, pol.ID)
			if err != nil || d.Current != "1.0" || d.Open != isms.VerDraft || d.OwnerName != "Olli" || len(d.Approvers) != 1 || d.Approvers[0] != owner.ID {
				t.Errorf("document: %+v %v", d, err)
			}
			if _, err := tx.Document(ctx, other.ID, pol.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("other org reads the document: %v", err)
			}
			vs, err := tx.DocumentVersions(ctx, acme.ID, pol.ID)
			if err != nil || len(vs) != 2 || vs[0].Number() != "1.1" || vs[1].Status != isms.VerApproved || vs[1].ApproverName != "Bea" || vs[1].Body != "" {
				t.Errorf("versions: %+v %v", vs, err)
			}
			v, err := tx.DocumentVersion(ctx, acme.ID, pol.ID, draft.ID)
			if err != nil || v.Body != draft.Body || v.ApprovedAt == nil || !v.ApprovedAt.Equal(now) || v.AuthorName != "Olli" {
				t.Errorf("version: %+v %v", v, err)
			}
			if _, err := tx.DocumentVersion(ctx, other.ID, pol.ID, draft.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("other org reads a version: %v", err)
			}
			b, err := tx.DocumentFile(ctx, acme.ID, file.ID)
			if err != nil || string(b) != "%PDF-1.7" {
				t.Errorf("file: %q %v", b, err)
			}
			if _, err := tx.DocumentFile(ctx, other.ID, file.ID); isms.ErrorCode(err) != isms.ENOTFOUND {
				t.Errorf("other org reads a file: %v", err)
			}
			as, err := tx.DocumentApprovals(ctx, acme.ID, pol.ID)
			if err != nil || len(as) != 1 || as[0].Version != "1.0" || as[0].Comment != "fine" {
				t.Errorf("approvals: %+v %v", as, err)
			}
			ls, err := tx.DocumentLinks(ctx, acme.ID, pol.ID)
			if err != nil || len(ls) != 2 || ls[0].Kind != isms.LinkControl || ls[1].Target != "42" {
				t.Errorf("links: %+v %v", ls, err)
			}
			reqs, err := tx.RevisionRequirements(ctx, acme.ID, isms.LinkRequiresAction, 42)
			if err != nil || len(reqs) != 1 || !reqs[0].Satisfied {
				t.Errorf("requirements after approval: %+v %v", reqs, err)
			}
			n, err := tx.EligibleApprovers(ctx, d, boss.ID)
			if err != nil || n != 1 { // the named approver Olli
				t.Errorf("eligible approvers except Bea: %d %v", n, err)
			}
			for _, tt := range []struct {
				name string
				f    store.DocumentFilter
				want []string
			}{
				{"all current", store.DocumentFilter{}, []string{"POL-01", "PRO-01"}},
				{"kind", store.DocumentFilter{Kind: isms.DocProcedure}, []string{"PRO-01"}},
				{"approved", store.DocumentFilter{Status: "approved"}, []string{"POL-01"}},
				{"draft", store.DocumentFilter{Status: "draft"}, []string{"PRO-01"}},
				{"in review", store.DocumentFilter{Status: "in_review"}, nil},
				{"owner", store.DocumentFilter{OwnerID: boss.ID}, []string{"PRO-01"}},
				{"overdue", store.DocumentFilter{Overdue: true, Now: now}, []string{"POL-01"}},
				{"page 2", store.DocumentFilter{Limit: 1, Offset: 1}, []string{"PRO-01"}},
			} {
				got, total, err := tx.DocumentPage(ctx, acme.ID, tt.f)
				var refs []string
				for _, d := range got {
					refs = append(refs, d.Ref)
				}
				if err != nil || len(refs) != len(tt.want) || (len(refs) > 0 && refs[0] != tt.want[0]) {
					t.Errorf("%s: %v (total %d) %v, want %v", tt.name, refs, total, err, tt.want)
				}
				if tt.name == "page 2" && total != 2 {
					t.Errorf("page 2: total %d, want 2", total)
				}
			}
			due, err := tx.DocumentsDueForReview(ctx, acme.ID, now)
			if err != nil || len(due) != 1 || due[0].Ref != "POL-01" {
				t.Errorf("due: %v %v", due, err)
			}
			return nil
		}))
		// Retired documents leave the default register.
		must(db.Write(ctx, func(tx *store.Tx) error {
			pol.RetiredAt = &now
			return tx.UpdateDocument(ctx, pol)
		}))
		must(db.Read(ctx, func(tx *store.Tx) error {
			got, total, err := tx.DocumentPage(ctx, acme.ID, store.DocumentFilter{})
			if err != nil || total != 1 || got[0].Ref != "PRO-01" {
				t.Errorf("after retiring: %d %v", total, err)
			}
			if got, _, _ := tx.DocumentPage(ctx, acme.ID, store.DocumentFilter{Status: "retired"}); len(got) != 1 || got[0].Status() != "retired" {
				t.Errorf("retired filter: %v", got)
			}
			return nil
		}))
	})
}

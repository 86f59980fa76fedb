package web_test

import (
	"context"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
)

// Acknowledgement of policies (issue 18, item 3) plugs into the generated
// tests: a Markdown policy and a policy that is a file, each with an
// approved version published to the viewers (few requests, so few
// reminders, keep the audit page's first page for the other tests),
// written, approved and published through the register's use cases.
func init() {
	registerAggregate(aggregate{
		name: "acknowledgements",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			md, mdv := mustPublishedDocument(t, a, o, "POL-1", "Information security policy", "# Security policy\n\nLock your screen.\n\n<script>alert(1)</script>", "", nil, isms.RoleViewer)
			_, filev := mustPublishedDocument(t, a, o, "POL-2", "Acceptable use policy", "", "acceptable-use.pdf", []byte("%PDF-1.4 acceptable use"), isms.RoleViewer)
			return map[string]string{"acknowledgements.vid": id(filev), "documents.id": id(md), "ack.doc": id(md), "ack.md": id(mdv)}
		},
		pages: map[string]pageRequest{
			"acknowledgements": {path: "/o/acme/acknowledgements", want: []string{"Policies to read and acknowledge", "No requests", "The register of everyone"}},
			"acknowledgement":  {path: "/o/acme/acknowledgements/versions/{ack.md}", want: []string{"<h1>Security policy</h1>", "Lock your screen.", "Nothing is asked of you for this version."}},
			"document_publish": {path: "/o/acme/documents/{ack.doc}/publish", want: []string{"Publish version 1.0", "All members", "Members with these roles", "by The isms manager to"}},
		},
		bodies: map[string]jsonBody{
			"publish-document-version": `{"audience":"all"}`,
		},
	})
}

// mustPublishedDocument creates a document with an approved version 1.0
// (Markdown body, or a file; written by the ISMS manager, approved by
// management) and has the ISMS manager publish it to the fixture's people
// of the roles (every member without any); it returns the document's and
// the version's ids.
func mustPublishedDocument(t *testing.T, a *app.App, o *org, ref, title, body, fileName string, file []byte, roles ...isms.Role) (int64, int64) {
	t.Helper()
	doc, ver := approvedDocument(t, a, o, ref, title, app.DraftInput{Body: body, File: file, FileName: fileName, Major: true, ChangeNote: "First version"})
	if _, err := a.PublishDocumentVersion(context.Background(), principalOf(o, isms.RoleISMSManager), o.Slug, doc, app.PublishInput{Audience: audienceOf(o, roles)}); err != nil {
		t.Fatalf("publish %s: %v", ref, err)
	}
	return doc, ver
}

// principalOf is the fixture's member with the role.
func principalOf(o *org, r isms.Role) app.Principal {
	return app.Principal{UserID: o.users[r].ID, Label: o.users[r].Email}
}

// approvedDocument creates a policy through the register's use cases: the
// ISMS manager writes and submits version 1.0, management approves it.
func approvedDocument(t *testing.T, a *app.App, o *org, ref, title string, in app.DraftInput) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	author := principalOf(o, isms.RoleISMSManager)
	d := &isms.Document{Ref: ref, Title: title, Kind: isms.DocPolicy, Classification: isms.ClassInternal,
		OwnerID: author.UserID, ApproverRole: isms.RoleManagement, ReviewMonths: 12}
	if err := a.CreateDocument(ctx, author, o.Slug, d); err != nil {
		t.Fatalf("create document %s: %v", ref, err)
	}
	v, err := a.PutDocumentDraft(ctx, author, o.Slug, d.ID, in)
	if err != nil {
		t.Fatalf("draft %s: %v", ref, err)
	}
	if err := a.SubmitDocumentVersion(ctx, author, o.Slug, d.ID, v.ID); err != nil {
		t.Fatalf("submit %s: %v", ref, err)
	}
	if err := a.ApproveDocumentVersion(ctx, principalOf(o, isms.RoleManagement), o.Slug, d.ID, v.ID, "Approved"); err != nil {
		t.Fatalf("approve %s: %v", ref, err)
	}
	return d.ID, v.ID
}

// audienceOf is every member (no roles), or the named people who hold the
// roles in the fixture (not those who join later).
func audienceOf(o *org, roles []isms.Role) isms.Audience {
	if len(roles) == 0 {
		return isms.Audience{Kind: isms.AudienceAll}
	}
	a := isms.Audience{Kind: isms.AudiencePeople}
	for _, r := range roles {
		a.People = append(a.People, o.users[r].ID)
	}
	return a
}

// insertApprovedDocument creates a document with an approved Markdown
// version 1.0, unpublished; it returns the document's and version's ids.
func insertApprovedDocument(t *testing.T, a *app.App, o *org, ref, title, body string) (int64, int64) {
	t.Helper()
	return approvedDocument(t, a, o, ref, title, app.DraftInput{Body: body, Major: true, ChangeNote: "First version"})
}

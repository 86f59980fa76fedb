package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
)

// Documents plug into the generated tests (see aggregates_test.go): a
// policy with an approved Markdown version 1.0 and a PDF version 1.1 in
// review, written by the system so that every member, named as an
// approver, may decide on it.
func init() {
	registerAggregate(aggregate{
		name: "documents",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			d, _, v2 := mustDocument(t, a, o)
			return map[string]string{"documents.id": id(d.ID), "documents.vid": id(v2.ID)}
		},
		pages: map[string]pageRequest{
			"documents":        {path: "/o/acme/documents", want: []string{"<h1>Documents</h1>", "POL-01", "Policy of Acme Oy", "Add a document"}},
			"document":         {path: "/o/acme/documents/{documents.id}", want: []string{"<h1>POL-01 Policy of Acme Oy</h1>", "Version 1.0 in force", "<strong>Passwords</strong>", "Awaiting approval: version 1.1", `id="approve"`}},
			"document_form":    {path: "/o/acme/documents/new", want: []string{"New document", `name="approver_role"`}},
			"document_draft":   {path: "/o/acme/documents/{documents.id}/draft", want: []string{"Draft 1.1 of POL-01", `enctype="multipart/form-data"`}},
			"document_version": {path: "/o/acme/documents/{documents.id}/versions/{documents.vid}", want: []string{"POL-01 version 1.1", "policy.pdf"}},
			"document_retire":  {path: "/o/acme/documents/{documents.id}/retire", want: []string{"Retire POL-01 Policy of Acme Oy?"}},
		},
		// Owner ids are not the organisation's: an allowed caller gets 422.
		bodies: map[string]jsonBody{
			"create-document":          `{"ref":"API-1","title":"From the API","kind":"policy","classification":"internal","owner_id":1,"approver_role":"management"}`,
			"update-document":          `{"ref":"API-1","title":"From the API","kind":"policy","classification":"internal","owner_id":1,"approver_role":"management"}`,
			"put-document-draft":       `{"body":"# From the API"}`,
			"submit-document-version":  `{}`,
			"approve-document-version": `{"comment":"from a test"}`,
			"reject-document-version":  `{"comment":"from a test"}`,
			"add-document-link":        `{"kind":"control","target":"A.5.1"}`,
			"remove-document-link":     `{"kind":"control","target":"A.5.2"}`,
		},
	})
}

// mustDocument creates POL-01 with an approved 1.0 and a PDF 1.1 in review.
func mustDocument(t *testing.T, a *app.App, o *org) (*isms.Document, *isms.DocumentVersion, *isms.DocumentVersion) {
	t.Helper()
	ctx := context.Background()
	d := &isms.Document{Ref: "POL-01", Title: "Policy of " + o.Name, Kind: isms.DocPolicy, Classification: isms.ClassInternal,
		OwnerID: o.users[isms.RoleProcessOwner].ID, ApproverRole: isms.RoleManagement, ReviewMonths: 12}
	for _, u := range o.users {
		d.Approvers = append(d.Approvers, u.ID)
	}
	if err := a.CreateDocument(ctx, app.System, o.Slug, d); err != nil {
		t.Fatalf("create document: %v", err)
	}
	mgmt := app.Principal{UserID: o.users[isms.RoleManagement].ID, Label: o.users[isms.RoleManagement].Email}
	v1, err := a.PutDocumentDraft(ctx, app.System, o.Slug, d.ID, app.DraftInput{Body: "# Policy\n\n**Passwords** are long.\n\n- one\n- two\n", Major: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SubmitDocumentVersion(ctx, app.System, o.Slug, d.ID, v1.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.ApproveDocumentVersion(ctx, mgmt, o.Slug, d.ID, v1.ID, "fine"); err != nil {
		t.Fatal(err)
	}
	v2, err := a.PutDocumentDraft(ctx, app.System, o.Slug, d.ID, app.DraftInput{File: []byte("%PDF-1.4\n%%EOF\n"), FileName: "policy.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SubmitDocumentVersion(ctx, app.System, o.Slug, d.ID, v2.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.AddDocumentLink(ctx, app.System, o.Slug, d.ID, isms.LinkControl, "A.5.2"); err != nil {
		t.Fatal(err)
	}
	return d, v1, v2
}

// TestDocumentPages: the Markdown is rendered safely, a file downloads as
// an attachment with its type, the diff escapes what it shows, the PDF is
// a PDF, and a viewer sees no buttons to change anything.
func TestDocumentPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		e := startServer(t, a, nil)
		o := mustOrg(t, a, "acme", "Acme Oy")
		d, v1, v2 := mustDocument(t, a, o)
		ctx := context.Background()
		base := "/o/acme/documents/" + id(d.ID)
		admin := e.signIn(t, o.users[isms.RoleAdmin].Email)

		r := e.do(t, admin, http.MethodGet, base+"/versions/"+id(v2.ID)+"/file", nil, nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != isms.TypePDF || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") ||
			!strings.Contains(r.header.Get("Content-Disposition"), "policy.pdf") || r.body != "%PDF-1.4\n%%EOF\n" {
			t.Errorf("download: %d %v %q", r.status, r.header, r.body)
		}
		r = e.do(t, admin, http.MethodGet, base+"/versions/"+id(v1.ID)+"/pdf", nil, nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
			t.Errorf("pdf: %d %v", r.status, r.header)
		}
		// Reject the PDF, write Markdown with HTML in it, compare.
		mgmt := app.Principal{UserID: o.users[isms.RoleManagement].ID, Label: "m"}
		if err := a.RejectDocumentVersion(ctx, mgmt, "acme", d.ID, v2.ID, "use Markdown"); err != nil {
			t.Fatal(err)
		}
		r = e.do(t, admin, http.MethodPost, base+"/draft", url.Values{"body": {"# Policy\n\n<script>alert(1)</script>\n\n- one\n- three\n"}, "change_note": {"three"}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("draft: %d %s", r.status, r.body)
		}
		r = e.do(t, admin, http.MethodGet, base+"/versions/"+id(v2.ID)+"?diff="+id(v1.ID), nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "<del>- - two</del>") || !strings.Contains(r.body, "<ins>+ - three</ins>") ||
			!strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(r.body, "<script>alert") {
			t.Errorf("diff page: %d\n%s", r.status, r.body)
		}
		// Files are recognised by their content, within the size limit.
		for _, tt := range []struct {
			name, file, contents string
			status               int
			want                 string
		}{
			{"exe named pdf", "policy.pdf", "MZ\x90\x00 not a document", http.StatusUnprocessableEntity, "only PDF, DOCX and XLSX"},
			{"too large", "big.pdf", "%PDF-" + strings.Repeat("x", isms.MaxDocumentFile), http.StatusUnprocessableEntity, "10 MiB"},
			{"pdf named txt", "policy.txt", "%PDF-1.7\n", http.StatusSeeOther, ""},
		} {
			r := e.do(t, admin, http.MethodPost, base+"/file", upload{fields: url.Values{"change_note": {tt.name}}, name: tt.file, contents: tt.contents}, nil)
			if r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Errorf("upload %s: %d, want %d with %q\n%.2000s", tt.name, r.status, tt.status, tt.want, r.body)
			}
		}
		if view, err := a.Document(ctx, app.System, "acme", d.ID); err != nil || view.Open == nil || view.Open.FileName != "policy.pdf" || view.Open.FileType != isms.TypePDF {
			t.Errorf("after the upload: %+v %v", view.Open, err)
		}
		viewer := e.signIn(t, o.users[isms.RoleViewer].Email)
		r = e.do(t, viewer, http.MethodGet, base, nil, nil)
		if r.status != http.StatusOK || strings.Contains(r.body, "/retire") || strings.Contains(r.body, "Edit the details") || !strings.Contains(r.body, "<li>one</li>") {
			t.Errorf("viewer's document page: %d\n%s", r.status, r.body)
		}
		r = e.do(t, admin, http.MethodGet, "/o/acme/documents?overdue=1", nil, nil)
		if r.status != http.StatusOK || strings.Contains(r.body, ">POL-01<") {
			t.Errorf("overdue filter shows a document not due: %d", r.status)
		}
	})
}

// demoDocument adds to an organisation (the demo's, for the layout walk) a
// policy with an approved Markdown version and a draft, so that the
// documents pages have ids to walk.
func demoDocument(t *testing.T, a *app.App, slug string) {
	t.Helper()
	ctx := context.Background()
	ms, err := a.Members(ctx, app.System, slug)
	if err != nil || len(ms) == 0 {
		t.Fatalf("members: %v", err)
	}
	m := ms[0]
	d := &isms.Document{Ref: "POL-01", Title: "Information security policy", Kind: isms.DocPolicy, Classification: isms.ClassInternal,
		OwnerID: m.UserID, ApproverRole: m.Role, ReviewMonths: 12}
	if err := a.CreateDocument(ctx, app.System, slug, d); err != nil {
		t.Fatal(err)
	}
	body := "# Information security policy\n\nManagement commits to protecting the **confidentiality**, integrity and availability of information.\n\n## Scope\n\nAll staff, systems and suppliers.\n\n## Rules\n\n1. Classify information.\n2. Report incidents at once.\n3. Review access every quarter.\n"
	v, err := a.PutDocumentDraft(ctx, app.System, slug, d.ID, app.DraftInput{Body: body, Major: true, ChangeNote: "First issue"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SubmitDocumentVersion(ctx, app.System, slug, d.ID, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.ApproveDocumentVersion(ctx, app.Principal{UserID: m.UserID, Label: m.Email}, slug, d.ID, v.ID, "Approved by the board"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutDocumentDraft(ctx, app.System, slug, d.ID, app.DraftInput{Body: strings.Replace(body, "every quarter", "every month", 1), ChangeNote: "Monthly access reviews"}); err != nil {
		t.Fatal(err)
	}
	if err := a.AddDocumentLink(ctx, app.System, slug, d.ID, isms.LinkControl, "A.5.1"); err != nil {
		t.Fatal(err)
	}
}

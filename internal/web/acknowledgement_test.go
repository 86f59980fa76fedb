package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/app"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// Acknowledgement of policies (issue 18, item 3) plugs into the generated
// tests: a Markdown policy and a policy that is a file, each with an
// approved version published to the viewers (few requests, so few
// reminders, keep the audit page's first page for the other tests). The documents register is
// another part of issue 18, so the fixture inserts the rows of migration
// 0034 with SQL.
func init() {
	registerAggregate(aggregate{
		name: "acknowledgements",
		fixture: func(t *testing.T, a *app.App, o *org) map[string]string {
			t.Helper()
			md, mdv := mustPublishedDocument(t, a, o, "POL-1", "Information security policy", "# Security policy\n\nLock your screen.\n\n<script>alert(1)</script>", "", nil, isms.RoleViewer)
			_, filev := mustPublishedDocument(t, a, o, "POL-2", "Acceptable use policy", "", "acceptable-use.pdf", []byte("%PDF-1.4 acceptable use"), isms.RoleViewer)
			return map[string]string{"acknowledgements.vid": id(filev), "documents.id": id(md), "ack.md": id(mdv)}
		},
		pages: map[string]pageRequest{
			"acknowledgements": {path: "/o/acme/acknowledgements", want: []string{"Policies to read and acknowledge", "No requests", "The register of everyone"}},
			"acknowledgement":  {path: "/o/acme/acknowledgements/versions/{ack.md}", want: []string{"<h1>Security policy</h1>", "Lock your screen.", "Nothing is asked of you for this version."}},
			"document_publish": {path: "/o/acme/documents/{documents.id}/publish", want: []string{"Publish version 1.0", "All members", "Members with these roles"}},
		},
		bodies: map[string]jsonBody{
			"publish-document-version": `{"audience":"all"}`,
		},
	})
}

// mustPublishedDocument inserts a document with an approved version 1.0
// (Markdown body, or a file) and publishes it to the fixture's people of
// the roles (every member without any); it returns the document's and the
// version's ids.
func mustPublishedDocument(t *testing.T, a *app.App, o *org, ref, title, body, fileName string, file []byte, roles ...isms.Role) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	content := []byte(body)
	if fileName != "" {
		content = file
	}
	h := sha256.Sum256(content)
	at := any(time.Now().UTC().Truncate(time.Microsecond))
	if a.DB.Engine == store.SQLite {
		at = time.Now().UTC().UnixMicro()
	}
	var doc, ver int64
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		q := tx.SQL()
		if err := q.QueryRowContext(ctx, `INSERT INTO documents (org_id, ref, title, kind, classification, approver_role, review_months, created_at, updated_at)
			VALUES ($1, $2, $3, 'policy', 'internal', 'isms_manager', 12, $4, $4) RETURNING id`, o.ID, ref, title, at).Scan(&doc); err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, `INSERT INTO document_versions (org_id, document_id, major, minor, status, body, file_name, file_type, file_size, sha256, change_note, created_at, approved_at)
			VALUES ($1, $2, 1, 0, 'approved', $3, $4, $5, $6, $7, 'First version', $8, $8) RETURNING id`,
			o.ID, doc, body, fileName, map[bool]string{true: "application/pdf", false: ""}[fileName != ""], len(file), hex.EncodeToString(h[:]), at).Scan(&ver); err != nil {
			return err
		}
		if fileName != "" {
			if _, err := q.ExecContext(ctx, `INSERT INTO document_files (version_id, org_id, data) VALUES ($1, $2, $3)`, ver, o.ID, file); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert document %s: %v", ref, err)
	}
	if _, err := a.PublishDocumentVersion(ctx, app.System, o.Slug, doc, app.PublishInput{Audience: audienceOf(o, roles)}); err != nil {
		t.Fatalf("publish %s: %v", ref, err)
	}
	return doc, ver
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

// insertApprovedDocument inserts a document with an approved Markdown
// version 1.0, unpublished; it returns the document's and version's ids.
func insertApprovedDocument(t *testing.T, a *app.App, o *org, ref, title, body string) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	h := sha256.Sum256([]byte(body))
	at := any(time.Now().UTC().Truncate(time.Microsecond))
	if a.DB.Engine == store.SQLite {
		at = time.Now().UTC().UnixMicro()
	}
	var doc, ver int64
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		q := tx.SQL()
		if err := q.QueryRowContext(ctx, `INSERT INTO documents (org_id, ref, title, kind, classification, approver_role, review_months, created_at, updated_at)
			VALUES ($1, $2, $3, 'policy', 'internal', 'isms_manager', 12, $4, $4) RETURNING id`, o.ID, ref, title, at).Scan(&doc); err != nil {
			return err
		}
		return q.QueryRowContext(ctx, `INSERT INTO document_versions (org_id, document_id, major, minor, status, body, file_name, file_type, file_size, sha256, change_note, created_at, approved_at)
			VALUES ($1, $2, 1, 0, 'approved', $3, '', '', 0, $4, 'First version', $5, $5) RETURNING id`, o.ID, doc, body, hex.EncodeToString(h[:]), at).Scan(&ver)
	})
	if err != nil {
		t.Fatalf("insert document %s: %v", ref, err)
	}
	return doc, ver
}

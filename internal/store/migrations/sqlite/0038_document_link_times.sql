-- +goose Up
-- When a document link was made (issue 18). A "requires-action" link
-- records that a corrective action requires a revision of the document;
-- the action cannot be completed until a version of the document approved
-- after that time exists (docs/documents.md, "the loop gate").
-- NULL for links made before this migration.
ALTER TABLE document_links ADD COLUMN created_at TIMESTAMP;

-- +goose Down
ALTER TABLE document_links DROP COLUMN created_at;

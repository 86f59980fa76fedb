-- +goose Up
-- Documented information (issue 18, ISO/IEC 27001 clause 7.5): a register
-- of policies, procedures, standards, plans and record templates, each
-- with every version kept. A version is written in Markdown or is an
-- attached file (its bytes in document_files, with their SHA-256); its
-- sha256 is the hash of exactly what a reader acknowledges (the Markdown
-- text, or the file). A version moves draft -> in_review -> approved; an
-- approved version is immutable and the previous approved one becomes
-- superseded; editing starts a new draft. A document is retired as a
-- whole (retired_at). approver_role and document_approvers say who may
-- approve (a role, or named members). document_approvals records each
-- decision (who, when, which version, approve or reject, comment).
-- document_links ties a document to Annex A controls, processes, risks
-- and corrective actions (kind + target as text: "A.5.1", a process id).
-- action_id / decision_id on a version say which corrective action or
-- review decision required the revision.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    classification TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id),
    approver_role TEXT NOT NULL,
    review_months INTEGER NOT NULL,
    next_review_at TIMESTAMP,
    retired_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX documents_ref_idx ON documents (org_id, ref);
CREATE INDEX documents_review_idx ON documents (org_id, next_review_at);

CREATE TABLE document_approvers (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (document_id, user_id)
);

CREATE TABLE document_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_type TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    change_note TEXT NOT NULL,
    action_id INTEGER,
    decision_id INTEGER,
    effective_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    submitted_at TIMESTAMP,
    approved_at TIMESTAMP,
    approved_by INTEGER
);
CREATE UNIQUE INDEX document_versions_number_idx ON document_versions (org_id, document_id, major, minor);
CREATE INDEX document_versions_action_idx ON document_versions (org_id, action_id);

CREATE TABLE document_files (
    version_id INTEGER PRIMARY KEY REFERENCES document_versions (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    data BLOB NOT NULL
);

CREATE TABLE document_approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    version_id INTEGER NOT NULL REFERENCES document_versions (id),
    user_id INTEGER,
    actor TEXT NOT NULL,
    decision TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX document_approvals_idx ON document_approvals (org_id, document_id, id);

CREATE TABLE document_links (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (document_id, kind, target)
);
CREATE INDEX document_links_target_idx ON document_links (org_id, kind, target);

-- +goose Down
DROP TABLE document_links;
DROP TABLE document_approvals;
DROP TABLE document_files;
DROP TABLE document_versions;
DROP TABLE document_approvers;
DROP TABLE documents;

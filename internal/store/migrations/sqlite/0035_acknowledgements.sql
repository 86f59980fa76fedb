-- +goose Up
-- Acknowledgement of policies (issue 18, item 3). A publication puts one
-- approved document version before an audience: every member ('all'),
-- the members of some roles ('roles', comma-separated in roles) or named
-- people ('people', in document_publication_people). Each person of the
-- audience gets one acknowledgement request per version (unique per
-- version and person), due 14 days after it was requested. Acknowledging
-- stores when and the SHA-256 of the exact version read (the version's
-- own sha256 at that moment). dropped_at marks a request withdrawn
-- without an answer: its person left the organisation, or a new major
-- version replaced it. A request withdrawn before its due date is not
-- counted by the policy acknowledgement rate; one withdrawn after it was
-- already missed (docs/acknowledgements.md).
CREATE TABLE document_publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    version_id INTEGER NOT NULL REFERENCES document_versions (id),
    audience TEXT NOT NULL,
    roles TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    published_by INTEGER,
    actor TEXT NOT NULL
);
CREATE INDEX document_publications_doc_idx ON document_publications (org_id, document_id, id);

CREATE TABLE document_publication_people (
    publication_id INTEGER NOT NULL REFERENCES document_publications (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (publication_id, user_id)
);

CREATE TABLE acknowledgements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    version_id INTEGER NOT NULL REFERENCES document_versions (id),
    publication_id INTEGER NOT NULL REFERENCES document_publications (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    sha256 TEXT NOT NULL,
    dropped_at TIMESTAMP
);
CREATE UNIQUE INDEX acknowledgements_version_user_idx ON acknowledgements (version_id, user_id);
CREATE INDEX acknowledgements_requested_idx ON acknowledgements (org_id, requested_at);
CREATE INDEX acknowledgements_user_idx ON acknowledgements (org_id, user_id, acknowledged_at);
CREATE INDEX acknowledgements_doc_idx ON acknowledgements (org_id, document_id, user_id);

-- +goose Down
DROP TABLE acknowledgements;
DROP TABLE document_publication_people;
DROP TABLE document_publications;

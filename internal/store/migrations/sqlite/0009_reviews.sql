-- +goose Up
-- Management reviews (ISO/IEC 27001 clause 9.3): inputs assembled from
-- live data, comments, decisions as actions; signing freezes a snapshot
-- of what was shown, with its SHA-256 also written to the audit trail.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    period TEXT NOT NULL,
    held_on TIMESTAMP NOT NULL,
    attendees TEXT NOT NULL,
    chair_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL,
    comments TEXT NOT NULL,
    proposals TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    snapshot_sha256 TEXT NOT NULL,
    signed_at TIMESTAMP,
    signed_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_org_idx ON reviews (org_id, held_on);

CREATE TABLE review_actions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    review_id INTEGER NOT NULL REFERENCES reviews (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id),
    deadline TIMESTAMP,
    status TEXT NOT NULL,
    done_at TIMESTAMP,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX review_actions_org_idx ON review_actions (org_id, status, deadline);

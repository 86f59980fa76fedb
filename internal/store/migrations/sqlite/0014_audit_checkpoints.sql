-- +goose Up
-- Signed checkpoints of the audit chains (statements of every chain's
-- head, Ed25519-signed). org_id 0 is a statement of every chain (the
-- operator's); other rows are one organisation's own chain, the copy that
-- goes into its review snapshots, evidence bundles and notifications.
-- Copies also live outside the database; these rows are for convenience.
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    statement TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_org_idx ON audit_checkpoints (org_id, id);

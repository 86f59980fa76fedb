-- +goose Up
-- What the last finished recompute of an organisation's figures had seen:
-- the sequence number of the last audit event that changes their inputs.
-- A queued recompute is skipped when nothing changed since, also after a
-- restart and when another process did the recompute.
CREATE TABLE metric_recomputes (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    input_seq INTEGER NOT NULL,
    recomputed_at TIMESTAMP NOT NULL
);

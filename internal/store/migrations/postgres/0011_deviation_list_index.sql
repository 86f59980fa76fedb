-- +goose Up
-- The register of deviations is paged by the database, newest first.
CREATE INDEX deviations_detected_idx ON deviations (org_id, detected_at);

-- +goose Up
-- An organisation may let anyone with a link report a suspected incident
-- without signing in (issue 15). Only the SHA-256 of the link's random
-- token is kept: a copy of the database does not give the link away. No
-- row: the link is disabled. Rotating replaces the row, so the old link
-- stops working at once.
CREATE TABLE incident_report_links (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    token_sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL
);
CREATE UNIQUE INDEX incident_report_links_token_key ON incident_report_links (token_sha256);

-- +goose Down
DROP TABLE incident_report_links;

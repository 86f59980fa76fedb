-- +goose Up
-- A person's private iCalendar feed of what they owe in one organisation
-- (issue 18, "My work"). The feed's URL carries a random token; only its
-- SHA-256 is kept, so a copy of the database does not give the URL away.
-- One row per person and organisation: rotating replaces the row (the old
-- URL stops working at once), revoking deletes it.
CREATE TABLE calendar_feeds (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE UNIQUE INDEX calendar_feeds_token_key ON calendar_feeds (token_sha256);

-- +goose Down
DROP TABLE calendar_feeds;

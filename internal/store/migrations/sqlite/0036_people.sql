-- +goose Up
-- People in the UI (issue 18). An invitation carries the SHA-256 (hex) of
-- the random token of its emailed link; the link of an accepted, revoked
-- or resent invitation is remembered as spent, so that following it says
-- why it no longer works (pruned with the invitations). A forgotten
-- password is reset through a single-use link, stored the same way.
-- An operator of the instance may create organisations in the UI.
ALTER TABLE invitations ADD COLUMN token_hash TEXT;
CREATE UNIQUE INDEX invitations_token_key ON invitations (token_hash);

CREATE TABLE spent_links (
    token_hash TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    reason TEXT NOT NULL,
    spent_at TIMESTAMP NOT NULL
);

CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE UNIQUE INDEX password_resets_token_key ON password_resets (token_hash);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

ALTER TABLE users ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;

-- +goose Up
-- API tokens get an optional expiry and the time their last denial by
-- scope was audited (token.denied is written at most once per window).
-- Adding a person who already has an account is an invitation they
-- accept or decline; one pending invitation per organisation and person.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN denied_at TIMESTAMP;

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX invitations_org_user_key ON invitations (org_id, user_id);
CREATE INDEX invitations_user_idx ON invitations (user_id, expires_at);

-- +goose Up
-- API tokens get an optional expiry and the time their last denial by
-- scope was audited (token.denied is written at most once per window).
-- An admin adding a person records an invitation by email, which the
-- person with that email accepts or declines after signing in (whether an
-- account exists is not revealed); one per organisation and email.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN denied_at TIMESTAMP;

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX invitations_org_email_key ON invitations (org_id, email);
CREATE INDEX invitations_email_idx ON invitations (email, expires_at);

-- +goose Up
-- Passkeys (WebAuthn) as a second factor (issue 13). One row per
-- credential: its id and COSE public key (base64url, no padding), the
-- authenticator's signature counter, the transports it reported, the
-- authenticator flags of its registration (backup eligibility must not
-- change later) and a name the person chose. No private material.
CREATE TABLE user_passkeys (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    credential_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sign_count INTEGER NOT NULL DEFAULT 0,
    transports TEXT NOT NULL DEFAULT '',
    flags INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX user_passkeys_credential_key ON user_passkeys (credential_id);
CREATE INDEX user_passkeys_user_idx ON user_passkeys (user_id);


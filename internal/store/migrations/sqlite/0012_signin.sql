-- +goose Up
-- Sign-in, sessions and second factor (issue 13).
-- Sessions begun before this moment are void (a password change ends them).
ALTER TABLE users ADD COLUMN sessions_valid_since TIMESTAMP;
-- TOTP (RFC 6238): the secret, sealed when the server has a key; the last
-- time step used, so a code is accepted once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
-- Members of an organisation that requires it enrol a second factor.
ALTER TABLE organizations ADD COLUMN require_mfa INTEGER NOT NULL DEFAULT 0;

-- Single-use recovery codes, stored as SHA-256.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE UNIQUE INDEX recovery_codes_hash_key ON recovery_codes (user_id, code_hash);

-- The sign-in throttle: one row per counter (an account and address pair,
-- an address, an account), counted before a password is hashed.
CREATE TABLE signin_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL,
    last_at TIMESTAMP NOT NULL
);
CREATE INDEX signin_throttle_last_idx ON signin_throttle (last_at);
DROP TABLE signin_failures;

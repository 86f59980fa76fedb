-- +goose Up
-- Saved import profiles (issue 15): how the files of one source map onto a
-- record kind. The profile itself is JSON (isms.ImportProfile, at most
-- 256 KiB), checked by the application before it is stored; the name is
-- unique per organisation in any case, so "HR leavers" and "hr leavers"
-- are one profile.
CREATE TABLE import_profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_pattern TEXT NOT NULL DEFAULT '',
    spec TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER NOT NULL
);
CREATE UNIQUE INDEX import_profiles_org_name_key ON import_profiles (org_id, name_key);

-- +goose Down
DROP TABLE import_profiles;

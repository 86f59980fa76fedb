-- +goose Up
-- Record kinds of an organisation's own (issue 19, item 5): quality
-- records pdca does not know, such as customer complaints. key is unique
-- in the organisation and never the name of a built-in kind (the app
-- refuses those); fields is the JSON list of columns (name, type, key,
-- enum values), in column order. The rows of every custom kind live in
-- rec_custom, their typed values in one JSON object (vals) keyed by column
-- name; natural_key, attributes, import_id, created_at and updated_at mean
-- what they mean in the rec_<kind> tables of the built-in kinds.
CREATE TABLE record_kinds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX record_kinds_key ON record_kinds (org_id, key);

CREATE TABLE rec_custom (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    kind_id INTEGER NOT NULL REFERENCES record_kinds (id),
    natural_key TEXT NOT NULL,
    vals TEXT NOT NULL,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_custom_key ON rec_custom (org_id, kind_id, natural_key);
CREATE INDEX rec_custom_visible_idx ON rec_custom (org_id, kind_id, import_id);

-- +goose Down
DROP TABLE rec_custom;
DROP TABLE record_kinds;

-- +goose Up
-- A large import writes its new rows in short transactions before its
-- final one, so it never holds the single SQLite writer for long (issue
-- 13). Until the final transaction deletes the import's row here, the
-- records carrying its id are hidden from every read (store/record.go).
-- after_id is the table's highest id before the first row was written
-- (every row of the import has a higher one), so its rows can be removed
-- by id range; touched_at is the writer's heartbeat: housekeeping removes
-- the rows of an import whose process died.
CREATE TABLE import_pending (
    import_id INTEGER PRIMARY KEY REFERENCES imports (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    after_id INTEGER NOT NULL,
    touched_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE import_pending;

-- +goose Up
-- Issue 16 item 2 changes how SQLite stores times (integer microseconds
-- since the Unix epoch, see the SQLite migration of the same name);
-- PostgreSQL keeps timestamptz, so nothing changes here.
SELECT 1;

-- +goose Down
SELECT 1;

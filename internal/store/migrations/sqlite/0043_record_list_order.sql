-- +goose Up
-- PostgreSQL's 0043 adds indexes in the record lists' order (main time
-- DESC NULLS LAST, id DESC). SQLite's (org_id, time) indexes give that
-- order read backwards (NULL is its smallest value), so nothing to add;
-- this migration keeps both engines' versions in step.
SELECT 1;

-- +goose Down
SELECT 1;

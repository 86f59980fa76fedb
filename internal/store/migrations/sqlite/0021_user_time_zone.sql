-- +goose Up
-- A person's own time zone (issue 14): the IANA name they read and enter
-- times in; empty means each organisation's zone.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

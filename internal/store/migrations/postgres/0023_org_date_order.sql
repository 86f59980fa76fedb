-- +goose Up
-- How imports read slashed dates such as 05/10/2026 (issue 15): 'dmy' day
-- first, 'mdy' month first, '' refused unless the import says.
ALTER TABLE organizations ADD COLUMN date_order TEXT NOT NULL DEFAULT '';

-- +goose Up
-- The risk register is listed newest first by creation (store.RiskPage):
-- with this index a page is read in order, not sorted from the whole
-- register (issue 16).
CREATE INDEX risks_created_idx ON risks (org_id, created_at, id);

-- +goose Down
DROP INDEX risks_created_idx;

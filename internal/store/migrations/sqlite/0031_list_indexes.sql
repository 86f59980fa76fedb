-- +goose Up
-- API tokens are listed in the order they were created, deliveries
-- newest first and the audit programme by planned date, a page at a time
-- (store.TokenPage, DeliveryPage, InternalAuditPage): with these indexes
-- a page is read in order from the organisation's rows, not sorted from
-- all of them (issue 16 item 1).
CREATE INDEX api_tokens_org_id_idx ON api_tokens (org_id, id);
CREATE INDEX deliveries_org_id_idx ON deliveries (org_id, id);
CREATE INDEX internal_audits_planned_idx ON internal_audits (org_id, planned_on, id);
-- Processes are listed highest priority first (store.processOrder): the
-- index holds the expression, so a page is read in that order too.
CREATE INDEX processes_priority_idx ON processes (org_id, (impact * recurrence * risk) DESC, name, id);
-- Reviews newest meeting first, ties by id (store.ReviewPage): PostgreSQL's
-- (org_id, held_on) index left the ties to a sort.
CREATE INDEX reviews_held_idx ON reviews (org_id, held_on, id);

-- +goose Down
DROP INDEX reviews_held_idx;
DROP INDEX processes_priority_idx;
DROP INDEX internal_audits_planned_idx;
DROP INDEX deliveries_org_id_idx;
DROP INDEX api_tokens_org_id_idx;

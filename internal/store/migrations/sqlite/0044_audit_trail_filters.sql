-- +goose Up
-- The audit trail's page is newest first (seq DESC) and filtered by the
-- object (entity and id: every record's page reads its history), the
-- action, the person and the days (issue 16: a page's cost must not grow
-- with the trail). Each filter gets an index that seeks on it and gives
-- the page's order, so a page reads its rows and stops; the day filter
-- reads the window's events by time. (org_id, entity, entity_id) becomes
-- (org_id, entity, entity_id, seq).
DROP INDEX audit_events_org_entity_idx;
CREATE INDEX audit_events_entity_idx ON audit_events (org_id, entity, entity_id, seq);
CREATE INDEX audit_events_action_idx ON audit_events (org_id, action, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, seq);
CREATE INDEX audit_events_at_idx ON audit_events (org_id, at);

-- +goose Down
DROP INDEX audit_events_at_idx;
DROP INDEX audit_events_actor_idx;
DROP INDEX audit_events_action_idx;
DROP INDEX audit_events_entity_idx;
CREATE INDEX audit_events_org_entity_idx ON audit_events (org_id, entity, entity_id);

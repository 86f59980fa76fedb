-- +goose Up
-- A list of records is newest first by its kind's main time, empty times
-- last, ties by id (store.recordOrder: DESC NULLS LAST, the same order on
-- both engines). PostgreSQL's (org_id, time) indexes, read backwards, give
-- DESC NULLS FIRST, so every page sorted the organisation's whole register
-- of that kind (issue 16: cost that grows with the register). These
-- indexes are in the list's order: a page is read from the index.
-- SQLite reads its (org_id, time) indexes backwards in this order already
-- (NULL is its smallest value), so its 0043 adds nothing.
CREATE INDEX rec_access_removals_list_idx ON rec_access_removals (org_id, employment_ended_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_incidents_list_idx ON rec_incidents (org_id, detected_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_restore_tests_list_idx ON rec_restore_tests (org_id, tested_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_supplier_assessments_list_idx ON rec_supplier_assessments (org_id, assessed_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_changes_list_idx ON rec_changes (org_id, implemented_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_vulnerabilities_list_idx ON rec_vulnerabilities (org_id, found_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_training_list_idx ON rec_training (org_id, due_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_deviations_list_idx ON rec_deviations (org_id, detected_at DESC NULLS LAST, id DESC);
CREATE INDEX rec_audit_findings_list_idx ON rec_audit_findings (org_id, raised_at DESC NULLS LAST, id DESC);

-- +goose Down
DROP INDEX rec_access_removals_list_idx;
DROP INDEX rec_incidents_list_idx;
DROP INDEX rec_restore_tests_list_idx;
DROP INDEX rec_supplier_assessments_list_idx;
DROP INDEX rec_changes_list_idx;
DROP INDEX rec_vulnerabilities_list_idx;
DROP INDEX rec_training_list_idx;
DROP INDEX rec_deviations_list_idx;
DROP INDEX rec_audit_findings_list_idx;

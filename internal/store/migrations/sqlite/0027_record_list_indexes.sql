-- +goose Up
-- Lists of records count the rows every reader may see (store.visible reads
-- import_id): with (org_id, import_id) the count of a register of 100,000
-- reads the index only instead of every row (docs/BENCHMARKS.md).
CREATE INDEX rec_access_removals_visible_idx ON rec_access_removals (org_id, import_id);
CREATE INDEX rec_incidents_visible_idx ON rec_incidents (org_id, import_id);
CREATE INDEX rec_restore_tests_visible_idx ON rec_restore_tests (org_id, import_id);
CREATE INDEX rec_suppliers_visible_idx ON rec_suppliers (org_id, import_id);
CREATE INDEX rec_supplier_assessments_visible_idx ON rec_supplier_assessments (org_id, import_id);
CREATE INDEX rec_changes_visible_idx ON rec_changes (org_id, import_id);
CREATE INDEX rec_vulnerabilities_visible_idx ON rec_vulnerabilities (org_id, import_id);
CREATE INDEX rec_training_visible_idx ON rec_training (org_id, import_id);
CREATE INDEX rec_deviations_visible_idx ON rec_deviations (org_id, import_id);
CREATE INDEX rec_audit_findings_visible_idx ON rec_audit_findings (org_id, import_id);

-- +goose Down
DROP INDEX rec_access_removals_visible_idx;
DROP INDEX rec_incidents_visible_idx;
DROP INDEX rec_restore_tests_visible_idx;
DROP INDEX rec_suppliers_visible_idx;
DROP INDEX rec_supplier_assessments_visible_idx;
DROP INDEX rec_changes_visible_idx;
DROP INDEX rec_vulnerabilities_visible_idx;
DROP INDEX rec_training_visible_idx;
DROP INDEX rec_deviations_visible_idx;
DROP INDEX rec_audit_findings_visible_idx;

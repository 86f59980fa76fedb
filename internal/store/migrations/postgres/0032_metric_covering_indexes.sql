-- +goose Up
-- Metric computation streams the records of a window through the engine
-- (store.StreamRecords). These indexes cover what the nine built-in metrics
-- read (the window's columns, the filter and measured fields, import_id for
-- store.visible; the id is the row id), so a month over a register of a
-- million records is read from the indexes in order, not row by row from
-- the table (docs/BENCHMARKS.md, "Metrics over a million records"). A
-- measure with an open window (stock, percentile) reads two ranges of its
-- done column: done since the window's start, and never done.
DROP INDEX rec_access_removals_ended_idx;
CREATE INDEX rec_access_removals_ended_idx ON rec_access_removals (org_id, employment_ended_at, access_removed_at, import_id);
DROP INDEX rec_incidents_detected_idx;
CREATE INDEX rec_incidents_detected_idx ON rec_incidents (org_id, detected_at, action_started_at, severity, import_id);
DROP INDEX rec_restore_tests_tested_idx;
CREATE INDEX rec_restore_tests_tested_idx ON rec_restore_tests (org_id, tested_at, result, import_id);
DROP INDEX rec_supplier_assessments_assessed_idx;
CREATE INDEX rec_supplier_assessments_assessed_idx ON rec_supplier_assessments (org_id, assessed_at, supplier, import_id);
CREATE INDEX rec_suppliers_critical_idx ON rec_suppliers (org_id, critical, natural_key, import_id);
DROP INDEX rec_changes_implemented_idx;
CREATE INDEX rec_changes_implemented_idx ON rec_changes (org_id, implemented_at, documented, import_id);
DROP INDEX rec_vulnerabilities_fixed_idx;
CREATE INDEX rec_vulnerabilities_fixed_idx ON rec_vulnerabilities (org_id, fixed_at, found_at, severity, import_id);
DROP INDEX rec_training_due_idx;
CREATE INDEX rec_training_due_idx ON rec_training (org_id, due_at, completed_at, import_id);
CREATE INDEX rec_deviations_closed_idx ON rec_deviations (org_id, closed_at, detected_at, import_id);
CREATE INDEX rec_audit_findings_closed_idx ON rec_audit_findings (org_id, closed_at, raised_at, import_id);

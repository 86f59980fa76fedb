-- +goose Up
-- Metric computation loads only the records in a window of time; these
-- indexes serve those range scans per organisation.
CREATE INDEX rec_access_removals_ended_idx ON rec_access_removals (org_id, employment_ended_at);
CREATE INDEX rec_incidents_detected_idx ON rec_incidents (org_id, detected_at);
CREATE INDEX rec_restore_tests_tested_idx ON rec_restore_tests (org_id, tested_at);
CREATE INDEX rec_supplier_assessments_assessed_idx ON rec_supplier_assessments (org_id, assessed_at);
CREATE INDEX rec_changes_implemented_idx ON rec_changes (org_id, implemented_at);
CREATE INDEX rec_vulnerabilities_found_idx ON rec_vulnerabilities (org_id, found_at);
CREATE INDEX rec_vulnerabilities_fixed_idx ON rec_vulnerabilities (org_id, fixed_at);
CREATE INDEX rec_training_due_idx ON rec_training (org_id, due_at);
CREATE INDEX rec_deviations_detected_idx ON rec_deviations (org_id, detected_at);
CREATE INDEX rec_audit_findings_raised_idx ON rec_audit_findings (org_id, raised_at);

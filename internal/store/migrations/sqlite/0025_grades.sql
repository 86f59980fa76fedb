-- +goose Up
-- Grades from the audit world (issue 15): a deviation or audit finding
-- record is a major or minor nonconformity, an observation or an
-- opportunity for improvement; audit finding records get a severity too
-- (derived from the grade when a file gives none). Deviations and findings
-- worked in pdca keep their grade in their kind column. NULL is unknown,
-- as for every record field.
ALTER TABLE rec_deviations ADD COLUMN grade TEXT;
ALTER TABLE rec_audit_findings ADD COLUMN grade TEXT;
ALTER TABLE rec_audit_findings ADD COLUMN severity TEXT;

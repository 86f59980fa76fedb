-- +goose Up
-- Deviations (nonconformities, observations, opportunities) with their
-- correction, root cause, corrective actions and effectiveness checks;
-- internal audits and their findings (clauses 9.2 and 10.2).
CREATE TABLE deviation_settings (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    check_after_days INTEGER NOT NULL
);

CREATE TABLE internal_audits (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    clauses TEXT NOT NULL,
    controls TEXT NOT NULL,
    processes TEXT NOT NULL,
    planned_on TIMESTAMP NOT NULL,
    actual_on TIMESTAMP,
    lead_id INTEGER NOT NULL REFERENCES users (id),
    independence_override TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX internal_audits_org_idx ON internal_audits (org_id, year);

CREATE TABLE deviations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    owner_id INTEGER REFERENCES users (id),
    due_at TIMESTAMP,
    metric_key TEXT NOT NULL,
    metric_period TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    process_id INTEGER NOT NULL,
    risk_ref TEXT NOT NULL,
    control_ref TEXT NOT NULL,
    finding_id INTEGER NOT NULL,
    opened_reason TEXT NOT NULL,
    correction TEXT NOT NULL,
    correction_at TIMESTAMP,
    whys TEXT NOT NULL,
    root_cause TEXT NOT NULL,
    cause_category TEXT NOT NULL,
    check_due_at TIMESTAMP,
    close_reason TEXT NOT NULL,
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX deviations_ref_key ON deviations (org_id, ref);
CREATE INDEX deviations_metric_idx ON deviations (org_id, metric_key, status);
CREATE INDEX deviations_record_idx ON deviations (org_id, record_kind, record_id);

CREATE TABLE corrective_actions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    deviation_id INTEGER NOT NULL REFERENCES deviations (id),
    title TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id),
    due_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL,
    done_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX corrective_actions_dev_idx ON corrective_actions (org_id, deviation_id);

CREATE TABLE effectiveness_checks (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    deviation_id INTEGER NOT NULL REFERENCES deviations (id),
    verdict TEXT NOT NULL,
    proposed TEXT NOT NULL,
    note TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
CREATE INDEX effectiveness_checks_dev_idx ON effectiveness_checks (org_id, deviation_id);

CREATE TABLE audit_findings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    audit_id INTEGER NOT NULL REFERENCES internal_audits (id),
    ref TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    deviation_id INTEGER NOT NULL
);
CREATE UNIQUE INDEX audit_findings_ref_key ON audit_findings (org_id, ref);
CREATE INDEX audit_findings_audit_idx ON audit_findings (org_id, audit_id);

-- Evidence files of corrective actions, base64 in TEXT: one portable type
-- on both engines; files are small (pdca caps them at 5 MB).
CREATE TABLE action_evidence (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    action_id INTEGER NOT NULL REFERENCES corrective_actions (id),
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX action_evidence_action_key ON action_evidence (org_id, action_id);

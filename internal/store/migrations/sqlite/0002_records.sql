-- +goose Up
-- Operational records: one table per kind (rec_<kind>), columns as in
-- PRODUCT.md, natural key unique per organisation, extra file columns
-- kept as JSON attributes.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    actor_id INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX imports_org_idx ON imports (org_id, id);

CREATE TABLE rec_access_removals (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    person TEXT,
    system TEXT,
    employment_ended_at TIMESTAMP,
    access_removed_at TIMESTAMP,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_access_removals_key ON rec_access_removals (org_id, natural_key);

CREATE TABLE rec_incidents (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    ref TEXT,
    title TEXT,
    severity TEXT,
    detected_at TIMESTAMP,
    action_started_at TIMESTAMP,
    resolved_at TIMESTAMP,
    root_cause TEXT,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_incidents_key ON rec_incidents (org_id, natural_key);

CREATE TABLE rec_restore_tests (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    system TEXT,
    tested_at TIMESTAMP,
    result TEXT,
    notes TEXT,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_restore_tests_key ON rec_restore_tests (org_id, natural_key);

CREATE TABLE rec_suppliers (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    name TEXT,
    critical INTEGER,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_suppliers_key ON rec_suppliers (org_id, natural_key);

CREATE TABLE rec_supplier_assessments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    supplier TEXT,
    assessed_at TIMESTAMP,
    result TEXT,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_supplier_assessments_key ON rec_supplier_assessments (org_id, natural_key);

CREATE TABLE rec_changes (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    ref TEXT,
    system TEXT,
    implemented_at TIMESTAMP,
    documented INTEGER,
    approved INTEGER,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_changes_key ON rec_changes (org_id, natural_key);

CREATE TABLE rec_vulnerabilities (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    ref TEXT,
    asset TEXT,
    severity TEXT,
    found_at TIMESTAMP,
    fixed_at TIMESTAMP,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_vulnerabilities_key ON rec_vulnerabilities (org_id, natural_key);

CREATE TABLE rec_training (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    person TEXT,
    course TEXT,
    due_at TIMESTAMP,
    completed_at TIMESTAMP,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_training_key ON rec_training (org_id, natural_key);

CREATE TABLE rec_deviations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    ref TEXT,
    title TEXT,
    source TEXT,
    severity TEXT,
    detected_at TIMESTAMP,
    closed_at TIMESTAMP,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_deviations_key ON rec_deviations (org_id, natural_key);

CREATE TABLE rec_audit_findings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    natural_key TEXT NOT NULL,
    ref TEXT,
    audit TEXT,
    title TEXT,
    raised_at TIMESTAMP,
    closed_at TIMESTAMP,
    attributes TEXT NOT NULL,
    import_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rec_audit_findings_key ON rec_audit_findings (org_id, natural_key);

-- +goose Up
-- Risk register: score = likelihood x impact; the level is stored with it
-- so lists filter and count by level; every assessment is kept.
CREATE TABLE risks (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    number INTEGER NOT NULL,
    asset TEXT NOT NULL,
    threat TEXT NOT NULL,
    vulnerability TEXT NOT NULL,
    likelihood INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    score INTEGER NOT NULL,
    level TEXT NOT NULL,
    treatment TEXT NOT NULL,
    treatment_plan TEXT NOT NULL,
    justification TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id),
    assessed_at TIMESTAMP NOT NULL,
    next_review TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX risks_number_key ON risks (org_id, number);
CREATE INDEX risks_review_idx ON risks (org_id, next_review);

CREATE TABLE risk_assessments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    risk_id INTEGER NOT NULL REFERENCES risks (id),
    likelihood INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    score INTEGER NOT NULL,
    level TEXT NOT NULL,
    note TEXT NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    assessed_at TIMESTAMP NOT NULL
);
CREATE INDEX risk_assessments_risk_idx ON risk_assessments (org_id, risk_id, assessed_at);

CREATE TABLE risk_controls (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    risk_id INTEGER NOT NULL REFERENCES risks (id),
    catalogue TEXT NOT NULL,
    control_id TEXT NOT NULL,
    PRIMARY KEY (risk_id, catalogue, control_id)
);
CREATE INDEX risk_controls_org_idx ON risk_controls (org_id, catalogue, control_id);

CREATE TABLE risk_processes (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    risk_id INTEGER NOT NULL REFERENCES risks (id),
    process_id INTEGER NOT NULL REFERENCES processes (id),
    PRIMARY KEY (risk_id, process_id)
);
CREATE INDEX risk_processes_org_idx ON risk_processes (org_id, process_id);

-- Months between reassessments per level; no row means the defaults.
CREATE TABLE risk_settings (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    low_months INTEGER NOT NULL,
    medium_months INTEGER NOT NULL,
    high_months INTEGER NOT NULL,
    critical_months INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Statement of Applicability: one row per decided control of a catalogue;
-- a control without a row is not yet decided.
CREATE TABLE soa_entries (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    catalogue TEXT NOT NULL,
    control_id TEXT NOT NULL,
    applicable INTEGER NOT NULL,
    justification TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX soa_entries_control_key ON soa_entries (org_id, catalogue, control_id);

CREATE TABLE soa_processes (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    catalogue TEXT NOT NULL,
    control_id TEXT NOT NULL,
    process_id INTEGER NOT NULL REFERENCES processes (id),
    PRIMARY KEY (org_id, catalogue, control_id, process_id)
);

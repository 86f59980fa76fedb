-- +goose Up
-- Metric definitions are data and versioned: every change inserts a new
-- version; the current one is the highest. A measurement records the
-- version it used.
CREATE TABLE metric_definitions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    metric_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    owner_id INTEGER,
    changed_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX metric_definitions_key ON metric_definitions (org_id, metric_key, version);

-- Values of manual metrics, typed in with a note.
CREATE TABLE manual_values (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    metric_key TEXT NOT NULL,
    period TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX manual_values_key ON manual_values (org_id, metric_key, period);

-- Stored measurements, recomputed after imports and nightly, so pages read
-- figures instead of scanning records.
CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    metric_key TEXT NOT NULL,
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    as_of TIMESTAMP NOT NULL,
    value REAL,
    unit TEXT NOT NULL,
    status TEXT NOT NULL,
    population INTEGER NOT NULL,
    met INTEGER NOT NULL,
    missed INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    reason TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX measurements_key ON measurements (org_id, metric_key, period);

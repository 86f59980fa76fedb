-- +goose Up
-- Key processes: one owner, a trigger, a deadline, steps on one page, one
-- or two metrics, and a priority score (impact x recurrence x risk).
CREATE TABLE processes (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id),
    trigger_event TEXT NOT NULL,
    deadline TEXT NOT NULL,
    deadline_hours REAL,
    steps TEXT NOT NULL,
    recorded TEXT NOT NULL,
    template TEXT NOT NULL,
    impact INTEGER NOT NULL,
    recurrence INTEGER NOT NULL,
    risk INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX processes_name_key ON processes (org_id, name);

CREATE TABLE process_metrics (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    process_id INTEGER NOT NULL REFERENCES processes (id),
    metric_key TEXT NOT NULL,
    PRIMARY KEY (process_id, metric_key)
);
CREATE INDEX process_metrics_org_idx ON process_metrics (org_id, metric_key);

-- Improvement cycles: 60 to 90 days (a reason otherwise), goals, and the
-- processes chosen for them with their metric at the start.
CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    starts_on TIMESTAMP NOT NULL,
    ends_on TIMESTAMP NOT NULL,
    goals TEXT NOT NULL,
    length_reason TEXT NOT NULL,
    focus_reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cycles_org_idx ON cycles (org_id, starts_on);

CREATE TABLE cycle_processes (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    process_id INTEGER NOT NULL REFERENCES processes (id),
    baseline TEXT NOT NULL,
    PRIMARY KEY (cycle_id, process_id)
);
CREATE INDEX cycle_processes_org_idx ON cycle_processes (org_id, process_id);

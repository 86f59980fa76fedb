-- +goose Up
-- Reminders and their delivery: an organisation's lead time and
-- escalation, each person's channels, the reminders sent (the unique index
-- makes "once per occasion" hold across processes), and deliveries with
-- their retries.
CREATE TABLE reminder_settings (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    lead_days INTEGER NOT NULL,
    escalate_days INTEGER NOT NULL
);

CREATE TABLE notification_prefs (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    email INTEGER NOT NULL,
    webhook_url TEXT NOT NULL,
    webhook_kind TEXT NOT NULL,
    digest INTEGER NOT NULL,
    paused_until TIMESTAMP,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE reminders_sent (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    occasion TEXT NOT NULL,
    stage TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    sent_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reminders_sent_once ON reminders_sent (org_id, occasion, stage, user_id);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX deliveries_org_idx ON deliveries (org_id, created_at);

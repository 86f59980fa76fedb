-- +goose Up
-- Events out (issue 17): an organisation's webhook subscriptions and the
-- outbox of their deliveries. A delivery row is written in the same
-- transaction as the change it reports (a rolled-back change sends
-- nothing) and holds the body as sent, its status, attempts, last error
-- and the receiver's last HTTP status. The secret signs the deliveries,
-- so it is kept ("plain:" or sealed with the server's key, "v1:"), never
-- only hashed. dedupe_key, when set, makes an event once per subscription
-- (an overdue corrective action is reported once per due date).
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    events TEXT NOT NULL,
    format TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL
);
CREATE INDEX webhooks_org_idx ON webhooks (org_id, id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    msg_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    response_code INTEGER NOT NULL,
    dedupe_key TEXT,
    redelivery_of INTEGER,
    created_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    sent_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_org_idx ON webhook_deliveries (org_id, webhook_id, id);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (org_id, webhook_id, dedupe_key);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
